"""Every write of the recognition workflow (SCHEMES §1.3, §3.2–3.3, §4.1–4.2, §5).

Each transition is one keyword-only function: it runs in `transaction.atomic`,
locks the registration with `select_for_update`, checks the actor's role at the
right place in the tree, moves the state machine, stores the eligibility snapshot
of that moment in an immutable `Transition` row, and leaves side effects (PDFs)
to `transaction.on_commit`.
"""

import logging
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import can_proceed

from criteria.models import Scheme
from registry import outbox
from registry.formats import person_name
from registry.models import Organization, OrganizationKind, Rating, RatingLevel
from registry.scoping import (
    APPRAISE_BOARD,
    APPRAISE_GRASSROOTS,
    DECIDE,
    REGISTER,
    ROLE_CAPABILITIES,
    _appointments,
    can,
    is_unrestricted,
)

from . import params
from .eligibility import snapshot_for
from .models import (
    OPEN_STATES,
    Conference,
    Decision,
    DecisionCounter,
    DecisionKind,
    Evidence,
    GenerationState,
    ModelCellRecheck,
    RecheckProposal,
    Registration,
    State,
    SubjectKind,
    Transition,
    TransitionAttachment,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- authority and guards


def authority_for(scheme, organization, plan=None):
    """Who decides (SCHEMES §3.3, §5): a subordinate cell's four-goods result its grassroots
    committee; everything else the standing committee of the upper level above the subject."""
    if scheme == Scheme.FOUR_GOODS and organization.kind in (
        OrganizationKind.SUBORDINATE_CELL,
        OrganizationKind.PARTIAL_COMMITTEE,
    ):
        grassroots = organization.grassroots()
        if grassroots is not None:
            return grassroots
    ancestors = list(organization.ancestors())
    uppers = [org for org in ancestors if org.kind == OrganizationKind.UPPER_COMMITTEE]
    if uppers:
        return uppers[-1]
    if plan is not None and plan.issuer_id:
        return plan.issuer
    if ancestors:
        return ancestors[-1]
    return organization


def _acts_at(user, organization, capability, roles=None):
    """True when the user holds `capability` through an appointment at `organization` itself
    (the body acting), optionally only in one of `roles`. Unrestricted users act everywhere."""
    if organization is None or not user.is_authenticated:
        return False
    if is_unrestricted(user):
        return True
    if not can(user, capability, organization):
        return False
    for role, path in _appointments(user):  # cached per user object by registry.scoping
        if path != organization.path:
            continue
        if capability in ROLE_CAPABILITIES.get(role, ()) and (roles is None or role in roles or role == "sysadmin"):
            return True
    return False


def _grassroots_of(registration):
    grassroots = registration.organization.grassroots()
    return grassroots if grassroots is not None and grassroots.pk != registration.organization_id else None


def may_register(user, registration):
    return can(user, REGISTER, registration.organization) or can(user, REGISTER, registration.registrant)


def may_appraise_grassroots(user, registration):
    return (
        registration.state == State.SUBMITTED
        and registration.needs_grassroots_appraisal
        and _acts_at(user, _grassroots_of(registration), APPRAISE_GRASSROOTS)
    )


def may_appraise_board(user, registration):
    if registration.state == State.SUBMITTED:
        if registration.needs_grassroots_appraisal:
            return False
    elif registration.state == State.APPRAISED_GRASSROOTS:
        if registration.authority_decides_after_grassroots:
            return False
    else:
        return False
    return _acts_at(user, registration.authority, APPRAISE_BOARD, roles={registration.board_role})


def may_decide(user, registration):
    if registration.state == State.APPRAISED_BOARD:
        pass
    elif registration.state == State.APPRAISED_GRASSROOTS:
        if not registration.authority_decides_after_grassroots:
            return False
    else:
        return False
    return _acts_at(user, registration.authority, DECIDE)


def may_return(user, registration):
    """The reviewer whose step is next may send the registration back with a request."""
    if registration.state not in (State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD):
        return False
    return (
        may_appraise_grassroots(user, registration)
        or may_appraise_board(user, registration)
        or may_decide(user, registration)
    )


def may_submit(user, registration):
    return registration.state in (State.DRAFT, State.RETURNED) and may_register(user, registration)


def may_revoke(user, registration):
    """Only the body that granted the recognition revokes it (SCHEMES §3.2, [004 §II.4.2.3])."""
    if registration.state != State.RECOGNIZED:
        return False
    granting = registration.decision.issuer if registration.decision_id else registration.authority
    return _acts_at(user, granting, DECIDE)


GUARDS = {
    "submit": may_submit,
    "appraise_grassroots": may_appraise_grassroots,
    "appraise_board": may_appraise_board,
    "recognize": may_decide,
    "reject": may_decide,
    "return": may_return,
    "revoke": may_revoke,
}

ACTION_LABELS = {
    "submit": _lazy("Gửi đăng ký"),
    "appraise_grassroots": _lazy("Đảng ủy cơ sở thẩm định"),
    "appraise_board": _lazy("Ban chuyên môn thẩm định"),
    "recognize": _lazy("Công nhận"),
    "reject": _lazy("Không công nhận"),
    "return": _lazy("Trả lại để bổ sung"),
    "revoke": _lazy("Hủy bỏ công nhận"),
}


def allowed_actions(user, registration):
    """Names of the transitions `user` may make on `registration` now."""
    return [name for name, guard in GUARDS.items() if guard(user, registration)]


def next_step(registration):
    """What happens next, in words a secretary understands."""
    state = registration.state
    if state in (State.DRAFT, State.RETURNED):
        return _("Tổ chức đăng ký hoàn thiện hồ sơ và gửi")
    if state == State.SUBMITTED:
        if registration.needs_grassroots_appraisal:
            return _("Chờ đảng ủy cơ sở thẩm định")
        return _("Chờ %(board)s thẩm định") % {"board": _board_name(registration)}
    if state == State.APPRAISED_GRASSROOTS:
        if registration.authority_decides_after_grassroots:
            return _("Chờ đảng ủy cơ sở quyết định công nhận")
        return _("Chờ %(board)s thẩm định") % {"board": _board_name(registration)}
    if state == State.APPRAISED_BOARD:
        return _("Chờ Ban Thường vụ quyết định")
    if state == State.RECOGNIZED and not registration.decision_id:
        return _("Chờ ban hành quyết định")
    return ""


def _board_name(registration):
    return _("Ban Tuyên giáo") if registration.scheme == Scheme.EXEMPLARY else _("Ban Tổ chức")


# --------------------------------------------------------------------------- registrations


def _check_model_type(plan, organization, model_type):
    """A collective model of a type the executing unit may hold (SCHEMES §4.2)."""
    types = params.model_types(plan)
    if model_type not in types:
        raise ValidationError({"model_type": _("Loại mô hình %(n)s không có trong kế hoạch.") % {"n": model_type}})
    org_kinds = [str(k) for k in types[model_type].get("org_kinds") or []]
    if org_kinds and str(organization.kind) not in org_kinds:
        raise ValidationError(
            {
                "model_type": _("%(org)s (%(kind)s) không được đăng ký mô hình loại (%(n)d) “%(name)s”.")
                % {
                    "org": organization.name,
                    "kind": organization.get_kind_display().lower(),
                    "n": model_type,
                    "name": types[model_type]["name"],
                }
            }
        )
    allowed = [str(t) for t in types[model_type]["unit_types"]]
    if str(organization.unit_type) not in allowed:
        raise ValidationError(
            {
                "model_type": _(
                    "%(org)s là %(unit)s, không được đăng ký mô hình loại (%(n)d) “%(name)s”: "
                    "loại mô hình này dành cho %(allowed)s [KH 46-KH/ĐUK mục III.1]."
                )
                % {
                    "org": organization.name,
                    "unit": organization.get_unit_type_display().lower(),
                    "n": model_type,
                    "name": types[model_type]["name"],
                    "allowed": ", ".join(_unit_label(u) for u in allowed),
                }
            }
        )


def _unit_label(value):
    from registry.models import UnitType

    try:
        return str(UnitType(value).label).lower()
    except ValueError:
        return value


@transaction.atomic
def registration_create(
    *,
    user,
    plan,
    year,
    organization,
    subject_kind=SubjectKind.ORGANIZATION,
    member=None,
    member_position="",
    model_name="",
    model_type=None,
    registrant=None,
    phase="",
    commendation_proposed=False,
    note="",
):
    """A draft registration of a cell, committee, collective model or individual (SCHEMES §5)."""
    registrant = registrant or organization
    if not (can(user, REGISTER, organization) or can(user, REGISTER, registrant)):
        raise PermissionDenied(_("Bạn không có quyền đăng ký cho tổ chức này."))
    if registrant.pk != organization.pk and not organization.path.startswith(registrant.path):
        raise ValidationError(_("Tổ chức đăng ký phải là chính đối tượng hoặc cấp trên của đối tượng."))
    if not plan.period_start_year <= year <= plan.period_end_year:
        raise ValidationError(
            {
                "year": _("Năm %(y)d nằm ngoài giai đoạn của kế hoạch (%(a)d–%(b)d).")
                % {"y": year, "a": plan.period_start_year, "b": plan.period_end_year}
            }
        )
    if subject_kind == SubjectKind.MODEL:
        if not model_name.strip():
            raise ValidationError({"model_name": _("Cần ghi tên mô hình.")})
        _check_model_type(plan, organization, model_type)
    elif subject_kind == SubjectKind.MEMBER:
        if member is None:
            raise ValidationError({"member": _("Cần chọn đảng viên.")})
        model_name, model_type = "", None
    else:
        member, model_name, model_type = None, "", None
    if plan.scheme in (Scheme.MODEL_CELL, Scheme.FOUR_GOODS, Scheme.MEETING_QUALITY):
        if subject_kind != SubjectKind.ORGANIZATION:
            raise ValidationError(_("Phong trào này chỉ đăng ký cho tổ chức đảng."))
    if plan.scheme in (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY) and not organization.is_cell:
        raise ValidationError(_("Chỉ chi bộ được đăng ký phong trào này."))
    duplicate = Registration.objects.filter(
        plan=plan,
        year=year,
        organization=organization,
        subject_kind=subject_kind,
        member=member,
        model_name=model_name,
        state__in=OPEN_STATES + (State.RECOGNIZED,),
    )
    if duplicate.exists():
        raise ValidationError(_("Đối tượng này đã được đăng ký trong kế hoạch và năm này."))
    grassroots = organization.grassroots()
    subordinate = grassroots is not None and grassroots.pk != organization.pk
    authority = authority_for(plan.scheme, organization, plan)
    if not phase and plan.scheme == Scheme.EXEMPLARY:
        phase = _default_phase(plan, year)
    return Registration.objects.create(
        plan=plan,
        scheme=plan.scheme,
        year=year,
        phase=phase,
        subject_kind=subject_kind,
        organization=organization,
        member=member,
        member_position=member_position,
        model_name=model_name,
        model_type=model_type,
        registrant=registrant,
        authority=authority,
        needs_grassroots_appraisal=subordinate,
        deadline=params.registration_deadline(plan, year, subordinate=subordinate),
        commendation_proposed=commendation_proposed,
        note=note,
        created_by=user,
    )


def _default_phase(plan, year):
    """Phases of the exemplary plan [003 §IV.2]: plan.params["phases"] or 2021–2023 / 2023–2025."""
    phases = (plan.params or {}).get("phases") or [
        [plan.period_start_year, plan.period_start_year + 2],
        [plan.period_start_year + 2, plan.period_end_year],
    ]
    for phase in phases:
        start, end = (phase["start"], phase["end"]) if isinstance(phase, dict) else phase
        if start <= year <= end:
            return f"{start}-{end}"
    return f"{plan.period_start_year}-{plan.period_end_year}"


@transaction.atomic
def registrations_bulk_create(*, user, plan, year, committee, cells=None):
    """A grassroots committee registers its cells at once (SCHEMES §1.3, §3.3). Already
    registered cells are skipped; returns (created, skipped)."""
    if not can(user, REGISTER, committee):
        raise PermissionDenied(_("Bạn không có quyền đăng ký cho tổ chức này."))
    candidates = committee.descendants().cells().order_by("path")
    if cells is not None:
        candidates = candidates.filter(pk__in=[c.pk for c in cells])
    created, skipped = [], []
    for cell in candidates:
        try:
            with transaction.atomic():
                created.append(
                    registration_create(user=user, plan=plan, year=year, organization=cell, registrant=committee)
                )
        except ValidationError:
            skipped.append(cell)
    return created, skipped


@transaction.atomic
def evidence_add(*, registration, user, title, file):
    if not may_register(user, registration) and not any(
        guard(user, registration) for guard in (may_appraise_grassroots, may_appraise_board)
    ):
        raise PermissionDenied(_("Bạn không có quyền bổ sung minh chứng cho đăng ký này."))
    evidence = Evidence(registration=registration, title=title or file.name, file=file, uploaded_by=user)
    evidence.full_clean()
    evidence.save()
    return evidence


# --------------------------------------------------------------------------- transitions


def _locked(registration):
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("organization", "authority", "plan")
        .get(pk=registration.pk)
    )


