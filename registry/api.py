"""REST API of the registry: organizations, members, memberships, ratings, attestations.

Reads go through `visible_to(user)`, writes through `writable_by(user, EDIT_REGISTRY)`
(registry.scoping, the models' querysets): an object outside the user's reach answers
404, a write outside the write half 404 as well (a member who moved away is no longer
the old cell's to change, issue 10 hole 3). A related object named in the body is
resolved from the write half only, so an id outside it answers exactly like an id that
does not exist: the same 400 and the same message (hole 5). Creating, moving or retyping
an organization needs MANAGE_TREE (hole 4): 403 for someone who may see and edit the
organization but not restructure the tree.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from .mass_org import rating_api_save
from .models import (
    CELL_KINDS,
    MassOrganization,
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
from .scoping import EDIT_REGISTRY, MANAGE_TREE, VIEW, can, can_anywhere, is_unrestricted
from .services import registry_record_save

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _user(serializer):
    request = serializer.context.get("request")
    return request.user if request else None


# Largest primary key PostgreSQL's integer columns hold; anything above is an id that does not exist.
MAX_ID = 2**31 - 1


@extend_schema_field(OpenApiTypes.INT)
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key resolved from the WRITE half of the policy (`writable_by(user, capability)`).

    An id outside what the user may change answers exactly like an id that does not exist
    (same 400, same message): the body of an answer never tells which ids exist elsewhere
    (issue 10, hole 5).
    """

    def __init__(self, model, cells_only=False, capability=EDIT_REGISTRY, **kwargs):
        self.scoped_model = model
        self.cells_only = cells_only
        self.capability = capability
        super().__init__(**kwargs)

    def get_queryset(self):
        user = _user(self.parent) if self.parent is not None else None
        if user is None:
            return self.scoped_model.objects.none()
        qs = self.scoped_model.objects.writable_by(user, self.capability)
        return qs.filter(kind__in=CELL_KINDS) if self.cells_only else qs

    def to_internal_value(self, data):
        # Too large for the column: the same answer as any other id that does not exist.
        if not isinstance(data, bool) and isinstance(data, (int, str)) and str(data).strip().isdigit():
            if int(str(data).strip()) > MAX_ID:
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class TreeParentField(ScopedRelatedField):
    """The parent of an organization: one where the user may manage the tree (MANAGE_TREE),
    or the parent the organization already has (saving it unchanged is no move)."""

    def __init__(self, **kwargs):
        super().__init__(Organization, capability=MANAGE_TREE, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, Organization) and instance.parent_id:
            qs = qs | Organization.objects.filter(pk=instance.parent_id)
        return qs


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


TREE_REFUSED = _("Chỉ Ban Tổ chức hoặc quản trị hệ thống được thành lập, chuyển hoặc đổi cấp tổ chức đảng.")


def tree_change_requested(data, instance):
    """Does a request body create, move or retype an organization (MANAGE_TREE, issue 10 hole 4)?

    Compared with the organization as stored: sending its current parent or kind back is no change.
    """
    if instance is None:
        return True
    if "kind" in data and str(data.get("kind")) != instance.kind:
        return True
    if "parent" in data:
        parent = data.get("parent")
        if parent in (None, "", "null"):
            return instance.parent_id is not None
        return str(parent).strip() != str(instance.parent_id)
    return False


class OrganizationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    parent = TreeParentField(allow_null=True, required=False)

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
        user = _user(self)
        instance = self.instance
        moving = instance is None or ("parent" in attrs and attrs["parent"] != instance.parent)
        retyping = instance is not None and "kind" in attrs and attrs["kind"] != instance.kind
        if moving and not attrs.get("parent") and not is_unrestricted(user):
            raise serializers.ValidationError({"parent": _("Tổ chức phải thuộc một tổ chức bạn phụ trách.")})
        # The policy again, on the organization as stored and on the parsed new parent, never on
        # raw ids: MANAGE_TREE over the organization moved or retyped and over its new parent.
        if (moving or retyping) and instance is not None and not can(user, MANAGE_TREE, instance):
            raise PermissionDenied(TREE_REFUSED)
        if moving and attrs.get("parent") and not can(user, MANAGE_TREE, attrs["parent"]):
            raise PermissionDenied(TREE_REFUSED)
        return super().validate(attrs)


ID_FILTER_MESSAGE = _("Mã số không hợp lệ: cần một số nguyên dương, ví dụ 42.")


