"""Fetch the facts for any number of organizations in a fixed number of queries.

One query per kind of record (ratings, memberships, attestations, meetings, absences…),
each filtered by the whole set of subjects at once, then grouped in Python. The count
depends on which facts the schemes need, never on how many cells, members or meetings
there are (tests/criteria/test_loader.py asserts it).
"""

import datetime
from dataclasses import dataclass, fields

from django.db import connection
from django.db.models import Q

from evaluations.models import Attendance, FourGoodsAssessment, Meeting
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


def _day_range(years):
    return datetime.date(years[0], 1, 1), datetime.date(years[1], 12, 31)


def load(organizations, rating_years, detail_years, needs, today=None, ranges=None):
    """{organization id: OrgFacts} for the given organizations.

    rating_years and detail_years are (first, last) inclusive: organization ratings reach
    further back (SCHEMES §1.1 G1 windows) than the other yearly facts. `ranges` narrows the
    years of one kind of facts ({"member_ratings": (2024, 2024), ...}) when fewer are needed.
    """
    ranges = ranges or {}
    today = today or datetime.date.today()
    subjects = {org.pk: org for org in organizations}
    facts = {
        org.pk: OrgFacts(
            id=org.pk,
            name=org.name,
            kind=org.kind,
            unit_type=org.unit_type,
            path=org.path,
            head_is_secretary=org.head_is_secretary,
            today=today,
        )
        for org in organizations
    }
    if not facts:
        return facts
    start, end = _day_range(detail_years)
    # Member scope: a cell is its own scope; a committee reaches every cell under it.
    cell_paths = {pk: org.path for pk, org in subjects.items() if org.kind in CELL_KINDS}
    committees = [org for org in organizations if org.kind not in CELL_KINDS]
    children_of = {}
    if committees:
        query = Q()
        for org in committees:
            query |= Q(path__startswith=org.path)
        committee_ids = {c.pk for c in committees}
        for pk, path, kind, name, parent_id in _rows(
            Organization.objects.filter(query).values_list("pk", "path", "kind", "name", "parent_id")
        ):
            if kind in CELL_KINDS:
                cell_paths[pk] = path
            if parent_id in committee_ids and pk not in committee_ids:
                children_of.setdefault(parent_id, []).append(ChildFacts(pk, name))
    owners = {}
    for cell_id, path in cell_paths.items():
        if cell_id in subjects:
            owners.setdefault(cell_id, []).append(cell_id)
        for org in committees:
            if path.startswith(org.path):
                owners.setdefault(cell_id, []).append(org.pk)
    cell_ids = list(cell_paths)
    for pk, children in children_of.items():
        facts[pk].children = sorted(children, key=lambda c: c.name)

    if needs.org_ratings or needs.children:
        ids = list(facts) + [c.id for cs in children_of.values() for c in cs]
        child_index = {c.id: c for cs in children_of.values() for c in cs}
        for org_id, year, level in _rows(
            Rating.objects.filter(
                organization_id__in=ids, year__gte=rating_years[0], year__lte=rating_years[1]
            ).values_list("organization_id", "year", "level")
        ):
            if org_id in facts:
                facts[org_id].ratings[year] = level
            if org_id in child_index:
                child_index[org_id].ratings[year] = level

    members = {}
    if needs.members and cell_ids:
        rows = _rows(
            Membership.objects.filter(cell_id__in=cell_ids, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .values_list(
                "member_id",
                "cell_id",
                "start_date",
                "end_date",
                "member__full_name",
                "member__exempted_since",
                *[f"member__{flag}" for flag in MEMBER_FLAGS],
            )
        )
        for member_id, cell_id, begin, finish, name, exempted, *flags in rows:
            member = members.get(member_id)
            if member is None:
                member = members[member_id] = MemberFacts(member_id, name, *flags, exempted)
            for owner in owners.get(cell_id, ()):
                facts[owner].members[member_id] = member
                facts[owner].memberships.append((member_id, begin, finish))
        member_scope = (
            Membership.objects.filter(cell_id__in=cell_ids, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .values("member_id")
        )
        _member_facts(members, member_scope, detail_years, needs, ranges)

    if needs.mass_orgs and cell_ids:
        mass = {}
        for pk, cell_id, name in _rows(
            MassOrganization.objects.filter(cell_id__in=cell_ids).values_list("pk", "cell_id", "name")
        ):
            mass[pk] = MassOrgFacts(pk, name)
            for owner in owners.get(cell_id, ()):
                facts[owner].mass_orgs.append(mass[pk])
        for mo_id, year, level in _rows(
            Rating.objects.filter(
                mass_organization__cell_id__in=cell_ids, year__gte=detail_years[0], year__lte=detail_years[1]
            ).values_list("mass_organization_id", "year", "level")
        ):
            if mo_id in mass:
                mass[mo_id].ratings[year] = level

    cell_subjects = [pk for pk, org in subjects.items() if org.kind in CELL_KINDS]
    if needs.meetings and cell_subjects:
        meetings = {}
        for row in _rows(
            Meeting.objects.filter(cell_id__in=cell_subjects, date__gte=start, date__lte=end)
            .order_by("date", "pk")
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
                "self_score",
                "decided_score",
            )
        ):
            pk, cell_id, date, kind, roll, present, excused, unexcused, speakers, level, self_score, decided = row
            score = decided if decided is not None else self_score
            meeting = MeetingFacts(
                date,
                kind,
                roll,
                present,
                excused,
                unexcused,
                speakers,
                level,
                float(score) if score is not None else None,
            )
            meetings[pk] = meeting
            facts[cell_id].meetings.append(meeting)
        if needs.absences:
            a_start, a_end = _day_range(ranges.get("absences", detail_years))
            for meeting_id, member_id, status, name in _rows(
                Attendance.objects.filter(
                    meeting__cell_id__in=cell_subjects, meeting__date__gte=a_start, meeting__date__lte=a_end
                )
                .exclude(status="present")
                .values_list("meeting_id", "member_id", "status", "member__full_name")
            ):
                if meeting_id in meetings:
                    meetings[meeting_id].absences[member_id] = (status, name)

    if needs.unit_attestations:
        for org_id, year, code, status in _rows(
            UnitAttestation.objects.filter(
                organization_id__in=list(facts), year__gte=detail_years[0], year__lte=detail_years[1]
            ).values_list("organization_id", "year", "criterion", "status")
        ):
            facts[org_id].unit_attestations[(year, code)] = status

    if needs.four_goods:
        for org_id, year, month, passed, score in _rows(
            FourGoodsAssessment.objects.filter(
                organization_id__in=list(facts),
                year__gte=ranges.get("four_goods", detail_years)[0],
                year__lte=ranges.get("four_goods", detail_years)[1],
            ).values_list("organization_id", "year", "month", "passed", "score")
        ):
            facts[org_id].four_goods.setdefault(year, {})[month] = MonthFacts(month, passed, float(score))

    if needs.yearly:
        for row in _rows(
            OrganizationYear.objects.filter(
                organization_id__in=list(facts), year__gte=detail_years[0], year__lte=detail_years[1]
            ).values_list("organization_id", "year", *YEAR_FIELDS)
        ):
            facts[row[0]].yearly[row[1]] = YearFacts(*row[2:])

    if needs.ancestors:
        _authorities(subjects, facts)
    return facts


def _member_facts(members, member_scope, years, needs, ranges=None):
    ranges = ranges or {}
    if needs.member_ratings:
        first, last = ranges.get("member_ratings", years)
        for member_id, year, level in _rows(
            Rating.objects.filter(member_id__in=member_scope, year__gte=first, year__lte=last).values_list(
                "member_id", "year", "level"
            )
        ):
            if member_id in members:
                members[member_id].ratings[year] = level
    if needs.attestations:
        for row in _rows(
            MemberAttestation.objects.filter(
                member_id__in=member_scope, year__gte=years[0], year__lte=years[1]
            ).values_list("member_id", "year", *ATTESTATION_FIELDS)
        ):
            if row[0] in members:
                members[row[0]].attestations[row[1]] = AttestationFacts(*row[2:])
    start, end = _day_range(years)
    if needs.discipline:
        for member_id, date in _rows(
            DisciplinaryRecord.objects.filter(member_id__in=member_scope, date__gte=start, date__lte=end).values_list(
                "member_id", "date"
            )
        ):
            if member_id in members:
                members[member_id].disciplined_on.append(date)
    if needs.violations:
        for member_id, date in _rows(
            RuleViolation.objects.filter(member_id__in=member_scope, date__gte=start, date__lte=end).values_list(
                "member_id", "date"
            )
        ):
            if member_id in members:
                members[member_id].violations_on.append(date)
    if needs.nominations:
        for row in _rows(
            MemberNomination.objects.filter(
                member_id__in=member_scope, year__gte=years[0], year__lte=years[1]
            ).values_list("member_id", "year", *NOMINATION_FIELDS)
        ):
            if row[0] in members:
                members[row[0]].nominations[row[1]] = NominationFacts(*row[2:])


def _authorities(subjects, facts):
    """The recognizing authority of each subject [002 §II.5, 004 §II.4.2.3]: a subordinate cell's
    grassroots committee; a grassroots cell or committee's parent (the level above). One query."""
    ancestor_ids = {int(part) for org in subjects.values() for part in org.path.split(".")[:-2]}
    kinds = dict(Organization.objects.filter(pk__in=ancestor_ids).values_list("pk", "kind")) if ancestor_ids else {}
    for pk, org in subjects.items():
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
    _member_facts(result, ids, years, needs)
    return result
