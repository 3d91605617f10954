"""Reads of the recognition workflow, always through the scoped querysets (registry/scoping.py)."""

from django.db.models import Count, Exists, OuterRef, Q

from criteria.models import Scheme, Verdict
from registry.models import Organization
from registry.scoping import APPRAISE_BOARD, APPRAISE_GRASSROOTS, DECIDE, REGISTER, VIEW, is_unrestricted

from . import params
from .eligibility import assessed_year, is_stale, snapshot_time
from .models import Conference, Decision, GenerationState, Registration, State, SubjectKind
from .services.policy import allowed_actions, next_step


def _base(qs):
    return qs.select_related(
        "organization",
        "organization__parent",
        "authority",
        "registrant",
        "member",
        "plan",
        "decision",
        "decision__issuer",
    )


def registrations_for_registrant(user, *, scheme=None, year=None, state=None):
    """The registrant's list with state and next step (SCHEMES §5)."""
    qs = _base(Registration.objects.visible_to(user, REGISTER) | Registration.objects.visible_to(user, VIEW))
    if scheme:
        qs = qs.filter(scheme=scheme)
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    rows = list(qs.distinct())
    for registration in rows:
        registration.next_step_text = next_step(registration)
        registration.actions = allowed_actions(user, registration)
    return rows


def review_queue(user, *, scheme=None, year=None, state=None, late=None):
    """Registrations waiting for this user's appraisal or decision, with eligibility beside each."""
    visible = (
        Registration.objects.visible_to(user, APPRAISE_GRASSROOTS)
        | Registration.objects.visible_to(user, APPRAISE_BOARD)
        | Registration.objects.visible_to(user, DECIDE)
    )
    qs = _base(visible.filter(state__in=[State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD]))
    if scheme:
        qs = qs.filter(scheme=scheme)
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    if late in ("1", True):
        qs = qs.filter(is_late=True)
    qs = qs.distinct().prefetch_related("evidence_files").order_by("scheme", "year", "organization__path", "pk")
    rows = []
    for registration in qs:
        registration.actions = allowed_actions(user, registration)  # the table's rows open to this user
        if registration.actions:
            registration.next_step_text = next_step(registration)
            rows.append(registration)
    return rows


def mark_stale_snapshots(registrations):
    """Set `snapshot_stale` on each registration whose last eligibility snapshot is older than the
    facts it was computed from (criteria Verdict.facts_changed_at), in one query (issue 12)."""
    registrations = list(registrations)
    if not registrations:
        return registrations
    keys = {(r.organization_id, r.scheme, assessed_year(r.scheme, r.year)) for r in registrations}
    condition = Q()
    for organization_id, scheme, year in keys:
        condition |= Q(organization_id=organization_id, scheme=scheme, year=year)
    changed = {
        (organization_id, scheme, year): at
        for organization_id, scheme, year, at in Verdict.objects.filter(
            condition, facts_changed_at__isnull=False
        ).values_list("organization_id", "scheme", "year", "facts_changed_at")
    }
    for r in registrations:
        at = changed.get((r.organization_id, r.scheme, assessed_year(r.scheme, r.year)))
        r.snapshot_stale = is_stale(snapshot_time(r.eligibility), at)
    return registrations


def decider_organizations(user):
    """Organizations where the user acts as the deciding body."""
    if is_unrestricted(user):
        return Organization.objects.filter(kind__in=["upper", "gr_committee"])
    return Organization.objects.filter(
        pk__in=user.appointments.filter(role__in=["standing", "grassroots_staff", "sysadmin"]).values("organization")
    )


def conferences_for(user):
    return Conference.objects.visible_to(user, DECIDE).select_related("authority", "plan")


def conference_candidates(conference):
    """What the conference decides: registrations of its authority, scheme and year ready to be decided."""
    ready = Q(state=State.APPRAISED_BOARD) | Q(state=State.APPRAISED_GRASSROOTS, authority__kind="gr_committee")
    return _base(
        Registration.objects.filter(authority=conference.authority, scheme=conference.scheme, year=conference.year)
        .filter(ready)
        .prefetch_related("evidence_files")
    )


