"""Writes of the monthly work. Keyword-only, atomic, row-locked where two people may race.

Rules: SCHEMES §1.1 G2, §2 (meeting quality), §3.2 (four-goods monthly self-assessment).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.formats import short_date
from registry.scoping import ATTEND, FILE_MONTHLY, LOCK_MONTH, can

from . import selectors
from .models import (
    Attendance,
    AttendanceStatus,
    AttendeeAssignment,
    AttendeeReport,
    FourGoodsAssessment,
    FourGoodsReopen,
    Meeting,
    MeetingKind,
    MeetingSchedule,
    Postponement,
)

MEETING_FIELDS = ("date", "start_time", "end_time", "kind", "topic", "agenda", "conclusions", "resolution")


def _require(user, capability, organization):
    if not can(user, capability, organization):
        raise PermissionDenied(_("Bạn không có quyền thực hiện việc này cho %(org)s.") % {"org": organization})


def month_is_locked(organization, year, month):
    return FourGoodsAssessment.objects.filter(
        organization=organization, year=year, month=month, locked_at__isnull=False
    ).exists()


def locked_message(year, month):
    return _("Tháng %(m)d/%(y)d đã được đảng ủy cơ sở khóa; chỉ sửa được sau khi mở lại.") % {"m": month, "y": year}


# ---------------------------------------------------------------------------------- meeting


def duration_minutes(start, end):
    if start is None or end is None:
        return None
    delta = datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)
    return int(delta.total_seconds() // 60)


def meeting_figures(*, roll_size, statuses, speakers, kind, start_time, end_time, framework):
    """The stored figures of a meeting (SCHEMES §1.1 G2, §2.1).

    Attendance rate over the roll (exempted members already left out), speakers against the
    requirement by the cell's size, duration against 90 minutes (120 when combined).
    """
    present = sum(1 for s in statuses if s == AttendanceStatus.PRESENT)
    excused = sum(1 for s in statuses if s == AttendanceStatus.EXCUSED)
    unexcused = sum(1 for s in statuses if s == AttendanceStatus.UNEXCUSED)
    rate = (
        (Decimal(present) * 100 / Decimal(roll_size)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if roll_size
        else Decimal(0)
    )
    return {
        "roll_size": roll_size,
        "present_count": present,
        "excused_count": excused,
        "unexcused_count": unexcused,
        "attendance_rate": rate,
        "speakers_count": speakers,
        "required_speakers": framework.required_speakers(roll_size),
        "duration_minutes": duration_minutes(start_time, end_time),
        "required_minutes": framework.required_minutes(kind),
    }


def validate_meeting(*, cell, data, attendance, meeting=None, framework=None, today=None):
    """Field errors of a meeting record, Vietnamese, keyed by field ("__all__" for the roll)."""
    today = today or timezone.localdate()
    errors = {}
    day = data.get("date")
    if day and day > today:
        errors["date"] = _("Ngày họp %(d)s ở tương lai; chỉ ghi biên bản cho buổi họp đã diễn ra.") % {
            "d": short_date(day)
        }
    start, end = data.get("start_time"), data.get("end_time")
    if start and end and end <= start:
        errors["end_time"] = _("Giờ kết thúc phải sau giờ bắt đầu.")
    if data.get("kind") in (MeetingKind.THEMATIC, MeetingKind.COMBINED) and not (data.get("topic") or "").strip():
        errors["topic"] = _("Sinh hoạt chuyên đề cần ghi chủ đề.")
    if day and month_is_locked(cell, day.year, day.month):
        errors.setdefault("date", locked_message(day.year, day.month))
    if meeting is not None and meeting.date and month_is_locked(cell, meeting.date.year, meeting.date.month):
        errors.setdefault("date", locked_message(meeting.date.year, meeting.date.month))
    if day and "date" not in errors:
        roll = {m.pk: m for m in selectors.roll_at(cell, day)}
        strangers = [pk for pk in attendance if pk not in roll]
        if strangers:
            from registry.models import Member

            names = ", ".join(Member.objects.filter(pk__in=strangers).values_list("full_name", flat=True)) or ", ".join(
                str(pk) for pk in strangers
            )
            errors["__all__"] = _("Không có trong danh sách đảng viên của chi bộ ngày %(d)s: %(names)s.") % {
                "d": short_date(day),
                "names": names,
            }
        missing = [m.full_name for pk, m in roll.items() if pk not in attendance]
        if missing and "__all__" not in errors:
            errors["__all__"] = _("Chưa điểm danh: %(names)s.") % {"names": ", ".join(missing)}
    if framework is not None:
        section_scores = data.get("section_scores") or {}
        for section in framework.sections.all():
            value = section_scores.get(section.code)
            if value is not None and not (0 <= Decimal(str(value)) <= section.points):
                errors[f"section_{section.code}"] = _("Điểm phần “%(t)s” phải từ 0 đến %(p)d.") % {
                    "t": section.title,
                    "p": section.points,
                }
    return errors


@transaction.atomic
def meeting_save(*, user, cell, data, attendance, meeting=None, today=None):
    """Create or update a meeting record with its attendance; figures computed and stored.

    `attendance` maps member id to {"status", "reason", "spoke"}. `data` holds the meeting
    fields plus optional "section_scores" (code -> points) and "votes_for"/"votes_against".
    The self-score is the sum of the section scores; the level follows the framework, from the
    attendee's decided score where one was filed [001 §III.4(3)].
    """
    _require(user, FILE_MONTHLY, cell)
    if meeting is not None:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    framework = (meeting.framework if meeting and meeting.framework_id else None) or selectors.meeting_framework_for(
        cell
    )
    errors = validate_meeting(
        cell=cell, data=data, attendance=attendance, meeting=meeting, framework=framework, today=today
    )
    if errors:
        raise ValidationError(errors)
    if meeting is None:
        meeting = Meeting(cell=cell, created_by=user)
    for name in MEETING_FIELDS:
        if name in data:
            setattr(meeting, name, data[name] if data[name] is not None or name in ("start_time", "end_time") else "")
    meeting.framework = framework
    scores = {k: str(Decimal(str(v))) for k, v in (data.get("section_scores") or {}).items() if v not in (None, "")}
    meeting.section_scores = scores
    meeting.self_score = sum((Decimal(v) for v in scores.values()), Decimal(0)) if scores else data.get("self_score")
    meeting.votes_for = data.get("votes_for") or 0
    meeting.votes_against = data.get("votes_against") or 0
    rows = []
    for pk, values in attendance.items():
        status = values.get("status") or AttendanceStatus.PRESENT
        # Only a member who was there can have spoken.
        rows.append((pk, status, values.get("reason") or "", bool(values.get("spoke")) and status == "present"))
    figures = meeting_figures(
        roll_size=len(rows),
        statuses=[status for _pk, status, _r, _s in rows],
        speakers=sum(1 for row in rows if row[3]),
        kind=meeting.kind,
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        framework=framework,
    )
    for name, value in figures.items():
        setattr(meeting, name, value)
    meeting.quality_level = framework.level_for(meeting.effective_score)
    meeting.save()
    meeting.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member_id=pk,
            status=status,
            reason=reason if status != AttendanceStatus.PRESENT else "",
            spoke=spoke and status == AttendanceStatus.PRESENT,
        )
        for pk, status, reason, spoke in rows
    )
    return meeting


@transaction.atomic
def attendee_report_file(*, user, meeting, data):
    """The attendee files the report; the decided score replaces the self-score [001 §III.4(2),(3)]."""
    _require(user, ATTEND, meeting.cell)
    # Lock only the meeting row: PostgreSQL refuses FOR UPDATE across the nullable framework join.
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("cell", "framework").get(pk=meeting.pk)
    framework = meeting.framework or selectors.meeting_framework_for(meeting.cell)
    score = Decimal(str(data["decided_score"]))
    if not (0 <= score <= framework.total_points):
        raise ValidationError(
            {"decided_score": _("Điểm quyết định phải từ 0 đến %(p)d.") % {"p": framework.total_points}}
        )
    report = AttendeeReport.objects.filter(meeting=meeting).first()
    if report is not None and report.attendee_id != user.pk:
        raise ValidationError(_("Buổi sinh hoạt này đã có báo cáo của cán bộ dự khác."))
    report = report or AttendeeReport(meeting=meeting, attendee=user)
    report.assignment = selectors.assignment_for(user, meeting.cell, meeting.date)
    for name in ("arrived_at", "unit_situation", "meeting_conduct", "issues_raised", "issues_answered", "assessment"):
        setattr(report, name, data.get(name) or ("" if name != "arrived_at" else None))
    report.decided_score = score
    report.save()
    meeting.decided_score = score
    meeting.quality_level = framework.level_for(meeting.effective_score)
    meeting.save(update_fields=["decided_score", "quality_level", "updated_at"])
    return report


# ---------------------------------------------------------------------------------- schedule


@transaction.atomic
def schedule_set(*, user, cell, day_of_month, start_time=None, place=""):
    _require(user, FILE_MONTHLY, cell)
    if not 1 <= int(day_of_month) <= 28:
        raise ValidationError({"day_of_month": _("Ngày sinh hoạt phải từ 1 đến 28.")})
    schedule, _created = MeetingSchedule.objects.update_or_create(
        cell=cell, defaults={"day_of_month": day_of_month, "start_time": start_time, "place": place}
    )
    return schedule


@transaction.atomic
def postponement_report(*, user, cell, original_date, new_date, reason):
    """Report a postponement with its reason and new date ("chỉ báo hoãn, không báo họp")."""
    _require(user, FILE_MONTHLY, cell)
    errors = {}
    if new_date <= original_date:
        errors["new_date"] = _("Ngày họp mới phải sau ngày họp theo lịch.")
    if not (reason or "").strip():
        errors["reason"] = _("Cần ghi lý do hoãn.")
    if errors:
        raise ValidationError(errors)
    postponement, _created = Postponement.objects.update_or_create(
        cell=cell, original_date=original_date, defaults={"new_date": new_date, "reason": reason, "created_by": user}
    )
    return postponement


@transaction.atomic
def assignment_create(*, user, attendee, cell, start_date, end_date):
    """Assign upper-level staff to attend a cell's meetings for a period [001 §III.2(2)]."""
    if not (can(user, LOCK_MONTH, cell) or can(user, "manage_plans", cell)):
        raise PermissionDenied(_("Bạn không có quyền phân công cán bộ dự sinh hoạt."))
    if end_date < start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    return AttendeeAssignment.objects.create(
        user=attendee, cell=cell, start_date=start_date, end_date=end_date, assigned_by=user
    )


