"""REST API of the monthly work. Every queryset goes through visible_to; writes through services."""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from registry.models import Member, Organization
from registry.scoping import ATTEND, VIEW, can, prefixes_for

from . import selectors, services
from .models import (
    Attendance,
    AttendanceStatus,
    AttendeeAssignment,
    AttendeeReport,
    FourGoodsAssessment,
    FourGoodsReopen,
    Meeting,
    MeetingKind,
    MeetingQualityFramework,
    MeetingSchedule,
    Notification,
    Postponement,
)


def _call(function, **kwargs):
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from error
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error


def _cell(user, pk, capability):
    """The organization `pk` if the user holds `capability` there; 404 otherwise, 400 for a non-number."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValidationError({"organization": _("Mã tổ chức không hợp lệ.")}) from None
    return get_object_or_404(Organization.objects.visible_to(user, capability), pk=pk)


class ScopedOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organization id from the request body, looked up only among those the user sees.

    An id outside the user's scope answers 404 exactly like a nonexistent one (issue 10,
    hole 5: no existence oracle); a non-number or an out-of-range number answers 400.
    """

    def __init__(self, cells_only=True, **kwargs):
        self.cells_only = cells_only
        kwargs.setdefault("queryset", Organization.objects.cells() if cells_only else Organization.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            raise ValidationError(_("Mã tổ chức không hợp lệ."))
        try:
            pk = int(data)
        except (TypeError, ValueError):
            raise ValidationError(_("Mã tổ chức không hợp lệ.")) from None
        if not 0 < pk < 2**31:
            raise NotFound
        request = self.context.get("request")
        queryset = self.get_queryset()
        if request is not None:
            queryset = queryset.visible_to(request.user)
        try:
            return queryset.get(pk=pk)
        except Organization.DoesNotExist:
            raise NotFound from None


class BoundedIdMixin:
    """Related ids from a body: a non-number is a 400, an id past the column's range reads as nonexistent."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < pk < 2**31:
            self.fail("does_not_exist", pk_value=pk)
        return super().to_internal_value(pk)


class ScopedMemberField(BoundedIdMixin, serializers.PrimaryKeyRelatedField):
    """A member id looked up only among the members the user sees: a member of a cell outside
    the user's scope is answered exactly like an unknown id, naming nobody (issue 10, hole 5)."""

    default_error_messages = {
        "does_not_exist": _("Không có đảng viên mã “{pk_value}”."),
        "incorrect_type": _("Mã đảng viên không hợp lệ."),
    }

    def get_queryset(self):
        request = self.context.get("request")
        queryset = Member.objects.all()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class AttendanceSerializer(serializers.ModelSerializer):
    member = ScopedMemberField()
    member_name = serializers.CharField(source="member.full_name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason", "spoke"]


class MeetingSerializer(serializers.ModelSerializer):
    cell = ScopedOrganizationField()
    attendances = AttendanceSerializer(many=True)
    effective_score = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    section_scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0), required=False
    )
    votes_for = serializers.IntegerField(min_value=0, max_value=9999, required=False)
    votes_against = serializers.IntegerField(min_value=0, max_value=9999, required=False)
    # Both must be members present at the meeting: checked with the roll call in services.validate_meeting.
    chair = ScopedMemberField(required=False, allow_null=True)
    recorder = ScopedMemberField(required=False, allow_null=True)
    chair_name = serializers.CharField(source="chair.full_name", read_only=True, default="")
    recorder_name = serializers.CharField(source="recorder.full_name", read_only=True, default="")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "cell",
            "date",
            "start_time",
            "end_time",
            "kind",
            "topic",
            "agenda",
            "conclusions",
            "resolution",
            "chair",
            "chair_name",
            "recorder",
            "recorder_name",
            "attendances",
            "section_scores",
            "votes_for",
            "votes_against",
            "roll_size",
            "present_count",
            "excused_count",
            "unexcused_count",
            "attendance_rate",
            "speakers_count",
            "required_speakers",
            "duration_minutes",
            "required_minutes",
            "self_score",
            "decided_score",
            "effective_score",
            "quality_level",
            "framework",
        ]
        read_only_fields = [
            "roll_size",
            "present_count",
            "excused_count",
            "unexcused_count",
            "attendance_rate",
            "speakers_count",
            "required_speakers",
            "duration_minutes",
            "required_minutes",
            "self_score",
            "decided_score",
            "quality_level",
            "framework",
        ]