def decisions_for(user):
    return Decision.objects.visible_to(user).select_related("issuer", "plan")


def decisions_missing_pdf(*, created_before, limit=200):
    """Decisions recorded before `created_before` that still have no PDF, oldest first, at most
    `limit` (SCHEMES §5: every decision is issued as a numbered PDF). Not those of a conference
    whose batch is queued or running: that batch prints them itself. For the sweep of
    recognition/tasks.py (a system job), so not scoped to a user."""
    in_progress = [GenerationState.QUEUED, GenerationState.RUNNING]
    return (
        Decision.objects.filter(pdf="", created_at__lt=created_before)
        .exclude(conference__generation_state__in=in_progress)
        .order_by("created_at", "pk")[:limit]
    )


def with_overrides(decisions):
    """Decisions annotated `overridden`: one of the subjects they recognize was recognized over a
    verdict that found it not eligible (issue 12)."""
    over = Registration.objects.filter(decision=OuterRef("pk"), recognized_over_verdict=True)
    return decisions.annotate(overridden=Exists(over))


def overridden_count(user, *, year=None, subtree=None):
    """How many recognitions in the user's reach were made over a not-eligible verdict (issue 12)."""
    qs = Registration.objects.visible_to(user).filter(state=State.RECOGNIZED, recognized_over_verdict=True)
    if year:
        qs = qs.filter(year=year)
    if subtree is not None:
        qs = qs.filter(organization__path__startswith=subtree.path)
    return qs.count()


def recognition_list(user, *, scheme, year, subtree=None):
    """Recognized subjects of a scheme and year, in the user's reach, optionally under one organization."""
    qs = _base(Registration.objects.visible_to(user).filter(scheme=scheme, year=year, state=State.RECOGNIZED))
    if subtree is not None:
        qs = qs.filter(organization__path__startswith=subtree.path)
    return qs.order_by("organization__path", "pk")


def quota_progress(plan, phase, authority):
    """Exemplary models per type for a phase: registered, recognized and the quota (SCHEMES §4.2)."""
    types = params.model_types(plan)
    quotas = params.quotas(plan, phase)
    counts = (
        Registration.objects.filter(plan=plan, phase=phase, authority=authority, subject_kind=SubjectKind.MODEL)
        .exclude(state__in=[State.DRAFT])
        .values("model_type")
        .annotate(
            registered=Count("pk", filter=~Q(state__in=[State.REJECTED])),
            recognized=Count("pk", filter=Q(state=State.RECOGNIZED)),
        )
    )
    by_type = {row["model_type"]: row for row in counts}
    rows = []
    for number, entry in sorted(types.items()):
        row = by_type.get(number, {})
        quota = quotas.get(number)
        recognized = row.get("recognized", 0)
        rows.append(
            {
                "type": number,
                "name": entry["name"],
                "registered": row.get("registered", 0),
                "recognized": recognized,
                "quota": quota,
                "remaining": None if quota is None else max(quota - recognized, 0),
                "percent": None if not quota else min(100, round(100 * recognized / quota)),
            }
        )
    return rows


def registration_report(plan, organization, phase):
    """The exemplary-models registration report of one organization (template at the end of 003)."""
    qs = (
        Registration.objects.filter(plan=plan, scheme=Scheme.EXEMPLARY, phase=phase)
        .filter(Q(registrant=organization) | Q(organization__path__startswith=organization.path))
        .exclude(state__in=[State.REJECTED, State.REVOKED])
        .select_related("organization", "member")
        .order_by("organization__path", "pk")
    )
    models = [r for r in qs if r.subject_kind == SubjectKind.MODEL]
    people = [r for r in qs if r.subject_kind == SubjectKind.MEMBER]
    return {"models": models, "people": people}