# ---------------------------------------------------------------------------------- four goods


def validate_four_goods(*, organization, year, month, points, framework, today=None):
    today = today or timezone.localdate()
    errors = {}
    if not 1 <= month <= 12:
        errors["month"] = _("Tháng phải từ 1 đến 12.")
    elif datetime.date(year, month, 1) > today:
        errors["month"] = _("Tháng %(m)d/%(y)d chưa đến; chưa thể tự đánh giá.") % {"m": month, "y": year}
    for code in framework.codes:
        value = points.get(code)
        maximum = framework.max_points(code)
        if value is None:
            errors[f"points_{code}"] = _("Cần nhập điểm tiêu chí %(c)s.") % {"c": code}
        elif not 0 <= Decimal(str(value)) <= maximum:
            errors[f"points_{code}"] = _("Điểm tiêu chí %(c)s phải từ 0 đến %(p)d.") % {"c": code, "p": maximum}
    if "month" not in errors and month_is_locked(organization, year, month):
        errors["month"] = locked_message(year, month)
    return errors


@transaction.atomic
def four_goods_save(*, user, organization, year, month, points, achieved, votes_for=0, votes_against=0, today=None):
    """The month's self-assessment; pass computed by the plan's rule (SCHEMES §3.2, [004 §II.4.2.1])."""
    _require(user, FILE_MONTHLY, organization)
    framework = selectors.four_goods_framework_for(organization)
    errors = validate_four_goods(
        organization=organization, year=year, month=month, points=points, framework=framework, today=today
    )
    if errors:
        raise ValidationError(errors)
    assessment = (
        FourGoodsAssessment.objects.select_for_update()
        .filter(organization=organization, year=year, month=month)
        .first()
    )
    if assessment is None:
        assessment = FourGoodsAssessment(organization=organization, year=year, month=month, created_by=user)
    clean_points = {code: float(Decimal(str(points[code]))) for code in framework.codes}
    clean_achieved = {code: bool(achieved.get(code)) for code in framework.codes}
    assessment.points = clean_points
    assessment.achieved = clean_achieved
    assessment.score = Decimal(str(sum(clean_points.values())))
    assessment.passed = framework.passes(clean_points, clean_achieved)
    assessment.votes_for = votes_for or 0
    assessment.votes_against = votes_against or 0
    assessment.save()
    return assessment


