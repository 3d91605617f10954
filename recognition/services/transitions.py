"""The one write path of the workflow: every move of a registration (SCHEMES §3.2, §4.2, §5).

`registration_transition` is the Zulip-style `do_*` function every page, API call, bulk
action and conference goes through. In one transaction it:
1. locks the stored registration (`select_for_update`), so concurrent reviewers queue up
   and the second one finds the state already moved (a conflict, never a second decision);
2. asks the table (recognition/workflow.py, through django-fsm) on that stored row whether
   this user may take this action now: wrong state or path → `TransitionConflict` (409),
   wrong actor → `PermissionDenied` (403), missing required comment → `ValidationError` (400);
3. moves the state machine, saves with `update_fields` (history keeps every version) and
   writes the immutable audit row (`Transition`) with the eligibility snapshot of that moment;
   Recognizing (or commending) a subject whose eligibility, recomputed at that moment on the
   stored registration, is not eligible needs an explicit `override_reason`: without one it
   is refused (`ValidationError` on "override_reason", nothing changes, no number taken); with
   one the reason is kept on the audit row and the registration is marked (issue 12);
4. runs the action's effect, if it has one (`EFFECTS`): stamping the submission, checking
   the commendation cap and quotas, numbering a decision; the PDFs are rendered after
   commit (`transaction.on_commit` through registry.outbox).
"""

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.models import Scheme
from registry.models import Organization, Rating, RatingLevel

from .. import params
from ..eligibility import is_eligible, snapshot_for, verdict_text
from ..models import DecisionKind, Registration, State, SubjectKind, Transition, TransitionAttachment
from ..workflow import ACTIONS, refusal, row_for
from .decisions import create_decision, decision_issue, render_on_commit


def _locked(registration):
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("organization", "registrant", "authority", "plan", "decision", "decision__issuer")
        .get(pk=registration.pk)
    )


def _record(registration, *, action, from_state, user, comment, attachments, acting_for, snapshot, override_reason=""):
    registration.eligibility = snapshot
    transition = Transition.objects.create(
        registration=registration,
        action=action,
        from_state=from_state,
        to_state=registration.state,
        actor=user,
        acting_for=acting_for,
        comment=comment,
        eligibility=snapshot,
        eligible=snapshot.get("eligible"),
        overrode_verdict=bool(override_reason),
        override_reason=override_reason,
    )
    for upload in attachments or ():
        attachment = TransitionAttachment(transition=transition, file=upload, title=getattr(upload, "name", ""))
        attachment.full_clean()
        attachment.save()
    return transition


OVERRIDING_ACTIONS = ("recognize",)  # recognizing, with or without commendation (SCHEMES §5, issue 12)


def override_needed(action, snapshot):
    """True when `action` decides in favour of a subject the verdict `snapshot` does not find eligible."""
    return action in OVERRIDING_ACTIONS and not is_eligible(snapshot)


def _override(spec, registration, snapshot, override_reason):
    """The override reason to record ("" when the verdict is eligible); refuses a missing one.

    The verdict is the one just recomputed on the stored (locked) registration, its organization,
    scheme and year, never anything the request says."""
    if not override_needed(spec.name, snapshot):
        return ""
    reason = (override_reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Không thể công nhận %(subject)s: theo kết quả đối chiếu tiêu chí lúc này, đối tượng chưa đủ "
                    "điều kiện. %(why)s Nếu vẫn công nhận, cần ghi rõ lý do công nhận dù chưa đủ điều kiện."
                )
                % {"subject": registration.subject_name, "why": verdict_text(snapshot)}
            }
        )
    return reason


