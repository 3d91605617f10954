"""Fetch the facts for any number of organizations in a fixed number of queries.

One query per kind of record (ratings, memberships, attestations, meetings, absences…),
each filtered by the whole set of subjects at once, then grouped in Python. The count
depends on which facts the schemes need, never on how many cells, members or meetings
there are (tests/criteria/test_engine.py asserts it).

The subjects may come as a queryset: their ids then travel as a subquery, and no model
instances are built. For a large evaluation outside a transaction, a second connection
reads the next result set while this one is grouped (see `_fetch`).
"""

import contextvars
import datetime
import gc
import operator
import queue
import threading
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields

from django.db import connection, connections
from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast, Coalesce

from evaluations.models import Attendance, AttendanceStatus, FourGoodsAssessment, Meeting
from registry.models import (
    CELL_KINDS,
    DisciplinaryRecord,
    MassOrganization,
    Member,
    MemberAttestation,
    Membership,
    Organization,
    Rating,
    RuleViolation,
    UnitAttestation,
)

from .facts import (
    AttestationFacts,
    ChildFacts,
    MassOrgFacts,
    MeetingFacts,
    MemberFacts,
    MonthFacts,
    NominationFacts,
    OrgFacts,
    YearFacts,
)
from .models import MemberNomination, OrganizationYear

ATTESTATION_FIELDS = [f.name for f in fields(AttestationFacts)]
YEAR_FIELDS = [f.name for f in fields(YearFacts)]
NOMINATION_FIELDS = [f.name for f in fields(NominationFacts)]
MEMBER_FLAGS = ("is_leader", "is_unit_head", "is_committee_member", "is_direct_worker")


@dataclass
class Needs:
    """Which kinds of facts to fetch; each True costs one query whatever the number of subjects."""

    org_ratings: bool = False
    members: bool = False
    member_ratings: bool = False
    attestations: bool = False
    discipline: bool = False
    violations: bool = False
    nominations: bool = False
    mass_orgs: bool = False
    meetings: bool = False
    absences: bool = False
    unit_attestations: bool = False
    four_goods: bool = False
    yearly: bool = False
    children: bool = False
    ancestors: bool = False

    def __or__(self, other):
        return Needs(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(Needs)})