def _record(registration, *, action, from_state, user, comment, attachments, acting_for):
    snapshot = snapshot_for(registration)
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
    )
    for upload in attachments or ():
        attachment = TransitionAttachment(transition=transition, file=upload, title=getattr(upload, "name", ""))
        attachment.full_clean()
        attachment.save()
    return transition


def _move(registration, *, action, user, comment="", attachments=(), require_comment=None, update=None):
    """Lock, guard, move the state machine, record. Returns the locked, updated registration."""
    locked = _locked(registration)
    guard = GUARDS[action]
    method = {
        "submit": locked.submit,
        "appraise_grassroots": locked.appraise_grassroots,
        "appraise_board": locked.appraise_board,
        "recognize": locked.recognize,
        "reject": locked.reject,
        "return": locked.return_to_registrant,
        "revoke": locked.revoke,
    }[action]
    if not can_proceed(method):
        raise ValidationError(
            _("Không thể “%(action)s” khi đăng ký đang ở trạng thái “%(state)s”.")
            % {"action": ACTION_LABELS[action], "state": locked.get_state_display()}
        )
    if not guard(user, locked):
        raise PermissionDenied(
            _("Bạn không có thẩm quyền “%(action)s” đăng ký này.") % {"action": ACTION_LABELS[action]}
        )
    if require_comment and not (comment or "").strip():
        raise ValidationError({"comment": require_comment})
    from_state = locked.state
    method()
    for field, value in (update or {}).items():
        setattr(locked, field, value)
    acting_for = {
        "submit": locked.registrant,
        "appraise_grassroots": _grassroots_of(locked),
        "appraise_board": locked.authority,
    }.get(action, locked.authority)
    _record(
        locked,
        action=action,
        from_state=from_state,
        user=user,
        comment=comment,
        attachments=attachments,
        acting_for=acting_for,
    )
    locked.save()
    registration.refresh_from_db()
    return locked