@transaction.atomic
def four_goods_lock_month(*, user, organization, year, month):
    """The grassroots committee locks the month for itself and everything under it."""
    _require(user, LOCK_MONTH, organization)
    now = timezone.now()
    assessments = FourGoodsAssessment.objects.select_for_update().filter(
        organization__path__startswith=organization.path, year=year, month=month, locked_at__isnull=True
    )
    return assessments.update(locked_at=now, locked_by=user)


@transaction.atomic
def four_goods_lock(*, user, assessment):
    _require(user, LOCK_MONTH, assessment.organization)
    assessment = FourGoodsAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.locked_at is None:
        assessment.locked_at = timezone.now()
        assessment.locked_by = user
        assessment.save(update_fields=["locked_at", "locked_by", "updated_at"])
    return assessment


@transaction.atomic
def four_goods_reopen(*, user, assessment, reason):
    """Reopen a locked month, recording who, when and why (SCHEMES §3.2: audited)."""
    _require(user, LOCK_MONTH, assessment.organization)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi lý do mở lại tháng đã khóa.")})
    assessment = FourGoodsAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.locked_at is None:
        raise ValidationError(_("Tháng này chưa bị khóa."))
    audit = FourGoodsReopen.objects.create(
        assessment=assessment,
        reopened_by=user,
        reason=reason.strip(),
        previous_locked_at=assessment.locked_at,
        previous_locked_by=assessment.locked_by,
        previous_values={
            "points": assessment.points,
            "achieved": assessment.achieved,
            "score": str(assessment.score),
            "passed": assessment.passed,
        },
    )
    assessment.locked_at = None
    assessment.locked_by = None
    assessment.save(update_fields=["locked_at", "locked_by", "updated_at"])
    return audit