def _rows(queryset):
    """Rows of a values_list queryset; on PostgreSQL straight from the cursor, skipping Django's
    per-value converters (psycopg2 already returns dates, decimals and booleans)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_by_date_then_pk = operator.itemgetter(2, 0)

# From this many subjects on, a second connection reads ahead (see _fetch): below it the
# connection's start-up (a few milliseconds) costs more than the overlap saves.
READ_AHEAD_FROM = 200


SUBJECT_FIELDS = ("pk", "name", "kind", "unit_type", "path", "head_is_secretary")  # OrgFacts' first fields


def _subject_facts(organizations, today):
    """{id: OrgFacts} of the subjects, in their order: from model instances, or from a queryset
    read as rows of just the fields the facts need (4,000 model instances cost 60 ms)."""
    if isinstance(organizations, QuerySet):
        return {row[0]: OrgFacts(*row, today=today) for row in _rows(organizations.values_list(*SUBJECT_FIELDS))}
    return {
        org.pk: OrgFacts(org.pk, org.name, org.kind, org.unit_type, org.path, org.head_is_secretary, today=today)
        for org in organizations
    }


def _among(field, ids):
    """Q: `field` is one of `ids`, a subquery (a queryset of pks) or a list sent as one array (lookups.AnyOf)."""
    return Q(**{f"{field}__{'in' if isinstance(ids, QuerySet) else 'any_of'}": ids})


def _day_range(years):
    return datetime.date(years[0], 1, 1), datetime.date(years[1], 12, 31)


# Batch work (rebuilding stored verdicts, the evaluate_subtree command, the benchmark) may pause the
# garbage collector and read ahead on a second connection; a page request never does either
# (issue 12): a web worker must not give up collection or open extra connections per view.
_batch = contextvars.ContextVar("criteria_batch_work", default=False)


@contextmanager
def batch_work():
    """Mark the evaluations inside as batch work (see `paused_gc` and `_fetch`)."""
    token = _batch.set(True)
    try:
        yield
    finally:
        _batch.reset(token)


def in_batch_work():
    return _batch.get()


@contextmanager
def paused_gc():
    """The facts are hundreds of thousands of small acyclic objects: the cyclic garbage collector
    would rescan them again and again while they are built. Pause it while loading and evaluating,
    in batch work only."""
    if not _batch.get():
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(organizations, rating_years, detail_years, needs, today=None, ranges=None):
    """{organization id: OrgFacts} for the given organizations (instances, or a queryset of them).

    rating_years and detail_years are (first, last) inclusive: organization ratings reach
    further back (SCHEMES §1.1 G1 windows) than the other yearly facts. `ranges` narrows the
    years of one kind of facts ({"member_ratings": (2024, 2024), ...}) when fewer are needed.
    """
    with paused_gc():
        return _load(organizations, rating_years, detail_years, needs, today, ranges)


def _load(organizations, rating_years, detail_years, needs, today, ranges):
    ranges = ranges or {}
    # A queryset that can be filtered again (not sliced, not a union) names the subjects below.
    filterable = isinstance(organizations, QuerySet) and not (
        organizations.query.is_sliced or organizations.query.combinator
    )
    source = organizations if filterable else None
    facts = _subject_facts(organizations, today or datetime.date.today())
    if not facts:
        return facts
    start, end = _day_range(detail_years)
    # Member scope: a cell is its own scope; a committee reaches every cell under it.
    cell_subjects = [pk for pk, org in facts.items() if org.kind in CELL_KINDS]
    committees = [org for org in facts.values() if org.kind not in CELL_KINDS]
    cell_ids, children_of = cell_subjects, {}
    # Whose members and mass organizations a cell's rows are: its own, and each committee's above it.
    owners = {pk: [pk] for pk in cell_subjects} if needs.members or needs.mass_orgs else {}
    if committees:
        cell_paths = {pk: facts[pk].path for pk in cell_subjects}
        query = Q()
        for org in committees:
            query |= Q(path__startswith=org.path)
        committee_ids = {c.id for c in committees}
        for pk, path, kind, name, parent_id in _rows(
            Organization.objects.filter(query).values_list("pk", "path", "kind", "name", "parent_id")
        ):
            if kind in CELL_KINDS:
                cell_paths[pk] = path
            if parent_id in committee_ids and pk not in committee_ids:
                children_of.setdefault(parent_id, []).append(ChildFacts(pk, name))
        for cell_id, path in cell_paths.items():
            for org in committees:
                if path.startswith(org.path):
                    owners.setdefault(cell_id, []).append(org.id)
        cell_ids = list(cell_paths)
    # How the queries below name the subjects: by the caller's queryset as a subquery when there is
    # one (PostgreSQL joins it, and no list of ids travels), else by the ids as one array.
    if source is not None:
        subject_ids = source.order_by().values("pk")
        cell_subject_ids = source.filter(kind__in=CELL_KINDS).order_by().values("pk")
    else:
        subject_ids, cell_subject_ids = list(facts), cell_subjects
    scope_ids = cell_ids if committees else cell_subject_ids
    for pk, children in children_of.items():
        facts[pk].children = sorted(children, key=lambda c: c.name)

    steps = []  # (queryset, what to do with its rows), run in this order

    if needs.org_ratings or needs.children:
        ids = list(facts) + [c.id for cs in children_of.values() for c in cs] if children_of else subject_ids
        child_index = {c.id: c for cs in children_of.values() for c in cs}

        def org_ratings(rows):
            if not child_index:
                for org_id, year, level in rows:
                    facts[org_id].ratings[year] = level
                return
            for org_id, year, level in rows:
                if org_id in facts:
                    facts[org_id].ratings[year] = level
                if org_id in child_index:
                    child_index[org_id].ratings[year] = level

        steps.append(
            (
                Rating.objects.filter(
                    _among("organization_id", ids), year__gte=rating_years[0], year__lte=rating_years[1]
                ).values_list("organization_id", "year", "level"),
                org_ratings,
            )
        )

    members = {}
    if needs.members and cell_ids:
        on_roll = (
            Membership.objects.filter(_among("cell_id", scope_ids), start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .order_by()
        )

        def memberships(rows):
            for member_id, cell_id, begin, finish, name, exempted, *flags in rows:
                member = members.get(member_id)
                if member is None:
                    member = members[member_id] = MemberFacts(member_id, name, *flags, exempted)
                for owner in owners.get(cell_id, ()):
                    facts[owner].members[member_id] = member
                    facts[owner].memberships.append((member_id, begin, finish))

        steps.append(
            (
                on_roll.values_list(
                    "member_id",
                    "cell_id",
                    "start_date",
                    "end_date",
                    "member__full_name",
                    "member__exempted_since",
                    *[f"member__{flag}" for flag in MEMBER_FLAGS],
                ),
                memberships,
            )
        )
        steps.extend(_member_steps(members, on_roll.values("member_id"), detail_years, needs, ranges))

    if needs.mass_orgs and cell_ids:
        mass = {}

        def mass_organizations(rows):
            for pk, cell_id, name in rows:
                mass[pk] = MassOrgFacts(pk, name)
                for owner in owners.get(cell_id, ()):
                    facts[owner].mass_orgs.append(mass[pk])

        def mass_ratings(rows):
            for mo_id, year, level in rows:
                if mo_id in mass:
                    mass[mo_id].ratings[year] = level

        steps.append(
            (
                MassOrganization.objects.filter(_among("cell_id", scope_ids))
                .order_by("kind", "name", "pk")
                .values_list("pk", "cell_id", "name"),
                mass_organizations,
            )
        )
        steps.append(
            (
                Rating.objects.filter(
                    _among("mass_organization__cell_id", scope_ids),
                    year__gte=detail_years[0],
                    year__lte=detail_years[1],
                ).values_list("mass_organization_id", "year", "level"),
                mass_ratings,
            )
        )

    if needs.meetings and cell_subjects:
        meetings = {}

        def meeting_rows(rows):
            # Sorted here by (date, pk), not in SQL: a cell's few dozen meetings sort in microseconds,
            # while PostgreSQL sorting the province's 192,000 rows took a third of a second.
            rows.sort(key=_by_date_then_pk)
            for pk, cell_id, date, kind, roll, present, excused, unexcused, speakers, level, score in rows:
                meeting = MeetingFacts(date, kind, roll, present, excused, unexcused, speakers, level, score)
                meetings[pk] = meeting
                facts[cell_id].meetings.append(meeting)

        def absences(rows):
            for meeting_id, member_id, status, name in rows:
                if meeting_id in meetings:
                    meetings[meeting_id].absences[member_id] = (status, name)

        steps.append(
            (
                Meeting.objects.filter(_among("cell_id", cell_subject_ids), date__gte=start, date__lte=end)
                # The score that counts: the attendee's decided one, else the cell's own [001 §III.4(3)].
                .annotate(score=Cast(Coalesce("decided_score", "self_score"), FloatField()))
                .values_list(
                    "pk",
                    "cell_id",
                    "date",
                    "kind",
                    "roll_size",
                    "present_count",
                    "excused_count",
                    "unexcused_count",
                    "speakers_count",
                    "quality_level",
                    "score",
                ),
                meeting_rows,
            )
        )
        if needs.absences:
            a_start, a_end = _day_range(ranges.get("absences", detail_years))
            steps.append(
                (
                    Attendance.objects.filter(
                        _among("meeting__cell_id", cell_subject_ids),
                        meeting__date__gte=a_start,
                        meeting__date__lte=a_end,
                    )
                    .exclude(status=AttendanceStatus.PRESENT)
                    .values_list("meeting_id", "member_id", "status", "member__full_name"),
                    absences,
                )
            )

    if needs.unit_attestations:

        def unit_attestations(rows):
            for org_id, year, code, status in rows:
                facts[org_id].unit_attestations[(year, code)] = status

        steps.append(
            (
                UnitAttestation.objects.filter(
                    _among("organization_id", subject_ids), year__gte=detail_years[0], year__lte=detail_years[1]
                ).values_list("organization_id", "year", "criterion", "status"),
                unit_attestations,
            )
        )

    if needs.four_goods:
        first, last = ranges.get("four_goods", detail_years)

        def four_goods(rows):
            for org_id, year, month, passed, score in rows:
                facts[org_id].four_goods.setdefault(year, {})[month] = MonthFacts(month, passed, score)

        steps.append(
            (
                FourGoodsAssessment.objects.filter(
                    _among("organization_id", subject_ids), year__gte=first, year__lte=last
                )
                .annotate(score_value=Cast("score", FloatField()))
                .values_list("organization_id", "year", "month", "passed", "score_value"),
                four_goods,
            )
        )

    if needs.yearly:

        def yearly(rows):
            for row in rows:
                facts[row[0]].yearly[row[1]] = YearFacts(*row[2:])

        steps.append(
            (
                OrganizationYear.objects.filter(
                    _among("organization_id", subject_ids), year__gte=detail_years[0], year__lte=detail_years[1]
                ).values_list("organization_id", "year", *YEAR_FIELDS),
                yearly,
            )
        )

    _run_steps(steps, read_ahead=_batch.get() and len(facts) >= READ_AHEAD_FROM)
    if needs.ancestors:
        _authorities(facts)
    return facts


def _run_steps(steps, read_ahead=False):
    """Run each step's query in order and hand its rows to the step. A model's default ordering
    is dropped (the steps group rows by key; sorting in SQL only costs); an explicit one is kept."""
    querysets = [queryset if queryset.query.order_by else queryset.order_by() for queryset, _use in steps]
    with closing(_fetch(querysets, read_ahead)) as fetched:
        for rows, (_queryset, use) in zip(fetched, steps, strict=True):
            use(rows)


def _fetch(querysets, read_ahead):
    """The rows of each queryset, in order.

    With `read_ahead`, on PostgreSQL and outside any transaction, a second connection in a
    background thread executes the queries one after another while this thread groups the rows
    of the previous one: PostgreSQL works and sends on one core while Python builds facts on the
    other. Inside a transaction the second connection could not see its uncommitted rows, so the
    queries then run here, one by one. Either way each query is one statement in autocommit, as
    before: no consistency is lost by the second connection.
    """
    db = connection
    if not (read_ahead and db.vendor == "postgresql" and not db.in_atomic_block and len(querysets) > 1):
        for queryset in querysets:
            yield _rows(queryset)
        return
    statements = [queryset.query.sql_with_params() for queryset in querysets]
    # Read here, in the caller's thread: `connection` resolves to the current thread's connection.
    alias, wrappers = db.alias, list(db.execute_wrappers)
    results = queue.SimpleQueue()  # unbounded: the reader never waits for the caller
    stop = threading.Event()

    def read():
        own = connections[alias]  # this thread's own connection
        own.execute_wrappers[:] = wrappers  # the caller's instrumentation sees these queries too
        try:
            with own.cursor() as cursor:
                for sql, params in statements:
                    if stop.is_set():
                        return
                    cursor.execute(sql, params)
                    results.put(cursor.fetchall())
        except Exception as error:  # handed to the caller, raised there
            results.put(error)
        finally:
            own.close()

    reader = threading.Thread(target=read, name="criteria-loader", daemon=True)
    reader.start()
    try:
        for _statement in statements:
            rows = results.get()
            if isinstance(rows, Exception):
                raise rows
            yield rows
    finally:
        stop.set()  # after an error here: the reader ends after its current query
        reader.join()


def _member_steps(members, member_scope, years, needs, ranges=None):
    """Steps filling `members` (MemberFacts by id) with their yearly facts."""
    ranges = ranges or {}
    steps = []
    if needs.member_ratings:
        first, last = ranges.get("member_ratings", years)

        def member_ratings(rows):
            for member_id, year, level in rows:
                if member_id in members:
                    members[member_id].ratings[year] = level

        steps.append(
            (
                Rating.objects.filter(member_id__in=member_scope, year__gte=first, year__lte=last).values_list(
                    "member_id", "year", "level"
                ),
                member_ratings,
            )
        )
    for wanted, model, names, shape, attribute in (
        (needs.attestations, MemberAttestation, ATTESTATION_FIELDS, AttestationFacts, "attestations"),
        (needs.nominations, MemberNomination, NOMINATION_FIELDS, NominationFacts, "nominations"),
    ):
        if not wanted:
            continue

        def yearly(rows, shape=shape, attribute=attribute):
            for row in rows:
                if row[0] in members:
                    getattr(members[row[0]], attribute)[row[1]] = shape(*row[2:])

        steps.append(
            (
                model.objects.filter(member_id__in=member_scope, year__gte=years[0], year__lte=years[1]).values_list(
                    "member_id", "year", *names
                ),
                yearly,
            )
        )
    start, end = _day_range(years)
    for wanted, model, attribute in (
        (needs.discipline, DisciplinaryRecord, "disciplined_on"),
        (needs.violations, RuleViolation, "violations_on"),
    ):
        if not wanted:
            continue

        def dated(rows, attribute=attribute):
            for member_id, date in rows:
                if member_id in members:
                    getattr(members[member_id], attribute).append(date)

        steps.append(
            (
                model.objects.filter(member_id__in=member_scope, date__gte=start, date__lte=end).values_list(
                    "member_id", "date"
                ),
                dated,
            )
        )
    return steps


def _authorities(facts):
    """The recognizing authority of each subject [002 §II.5, 004 §II.4.2.3]: a subordinate cell's
    grassroots committee; a grassroots cell or committee's parent (the level above). One query."""
    ancestor_ids = {int(part) for org in facts.values() for part in org.path.split(".")[:-2]}
    kinds = dict(Organization.objects.filter(pk__in=ancestor_ids).values_list("pk", "kind")) if ancestor_ids else {}
    for pk, org in facts.items():
        ancestors = [int(part) for part in org.path.split(".")[:-2]]
        authority = ancestors[-1] if ancestors else None
        if org.kind == "sub_cell":
            committees = [a for a in ancestors if kinds.get(a) == "gr_committee"]
            authority = committees[-1] if committees else authority
        facts[pk].authority_id = authority


def load_members(members, years, needs, today=None):
    """{member id: MemberFacts} for individual exemplars, in a fixed number of queries."""
    ids = [m.pk for m in members]
    result = {}
    for member in _rows(
        Member.objects.filter(pk__in=ids).values_list("pk", "full_name", "exempted_since", *MEMBER_FLAGS)
    ):
        pk, name, exempted, *flags = member
        result[pk] = MemberFacts(pk, name, exempted_since=exempted, **dict(zip(MEMBER_FLAGS, flags, strict=True)))
    day = min(datetime.date(years[1], 12, 31), today or datetime.date.today())
    for member_id, cell_id in _rows(
        Membership.objects.on_date(day).filter(member_id__in=ids).values_list("member_id", "cell_id")
    ):
        result[member_id].cell_id = cell_id
    _run_steps(_member_steps(result, ids, years, needs))
    return result
