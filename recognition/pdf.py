"""Party documents rendered with WeasyPrint (SCHEMES §5, Hướng dẫn 36-HD/VPTW).

A4, margins 20/20/30/15 mm, "Times New Roman" (Liberation Serif as its metric twin
from fonts-liberation2, which carries every Vietnamese tone mark), 13–14 pt.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from criteria.models import Scheme
from registry.formats import long_date, short_date

from .models import DecisionKind, SubjectKind


def issuing_body(organization):
    """The body that signs for a party organization: "Đảng bộ X" is led by "Đảng ủy X",
    "Chi bộ X" by "Chi ủy X"."""
    name = organization.name
    for organization_word, body_word in (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy")):
        if name.startswith(organization_word):
            return body_word + name[len(organization_word) :]
    return name


def superior_body(organization, plan=None):
    """Top-left first line: the party organization above the issuer; for a root, the plan's
    "superior_body" parameter or the province's party organization named by the place."""
    if organization.parent_id:
        return organization.parent.name.upper()
    explicit = (plan.params or {}).get("superior_body") if plan else ""
    if explicit:
        return explicit.upper()
    place = place_of(organization)
    return (_("Đảng bộ tỉnh %(place)s") % {"place": place}).upper() if place else ""


def place_of(organization):
    if organization.place_name:
        return organization.place_name
    for ancestor in reversed(list(organization.ancestors())):
        if ancestor.place_name:
            return ancestor.place_name
    return ""


def _html_to_pdf(html):
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


RECOGNIZED_AS = {
    Scheme.MODEL_CELL: _lazy("đạt danh hiệu “Chi bộ kiểu mẫu” năm %(year)s"),
    Scheme.MEETING_QUALITY: _lazy("có chất lượng sinh hoạt chi bộ tốt năm %(year)s"),
    Scheme.FOUR_GOODS: _lazy("đạt “bốn tốt” năm %(year)s"),
    Scheme.EXEMPLARY: _lazy(
        "là mô hình, điển hình tiên tiến học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh "
        "giai đoạn %(phase)s"
    ),
}


def subject_label(registration):
    if registration.subject_kind == SubjectKind.MODEL:
        return _("Mô hình “%(name)s” của %(org)s") % {"name": registration.model_name, "org": registration.organization}
    if registration.subject_kind == SubjectKind.MEMBER:
        position = f", {registration.member_position}" if registration.member_position else ""
        return _("Đồng chí %(name)s%(position)s, %(org)s") % {
            "name": registration.member,
            "position": position,
            "org": registration.organization,
        }
    return registration.organization.name


def decision_context(decision):
    issuer = decision.issuer
    body = issuing_body(issuer)
    revocation = decision.kind == DecisionKind.REVOCATION
    registrations = list(
        (decision.revoked_registrations if revocation else decision.registrations)
        .select_related("organization", "member")
        .order_by("organization__path", "pk")
    )
    first = registrations[0] if registrations else None
    recognized_as = RECOGNIZED_AS[decision.scheme] % {
        "year": decision.recognition_year,
        "phase": first.phase if first else "",
    }
    board = _("Ban Tuyên giáo") if decision.scheme == Scheme.EXEMPLARY else _("Ban Tổ chức")
    if issuer.kind == "upper":
        proposer = _("%(board)s %(body)s") % {"board": board, "body": body}
    else:
        proposer = _("các chi bộ trực thuộc và Văn phòng %(body)s") % {"body": body}
    plan = decision.plan
    bases = [_("Căn cứ Điều lệ Đảng Cộng sản Việt Nam;")]
    bases.append(
        _("Căn cứ văn bản số %(number)s, ngày %(date)s của %(issuer)s về %(title)s;")
        % {
            "number": plan.number,
            "date": short_date(plan.issued_on),
            "issuer": plan.issuer_name,
            "title": plan.title[:1].lower() + plan.title[1:],
        }
    )
    if decision.conference_id:
        bases.append(
            _("Căn cứ kết luận của Hội nghị Ban Thường vụ %(body)s %(date)s;")
            % {"body": body, "date": long_date(decision.conference.held_on)}
        )
    return {
        "decision": decision,
        "superior": superior_body(issuer, plan),
        "issuer_body": body.upper(),
        "issuer_body_name": body,
        "place": place_of(issuer),
        "date_text": long_date(decision.issued_on),
        "bases": bases,
        "proposer": proposer,
        "registrations": registrations,
        "subjects": [subject_label(r) for r in registrations],
        "first_subject": subject_label(first) if first else "",
        "recognized_as": recognized_as,
        "revocation": revocation,
        "collective": decision.kind == DecisionKind.COLLECTIVE,
        "commended": [subject_label(r) for r in registrations if r.commended],
        "revoked_decision": decision.revokes,
        "revoked_date": long_date(decision.revokes.issued_on) if decision.revokes_id else "",
    }


def render_decision(decision):
    """The decision as PDF bytes: single, collective with an annex table, or revocation."""
    return _html_to_pdf(render_to_string("recognition/pdf/decision.html", decision_context(decision)))


def render_registration_report(context):
    """The exemplary-models registration report, after the template at the end of seed 003."""
    return _html_to_pdf(render_to_string("recognition/pdf/registration_report.html", context))


def render_recognition_list(context):
    return _html_to_pdf(render_to_string("recognition/pdf/recognition_list.html", context))
