"""REST endpoints: verdicts for one subject and for a subtree, indicators, plans (all scoped);
the yearly facts and nominations their owners record (issue 12)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from registry.api import IdFilter, ModelCleanMixin, ScopedRelatedField, ScopedViewSet, YearFilter
from registry.models import Member, Organization
from registry.scoping import EDIT_REGISTRY, VIEW

from . import indicators, selectors, services, verdicts
from .engine import evaluate_all
from .models import MemberNomination, OrganizationYear, Plan, Scheme
from .templatetags.criteria_tags import default_year

ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã tổ chức đảng")
YEAR = OpenApiParameter("year", int, description="Năm đánh giá (mặc định: năm trước)")
SCHEME = OpenApiParameter("scheme", str, enum=Scheme.values)
FILTER = OpenApiParameter("filter", str, enum=["eligible", "near_miss", "missing_data"])


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "scheme",
            "title",
            "issuer",
            "issuer_name",
            "number",
            "issued_on",
            "period_start_year",
            "period_end_year",
            "source_file",
            "params",
            "copied_from",
        ]


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Plans visible to the user, with every parameter."""

    serializer_class = PlanSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["scheme"]

    def get_queryset(self):
        return Plan.objects.visible_to(self.request.user, VIEW).order_by("scheme", "-issued_on", "pk")


def _year(request):
    raw = request.query_params.get("year", "")
    if not raw:
        return default_year()
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationError({"year": "Năm không hợp lệ."})
    return int(raw)


def _scheme(request, required=False):
    scheme = request.query_params.get("scheme", "")
    if not scheme and not required:
        return None
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": "Phong trào không hợp lệ."})
    return scheme