@transaction.atomic
def registration_submit(*, registration, user, comment="", attachments=()):
    """Draft or returned → submitted; late when after the plan's deadline (flagged, kept)."""
    now = timezone.now()
    late = bool(registration.deadline and timezone.localdate(now) > registration.deadline)
    return _move(
        registration,
        action="submit",
        user=user,
        comment=comment,
        attachments=attachments,
        update={"submitted_at": now, "is_late": late or registration.is_late},
    )


@transaction.atomic
def registration_appraise_grassroots(*, registration, user, comment="", attachments=()):
    """The grassroots committee appraises its subordinate cell (SCHEMES §1.3, §5)."""
    return _move(registration, action="appraise_grassroots", user=user, comment=comment, attachments=attachments)


@transaction.atomic
def registration_appraise_board(*, registration, user, comment="", attachments=()):
    """The organization board (propaganda board for exemplary models) appraises (SCHEMES §5)."""
    return _move(registration, action="appraise_board", user=user, comment=comment, attachments=attachments)


@transaction.atomic
def registration_return(*, registration, user, comment, attachments=()):
    """Back to the registrant with the request for more evidence; resubmittable."""
    return _move(
        registration,
        action="return",
        user=user,
        comment=comment,
        attachments=attachments,
        require_comment=_("Cần ghi rõ nội dung yêu cầu bổ sung."),
        update={"return_request": comment},
    )


