"""Stored verdicts: the engine's results kept per organization, scheme and year (issue 12).

Pages that show many subjects (dashboard, indicator drill-down, ranking, recognition lists,
home pages) read `Verdict` rows in a fixed number of queries instead of running the engines per
view, so a province's page costs about what a block's does.

Keeping them true:
- every write to a fact a scheme reads marks the affected rows stale (`mark_stale`), in the
  writer's transaction: post_save/post_delete of the fact models, and `registry.signals.facts_changed`
  for writes that bypass model signals (bulk imports, attendance rolls);
- after that transaction commits, one refresh task per transaction is sent through the outbox
  (registry.outbox: kept when Redis is down, sent when it is back), naming the organizations;
  with Celery eager (the embedded default) it runs in-process right after the commit;
- the refresh recomputes only rows still stale and clears a row only when no write came after
  the computation began reading (`facts_changed_at <= started`), so a concurrent write is never
  lost and running it twice changes nothing;
- Celery beat refreshes everything nightly (`refresh_all`), and `manage.py rebuild_verdicts`
  rebuilds a subtree.
Rows are created on first read (`ensure`) or by the rebuild; a subject with no row has nothing to
mark. Exemplary individuals are judged per registration (engine.evaluate_members), not stored.
"""

import threading
from dataclasses import fields

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from registry.models import CELL_KINDS, Organization, OrganizationKind

from .engine import SPECS, evaluate_all, every_plan
from .loader import batch_work
from .models import Scheme, Verdict
from .results import CriterionResult, SchemeResult

CELL_SCHEMES = (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.EXEMPLARY)
COMMITTEE_SCHEMES = (Scheme.FOUR_GOODS, Scheme.EXEMPLARY)
ALL_KINDS = tuple(f.name for f in fields(type(SPECS[Scheme.MODEL_CELL].needs)))


def schemes_reading(kinds):
    """The schemes whose engine reads any of these kinds of facts (criteria.loader.Needs fields)."""
    return [scheme for scheme, spec in SPECS.items() if any(getattr(spec.needs, kind) for kind in kinds)]


def _years_reached(scheme):
    """How many years after a fact's year a verdict of `scheme` still reads it: the longest window of
    any plan that may be in force somewhere (each block may run its own, engine.plan_in_force)."""
    probe = 2025
    reached = 0
    for plan in every_plan(scheme):
        ratings, details = SPECS[scheme].years(probe, plan.params)
        reached = max(reached, probe - min(ratings[0], details[0]))
    return reached


def _ancestor_ids(paths):
    ids = set()
    for path in paths:
        ids.update(int(part) for part in path.split(".") if part)
    return ids


def affected_organizations(organization_ids=(), member_ids=()):
    """The organizations whose verdicts may read facts of these organizations and members: the
    organizations themselves, every cell the members ever belonged to, and all their ancestors
    (a committee's four-goods and exemplary verdicts read its cells, SCHEMES §3.1, §4.3)."""
    from registry.models import Membership

    ids = set(organization_ids)
    if member_ids:
        ids.update(Membership.objects.filter(member_id__in=list(member_ids)).values_list("cell_id", flat=True))
    if not ids:
        return set()
    paths = Organization.objects.filter(pk__in=ids).values_list("path", flat=True)
    return _ancestor_ids(paths) | ids


def mark_stale(*, organization_ids=(), member_ids=(), year=None, kinds=ALL_KINDS, schemes=None, years=None):
    """Mark the stored verdicts that read these facts stale; returns how many rows were marked.

    `year`: the facts' year (None: every year); a verdict of year T reads the facts of the years
    of its window, so a fact of year Y reaches T in Y..Y+window. `years`: an explicit (first, last)."""
    schemes = list(schemes) if schemes is not None else schemes_reading(kinds)
    targets = affected_organizations(organization_ids, member_ids)
    if not schemes or not targets:
        return 0
    condition = Q()
    for scheme in schemes:
        if years is not None:
            condition |= Q(scheme=scheme, year__gte=years[0], year__lte=years[1])
        elif year is None:
            condition |= Q(scheme=scheme)
        else:
            condition |= Q(scheme=scheme, year__gte=year, year__lte=year + _years_reached(scheme))
    now = timezone.now()
    rows = Verdict.objects.filter(condition, organization_id__in=sorted(targets))
    # stale_since keeps the oldest write still waiting (the queue's age, /healthz); one UPDATE.
    marked = rows.update(stale_since=Coalesce(F("stale_since"), Value(now)), facts_changed_at=now)
    if marked:
        _schedule_refresh(targets)
    return marked


# --------------------------------------------------------------------------- one refresh per transaction

_buffer = threading.local()


