"""REST endpoints: verdicts for one subject and for a subtree, indicators, plans (all scoped)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from registry.models import Organization
from registry.scoping import VIEW

from . import indicators, selectors
from .engine import evaluate, evaluate_all
from .models import Plan, Scheme
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
        subjects = selectors.subjects_under(request.user, root, scheme)
        rows = selectors.ranked(evaluate(subjects, scheme, year), request.query_params.get("filter", ""))
        page = self.paginator.paginate_queryset(rows, request, view=self)
        return self.paginator.get_paginated_response([r.as_dict() for r in page])

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


def register(router):
    """Register this app's API viewsets on the shared router."""
    router.register("criteria/plans", PlanViewSet, basename="criteria-plan")
    router.register("criteria/verdicts", VerdictViewSet, basename="criteria-verdict")