class IdFilter(django_filters.NumberFilter):
    """An id in a query string: a whole number within the column's range, otherwise a 400
    with a Vietnamese message (issue 10, hole 9), never a database error. An id that exists
    outside the user's scope filters to nothing, exactly like one that does not exist."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        # One plain message for every malformed id; the column's limit is nobody's business.
        message = ID_FILTER_MESSAGE
        kwargs.setdefault("error_messages", {"invalid": message, "min_value": message, "max_value": message})
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices)
    under = IdFilter(method="filter_under", label=_("Thuộc (mã số tổ chức)"))
    parent = IdFilter(field_name="parent_id", label=_("Tổ chức cấp trên (mã số)"))

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
        if self.request.method in WRITE_METHODS:
            return self.base_queryset().writable_by(self.request.user, EDIT_REGISTRY)
        return self.base_queryset().visible_to(self.request.user, VIEW)

    # The serializer validates; the write service saves, in one transaction, with the policy
    # re-checked on the stored row and on the row as written (registry.services).
    def perform_create(self, serializer):
        registry_record_save(user=self.request.user, serializer=serializer)

    def perform_update(self, serializer):
        registry_record_save(user=self.request.user, serializer=serializer)


class OrganizationViewSet(ScopedViewSet):
    """Organizations. Renaming and editing details needs EDIT_REGISTRY; creating, moving or
    retyping needs MANAGE_TREE (issue 10, hole 4).

    Refusals: an organization outside the user's write scope answers 404, as everywhere. A user
    who may see and edit the organization (or, creating, holds no MANAGE_TREE anywhere) but asks
    to restructure the tree gets 403: the organization is already theirs to see, so 403 tells
    nothing new, and it says which capability is missing (healthchecks' 404 for outsiders,
    403 for members without the right, STYLE.md). A new parent outside the MANAGE_TREE scope
    answers 400 exactly like a parent that does not exist (hole 5).
    """

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ("name", "code")
    ordering_fields = ("name", "path")
    ordering = ("path",)

    def create(self, request, *args, **kwargs):
        if not can_anywhere(request.user, MANAGE_TREE):
            raise PermissionDenied(TREE_REFUSED)
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()  # the stored organization, 404 outside the write scope
        data = request.data if isinstance(request.data, dict) else {}
        if tree_change_requested(data, instance) and not can(request.user, MANAGE_TREE, instance):
            raise PermissionDenied(TREE_REFUSED)
        return super().update(request, *args, **kwargs)


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
    cell = IdFilter(method="filter_cell", label=_("Đang sinh hoạt tại chi bộ (mã số)"))
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
    cell = IdFilter(field_name="cell_id", label=_("Chi bộ (mã số)"))
    member = IdFilter(field_name="member_id", label=_("Đảng viên (mã số)"))

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
    # A mass organization of a cell's unit [000 §II.1(3)], within the write scope like the others.
    mass_organization = ScopedRelatedField(MassOrganization, allow_null=True, required=False)
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
            subjects = [attrs.get("organization"), attrs.get("member"), attrs.get("mass_organization")]
            if sum(1 for s in subjects if s is not None) != 1:
                raise serializers.ValidationError(
                    _("Mỗi xếp loại thuộc đúng một đối tượng: một tổ chức đảng, một đảng viên hoặc một đoàn thể.")
                )
        return super().validate(attrs)


class RatingFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RatingLevel.choices)
    subject = django_filters.ChoiceFilter(choices=SUBJECT_CHOICES, method="filter_subject", label=_("Loại đối tượng"))
    year = YearFilter()
    organization = IdFilter(field_name="organization_id", label=_("Tổ chức đảng (mã số)"))
    member = IdFilter(field_name="member_id", label=_("Đảng viên (mã số)"))
    mass_organization = IdFilter(field_name="mass_organization_id", label=_("Đoàn thể (mã số)"))

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
        rating_api_save(user=self.request.user, serializer=serializer, recorded_by=self.request.user)

    def perform_update(self, serializer):
        rating_api_save(user=self.request.user, serializer=serializer)


# --- mass organizations [000 §II.1(3)] --------------------------------------------------


class MassOrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = MassOrganization
        fields = ("id", "cell", "kind", "name")


class MassOrganizationFilter(django_filters.FilterSet):
    cell = IdFilter(field_name="cell_id", label=_("Chi bộ (mã số)"))

    class Meta:
        model = MassOrganization
        fields = ("cell", "kind")


class MassOrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The mass organizations the user may see, to name in a rating (read only; the tree's owners keep them)."""

    serializer_class = MassOrganizationSerializer
    filterset_class = MassOrganizationFilter
    ordering = ("cell__path", "kind", "name")

    def get_queryset(self):
        return MassOrganization.objects.visible_to(self.request.user, VIEW).order_by("cell__path", "kind", "name")


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


class MemberAttestationFilter(django_filters.FilterSet):
    year = YearFilter()
    member = IdFilter(field_name="member_id", label=_("Đảng viên (mã số)"))

    class Meta:
        model = MemberAttestation
        fields = ("year", "member")


class MemberAttestationViewSet(ScopedViewSet):
    queryset = MemberAttestation.objects.all()
    serializer_class = MemberAttestationSerializer
    filterset_class = MemberAttestationFilter
    ordering = ("-year", "pk")


class UnitAttestationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedRelatedField(Organization, cells_only=True)

    class Meta:
        model = UnitAttestation
        fields = ("id", "organization", "year", "criterion", "status", "note", "evidence")
        validators = []


class UnitAttestationFilter(django_filters.FilterSet):
    year = YearFilter()
    organization = IdFilter(field_name="organization_id", label=_("Chi bộ (mã số)"))

    class Meta:
        model = UnitAttestation
        fields = ("year", "organization", "criterion", "status")


class UnitAttestationViewSet(ScopedViewSet):
    queryset = UnitAttestation.objects.all()
    serializer_class = UnitAttestationSerializer
    filterset_class = UnitAttestationFilter
    ordering = ("-year", "criterion", "pk")


def register(router):
    """Register this app's API viewsets on the shared router."""
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("members", MemberViewSet, basename="member")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("ratings", RatingViewSet, basename="rating")
    router.register("mass-organizations", MassOrganizationViewSet, basename="mass-organization")
    router.register("member-attestations", MemberAttestationViewSet, basename="member-attestation")
    router.register("unit-attestations", UnitAttestationViewSet, basename="unit-attestation")