@transaction.atomic
def registration_reject(*, registration, user, comment, attachments=(), conference=None):
    """Not recognized; the reason is required."""
    return _move(
        registration,
        action="reject",
        user=user,
        comment=comment,
        attachments=attachments,
        require_comment=_("Cần ghi rõ lý do không công nhận."),
        update={"rejection_reason": comment, "conference": conference},
    )


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


@transaction.atomic
def registration_recognize(
    *,
    registration,
    user,
    comment="",
    attachments=(),
    commend=False,
    conference=None,
    issue_decision=True,
    issued_on=None,
    signer_title="BÍ THƯ",
    signer_name="",
    render=True,
):
    """Recognized by the competent standing committee, with caps and quotas checked now.
    Without a conference the single decision is numbered and issued in the same transaction."""
    if conference is not None and conference.authority_id != registration.authority_id:
        raise ValidationError(_("Đăng ký này không thuộc thẩm quyền của hội nghị."))
    # Lock the authority first: caps and quotas are counted per authority.
    Organization.objects.select_for_update().filter(pk=registration.authority_id).first()
    locked = _move(
        registration,
        action="recognize",
        user=user,
        comment=comment,
        attachments=attachments,
        update={"conference": conference, "commended": bool(commend)},
    )
    if commend:
        if locked.scheme != Scheme.FOUR_GOODS or locked.subject_kind != SubjectKind.ORGANIZATION:
            raise ValidationError(_("Chỉ tổ chức đạt “bốn tốt” mới được xét biểu dương tiêu biểu."))
        _check_commendation(locked)
    _check_quota(locked)
    if issue_decision and conference is None:
        decision_issue(
            registrations=[locked],
            user=user,
            issued_on=issued_on,
            signer_title=signer_title,
            signer_name=signer_name,
            render=render,
        )
        locked.refresh_from_db()
    registration.refresh_from_db()
    return locked


