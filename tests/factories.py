"""factory_boy factories shared by every app's tests."""

import datetime

import factory
from django.contrib.auth import get_user_model

from registry.models import (
    Appointment,
    MassOrganization,
    MassOrganizationKind,
    Member,
    Membership,
    Organization,
    OrganizationKind,
    Rating,
    RatingLevel,
    UnitType,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Chi bộ số {n}")
    kind = OrganizationKind.GRASSROOTS_CELL
    unit_type = UnitType.ADMINISTRATIVE
    code = factory.Sequence(lambda n: f"CB{n}")


class BlockFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Đảng bộ Khối {n}")
    kind = OrganizationKind.UPPER_COMMITTEE
    code = "ĐUK"
    place_name = "Yên Bái"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Đức {n}")
    gender = "M"
    card_number = factory.Sequence(lambda n: f"{10000000 + n}")
    date_of_birth = datetime.date(1980, 5, 1)
    admitted_on = datetime.date(2005, 3, 26)
    official_on = datetime.date(2006, 3, 26)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    cell = factory.SubFactory(OrganizationFactory)
    start_date = datetime.date(2015, 1, 1)


class MassOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MassOrganization

    cell = factory.SubFactory(OrganizationFactory)
    kind = MassOrganizationKind.TRADE_UNION
    name = factory.Sequence(lambda n: f"Công đoàn cơ sở {n}")


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    year = 2024
    level = RatingLevel.GOOD


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # set_password only changes the object: store the hash, or logging in (and force_login's
        # session hash check) fails for every factory user.
        if create and results:
            instance.save(update_fields=["password"])


def appoint(user, organization, role):
    Appointment.objects.create(user=user, organization=organization, role=role)
    user.__dict__.pop("_scope_appointments", None)
    return user