def _schedule_refresh(organization_ids):
    """Buffer the ids; the first call of a transaction registers the one on-commit send.

    A rolled-back transaction drops its on-commit callbacks; the buffer is then found orphaned
    (its callback no longer registered) and started afresh."""
    pending = getattr(_buffer, "ids", None)
    registered = any(callback is _send_refresh for _sids, callback, *_rest in connection.run_on_commit)
    if pending is None or (connection.in_atomic_block and not registered):
        pending = _buffer.ids = set()
        pending.update(organization_ids)
        transaction.on_commit(_send_refresh)
        return
    pending.update(organization_ids)


def _send_refresh():
    ids = sorted(getattr(_buffer, "ids", None) or ())
    _buffer.ids = None
    if not ids:
        return
    from registry import outbox

    from .tasks import refresh_verdicts

    outbox.enqueue(refresh_verdicts, ids)


# --------------------------------------------------------------------------- computing and storing


def _row(result, scheme, year, started, now):
    return Verdict(
        organization_id=result.subject_id,
        scheme=scheme,
        year=year,
        plan_id=result.plan_id,
        plan_number=(result.plan_number or "")[:50],
        eligible=bool(result.eligible),
        near_miss=result.near_miss,
        missing_data=result.missing_data,
        failing_count=len(result.failing),
        met_count=result.met_count,
        excellent_years=int(result.extra.get("excellent_years") or 0),
        statuses={c.code: c.status for c in result.criteria},
        result=result.as_dict(),
        computed_at=now,
        facts_as_of=started,
    )


STORED_FIELDS = [
    "plan",
    "plan_number",
    "eligible",
    "near_miss",
    "missing_data",
    "failing_count",
    "met_count",
    "excellent_years",
    "statuses",
    "result",
    "computed_at",
    "facts_as_of",
]


def compute_and_store(subject_ids, scheme, year):
    """Run the engine for these organizations and store the results; returns {id: SchemeResult}."""
    return store_all(subject_ids, [scheme], year)[scheme]


def store_all(subject_ids, schemes, year):
    """Several schemes for the same organizations with one load of the facts: {scheme: {id: result}}."""
    subject_ids = sorted(set(subject_ids))
    if not subject_ids:
        return {scheme: {} for scheme in schemes}
    started = timezone.now()
    subjects = Organization.objects.filter(pk__in=subject_ids).order_by("path")
    computed = evaluate_all(subjects, year, list(schemes))
    now = timezone.now()
    with transaction.atomic():
        for scheme, results in computed.items():
            Verdict.objects.bulk_create(
                [_row(result, scheme, year, started, now) for result in results.values()],
                update_conflicts=True,
                unique_fields=["organization", "scheme", "year"],
                update_fields=STORED_FIELDS,
                batch_size=500,
            )
        # Cleared only when no write came after the computation began reading the facts.
        Verdict.objects.filter(organization_id__in=subject_ids, scheme__in=list(schemes), year=year).filter(
            Q(facts_changed_at__isnull=True) | Q(facts_changed_at__lte=started)
        ).exclude(stale_since__isnull=True).update(stale_since=None)
    for results in computed.values():
        for result in results.values():
            result.computed_at, result.stale = now, False
    return computed


@batch_work()
def refresh(organization_ids=None, limit=5000):
    """Recompute the stale rows (of these organizations, or all); returns how many were recomputed."""
    rows = Verdict.objects.stale()
    if organization_ids is not None:
        rows = rows.filter(organization_id__in=list(organization_ids))
    groups = {}
    for organization_id, scheme, year in rows.order_by("stale_since").values_list("organization_id", "scheme", "year")[
        :limit
    ]:
        groups.setdefault((scheme, year), set()).add(organization_id)
    done = 0
    for (scheme, year), ids in sorted(groups.items()):
        done += len(compute_and_store(ids, scheme, year))
    return done


def subjects_of(root=None):
    """(cell ids, committee ids) under `root` (or everywhere) that have stored verdicts."""
    organizations = Organization.objects.all() if root is None else Organization.objects.under([root])
    cells, committees = [], []
    for pk, kind in organizations.values_list("pk", "kind"):
        if kind in CELL_KINDS:
            cells.append(pk)
        elif kind == OrganizationKind.GRASSROOTS_COMMITTEE:
            committees.append(pk)
    return cells, committees


@batch_work()
def rebuild(root=None, years=None, schemes=None, progress=None):
    """Compute and store every verdict under `root` for `years` (default: the last five years)."""
    if years is None:
        last = timezone.localdate().year
        years = range(last - 4, last + 1)
    cells, committees = subjects_of(root)
    schemes = list(schemes or CELL_SCHEMES)
    total = 0
    for year in years:
        # One load of the facts per year for the cells' schemes, one for the committees'.
        for ids, wanted in ((cells, schemes), (committees, [s for s in schemes if s in COMMITTEE_SCHEMES])):
            if ids and wanted:
                total += sum(len(r) for r in store_all(ids, wanted, year).values())
        if progress:
            progress(",".join(schemes), year, total)
    return total


