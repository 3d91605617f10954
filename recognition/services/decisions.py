"""Numbered party decisions and their PDFs (SCHEMES §5, Hướng dẫn 36-HD/VPTW)."""

import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from criteria.models import Scheme
from registry import outbox
from registry.formats import person_name
from registry.scoping import DECIDE

from ..models import Decision, DecisionCounter, DecisionKind, Registration, State
from ..workflow import acts_at


def next_decision_number(issuer, year):
    """The next number of `issuer` in `year`: the counter row is locked until the caller's
    transaction ends, so concurrent issuers get consecutive, distinct numbers (SCHEMES §5)."""
    DecisionCounter.objects.get_or_create(issuer=issuer, year=year)
    counter = DecisionCounter.objects.select_for_update().get(issuer=issuer, year=year)
    DecisionCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    return counter.last_number + 1


SUBJECT_LINES = {
    Scheme.MODEL_CELL: _lazy("công nhận chi bộ kiểu mẫu năm %(year)d"),
    Scheme.MEETING_QUALITY: _lazy("công nhận chi bộ có chất lượng sinh hoạt tốt năm %(year)d"),
    Scheme.FOUR_GOODS: _lazy("công nhận tổ chức đảng đạt “bốn tốt” năm %(year)d"),
    Scheme.EXEMPLARY: _lazy(
        "công nhận mô hình, điển hình tiên tiến học tập và làm theo tư tưởng, đạo đức, phong cách "
        "Hồ Chí Minh giai đoạn %(phase)s"
    ),
}


def _subject_line(kind, registrations):
    first = registrations[0]
    if first.scheme == Scheme.FOUR_GOODS and all(r.organization.is_cell for r in registrations):
        line = _("công nhận chi bộ “bốn tốt” năm %(year)d")
    else:
        line = SUBJECT_LINES[first.scheme]
    line = line % {"year": first.year, "phase": first.phase or first.year}
    if kind == DecisionKind.REVOCATION:
        return _("hủy bỏ quyết định %(line)s đối với %(subject)s") % {"line": line, "subject": first.subject_name}
    return line


def create_decision(
    *,
    issuer,
    registrations,
    kind,
    user,
    issued_on=None,
    conference=None,
    signer_title="BÍ THƯ",
    signer_name="",
    reason="",
    revokes=None,
):
    issued_on = issued_on or (conference.held_on if conference else timezone.localdate())
    number = next_decision_number(issuer, issued_on.year)
    first = registrations[0]
    return Decision.objects.create(
        issuer=issuer,
        year=issued_on.year,
        number=number,
        kind=kind,
        scheme=first.scheme,
        plan=first.plan,
        recognition_year=first.year,
        conference=conference,
        issued_on=issued_on,
        subject_line=_subject_line(kind, registrations),
        reason=reason,
        revokes=revokes,
        signer_title=signer_title or "BÍ THƯ",
        signer_name=signer_name or person_name(user),
        issued_by=user,
    )


@transaction.atomic
def decision_issue(
    *, registrations, user, issued_on=None, conference=None, signer_title="BÍ THƯ", signer_name="", render=True
):
    """One numbered decision for recognized registrations of one authority: single for one
    subject, collective with an annex table for several (SCHEMES §5)."""
    ids = [r.pk for r in registrations]
    locked = list(
        Registration.objects.select_for_update(of=("self",))
        .select_related("organization", "authority", "plan", "member")
        .filter(pk__in=ids)
        .order_by("organization__path", "pk")
    )
    if not locked:
        raise ValidationError(_("Không có đăng ký nào để ban hành quyết định."))
    authorities = {r.authority_id for r in locked}
    if len(authorities) != 1:
        raise ValidationError(_("Một quyết định chỉ do một cấp có thẩm quyền ban hành."))
    for registration in locked:
        if registration.state != State.RECOGNIZED or registration.decision_id:
            raise ValidationError(
                _("“%(subject)s” chưa được công nhận hoặc đã có quyết định.") % {"subject": registration.subject_name}
            )
    if not acts_at(user, locked[0].authority, DECIDE):
        raise PermissionDenied(_("Bạn không có thẩm quyền ban hành quyết định của cấp này."))
    kind = DecisionKind.SINGLE if len(locked) == 1 else DecisionKind.COLLECTIVE
    decision = create_decision(
        issuer=locked[0].authority,
        registrations=locked,
        kind=kind,
        user=user,
        issued_on=issued_on,
        conference=conference,
        signer_title=signer_title,
        signer_name=signer_name,
    )
    for registration in locked:  # saved one by one so that history keeps each change
        registration.decision = decision
        registration.save(update_fields=["decision"])
    if render:
        render_on_commit(decision.pk)
    return decision


def decision_preview(*, registration, user, commend=False, issued_on=None, signer_title="BÍ THƯ", signer_name=""):
    """The single decision recognizing `registration` as it would be issued now, as PDF bytes:
    built in memory, never saved, and no number taken from the counter (issue 12: the decider
    sees it before confirming). The caller checks that `user` may recognize."""
    from ..eligibility import is_eligible, snapshot_for, verdict_text
    from ..pdf import render_decision_preview

    issued_on = issued_on or timezone.localdate()
    subject = copy.copy(registration)
    subject.commended = bool(commend)
    decision = Decision(
        issuer=registration.authority,
        year=issued_on.year,
        number=None,
        kind=DecisionKind.SINGLE,
        scheme=registration.scheme,
        plan=registration.plan,
        recognition_year=registration.year,
        issued_on=issued_on,
        subject_line=_subject_line(DecisionKind.SINGLE, [registration]),
        signer_title=signer_title or "BÍ THƯ",
        signer_name=signer_name or person_name(user),
    )
    snapshot = snapshot_for(registration)
    note = "" if is_eligible(snapshot) else verdict_text(snapshot)
    return render_decision_preview(decision, [subject], verdict_note=note)


def render_on_commit(decision_id):
    """Render the PDF through Celery after commit; if Redis is away the outbox keeps the task
    and sends it when the broker is back (registry.outbox), so the PDF is never lost."""
    from ..tasks import render_decision_pdf

    outbox.enqueue(render_decision_pdf, decision_id)


def decision_render_pdf(*, decision, force=False):
    """Render and store the decision's PDF; idempotent unless `force`."""
    from django.core.files.base import ContentFile

    from ..pdf import render_decision

    if decision.pdf and not force:
        return decision
    content = render_decision(decision)
    filename = f"QD-{decision.number}-{decision.year}-{decision.issuer_id}.pdf"
    # A file already under this name belongs to no row (this decision has no PDF yet): an attempt
    # cut short between writing it and recording it (PostgreSQL stopped in between). Replace it
    # rather than leave it beside a renamed copy.
    stored_name = decision.pdf.field.generate_filename(decision, filename)
    if decision.pdf.storage.exists(stored_name):
        decision.pdf.storage.delete(stored_name)
    decision.pdf.save(filename, ContentFile(content), save=False)
    Decision.objects.filter(pk=decision.pk).update(pdf=decision.pdf.name)
    return decision
