"""Plain facts the rules read: dataclasses filled by criteria.loader, or by hand in tests.

Nothing here touches the database, so every rule is testable without one.
Ratings are the RatingLevel codes ("EXCELLENT", "GOOD", "PASS", "FAIL").
"""

import datetime
import operator
from dataclasses import dataclass, field

REGULAR_KINDS = ("regular", "combined")
THEMATIC_KINDS = ("thematic", "combined")


@dataclass(slots=True)
class AttestationFacts:
    """A member's yearly attestation (registry.MemberAttestation); None means not recorded."""

    uses_handbook: bool | None = None
    good_example: str = ""  # "good" | "fair" | "poor" | "" (not recorded)
    signed_commitment: bool | None = None
    no_degradation: bool | None = None
    cultural_family: bool | None = None
    residence_exemplary: bool | None = None
    dues_paid: bool | None = None
    politically_steadfast: bool | None = None
    four_good_examples: bool | None = None


ATTESTATION_FIELDS = (
    "uses_handbook",
    "good_example",
    "signed_commitment",
    "no_degradation",
    "cultural_family",
    "residence_exemplary",
    "dues_paid",
    "politically_steadfast",
    "four_good_examples",
)


_read_attestation = operator.attrgetter(*ATTESTATION_FIELDS)
_ALL_GOOD = (True, "good", True, True, True, True, True, True, True)


@dataclass(slots=True)
class NominationFacts:
    nominated_by_grassroots: bool | None = None
    trusted: bool | None = None
    confirmed_by_committee: bool | None = None


@dataclass(slots=True)
class MemberFacts:
    id: int
    name: str
    is_leader: bool = False
    is_unit_head: bool = False
    is_committee_member: bool = False
    is_direct_worker: bool = False
    exempted_since: datetime.date | None = None
    ratings: dict = field(default_factory=dict)  # year -> level
    attestations: dict = field(default_factory=dict)  # year -> AttestationFacts
    disciplined_on: list = field(default_factory=list)  # dates
    violations_on: list = field(default_factory=list)  # dates
    nominations: dict = field(default_factory=dict)  # year -> NominationFacts
    cell_id: int | None = None  # the cell the member is in at the evaluation day

    @property
    def leads(self):
        """Leaders and managers, heads included [003 §II.2.1, §III.2.1]."""
        return self.is_leader or self.is_unit_head


@dataclass(slots=True)
class MeetingFacts:
    date: datetime.date
    kind: str = "regular"
    roll_size: int = 0
    present: int = 0
    excused: int = 0
    unexcused: int = 0
    speakers: int = 0
    quality_level: str = ""
    score: float | None = None
    absences: dict = field(default_factory=dict)  # member_id -> (status, name)

    @property
    def is_regular(self):
        return self.kind in REGULAR_KINDS

    @property
    def is_thematic(self):
        return self.kind in THEMATIC_KINDS


@dataclass(slots=True)
class MassOrgFacts:
    id: int
    name: str
    ratings: dict = field(default_factory=dict)


@dataclass(slots=True)
class MonthFacts:
    month: int
    passed: bool
    score: float
    achieved: dict = field(default_factory=dict)


@dataclass(slots=True)
class YearFacts:
    """criteria.OrganizationYear for one year; None means not recorded."""

    admission_target: int | None = None
    admitted_count: int | None = None
    unit_targets_met: bool | None = None
    committee_meetings: int | None = None
    congress_meetings: int | None = None
    organizations_disciplined: int | None = None
    directive05_planned: bool | None = None
    directive05_in_agenda: bool | None = None
    initiatives_commended: bool | None = None


@dataclass(slots=True)
class ChildFacts:
    """A directly subordinate organization of a grassroots committee, with its ratings."""

    id: int
    name: str
    ratings: dict = field(default_factory=dict)


@dataclass(slots=True)
class OrgFacts:
    """Everything the rules need about one party organization (a cell or a committee)."""

    id: int
    name: str
    kind: str  # OrganizationKind code
    unit_type: str = "other"
    path: str = ""
    head_is_secretary: bool = False
    ratings: dict = field(default_factory=dict)  # year -> level
    members: dict = field(default_factory=dict)  # member_id -> MemberFacts
    memberships: list = field(default_factory=list)  # (member_id, start, end|None)
    mass_orgs: list = field(default_factory=list)  # MassOrgFacts
    meetings: list = field(default_factory=list)  # MeetingFacts, by date
    unit_attestations: dict = field(default_factory=dict)  # (year, code) -> "met" | "not_met" | "na"
    four_goods: dict = field(default_factory=dict)  # year -> {month: MonthFacts}
    yearly: dict = field(default_factory=dict)  # year -> YearFacts
    children: list = field(default_factory=list)  # ChildFacts (grassroots committee only)
    authority_id: int | None = None  # who recognizes it (four-goods commendation cap)
    today: datetime.date | None = None
    # Per-evaluation caches of what several rules derive alike (rolls, attestation summaries,
    # meetings by year, shared checks). One dict: a province builds 4,000 of these facts.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_cell(self):
        return self.kind in ("gr_cell", "sub_cell")

    def roll_day(self, year):
        """The day a year's roll is read: 31 December, or today for the current year."""
        end = datetime.date(year, 12, 31)
        today = self.today or datetime.date.today()
        return min(end, today) if today.year >= year else end

    def roll(self, year):
        """Members on the roll on the year's roll day, sorted by name (a subtree for a committee)."""
        cached = self.memo.get(("roll", year))
        if cached is not None and cached[0] == len(self.memberships):
            return cached[1]
        day = self.roll_day(year)
        ids = {m for m, start, end in self.memberships if start <= day and (end is None or end >= day)}
        roll = sorted((self.members[i] for i in ids if i in self.members), key=lambda m: (m.name, m.id))
        self.memo[("roll", year)] = (len(self.memberships), roll)
        return roll

    def attestation_summary(self, year):
        """{field: (members with a false value, members with none recorded)} over the year's roll, one pass."""
        roll = self.roll(year)
        cached = self.memo.get(("attestation_summary", year))
        if cached is not None and cached[0] is roll:
            return cached[1]
        summary = {name: ([], []) for name in ATTESTATION_FIELDS}
        lists = [summary[name] for name in ATTESTATION_FIELDS]
        for member in roll:
            attestation = member.attestations.get(year)
            if attestation is None:
                for bad_unknown in lists:
                    bad_unknown[1].append(member)
                continue
            values = _read_attestation(attestation)
            if values == _ALL_GOOD:
                continue
            for index, value in enumerate(values):
                if value is True or (index == 1 and value == "good"):
                    continue
                lists[index][1 if value is None or value == "" else 0].append(member)
        self.memo[("attestation_summary", year)] = (roll, summary)
        return summary

    def meetings_in(self, year):
        token = (id(self.meetings), len(self.meetings))
        cached = self.memo.get("meetings_by_year")
        if cached is None or cached[0] != token:
            by_year = {}
            for meeting in self.meetings:
                by_year.setdefault(meeting.date.year, []).append(meeting)
            cached = self.memo["meetings_by_year"] = (token, by_year)
        return cached[1].get(year, [])
