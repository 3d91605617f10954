"""Database builders for the criteria tests: a cell with members, ratings, meetings and attestations."""

import datetime

from criteria.models import OrganizationYear
from evaluations.models import Attendance, FourGoodsAssessment, Meeting
from registry.models import MemberAttestation, Rating, UnitAttestation
from tests.factories import MassOrganizationFactory, MemberFactory, MembershipFactory, RatingFactory

YEARS = range(2020, 2025)


def fill_cell(cell, members=6, years=YEARS, attendance=True):
    """Everything a model cell needs, every criterion met, for the given years."""
    years = list(years)
    people = [MembershipFactory(cell=cell, member=MemberFactory()).member for _ in range(members)]
    people[0].is_leader = people[0].is_unit_head = True
    people[0].save()
    for i, year in enumerate(years):
        RatingFactory(organization=cell, year=year, level="EXCELLENT" if i % 2 == 0 else "GOOD")
    Rating.objects.bulk_create(Rating(member=p, year=y, level="GOOD") for p in people for y in years)
    MemberAttestation.objects.bulk_create(
        MemberAttestation(
            member=p,
            year=y,
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
        for p in people
        for y in years
    )
    codes = {
        "admin": ["A1", "A2", "A3", "A4"],
        "service": ["S1", "S2", "S3", "S4"],
        "enterprise": ["E1", "E2", "E3", "E4", "E5"],
    }
    UnitAttestation.objects.bulk_create(
        UnitAttestation(organization=cell, year=y, criterion=c, status="met")
        for y in years
        for c in codes.get(cell.unit_type, [])
    )
    OrganizationYear.objects.bulk_create(
        OrganizationYear(
            organization=cell,
            year=y,
            admission_target=1,
            admitted_count=1,
            unit_targets_met=True,
            directive05_planned=True,
            directive05_in_agenda=True,
            initiatives_commended=True,
        )
        for y in years
    )
    mass = MassOrganizationFactory(cell=cell)
    Rating.objects.bulk_create(Rating(mass_organization=mass, year=y, level="EXCELLENT") for y in years)
    meetings = []
    for y in years:
        for month in range(1, 13):
            meetings.append(_meeting(cell, datetime.date(y, month, 5), "regular", members))
            if month % 3 == 0:
                meetings.append(_meeting(cell, datetime.date(y, month, 20), "thematic", members))
    Meeting.objects.bulk_create(meetings)
    if attendance:
        saved = Meeting.objects.filter(cell=cell)
        Attendance.objects.bulk_create(
            Attendance(meeting=m, member=p, status="present", spoke=True) for m in saved for p in people
        )
    FourGoodsAssessment.objects.bulk_create(
        FourGoodsAssessment(organization=cell, year=y, month=m, score=95, passed=True)
        for y in years
        for m in range(1, 13)
    )
    return people


def _meeting(cell, day, kind, roll):
    return Meeting(
        cell=cell,
        date=day,
        kind=kind,
        roll_size=roll,
        present_count=roll,
        speakers_count=min(roll, 3 if roll < 10 else 5),
        quality_level="good" if kind == "regular" else "",
        self_score=95,
    )