class VerdictViewSet(viewsets.ViewSet):
    """Explained verdicts (SCHEMES §1–§4). Out-of-scope organizations answer 404."""

    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    def _organization(self, request, pk):
        return get_object_or_404(Organization.objects.visible_to(request.user, VIEW), pk=pk)

    @extend_schema(parameters=[ID, YEAR, SCHEME], responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        """Every applicable scheme's verdict for one organization (or the given scheme), with gaps."""
        organization = self._organization(request, pk)
        year = _year(request)
        scheme = _scheme(request)
        schemes = [scheme] if scheme else selectors.schemes_for(organization)
        results = evaluate_all([organization], year, schemes) if schemes else {}
        return Response(
            {
                "organization": {"id": organization.pk, "name": organization.name, "kind": organization.kind},
                "year": year,
                "results": [
                    {**results[s][organization.pk].as_dict(), "gaps": selectors.gaps_of(results[s][organization.pk])}
                    for s in schemes
                ],
            }
        )

    @extend_schema(parameters=[ID, YEAR, SCHEME, FILTER], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def subtree(self, request, pk=None):
        """Ranked verdicts of every subject under the organization, paginated (50 a page)."""
        root = self._organization(request, pk)
        year = _year(request)
        scheme = _scheme(request, required=True)
        # Stored verdicts, sorted, filtered and paginated in SQL (criteria/verdicts.py, issue 12).
        subjects = selectors.subject_queryset(request.user, root, scheme)
        rows = verdicts.ranked_rows(subjects, scheme, year, request.query_params.get("filter", ""))
        page = self.paginator.paginate_queryset(rows, request, view=self)
        return self.paginator.get_paginated_response([_stored_dict(row) for row in page])

    @extend_schema(parameters=[ID, YEAR], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def indicators(self, request, pk=None):
        """Block-wide indicators for the subtree and year, with the ids behind each figure."""
        root = self._organization(request, pk)
        year = _year(request)
        return Response(
            {"organization": root.pk, "year": year, "indicators": indicators.for_root(request.user, root, year)}
        )

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            from rest_framework.settings import api_settings

            self._paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        return self._paginator


def _stored_dict(row):
    data = verdicts.as_result(row).as_dict()
    data["computed_at"] = row.computed_at.isoformat()
    data["stale"] = row.stale
    return data


# --- yearly facts and nominations (issue 12) ---------------------------------------------------
#
# Reads with VIEW, writes with EDIT_REGISTRY (registry.api.ScopedViewSet); the organization or member
# named in the body is resolved from the write half only, so one outside answers 400 exactly like one
# that does not exist; a stored row outside answers 404. Writes go through criteria.services.


def _service_errors(exc):
    return serializers.ValidationError(serializers.as_serializer_error(exc))


class OnePerYearMixin:
    """A year in range, and one row per subject (`subject_field`) and year, refused in Vietnamese
    (`taken_message(subject, year)`) instead of the database's unique-constraint error."""

    def validate_year(self, value):
        if not 2000 <= value <= 2100:
            raise serializers.ValidationError(_("Năm không hợp lệ."))
        return value

    def validate(self, attrs):
        if self.instance is None:
            subject, year = attrs.get(self.subject_field), attrs.get("year")
            model = self.Meta.model
            if subject is not None and year is not None:
                if model.objects.filter(**{self.subject_field: subject, "year": year}).exists():
                    raise serializers.ValidationError({"year": self.taken_message(subject, year)})
        return super().validate(attrs)


class OrganizationYearSerializer(OnePerYearMixin, ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedRelatedField(Organization)

    class Meta:
        model = OrganizationYear
        fields = ("id", "organization", "year", *services.YEAR_FIELDS)
        validators = []  # one row per organization and year: checked below, in Vietnamese

    subject_field = "organization"
    taken_message = staticmethod(services.year_taken_message)


class OrganizationYearFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label=_("Tổ chức đảng (mã số)"))
    year = YearFilter()

    class Meta:
        model = OrganizationYear
        fields = ("organization", "year")


class SavedThroughServiceMixin:
    """Creates and updates go through the app's write service (`save_with_service(data, instance)`,
    returning the row as written): its ValidationError becomes the API's 400, in one transaction."""

    def _save(self, serializer):
        try:
            serializer.instance = self.save_with_service(serializer.validated_data, serializer.instance)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from None

    @transaction.atomic
    def perform_create(self, serializer):
        self._save(serializer)

    @transaction.atomic
    def perform_update(self, serializer):
        self._save(serializer)


class OrganizationYearViewSet(SavedThroughServiceMixin, ScopedViewSet):
    """Yearly facts of organizations [002 §II.1.1, §II.2.2–§II.2.3; 000 §II.2.3(2); 003 §II.2.1].
    A blank (null) value means "not recorded"."""

    queryset = OrganizationYear.objects.all()
    serializer_class = OrganizationYearSerializer
    filterset_class = OrganizationYearFilter
    ordering = ("-year", "organization__path", "pk")

    def base_queryset(self):
        return OrganizationYear.objects.select_related("organization")

    def save_with_service(self, data, instance):
        record, _created = services.organization_year_save(
            user=self.request.user,
            organization=data.get("organization", instance.organization if instance else None),
            year=data.get("year", instance.year if instance else None),
            values={name: data[name] for name in services.YEAR_FIELDS if name in data},
            instance=instance,
        )
        return record


class MemberNominationSerializer(OnePerYearMixin, ModelCleanMixin, serializers.ModelSerializer):
    member = ScopedRelatedField(Member)

    class Meta:
        model = MemberNomination
        fields = ("id", "member", "year", *services.NOMINATION_FIELDS)
        validators = []

    subject_field = "member"
    taken_message = staticmethod(services.nomination_taken_message)


class MemberNominationFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("Đảng viên (mã số)"))
    organization = IdFilter(method="filter_organization", label=_("Đang sinh hoạt tại chi bộ (mã số)"))
    year = YearFilter()

    class Meta:
        model = MemberNomination
        fields = ("member", "organization", "year")

    def filter_organization(self, queryset, name, value):
        from registry.models import Membership

        return queryset.filter(member__in=Membership.objects.current().filter(cell_id=value).values("member"))


class MemberNominationViewSet(SavedThroughServiceMixin, ScopedViewSet):
    """Nominations of direct workers as exemplars [003 §II.2.2, last bullet]; null means "not recorded".
    Written only where the member's current membership is (MemberQuerySet.writable_by)."""

    queryset = MemberNomination.objects.all()
    serializer_class = MemberNominationSerializer
    filterset_class = MemberNominationFilter
    ordering = ("-year", "member__full_name", "pk")

    def get_queryset(self):
        if self.request.method in ("POST", "PUT", "PATCH"):
            writable = Member.objects.writable_by(self.request.user, EDIT_REGISTRY).values("pk")
            return MemberNomination.objects.filter(member__in=writable)
        return MemberNomination.objects.visible_to(self.request.user, VIEW)

    def save_with_service(self, data, instance):
        record, _created = services.member_nomination_save(
            user=self.request.user,
            member=data.get("member", instance.member if instance else None),
            year=data.get("year", instance.year if instance else None),
            values={name: data[name] for name in services.NOMINATION_FIELDS if name in data},
            instance=instance,
        )
        return record


def register(router):
    """Register this app's API viewsets on the shared router."""
    router.register("criteria/organization-years", OrganizationYearViewSet, basename="criteria-organization-year")
    router.register("criteria/nominations", MemberNominationViewSet, basename="criteria-nomination")
    router.register("criteria/plans", PlanViewSet, basename="criteria-plan")
    router.register("criteria/verdicts", VerdictViewSet, basename="criteria-verdict")
