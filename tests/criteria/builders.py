"""Plain-fact builders for rule tests: no database. A "perfect" cell meets every criterion;
each test changes one fact and reads the verdict."""

import datetime
import json
from pathlib import Path

from criteria.facts import (
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

TODAY = datetime.date(2025, 3, 1)
YEARS = (2020, 2021, 2022, 2023, 2024)
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "plans.json"


def plan_params(number):
    """Params of a seed plan by its document number, straight from fixtures/plans.json."""
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        if entry["fields"]["number"] == number:
            return entry["fields"]["params"]
    raise KeyError(number)


MODEL_CELL = "128-KH/ĐUK"
MEETING_QUALITY = "01-ĐA/ĐUK"
FOUR_GOODS_TKV = "1288-KH/ĐU"
FOUR_GOODS_HD = "39-KH/ĐU"
EXEMPLARY = "46-KH/ĐUK"


def attestation(**changes):
    values = dict(
        uses_handbook=True,
        good_example="good",
        signed_commitment=True,
        no_degradation=True,
        cultural_family=True,
        residence_exemplary=True,
        dues_paid=True,
        politically_steadfast=True,
        four_good_examples=True,
    )
    values.update(changes)
    return AttestationFacts(**values)


def member(pk, years, name=None, rating="GOOD", **flags):
    return MemberFacts(
        id=pk,
        name=name or f"Đảng viên {pk:02d}",
        ratings={y: rating for y in years},
        attestations={y: attestation() for y in years},
        nominations={y: NominationFacts(True, True, True) for y in years},
        **flags,
    )


def meetings_for(year, roll, speakers=5, level="good"):
    """A regular meeting on the 5th of every month and a thematic one on the 20th of each quarter's last month."""
    out = []
    for month in range(1, 13):
        out.append(MeetingFacts(datetime.date(year, month, 5), "regular", roll, roll, 0, 0, speakers, level, 95.0))
        if month % 3 == 0:
            out.append(MeetingFacts(datetime.date(year, month, 20), "thematic", roll, roll, 0, 0, speakers, "", None))
    return out


def perfect_cell(kind="gr_cell", unit_type="admin", members=12, years=YEARS, today=TODAY):
    years = list(years)
    cell = OrgFacts(id=1, name="Chi bộ Ban Dân tộc", kind=kind, unit_type=unit_type, today=today)
    cell.ratings = {y: ("EXCELLENT" if i % 2 == 0 else "GOOD") for i, y in enumerate(years)}
    for pk in range(1, members + 1):
        cell.members[pk] = member(pk, years)
        cell.memberships.append((pk, datetime.date(2015, 1, 1), None))
    cell.members[1].is_leader = True
    cell.members[1].is_unit_head = True
    speakers = 3 if members < 10 else 5 if members <= 30 else 8
    for y in years:
        cell.meetings += meetings_for(y, members, speakers)
        for code in ("A1", "A2", "A3", "A4", "S1", "S2", "S3", "S4", "E1", "E2", "E3", "E4", "E5"):
            cell.unit_attestations[(y, code)] = "met"
        cell.yearly[y] = YearFacts(
            admission_target=1,
            admitted_count=1,
            unit_targets_met=True,
            committee_meetings=12,
            congress_meetings=2,
            organizations_disciplined=0,
            directive05_planned=True,
            directive05_in_agenda=True,
            initiatives_commended=True,
        )
        cell.four_goods[y] = {m: MonthFacts(m, True, 95.0) for m in range(1, 13)}
    cell.mass_orgs = [
        MassOrgFacts(1, "Công đoàn cơ sở", {y: "EXCELLENT" for y in years}),
        MassOrgFacts(2, "Chi đoàn thanh niên", {y: "GOOD" for y in years}),
    ]
    return cell


def perfect_committee(years=YEARS):
    committee = perfect_cell(kind="gr_committee", members=20, years=years)
    committee.name = "Đảng bộ Sở Tài chính"
    committee.meetings = []
    committee.children = [ChildFacts(10 + i, f"Chi bộ {i}", {y: "GOOD" for y in years}) for i in range(10)]
    return committee


def statuses(results):
    return {r.code: r.status for r in results}
