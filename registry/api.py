"""REST API of the registry: organizations, members, memberships, ratings, attestations.

Reads go through `visible_to(user)`, writes through `visible_to(user, EDIT_REGISTRY)`
(registry.scoping): an object outside the user's reach answers 404, a write outside
the editing scope 404 (or 400 when a related object named in the body is outside it).
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from .models import (
    CELL_KINDS,
    Member,
    MemberAttestation,
    Membership,
    Organization,
    OrganizationKind,
    Rating,
    RatingLevel,
    UnitAttestation,
    UnitType,
)
from .scoping import EDIT_REGISTRY, VIEW, is_unrestricted

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _user(serializer):
    request = serializer.context.get("request")
    return request.user if request else None


@extend_schema_field(OpenApiTypes.INT)
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key accepted only inside the requesting user's editing scope."""

    def __init__(self, model, cells_only=False, **kwargs):
        self.scoped_model = model
        self.cells_only = cells_only
        super().__init__(**kwargs)

    def get_queryset(self):
        user = _user(self.parent) if self.parent is not None else None
        qs = self.scoped_model.objects.visible_to(user, EDIT_REGISTRY)
        return qs.filter(kind__in=CELL_KINDS) if self.cells_only else qs


class ModelCleanMixin:
    """Run the model's full_clean (constraints included) so errors come back as 400 in Vietnamese."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance or self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
        return attrs


# --- organizations -------------------------------------------------------------------


class OrganizationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    parent = ScopedRelatedField(Organization, allow_null=True, required=False)

    class Meta:
        model = Organization
        fields = (
            "id",
            "parent",
            "kind",
            "name",
            "code",
            "unit_type",
            "place_name",
            "head_is_secretary",
            "active_from",
            "active_to",
            "depth",
        )
        read_only_fields = ("depth",)

    def validate(self, attrs):
        creating_or_moving = self.instance is None or "parent" in attrs
        if creating_or_moving and not attrs.get("parent") and not is_unrestricted(_user(self)):
            raise serializers.ValidationError({"parent": _("Tổ chức phải thuộc một tổ chức bạn phụ trách.")})
        return super().validate(attrs)


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices)
    under = django_filters.NumberFilter(method="filter_under", label=_("Thuộc (mã số tổ chức)"))

    class Meta:
        model = Organization
        fields = ("kind", "unit_type", "under", "parent")

    def filter_under(self, queryset, name, value):
        root = queryset.filter(pk=value).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class ScopedViewSet(viewsets.ModelViewSet):
    """Reads scoped with VIEW, writes with EDIT_REGISTRY; objects outside answer 404."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return self.queryset.model.objects.all()

    def get_queryset(self):
        capability = EDIT_REGISTRY if self.request.method in WRITE_METHODS else VIEW
        return self.base_queryset().visible_to(self.request.user, capability)