@batch_work()
def refresh_all():
    """Nightly: recompute every stored row (catches a write no signal reported)."""
    done = 0
    for scheme, year in Verdict.objects.values_list("scheme", "year").distinct().order_by("scheme", "year"):
        ids = Verdict.objects.filter(scheme=scheme, year=year).values_list("organization_id", flat=True)
        done += len(compute_and_store(list(ids), scheme, year))
    return done


# --------------------------------------------------------------------------- reading


def _ids(subjects):
    if hasattr(subjects, "values_list"):
        return subjects.values_list("pk", flat=True)
    return [getattr(s, "pk", s) for s in subjects]


def ensure(subjects, scheme, year):
    """Store the verdicts of these subjects that are not stored yet (the first read computes them)."""
    stored = Verdict.objects.filter(scheme=scheme, year=year)
    if hasattr(subjects, "values_list"):
        missing = list(subjects.exclude(pk__in=stored.values("organization_id")).values_list("pk", flat=True))
    else:
        wanted = set(_ids(subjects))
        missing = sorted(
            wanted - set(stored.filter(organization_id__in=wanted).values_list("organization_id", flat=True))
        )
    if missing:
        compute_and_store(missing, scheme, year)
    return len(missing)


def rows(subjects, scheme, year):
    """The stored verdict rows of these subjects (computed first where missing), as a queryset."""
    ensure(subjects, scheme, year)
    ids = subjects.values("pk") if hasattr(subjects, "values") else list(_ids(subjects))
    return Verdict.objects.filter(scheme=scheme, year=year, organization_id__in=ids)


RANKING_ORDER = ("-eligible", "failing_count", "-met_count", "-excellent_years", "organization__name")


def ranked_rows(subjects, scheme, year, status_filter=""):
    """Rows best first, like criteria.selectors.ranked, sorted and filtered in SQL."""
    queryset = rows(subjects, scheme, year)
    if status_filter in ("eligible", "near_miss", "missing_data"):
        queryset = queryset.filter(**{status_filter: True})
    return queryset.order_by(*RANKING_ORDER)


def as_result(row):
    """The stored SchemeResult of a row, with `computed_at` and `stale` for the page."""
    data = row.result
    criteria = [
        CriterionResult(c["code"], c["title"], c["section"], c["status"], c["reason"], c.get("evidence") or {})
        for c in data.get("criteria", [])
    ]
    result = SchemeResult(
        data["subject_id"],
        data["subject_name"],
        data["scheme"],
        data["year"],
        data.get("plan_id"),
        data.get("plan_number", ""),
        data["eligible"],
        criteria,
        data.get("summary", ""),
        dict(data.get("extra") or {}),
    )
    result.computed_at, result.stale = row.computed_at, row.stale
    return result


def results(subjects, scheme, year):
    """{subject id: SchemeResult} from the stored verdicts, in the order of the rows' paths."""
    queryset = rows(subjects, scheme, year).order_by("organization__path")
    return {row.organization_id: as_result(row) for row in queryset}


def freshness(queryset):
    """{"computed_at": the oldest computation shown, "stale": how many are being recomputed, "total"}."""
    return queryset.aggregate(
        computed_at=Min("computed_at"), stale=Count("pk", filter=Q(stale_since__isnull=False)), total=Count("pk")
    )


def version():
    """A token that changes whenever any stored verdict is recomputed or any fact is marked changed.

    Pages that aggregate many verdicts (indicators, trends) cache their figures under it, so every
    process sees a write at its next view (two index-only maxima, criteria.models.Verdict)."""
    latest = Verdict.objects.aggregate(computed=Max("computed_at"), changed=Max("facts_changed_at"))
    return (
        f"{latest['computed'] and latest['computed'].timestamp()}:{latest['changed'] and latest['changed'].timestamp()}"
    )


def facts_changed_at(organization_id, scheme, year):
    """When a fact this scheme reads for this subject and year last changed (None: not since stored)."""
    return (
        Verdict.objects.filter(organization_id=organization_id, scheme=scheme, year=year)
        .values_list("facts_changed_at", flat=True)
        .first()
    )


def oldest_stale_age(now=None):
    """How long the oldest stale verdict has waited (None when none is waiting): /healthz reports it."""
    oldest = Verdict.objects.stale().aggregate(oldest=Min("stale_since"))["oldest"]
    if oldest is None:
        return None
    return (now or timezone.now()) - oldest


__all__ = [
    "affected_organizations",
    "as_result",
    "compute_and_store",
    "ensure",
    "facts_changed_at",
    "freshness",
    "mark_stale",
    "oldest_stale_age",
    "ranked_rows",
    "rebuild",
    "refresh",
    "refresh_all",
    "results",
    "rows",
]