class MeetingFilter(django_filters.FilterSet):
    # Bounded so that a nonsense year answers 400, not a database overflow.
    year = django_filters.NumberFilter(
        field_name="date", lookup_expr="year", min_value=1900, max_value=2100, decimal_places=0
    )
    month = django_filters.NumberFilter(
        field_name="date", lookup_expr="month", min_value=1, max_value=12, decimal_places=0
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["cell", "kind", "quality_level"]


class MeetingViewSet(viewsets.ModelViewSet):
    """Meetings with attendance; figures computed server-side (SCHEMES §1.1 G2, §2.1)."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["date", "attendance_rate"]

    def get_queryset(self):
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("cell", "chair", "recorder")
            .prefetch_related("attendances__member")
            .order_by("-date", "pk")
        )

    def _save(self, serializer, meeting=None):
        data = dict(serializer.validated_data)
        if meeting is not None and "attendances" not in data:  # a partial update keeps the roll call
            data["attendances"] = [
                {"member": a.member, "status": a.status, "reason": a.reason, "spoke": a.spoke}
                for a in meeting.attendances.select_related("member")
            ]
        if meeting is not None and "section_scores" not in data:
            data["section_scores"] = meeting.section_scores
            data.setdefault("votes_for", meeting.votes_for)
            data.setdefault("votes_against", meeting.votes_against)
        attendance = {
            row["member"].pk: {
                "status": row.get("status", AttendanceStatus.PRESENT),
                "reason": row.get("reason", ""),
                "spoke": row.get("spoke", False),
            }
            for row in data.pop("attendances", [])
        }
        # The cell of a stored meeting is the one it was filed for: never moved, never taken from
        # the body (issue 10, hole 1); a new meeting's cell was looked up in scope by the field.
        body_cell = data.pop("cell", None)
        cell = meeting.cell if meeting is not None else body_cell
        if cell is None:
            raise ValidationError({"cell": _("Cần chọn chi bộ.")})
        if meeting is not None:
            for name in services.MEETING_FIELDS:
                data.setdefault(name, getattr(meeting, name))
            data.setdefault("kind", MeetingKind.REGULAR)
        return _call(
            services.meeting_save, user=self.request.user, cell=cell, data=data, attendance=attendance, meeting=meeting
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = self._save(serializer)
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        meeting = self.get_object()
        body = request.data
        if not isinstance(body, dict):
            raise ValidationError(_("Dữ liệu gửi lên không hợp lệ."))
        # `cell` is read-only on update: a meeting stays with the cell it was filed for.
        body = {key: value for key, value in body.items() if key != "cell"}
        body.setdefault("cell", meeting.cell_id)
        serializer = self.get_serializer(meeting, data=body, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        meeting = self._save(serializer, meeting)
        return Response(self.get_serializer(meeting).data)

    def perform_destroy(self, instance):
        _call(services.meeting_delete, user=self.request.user, meeting=instance)

    @action(detail=True, methods=["get", "post"], url_path="report")
    def report(self, request, pk=None):
        """GET the attendee's report; POST files it (the decided score replaces the self-score)."""
        meeting = self.get_object()
        if request.method == "GET":
            report = get_object_or_404(AttendeeReport.objects.visible_to(request.user), meeting=meeting)
            return Response(AttendeeReportSerializer(report).data)
        if not can(request.user, ATTEND, meeting.cell):
            raise PermissionDenied
        serializer = AttendeeReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = _call(
            services.attendee_report_file, user=request.user, meeting=meeting, data=serializer.validated_data
        )
        return Response(AttendeeReportSerializer(report).data, status=status.HTTP_201_CREATED)


class AttendeeReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendeeReport
        fields = [
            "id",
            "meeting",
            "attendee",
            "assignment",
            "arrived_at",
            "unit_situation",
            "meeting_conduct",
            "issues_raised",
            "issues_answered",
            "assessment",
            "decided_score",
            "created_at",
        ]
        read_only_fields = ["meeting", "attendee", "assignment", "created_at"]


class AttendeeReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AttendeeReportSerializer
    filterset_fields = ["meeting", "attendee"]

    def get_queryset(self):
        return AttendeeReport.objects.visible_to(self.request.user).order_by("-created_at")


class FourGoodsSerializer(serializers.ModelSerializer):
    """Bounded input: a year, a month, points as {code: number}, achieved as {code: bool} (issue 10, hole 9)."""

    organization = ScopedOrganizationField(cells_only=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    points = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0), required=False
    )
    achieved = serializers.DictField(child=serializers.BooleanField(), required=False)
    votes_for = serializers.IntegerField(min_value=0, max_value=9999, required=False)
    votes_against = serializers.IntegerField(min_value=0, max_value=9999, required=False)
    is_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = FourGoodsAssessment
        fields = [
            "id",
            "organization",
            "year",
            "month",
            "points",
            "achieved",
            "score",
            "passed",
            "votes_for",
            "votes_against",
            "locked_at",
            "is_locked",
        ]
        read_only_fields = ["score", "passed", "locked_at"]
        validators = []


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField()


class FourGoodsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Four-goods monthly self-assessment; lock and audited reopen (SCHEMES §3.2)."""

    serializer_class = FourGoodsSerializer
    filterset_fields = ["organization", "year", "month", "passed"]

    def get_queryset(self):
        return FourGoodsAssessment.objects.visible_to(self.request.user).order_by("-year", "-month", "pk")

    def _save(self, data, organization):
        return _call(
            services.four_goods_save,
            user=self.request.user,
            organization=organization,
            year=data["year"],
            month=data["month"],
            points=data.get("points", {}),
            achieved=data.get("achieved", {}),
            votes_for=data.get("votes_for", 0),
            votes_against=data.get("votes_against", 0),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = self._save(serializer.validated_data, serializer.validated_data["organization"])
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        if not isinstance(request.data, dict):
            raise ValidationError(_("Dữ liệu gửi lên không hợp lệ."))
        # The organization, year and month of a stored self-assessment are fixed.
        body = {k: v for k, v in request.data.items() if k not in ("organization", "year", "month")}
        serializer = self.get_serializer(instance, data=body, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            "year": instance.year,
            "month": instance.month,
            "points": instance.points,
            "achieved": instance.achieved,
            "votes_for": instance.votes_for,
            "votes_against": instance.votes_against,
        }
        data.update({k: v for k, v in serializer.validated_data.items() if k not in ("organization", "year", "month")})
        return Response(self.get_serializer(self._save(data, instance.organization)).data)

    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        assessment = self.get_object()
        return Response(
            self.get_serializer(_call(services.four_goods_lock, user=request.user, assessment=assessment)).data
        )

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        assessment = self.get_object()
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _call(
            services.four_goods_reopen,
            user=request.user,
            assessment=assessment,
            reason=serializer.validated_data["reason"],
        )
        assessment.refresh_from_db()
        return Response(self.get_serializer(assessment).data)


class FourGoodsReopenSerializer(serializers.ModelSerializer):
    class Meta:
        model = FourGoodsReopen
        fields = ["id", "assessment", "reopened_by", "reopened_at", "reason", "previous_locked_at", "previous_values"]


class FourGoodsReopenViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FourGoodsReopenSerializer
    filterset_fields = ["assessment"]

    def get_queryset(self):
        return FourGoodsReopen.objects.visible_to(self.request.user)


class ScheduleSerializer(serializers.ModelSerializer):
    cell = ScopedOrganizationField()
    day_of_month = serializers.IntegerField(min_value=1, max_value=28)

    class Meta:
        model = MeetingSchedule
        fields = ["id", "cell", "day_of_month", "start_time", "place"]


class ScheduleViewSet(viewsets.ModelViewSet):
    serializer_class = ScheduleSerializer
    filterset_fields = ["cell"]

    def get_queryset(self):
        return MeetingSchedule.objects.visible_to(self.request.user).order_by("cell__path")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _call(
            services.schedule_set,
            user=self.request.user,
            cell=data["cell"],
            day_of_month=data["day_of_month"],
            start_time=data.get("start_time"),
            place=data.get("place", ""),
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        data = serializer.validated_data
        serializer.instance = _call(
            services.schedule_set,
            user=self.request.user,
            cell=instance.cell,
            day_of_month=data.get("day_of_month", instance.day_of_month),
            start_time=data.get("start_time", instance.start_time),
            place=data.get("place", instance.place),
        )

    def perform_destroy(self, instance):
        _call(services.schedule_delete, user=self.request.user, schedule=instance)

    @extend_schema(
        parameters=[OpenApiParameter("organization", int, required=False)],
        responses=inline_serializer(
            "CalendarEntry",
            many=True,
            fields={
                "date": serializers.DateField(),
                "cell": serializers.IntegerField(),
                "cell_name": serializers.CharField(),
                "time": serializers.TimeField(allow_null=True),
                "place": serializers.CharField(allow_blank=True, allow_null=True),
                "postponed_from": serializers.DateField(allow_null=True),
            },
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def calendar(self, request):
        """Upcoming meetings of the subtree `?organization=` (default: the user's organizations)."""
        if request.query_params.get("organization"):
            roots = [_cell(request.user, request.query_params["organization"], VIEW)]
        else:
            roots = list(
                Organization.objects.visible_to(request.user).filter(
                    pk__in=request.user.appointments.values("organization")
                )
            )
        entries = selectors.upcoming_meetings(roots, timezone.localdate(), months=2)
        return Response(
            [
                {
                    "date": e["date"],
                    "cell": e["cell"].pk,
                    "cell_name": e["cell"].name,
                    "time": e["time"],
                    "place": e["place"],
                    "postponed_from": e["scheduled"] if e["postponement"] else None,
                }
                for e in entries
            ]
        )


class PostponementSerializer(serializers.ModelSerializer):
    cell = ScopedOrganizationField()

    class Meta:
        model = Postponement
        fields = ["id", "cell", "original_date", "new_date", "reason", "created_at"]
        validators = []


class PostponementViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PostponementSerializer
    filterset_fields = ["cell"]

    def get_queryset(self):
        return Postponement.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        cell = data.pop("cell")
        serializer.instance = _call(services.postponement_report, user=self.request.user, cell=cell, **data)


class AttendeeField(BoundedIdMixin, serializers.PrimaryKeyRelatedField):
    """Only attendee users appointed within the requesting user's scope (issue 10, hole 5)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return get_user_model().objects.none()
        return selectors.attendee_choices(request.user)


class AssignmentSerializer(serializers.ModelSerializer):
    user = AttendeeField()
    cell = ScopedOrganizationField()

    class Meta:
        model = AttendeeAssignment
        fields = ["id", "user", "cell", "start_date", "end_date"]


class AssignmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    filterset_fields = ["cell", "user"]

    def get_queryset(self):
        return AttendeeAssignment.objects.visible_to(self.request.user).order_by("-start_date", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _call(
            services.assignment_create,
            user=self.request.user,
            attendee=data["user"],
            cell=data["cell"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )

    @action(detail=False, methods=["get"])
    def quarterly(self, request):
        """`?committee=&year=&quarter=`: assigned vs attended and each cell's meeting regime (SCHEMES §2.2)."""
        committee = _cell(request.user, request.query_params.get("committee"), VIEW)
        try:
            year, quarter = int(request.query_params["year"]), int(request.query_params["quarter"])
        except (KeyError, ValueError) as error:
            raise ValidationError({"year": "Cần năm và quý (1–4)."}) from error
        view = selectors.quarterly_view(committee, year, min(max(quarter, 1), 4))
        return Response(
            {
                "totals": view["totals"],
                "cells": [
                    {
                        "cell": r["cell"].pk,
                        "name": r["cell"].name,
                        "regular_months": r["regular_count"],
                        "thematic": r["thematic_count"],
                        "average_attendance": r["average_attendance"],
                        "assigned": r["assigned"],
                        "attended": r["attended"],
                    }
                    for r in view["rows"]
                ],
            }
        )


class FlagSerializer(serializers.Serializer):
    cell = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    meeting = serializers.IntegerField(allow_null=True)
    member = serializers.IntegerField(allow_null=True)


class FlagViewSet(viewsets.GenericViewSet):
    """`/api/meeting-flags/?organization=&year=`: flags of the cells under an organization."""

    serializer_class = FlagSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return Meeting.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("organization", int, required=True), OpenApiParameter("year", int)],
        responses=FlagSerializer(many=True),
    )
    def list(self, request):
        org_id = request.query_params.get("organization")
        if not org_id:
            raise ValidationError({"organization": "Cần chọn tổ chức."})
        organization = _cell(request.user, org_id, VIEW)
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            raise ValidationError({"year": _("Năm không hợp lệ.")}) from None
        if not 1900 <= year <= 2100:
            raise ValidationError({"year": _("Năm không hợp lệ.")})
        flags = selectors.flags_for_cells(list(selectors.cells_under(organization)), year)
        return Response(
            [
                {
                    "cell": cell_id,
                    "code": f.code,
                    "message": f.message,
                    "date": f.day,
                    "meeting": f.meeting_id,
                    "member": f.member_id,
                }
                for cell_id, items in flags.items()
                for f in items
            ]
        )