class OrganizationViewSet(ScopedViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ("name", "code")
    ordering_fields = ("name", "path")
    ordering = ("path",)


# --- members -------------------------------------------------------------------------


class MemberSerializer(ModelCleanMixin, serializers.ModelSerializer):
    current_cell = serializers.IntegerField(read_only=True, allow_null=True, source="current_cell_id")
    cell = ScopedRelatedField(
        Organization,
        cells_only=True,
        write_only=True,
        required=False,
        help_text=_("Chi bộ nơi đảng viên mới sinh hoạt"),
    )
    joined_on = serializers.DateField(write_only=True, required=False, help_text=_("Sinh hoạt từ ngày"))

    class Meta:
        model = Member
        fields = (
            "id",
            "full_name",
            "date_of_birth",
            "gender",
            "card_number",
            "admitted_on",
            "official_on",
            "exempted_since",
            "is_secretary",
            "is_deputy_secretary",
            "is_committee_member",
            "is_leader",
            "is_unit_head",
            "is_direct_worker",
            "current_cell",
            "cell",
            "joined_on",
        )

    def validate(self, attrs):
        self._cell = attrs.pop("cell", None)
        self._joined_on = attrs.pop("joined_on", None)
        if self.instance is None and self._cell is None:
            raise serializers.ValidationError({"cell": _("Đảng viên mới cần chi bộ nơi sinh hoạt.")})
        return super().validate(attrs)

    @transaction.atomic
    def create(self, validated_data):
        member = super().create(validated_data)
        Membership.objects.create(member=member, cell=self._cell, start_date=self._joined_on or timezone.localdate())
        member.current_cell_id = self._cell.pk
        return member


class MemberFilter(django_filters.FilterSet):
    cell = django_filters.NumberFilter(method="filter_cell", label=_("Đang sinh hoạt tại chi bộ (mã số)"))
    gender = django_filters.CharFilter()

    class Meta:
        model = Member
        fields = ("cell", "gender", "is_secretary", "is_direct_worker")

    def filter_cell(self, queryset, name, value):
        return queryset.filter(pk__in=Membership.objects.current().filter(cell_id=value).values("member"))


class MemberViewSet(ScopedViewSet):
    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    search_fields = ("full_name", "card_number")
    ordering_fields = ("full_name", "card_number", "date_of_birth", "admitted_on")
    ordering = ("full_name", "pk")

    def base_queryset(self):
        current = Membership.objects.filter(member=OuterRef("pk"), end_date__isnull=True)
        return Member.objects.annotate(current_cell_id=Subquery(current.values("cell_id")[:1]))


# --- memberships ---------------------------------------------------------------------


class MembershipSerializer(ModelCleanMixin, serializers.ModelSerializer):
    member = ScopedRelatedField(Member)
    cell = ScopedRelatedField(Organization, cells_only=True)

    class Meta:
        model = Membership
        fields = ("id", "member", "cell", "start_date", "end_date")
        validators = []  # the model's own clean() and constraints speak Vietnamese


class MembershipFilter(django_filters.FilterSet):
    on = django_filters.DateFilter(method="filter_on", label=_("Đang sinh hoạt vào ngày"))

    class Meta:
        model = Membership
        fields = ("cell", "member", "on")

    def filter_on(self, queryset, name, value):
        return queryset.on_date(value)


class MembershipViewSet(ScopedViewSet):
    queryset = Membership.objects.all()
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ("start_date", "end_date")
    ordering = ("-start_date", "pk")


# --- ratings -------------------------------------------------------------------------


SUBJECT_CHOICES = (
    ("organization", _("Tổ chức đảng")),
    ("member", _("Đảng viên")),
    ("mass_organization", _("Đoàn thể")),
)


class RatingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedRelatedField(Organization, allow_null=True, required=False)
    member = ScopedRelatedField(Member, allow_null=True, required=False)
    mass_organization = serializers.PrimaryKeyRelatedField(read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = (
            "id",
            "year",
            "level",
            "subject",
            "organization",
            "member",
            "mass_organization",
            "recorded_by",
            "recorded_at",
        )
        read_only_fields = ("recorded_at",)
        validators = []

    @extend_schema_field(serializers.ChoiceField(choices=SUBJECT_CHOICES))
    def get_subject(self, rating):
        if rating.organization_id:
            return "organization"
        return "member" if rating.member_id else "mass_organization"

    def validate(self, attrs):
        if self.instance is None:
            subjects = [attrs.get("organization"), attrs.get("member")]
            if sum(1 for s in subjects if s is not None) != 1:
                raise serializers.ValidationError(
                    _("Mỗi xếp loại thuộc đúng một đối tượng: một tổ chức đảng hoặc một đảng viên.")
                )
        return super().validate(attrs)


class RatingFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RatingLevel.choices)
    subject = django_filters.ChoiceFilter(choices=SUBJECT_CHOICES, method="filter_subject", label=_("Loại đối tượng"))

    class Meta:
        model = Rating
        fields = ("year", "level", "subject", "organization", "member", "mass_organization")

    def filter_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


class RatingViewSet(ScopedViewSet):
    queryset = Rating.objects.all()
    serializer_class = RatingSerializer
    filterset_class = RatingFilter
    ordering_fields = ("year", "level")
    ordering = ("-year", "pk")

    def base_queryset(self):
        return Rating.objects.select_related("recorded_by")

    def perform_create(self, serializer):
        serializer.save(recorded_by=self.request.user)


# --- attestations --------------------------------------------------------------------


class MemberAttestationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    member = ScopedRelatedField(Member)

    class Meta:
        model = MemberAttestation
        fields = (
            "id",
            "member",
            "year",
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
        validators = []


class MemberAttestationViewSet(ScopedViewSet):
    queryset = MemberAttestation.objects.all()
    serializer_class = MemberAttestationSerializer
    filterset_fields = ("year", "member")
    ordering = ("-year", "pk")


class UnitAttestationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedRelatedField(Organization, cells_only=True)

    class Meta:
        model = UnitAttestation
        fields = ("id", "organization", "year", "criterion", "status", "note", "evidence")
        validators = []


class UnitAttestationViewSet(ScopedViewSet):
    queryset = UnitAttestation.objects.all()
    serializer_class = UnitAttestationSerializer
    filterset_fields = ("year", "organization", "criterion", "status")
    ordering = ("-year", "criterion", "pk")


def register(router):
    """Register this app's API viewsets on the shared router."""
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("members", MemberViewSet, basename="member")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("ratings", RatingViewSet, basename="rating")
    router.register("member-attestations", MemberAttestationViewSet, basename="member-attestation")
    router.register("unit-attestations", UnitAttestationViewSet, basename="unit-attestation")
