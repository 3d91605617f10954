"""Registry-specific test helpers on top of the shared factories."""

import datetime

from registry.models import MemberAttestation, UnitAttestation

from ..factories import MemberFactory, MembershipFactory


def roll(cell, count, start=datetime.date(2015, 1, 1)):
    """`count` members on the roll of `cell` since `start`."""
    return [MembershipFactory(cell=cell, start_date=start, member=MemberFactory()).member for _ in range(count)]


def member_attestation(member, year=2024, **values):
    defaults = {"uses_handbook": True, "good_example": "good", "signed_commitment": True, "dues_paid": True}
    return MemberAttestation.objects.create(member=member, year=year, **{**defaults, **values})


def unit_attestation(cell, year=2024, criterion="A1", status="met"):
    return UnitAttestation.objects.create(organization=cell, year=year, criterion=criterion, status=status)