@transaction.atomic
def registration_revoke(
    *, registration, user, comment, attachments=(), issued_on=None, signer_title="BÍ THƯ", signer_name="", render=True
):
    """Revoked by the body that granted it, with a reason and a revocation decision (SCHEMES §3.2)."""
    locked = _move(
        registration,
        action="revoke",
        user=user,
        comment=comment,
        attachments=attachments,
        require_comment=_("Cần ghi rõ lý do hủy bỏ công nhận."),
        update={"revocation_reason": comment},
    )
    decision = _create_decision(
        issuer=locked.decision.issuer if locked.decision_id else locked.authority,
        registrations=[locked],
        kind=DecisionKind.REVOCATION,
        user=user,
        issued_on=issued_on,
        signer_title=signer_title,
        signer_name=signer_name,
        reason=comment,
        revokes=locked.decision,
    )
    Registration.objects.filter(pk=locked.pk).update(revocation_decision=decision)
    if render:
        _render_on_commit(decision.pk)
    registration.refresh_from_db()
    return registration


# --------------------------------------------------------------------------- decisions


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


def _create_decision(
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
    if not _acts_at(user, locked[0].authority, DECIDE):
        raise PermissionDenied(_("Bạn không có thẩm quyền ban hành quyết định của cấp này."))
    kind = DecisionKind.SINGLE if len(locked) == 1 else DecisionKind.COLLECTIVE
    decision = _create_decision(
        issuer=locked[0].authority,
        registrations=locked,
        kind=kind,
        user=user,
        issued_on=issued_on,
        conference=conference,
        signer_title=signer_title,
        signer_name=signer_name,
    )
    Registration.objects.filter(pk__in=ids).update(decision=decision)
    if render:
        _render_on_commit(decision.pk)
    return decision


def _render_on_commit(decision_id):
    """Render the PDF through Celery after commit; if Redis is away the outbox keeps the task
    and sends it when the broker is back (registry.outbox), so the PDF is never lost."""
    from .tasks import render_decision_pdf

    outbox.enqueue(render_decision_pdf, decision_id)


def decision_render_pdf(*, decision, force=False):
    """Render and store the decision's PDF; idempotent unless `force`."""
    from django.core.files.base import ContentFile

    from .pdf import render_decision

    if decision.pdf and not force:
        return decision
    content = render_decision(decision)
    filename = f"QD-{decision.number}-{decision.year}-{decision.issuer_id}.pdf"
    decision.pdf.save(filename, ContentFile(content), save=False)
    Decision.objects.filter(pk=decision.pk).update(pdf=decision.pdf.name)
    return decision


# --------------------------------------------------------------------------- conferences


@transaction.atomic
def conference_create(*, user, authority, plan, year, held_on, title="", signer_title="BÍ THƯ", signer_name=""):
    if not _acts_at(user, authority, DECIDE):
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


def conference_decide(*, conference, user, recognize=(), reject=None, commend=(), comment=""):
    """Decide in bulk: recognize (commended ones last, so the cap counts every passed cell) and
    reject with reasons {registration_id: reason}. Returns (done, errors) with messages."""
    done, errors = [], []
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
    if not _acts_at(user, conference.authority, DECIDE):
        raise PermissionDenied(_("Chỉ Ban Thường vụ của cấp này được ban hành quyết định."))
    Conference.objects.filter(pk=conference.pk).update(
        generation_state=GenerationState.QUEUED, generation_error="", generation_updated_at=timezone.now()
    )

    from .tasks import generate_conference_decisions

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
    if not _acts_at(user, committee, APPRAISE_GRASSROOTS):
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