@transaction.atomic
def registration_transition(*, registration, user, action, comment="", attachments=(), override_reason="", **options):
    """Move `registration` by `action` (a name of workflow.ACTIONS) as `user`; returns the stored row.

    `override_reason`: why a subject the recomputed verdict finds not eligible is recognized anyway
    (required then, ignored when the verdict is eligible).
    `options` go to the action's effect: `commend`, `conference`, `issue_decision`, `issued_on`,
    `signer_title`, `signer_name`, `render` for recognize; `conference` for reject; `issued_on`,
    `signer_title`, `signer_name`, `render` for revoke."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": _("Thao tác không hợp lệ.")})
    locked = _locked(registration)
    problem = refusal(user, locked, spec)
    if problem is not None:
        raise problem
    comment = (comment or "").strip()
    if spec.comment_required and not comment:
        raise ValidationError({"comment": str(spec.comment_required)})
    snapshot = snapshot_for(locked)  # the verdict at this moment, on the stored row
    override_reason = _override(spec, locked, snapshot, override_reason)
    effect = EFFECTS.get(spec.name, Effect())
    acting_for = row_for(locked, spec.name).actor.acting_for(locked)
    from_state = locked.state
    getattr(locked, spec.method)()
    changed = {"state", "eligibility"}
    if spec.comment_field:
        setattr(locked, spec.comment_field, comment)
        changed.add(spec.comment_field)
    for name, value in (effect.fields(locked, options) if effect.fields else {}).items():
        setattr(locked, name, value)
        changed.add(name)
    if spec.name in OVERRIDING_ACTIONS:
        locked.recognized_over_verdict = bool(override_reason)
        locked.override_reason = override_reason
        changed.update({"recognized_over_verdict", "override_reason"})
    _record(
        locked,
        action=spec.name,
        from_state=from_state,
        user=user,
        comment=comment,
        attachments=attachments,
        acting_for=acting_for,
        snapshot=snapshot,
        override_reason=override_reason,
    )
    locked.save(update_fields=sorted(changed))
    if effect.then:
        effect.then(locked, user=user, comment=comment, **options)
    registration.refresh_from_db()
    return locked


# --------------------------------------------------------------------------- effects of some actions


@dataclass(frozen=True)
class Effect:
    """What an action does besides moving the state and keeping the comment.

    `fields(registration, options)`: more fields to save with the move;
    `then(registration, user=, comment=, **options)`: runs after the move, in the same transaction."""

    fields: object = None
    then: object = None


def _submission_fields(registration, options):
    """Submitted now; late when after the plan's deadline (flagged, kept) (SCHEMES §1.3, §3.3)."""
    now = timezone.now()
    late = bool(registration.deadline and timezone.localdate(now) > registration.deadline)
    return {"submitted_at": now, "is_late": late or registration.is_late}


def _decided_at(registration, options):
    conference = options.get("conference")
    if conference is not None and conference.authority_id != registration.authority_id:
        raise ValidationError(_("Đăng ký này không thuộc thẩm quyền của hội nghị."))
    return {"conference": conference}


def _recognition_fields(registration, options):
    return {**_decided_at(registration, options), "commended": bool(options.get("commend"))}


def _after_recognition(
    registration,
    *,
    user,
    comment,
    commend=False,
    conference=None,
    issue_decision=True,
    issued_on=None,
    signer_title="BÍ THƯ",
    signer_name="",
    render=True,
    **_unused,
):
    """Caps and quotas are counted per authority, with the authority's row locked; without a
    conference the single decision is numbered and issued in the same transaction."""
    Organization.objects.select_for_update().filter(pk=registration.authority_id).first()
    if commend:
        if registration.scheme != Scheme.FOUR_GOODS or registration.subject_kind != SubjectKind.ORGANIZATION:
            raise ValidationError(_("Chỉ tổ chức đạt “bốn tốt” mới được xét biểu dương tiêu biểu."))
        _check_commendation(registration)
    _check_quota(registration)
    if issue_decision and conference is None:
        decision_issue(
            registrations=[registration],
            user=user,
            issued_on=issued_on,
            signer_title=signer_title,
            signer_name=signer_name,
            render=render,
        )
        registration.refresh_from_db()


def _after_revocation(
    registration, *, user, comment, issued_on=None, signer_title="BÍ THƯ", signer_name="", render=True, **_unused
):
    """A revocation decision of the granting body, naming the reason (SCHEMES §3.2)."""
    decision = create_decision(
        issuer=registration.decision.issuer if registration.decision_id else registration.authority,
        registrations=[registration],
        kind=DecisionKind.REVOCATION,
        user=user,
        issued_on=issued_on,
        signer_title=signer_title,
        signer_name=signer_name,
        reason=comment,
        revokes=registration.decision,
    )
    registration.revocation_decision = decision
    registration.save(update_fields=["revocation_decision"])
    if render:
        render_on_commit(decision.pk)


EFFECTS = {
    "submit": Effect(fields=_submission_fields),
    "reject": Effect(fields=_decided_at),
    "recognize": Effect(fields=_recognition_fields, then=_after_recognition),
    "revoke": Effect(then=_after_revocation),
}