class FrameworkSerializer(serializers.ModelSerializer):
    sections = serializers.SerializerMethodField()

    class Meta:
        model = MeetingQualityFramework
        exclude = []
        fields = [
            "id",
            "name",
            "document",
            "organization",
            "is_default",
            "good_min",
            "fair_min",
            "average_min",
            "small_cell_below",
            "large_cell_above",
            "speakers_small",
            "speakers_medium",
            "speakers_large",
            "regular_minutes",
            "combined_minutes",
            "attendance_target",
            "max_consecutive_absences",
            "sections",
        ]

    def get_sections(self, obj) -> list:
        return [{"code": s.code, "title": s.title, "points": s.points} for s in obj.sections.all()]


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Frameworks that apply within the user's scope: the general ones, those adopted by an
    organization of the user's subtree or by one of its ancestors; any other answers 404 (issue 10, hole 5)."""

    serializer_class = FrameworkSerializer
    queryset = MeetingQualityFramework.objects.none()

    def get_queryset(self):
        queryset = MeetingQualityFramework.objects.prefetch_related("sections").order_by("pk")
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        prefixes = prefixes_for(self.request.user, VIEW)
        if prefixes is None:
            return queryset
        condition = Q(organization__isnull=True)
        ancestors = set()
        for prefix in prefixes:
            condition |= Q(organization__path__startswith=prefix)
            parts = prefix.split(".")[:-1]
            ancestors.update(".".join(parts[: i + 1]) + "." for i in range(len(parts)))
        if ancestors:
            condition |= Q(organization__path__in=sorted(ancestors))
        return queryset.filter(condition) if prefixes else queryset.filter(organization__isnull=True)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "organization", "title", "body", "url", "created_at", "read_at"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer

    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.for_user(self.request.user).order_by("-created_at", "pk")

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification.read_at = notification.read_at or timezone.now()
        notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)


def register(router):
    """Register this app's API viewsets on the shared router."""
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("meeting-reports", AttendeeReportViewSet, basename="meeting-report")
    router.register("meeting-schedules", ScheduleViewSet, basename="meeting-schedule")
    router.register("meeting-postponements", PostponementViewSet, basename="meeting-postponement")
    router.register("attendee-assignments", AssignmentViewSet, basename="attendee-assignment")
    router.register("meeting-flags", FlagViewSet, basename="meeting-flag")
    router.register("meeting-frameworks", FrameworkViewSet, basename="meeting-framework")
    router.register("four-goods", FourGoodsViewSet, basename="four-goods")
    router.register("four-goods-reopenings", FourGoodsReopenViewSet, basename="four-goods-reopen")
    router.register("notifications", NotificationViewSet, basename="notification")
