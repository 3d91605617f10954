"""Admin of the monthly work, every list scoped through visible_to."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AttendeeAssignment,
    AttendeeReport,
    FourGoodsAssessment,
    FourGoodsFramework,
    FourGoodsReopen,
    FrameworkSection,
    Meeting,
    MeetingQualityFramework,
    MeetingSchedule,
    MonthLock,
    MonthlyReminder,
    Notification,
    Postponement,
)


class ScopedAdmin(SimpleHistoryAdmin):
    """Scoped lists with the history of each record (django-simple-history)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = [
        "cell",
        "date",
        "kind",
        "attendance_rate",
        "speakers_count",
        "self_score",
        "decided_score",
        "quality_level",
    ]
    list_filter = ["kind", "quality_level"]
    date_hierarchy = "date"
    raw_id_fields = ["cell", "created_by"]
    readonly_fields = [
        "roll_size",
        "present_count",
        "excused_count",
        "unexcused_count",
        "attendance_rate",
        "speakers_count",
        "required_speakers",
        "duration_minutes",
        "required_minutes",
    ]


@admin.register(FourGoodsAssessment)
class FourGoodsAdmin(ScopedAdmin):
    list_display = ["organization", "year", "month", "score", "passed", "locked_at"]
    list_filter = ["year", "passed"]
    raw_id_fields = ["organization", "locked_by", "created_by"]
    readonly_fields = ["score", "passed", "locked_at", "locked_by"]


@admin.register(FourGoodsReopen)
class FourGoodsReopenAdmin(ScopedAdmin):
    list_display = ["assessment", "reopened_by", "reopened_at", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthLock)
class MonthLockAdmin(ScopedAdmin):
    """Read-only here: months are locked and reopened through the services (audited)."""

    list_display = ["organization", "year", "month", "locked_by", "locked_at", "reopened_by", "reopened_at"]
    list_filter = ["year", "month"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingSchedule, Postponement, AttendeeAssignment)
class CellRecordAdmin(ScopedAdmin):
    raw_id_fields = ["cell"]


@admin.register(AttendeeReport)
class AttendeeReportAdmin(ScopedAdmin):
    list_display = ["meeting", "attendee", "decided_score"]
    raw_id_fields = ["meeting"]


class SectionInline(admin.TabularInline):
    model = FrameworkSection
    extra = 0


@admin.register(MeetingQualityFramework)
class MeetingFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "document", "organization", "is_default", "is_active"]
    inlines = [SectionInline]


@admin.register(FourGoodsFramework)
class FourGoodsFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "document", "organization", "pass_score", "is_default"]


@admin.register(MonthlyReminder)
class ReminderAdmin(ScopedAdmin):
    list_display = ["organization", "year", "month", "kind", "created_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "created_at", "read_at"]
