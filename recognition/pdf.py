"""Party documents rendered with WeasyPrint (SCHEMES §5, Hướng dẫn 36-HD/VPTW).

A4, margins 20/20/30/15 mm, "Times New Roman" (Liberation Serif as its metric twin
from fonts-liberation2, which carries every Vietnamese tone mark), 13–14 pt.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from criteria.models import Scheme
from registry.formats import long_date, short_date
from registry.pdf import html_to_pdf as _html_to_pdf
from registry.pdf import issuing_body, party_heading, place_of, superior_body

from .models import DecisionKind, SubjectKind

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


def decision_context(decision, registrations=None, preview=False):
    """The decision's template context; `registrations` and `preview` for a decision not yet
    numbered nor saved (the decider's preview before issuing, issue 12)."""
    issuer = decision.issuer
    body = issuing_body(issuer)
    revocation = decision.kind == DecisionKind.REVOCATION
    if registrations is None:
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
    code = issuer.code
    number_text = (
        (f"……-QĐ/{code}" if code else "……-QĐ") if preview or decision.number is None else decision.display_number
    )
    return {
        "decision": decision,
        "preview": preview,
        "number_text": number_text,
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


def render_decision_preview(decision, registrations, verdict_note=""):
    """An unsaved, unnumbered decision as PDF bytes, marked as a preview (issue 12); `verdict_note`:
    why the verdict is not eligible, printed in the preview's banner only."""
    context = decision_context(decision, registrations=registrations, preview=True)
    context["verdict_note"] = verdict_note
    return _html_to_pdf(render_to_string("recognition/pdf/decision.html", context))


def render_registration_report(context):
    """The exemplary-models registration report, after the template at the end of seed 003."""
    return _html_to_pdf(render_to_string("recognition/pdf/registration_report.html", context))


def list_issuer(user, organization=None):
    """The organization that issues a yearly list: the one the list is limited to, else the
    highest organization the user sees (the same authority the quota page uses)."""
    if organization is not None:
        return organization
    from registry.models import Organization

    return Organization.objects.visible_to(user).order_by("depth", "path").first()


def recognition_list_context(*, rows, scheme, year, issuer, organization=None, today):
    """Heading (superior, issuer, party, place and date), title and signature of the yearly list.

    The list is a party document like the decisions it sums up (Hướng dẫn 36-HD/VPTW): it is
    signed for the standing committee of the issuer ("T/M BAN CHI ỦY" for a cell), by the
    signer of the issuer's latest decision in the list when there is one.
    """
    rows = list(rows)
    first = rows[0] if rows else None
    recognized_as = RECOGNIZED_AS[scheme] % {"year": year, "phase": first.phase if first else year}
    signer_title, signer_name = "", ""
    if issuer is not None:
        signed = [r.decision for r in rows if r.decision_id and r.decision.issuer_id == issuer.pk]
        if signed:
            latest = max(signed, key=lambda d: (d.issued_on, d.pk))
            signer_title, signer_name = latest.signer_title, latest.signer_name
    heading = (
        party_heading(issuer, issuing_body(issuer), today) if issuer is not None else {"date_text": long_date(today)}
    )
    return {
        **heading,
        "rows": rows,
        # Recognized over a verdict that found them not eligible: marked (*) with a note (issue 12).
        "overridden": any(r.recognized_over_verdict for r in rows),
        "scheme": dict(Scheme.choices)[scheme],
        "year": year,
        "organization": organization,
        "issuer": issuer,
        "issuer_body_name": issuing_body(issuer) if issuer is not None else "",
        "number_suffix": _("DS/CB") if issuer is not None and issuer.is_cell else _("DS/ĐU"),
        "subject": _("Các tổ chức đảng, mô hình, cá nhân %(recognized_as)s") % {"recognized_as": recognized_as},
        "signer": _("T/M BAN CHI ỦY") if issuer is not None and issuer.is_cell else _("T/M BAN THƯỜNG VỤ"),
        "signer_title": signer_title,
        "signer_name": signer_name,
        "today": today,
    }


def render_recognition_list(**kwargs):
    """The yearly recognition list as a party document: heading, title, table, signature."""
    return _html_to_pdf(render_to_string("recognition/pdf/recognition_list.html", recognition_list_context(**kwargs)))