def _check_commendation(registration):
    """Outstanding four-goods: EXCELLENT only, ≤ share × passed per authority and year, rounded
    down (SCHEMES §3.2, [004 §II.4.2.2])."""
    rating = Rating.objects.filter(organization=registration.organization, year=registration.year).first()
    if rating is None or rating.level != RatingLevel.EXCELLENT:
        raise ValidationError(
            _(
                "Không thể biểu dương tiêu biểu %(subject)s: năm %(year)d tổ chức được xếp loại “%(level)s”, "
                "chỉ tổ chức “Hoàn thành xuất sắc nhiệm vụ” mới được biểu dương [HD 39-KH/ĐU mục II.4.2.2]."
            )
            % {
                "subject": registration.subject_name,
                "year": registration.year,
                "level": rating.get_level_display() if rating else _("chưa xếp loại"),
            }
        )
    share = params.commendation_share(registration.plan)
    passed = Registration.objects.filter(
        scheme=Scheme.FOUR_GOODS, year=registration.year, authority=registration.authority, state=State.RECOGNIZED
    )
    passed_count = passed.count()  # this registration is already recognized in the transaction
    cap = math.floor(share * passed_count)
    commended = passed.filter(commended=True).exclude(pk=registration.pk).count()
    if commended + 1 > cap:
        raise ValidationError(
            _(
                "Vượt giới hạn biểu dương: tối đa %(pct)d%% số tổ chức đạt “bốn tốt” năm %(year)d của "
                "%(authority)s (làm tròn xuống). Đã đạt: %(passed)d, được biểu dương tối đa: %(cap)d, "
                "đã biểu dương: %(done)d."
            )
            % {
                "pct": round(share * 100),
                "year": registration.year,
                "authority": registration.authority.name,
                "passed": passed_count,
                "cap": cap,
                "done": commended,
            }
        )


def _check_quota(registration):
    """Exemplary models: at most the plan's quota per type and phase (SCHEMES §4.2)."""
    if registration.subject_kind != SubjectKind.MODEL:
        return
    quota = params.quotas(registration.plan, registration.phase).get(registration.model_type)
    if quota is None:
        return
    recognized = (
        Registration.objects.filter(
            plan=registration.plan,
            phase=registration.phase,
            model_type=registration.model_type,
            authority=registration.authority,
            state=State.RECOGNIZED,
        )
        .exclude(pk=registration.pk)
        .count()
    )
    if recognized >= quota:
        name = params.model_types(registration.plan).get(registration.model_type, {}).get("name", "")
        raise ValidationError(
            _(
                "Đã đủ chỉ tiêu mô hình loại (%(n)d) “%(name)s” giai đoạn %(phase)s: chỉ tiêu %(quota)d, "
                "đã công nhận %(done)d."
            )
            % {
                "n": registration.model_type,
                "name": name,
                "phase": registration.phase,
                "quota": quota,
                "done": recognized,
            }
        )


# --------------------------------------------------------------------------- named shortcuts for callers in code
# (demo data, tests, conferences): each is registration_transition with one action.


def registration_submit(*, registration, user, comment="", attachments=()):
    return registration_transition(
        registration=registration, user=user, action="submit", comment=comment, attachments=attachments
    )


def registration_appraise_grassroots(*, registration, user, comment="", attachments=()):
    return registration_transition(
        registration=registration, user=user, action="appraise_grassroots", comment=comment, attachments=attachments
    )


def registration_appraise_board(*, registration, user, comment="", attachments=()):
    return registration_transition(
        registration=registration, user=user, action="appraise_board", comment=comment, attachments=attachments
    )


def registration_return(*, registration, user, comment, attachments=()):
    return registration_transition(
        registration=registration, user=user, action="return", comment=comment, attachments=attachments
    )


def registration_reject(*, registration, user, comment, attachments=(), conference=None):
    return registration_transition(
        registration=registration,
        user=user,
        action="reject",
        comment=comment,
        attachments=attachments,
        conference=conference,
    )


def registration_recognize(*, registration, user, comment="", attachments=(), override_reason="", **options):
    return registration_transition(
        registration=registration,
        user=user,
        action="recognize",
        comment=comment,
        attachments=attachments,
        override_reason=override_reason,
        **options,
    )


def registration_revoke(*, registration, user, comment, attachments=(), **options):
    return registration_transition(
        registration=registration, user=user, action="revoke", comment=comment, attachments=attachments, **options
    )
