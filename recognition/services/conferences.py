"""Standing-committee conferences that decide in bulk, their decisions, and the January
re-check of model cells (SCHEMES §1.3, §5)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.models import Scheme
from registry import outbox
from registry.formats import person_name
from registry.scoping import APPRAISE_GRASSROOTS, DECIDE

from ..eligibility import snapshot_for
from ..models import Conference, GenerationState, ModelCellRecheck, RecheckProposal, Registration, State
from ..workflow import acts_at
from .decisions import decision_issue, decision_render_pdf
from .transitions import registration_recognize, registration_reject, registration_revoke


@transaction.atomic
def conference_create(*, user, authority, plan, year, held_on, title="", signer_title="BÍ THƯ", signer_name=""):
    if not acts_at(user, authority, DECIDE):
        raise PermissionDenied(_("Chỉ Ban Thường vụ của cấp này được mở hội nghị xét công nhận."))
    return Conference.objects.create(
        authority=authority,
        scheme=plan.scheme,
        plan=plan,
        year=year,
        held_on=held_on,
        title=title or _("Hội nghị Ban Thường vụ xét công nhận năm %(year)d") % {"year": year},
        signer_title=signer_title,
        signer_name=signer_name or person_name(user),
    )


def conference_decide(*, conference, user, recognize=(), reject=None, commend=(), comment="", overrides=None):
    """Decide in bulk: recognize (commended ones last, so the cap counts every passed cell) and
    reject with reasons {registration: reason}. `overrides` {registration id: reason}: why a subject
    whose recomputed verdict is not eligible is recognized anyway (without one the transition
    service refuses it, issue 12). Returns (done, errors) with messages."""
    done, errors = [], []
    overrides = overrides or {}
    recognize = list(recognize)
    commend_ids = {r.pk for r in commend}
    ordered = [r for r in recognize if r.pk not in commend_ids] + [r for r in recognize if r.pk in commend_ids]
    for registration in ordered:
        try:
            registration_recognize(
                registration=registration,
                user=user,
                comment=comment,
                commend=registration.pk in commend_ids,
                conference=conference,
                issue_decision=False,
                override_reason=overrides.get(registration.pk, ""),
            )
            done.append(registration)
        except (ValidationError, PermissionDenied) as exc:
            errors.append((registration, _messages(exc)))
    for registration, reason in (reject or {}).items():
        try:
            registration_reject(registration=registration, user=user, comment=reason, conference=conference)
            done.append(registration)
        except (ValidationError, PermissionDenied) as exc:
            errors.append((registration, _messages(exc)))
    return done, errors


def _messages(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def conference_start_generation(*, conference, user):
    """Queue the Celery task that numbers and prints every decision of the conference."""
    if not acts_at(user, conference.authority, DECIDE):
        raise PermissionDenied(_("Chỉ Ban Thường vụ của cấp này được ban hành quyết định."))
    Conference.objects.filter(pk=conference.pk).update(
        generation_state=GenerationState.QUEUED, generation_error="", generation_updated_at=timezone.now()
    )

    from ..tasks import generate_conference_decisions

    # Recorded with the state change; sent after commit, or later when the broker is back.
    return outbox.enqueue(generate_conference_decisions, conference.pk, user.pk)


def _progress(conference, **fields):
    fields["generation_updated_at"] = timezone.now()
    Conference.objects.filter(pk=conference.pk).update(**fields)


def conference_generate_decisions(*, conference, user, collective=True):
    """Issue the decisions of a conference and render their PDFs, with progress stored on the
    conference row. Idempotent: registrations that have a decision and PDFs that exist are kept."""
    try:
        with transaction.atomic():
            pending = list(
                Registration.objects.filter(conference=conference, state=State.RECOGNIZED, decision__isnull=True)
            )
            if pending:
                groups = [pending] if collective else [[r] for r in pending]
                for group in groups:
                    decision_issue(
                        registrations=group,
                        user=user,
                        conference=conference,
                        signer_title=conference.signer_title,
                        signer_name=conference.signer_name,
                        render=False,
                    )
        to_render = list(conference.decisions.filter(pdf=""))
        total = conference.decisions.count()
        _progress(
            conference,
            generation_state=GenerationState.RUNNING,
            generation_total=total,
            generation_done=total - len(to_render),
        )
        for decision in to_render:
            decision_render_pdf(decision=decision)
            _progress(conference, generation_done=F("generation_done") + 1)
        _progress(conference, generation_state=GenerationState.DONE)
    except Exception as exc:
        _progress(conference, generation_state=GenerationState.FAILED, generation_error=str(exc))
        raise


# --------------------------------------------------------------------------- model-cell re-check


@transaction.atomic
def model_cell_recheck(*, user, committee, plan, year):
    """January re-check of the approved list (SCHEMES §1.3): for every model-cell registration of
    the committee's cells that is appraised or recognized, propose keep or drop from the engine's
    result for `year`. Re-running updates the year's proposals that are not yet applied."""
    if not acts_at(user, committee, APPRAISE_GRASSROOTS):
        raise PermissionDenied(_("Chỉ đảng ủy cơ sở rà soát chi bộ kiểu mẫu của mình."))
    approved = Registration.objects.filter(
        plan=plan,
        scheme=Scheme.MODEL_CELL,
        state__in=[State.APPRAISED_BOARD, State.RECOGNIZED],
        organization__path__startswith=committee.path,
    ).select_related("organization", "plan")
    rechecks = []
    for registration in approved:
        probe = Registration(
            plan=registration.plan,
            scheme=registration.scheme,
            year=year,
            subject_kind=registration.subject_kind,
            organization=registration.organization,
        )
        snapshot = snapshot_for(probe)
        proposal = RecheckProposal.DROP if snapshot.get("eligible") is False else RecheckProposal.KEEP
        recheck, _created = ModelCellRecheck.objects.update_or_create(
            registration=registration,
            year=year,
            applied=False,
            defaults={"proposal": proposal, "eligibility": snapshot, "checked_by": user},
        )
        rechecks.append(recheck)
    return rechecks


@transaction.atomic
def model_cell_recheck_apply(*, recheck, user, comment=""):
    """The standing committee drops a cell proposed for dropping: rejected while still on the list,
    revoked with a decision when already recognized (SCHEMES §1.3)."""
    recheck = ModelCellRecheck.objects.select_for_update().get(pk=recheck.pk)
    if recheck.applied:
        return recheck
    if recheck.proposal == RecheckProposal.DROP:
        reason = comment or _("Không duy trì được tiêu chí chi bộ kiểu mẫu năm %(year)d.") % {"year": recheck.year}
        registration = recheck.registration
        if registration.state == State.RECOGNIZED:
            registration_revoke(registration=registration, user=user, comment=reason)
        else:
            registration_reject(registration=registration, user=user, comment=reason)
    recheck.applied = True
    recheck.save(update_fields=["applied"])
    return recheck
