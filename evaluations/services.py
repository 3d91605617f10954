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

from . import selectors, thresholds
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
    MonthLock,
    Postponement,
)

MEETING_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "kind",
    "topic",
    "agenda",
    "conclusions",
    "resolution",
    "chair",
    "recorder",
)
NULLABLE_MEETING_FIELDS = ("start_time", "end_time", "chair", "recorder")


def _require(user, capability, organization):
    if not can(user, capability, organization):
        raise PermissionDenied(_("Bạn không có quyền thực hiện việc này cho %(org)s.") % {"org": organization})


def month_is_locked(organization, year, month):
    """Is the month locked for `organization` by a MonthLock of itself or of any ancestor?

    A lock is a record of its own (issue 10, hole 8): it holds whether or not anything was filed.
    """
    return MonthLock.objects.covering(organization, year, month).exists()


def _refuse_locked(organization, day):
    if day is not None and month_is_locked(organization, day.year, day.month):
        raise ValidationError({"date": locked_message(day.year, day.month)})


def _refuse_hidden_members(user, attendance, day):
    """A roll call naming members the user cannot see answers exactly as for unknown ids,
    never with their names (issue 10, hole 5)."""
    from registry.models import Member

    keys = list(attendance)
    visible = set(Member.objects.visible_to(user).filter(pk__in=keys).values_list("pk", flat=True))
    hidden = [pk for pk in keys if pk not in visible]
    if hidden:
        raise ValidationError(
            {
                "__all__": _("Không có trong danh sách đảng viên của chi bộ ngày %(d)s: %(names)s.")
                % {"d": short_date(day) if day else "", "names": ", ".join(str(pk) for pk in hidden)}
            }
        )


def locked_message(year, month):
    return _("Tháng %(m)d/%(y)d đã được đảng ủy cơ sở khóa; chỉ sửa được sau khi mở lại.") % {"m": month, "y": year}


# ---------------------------------------------------------------------------------- meeting


def duration_minutes(start, end):
    if start is None or end is None:
        return None
    delta = datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)
    return int(delta.total_seconds() // 60)


def meeting_figures(*, roll_size, statuses, speakers, kind, start_time, end_time, framework):
    """The stored figures of a meeting (SCHEMES §1.1 G2, §2.1); `framework`: the thresholds in
    force (evaluations.thresholds.Thresholds) or an adopted framework.

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


def _vote_errors(data, present):
    """Votes are cast by the members present: neither count, nor their sum, may exceed them
    [001 §III.4(2): the members present vote on the proposed score]."""
    errors = {}
    votes_for, votes_against = data.get("votes_for") or 0, data.get("votes_against") or 0
    if votes_for > present:
        errors["votes_for"] = _("Số phiếu tán thành (%(n)d) vượt số đảng viên có mặt (%(p)d).") % {
            "n": votes_for,
            "p": present,
        }
    if votes_against > present:
        errors["votes_against"] = _("Số phiếu không tán thành (%(n)d) vượt số đảng viên có mặt (%(p)d).") % {
            "n": votes_against,
            "p": present,
        }
    if not errors and votes_for + votes_against > present:
        errors["votes_against"] = _(
            "Tổng số phiếu (%(n)d tán thành, %(a)d không tán thành) vượt số đảng viên có mặt (%(p)d)."
        ) % {"n": votes_for, "a": votes_against, "p": present}
    return errors


def _minutes_role_errors(data, roll, attendance, day):
    """The chair and the recorder sign the minutes of what they saw: each must be a member on the
    day's roll marked present at this meeting. A member off the roll is not named (issue 10, hole 5)."""
    errors = {}
    labels = dict(AttendanceStatus.choices)
    roles = (
        ("chair", _("Người chủ trì")),
        ("recorder", _("Thư ký ghi biên bản")),
    )
    for name, role in roles:
        member = data.get(name)
        if member is None:
            continue
        pk = getattr(member, "pk", member)
        if pk not in roll:
            errors[name] = _("%(role)s phải là đảng viên trong danh sách sinh hoạt của chi bộ ngày %(d)s.") % {
                "role": role,
                "d": short_date(day),
            }
            continue
        if pk not in attendance:
            errors[name] = _(
                "%(role)s phải là đảng viên có mặt tại buổi họp; đồng chí %(name)s chưa được điểm danh."
            ) % {
                "role": role,
                "name": roll[pk].full_name,
            }
            continue
        status = attendance[pk].get("status") or AttendanceStatus.PRESENT
        if status != AttendanceStatus.PRESENT:
            errors[name] = _(
                "%(role)s phải là đảng viên có mặt tại buổi họp; đồng chí %(name)s được điểm danh là “%(status)s”."
            ) % {"role": role, "name": roll[pk].full_name, "status": str(labels.get(status, status)).lower()}
    return errors


def _same_day_meetings(cell, day, kind, meeting=None):
    """Meetings of this kind already recorded for the cell on that day. Inside the saving
    transaction the cell row is locked first, so two simultaneous saves cannot both pass."""
    if transaction.get_connection().in_atomic_block:
        type(cell).objects.select_for_update().filter(pk=cell.pk).first()
    others = Meeting.objects.filter(cell=cell, date=day, kind=kind)
    if meeting is not None and meeting.pk:
        others = others.exclude(pk=meeting.pk)
    return others


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
        # Only a member who was there can have spoken: say so rather than drop the tick.
        absent_speakers = [
            roll[pk].full_name
            for pk, row in attendance.items()
            if pk in roll and row.get("spoke") and (row.get("status") or AttendanceStatus.PRESENT) != "present"
        ]
        if absent_speakers:
            errors["speakers"] = _("Đảng viên vắng mặt không thể được ghi là phát biểu: %(names)s.") % {
                "names": ", ".join(absent_speakers)
            }
        present = sum(
            1
            for pk, row in attendance.items()
            if pk in roll and (row.get("status") or AttendanceStatus.PRESENT) == "present"
        )
        errors.update(_vote_errors(data, present))
        errors.update(_minutes_role_errors(data, roll, attendance, day))
    if day and data.get("kind") and not data.get("separate_meeting"):
        if _same_day_meetings(cell, day, data["kind"], meeting).exists():
            errors.setdefault(
                "date",
                _(
                    "Chi bộ đã có biên bản %(kind)s ngày %(d)s. Nếu đây là một buổi họp khác, "
                    "đánh dấu “Đây là một buổi họp riêng”; nếu không, hãy sửa biên bản đã có."
                )
                % {"kind": MeetingKind(data["kind"]).label.lower(), "d": day.strftime("%d/%m/%Y")},
            )
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
    if meeting is not None:
        # The policy and the lock look at the meeting as stored, never at a cell from the request.
        meeting = Meeting.objects.select_for_update(of=("self",)).select_related("cell").get(pk=meeting.pk)
        cell = meeting.cell
    _require(user, FILE_MONTHLY, cell)
    if meeting is not None:
        _refuse_locked(cell, meeting.date)
    _refuse_locked(cell, data.get("date"))
    _refuse_hidden_members(user, attendance, data.get("date"))
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
            setattr(meeting, name, data[name] if data[name] is not None or name in NULLABLE_MEETING_FIELDS else "")
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
    # Speakers, minutes and the quality level by the plan in force, as the rules read them (issue 12).
    in_force = thresholds.for_organization(cell, meeting.date.year)
    figures = meeting_figures(
        roll_size=len(rows),
        statuses=[status for _pk, status, _r, _s in rows],
        speakers=sum(1 for row in rows if row[3]),
        kind=meeting.kind,
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        framework=in_force,
    )
    for name, value in figures.items():
        setattr(meeting, name, value)
    meeting.quality_level = in_force.level_for(meeting.effective_score)
    meeting._history_user = user
    meeting.save()
    _sync_attendance(meeting, rows, user)
    return meeting


def _sync_attendance(meeting, rows, user):
    """Update the roll call in place: only changed rows are updated, new ones created, dropped ones
    deleted, each through save()/delete() so that every change has its history row."""
    stored = {a.member_id: a for a in Attendance.objects.select_for_update().filter(meeting=meeting)}
    wanted = set()
    for pk, status, reason, spoke in rows:
        wanted.add(pk)
        values = {
            "status": status,
            "reason": reason if status != AttendanceStatus.PRESENT else "",
            "spoke": spoke and status == AttendanceStatus.PRESENT,
        }
        row = stored.get(pk)
        if row is None:
            row = Attendance(meeting=meeting, member_id=pk, **values)
            row._history_user = user
            row.save()
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row._history_user = user
            row.save()
    for pk, row in stored.items():
        if pk not in wanted:
            row._history_user = user
            row.delete()


@transaction.atomic
def meeting_delete(*, user, meeting):
    """Delete a meeting record; refused in a locked month (SCHEMES §3.2)."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("cell").get(pk=meeting.pk)
    _require(user, FILE_MONTHLY, meeting.cell)
    _refuse_locked(meeting.cell, meeting.date)
    for row in Attendance.objects.filter(meeting=meeting):
        row.delete()
    meeting.delete()


@transaction.atomic
def attendee_report_file(*, user, meeting, data):
    """The attendee files the report; the decided score replaces the self-score [001 §III.4(2),(3)]."""
    # Lock only the meeting row: PostgreSQL refuses FOR UPDATE across the nullable framework join.
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("cell", "framework").get(pk=meeting.pk)
    _require(user, ATTEND, meeting.cell)
    _refuse_locked(meeting.cell, meeting.date)
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
    meeting.quality_level = thresholds.for_organization(meeting.cell, meeting.date.year).level_for(
        meeting.effective_score
    )
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
def schedule_delete(*, user, schedule):
    schedule = MeetingSchedule.objects.select_for_update(of=("self",)).select_related("cell").get(pk=schedule.pk)
    _require(user, FILE_MONTHLY, schedule.cell)
    schedule.delete()


@transaction.atomic
def postponement_report(*, user, cell, original_date, new_date, reason):
    """Report a postponement with its reason and new date ("chỉ báo hoãn, không báo họp")."""
    _require(user, FILE_MONTHLY, cell)
    _refuse_locked(cell, original_date)
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
    if not selectors.attendee_choices(user).filter(pk=attendee.pk).exists():
        raise ValidationError({"user": _("Không có cán bộ này trong danh sách có thể phân công.")})
    return AttendeeAssignment.objects.create(
        user=attendee, cell=cell, start_date=start_date, end_date=end_date, assigned_by=user
    )


# ---------------------------------------------------------------------------------- four goods


def four_goods_vote_errors(*, organization, year, month, votes_for=0, votes_against=0):
    """The cell's members vote on its self-assessment: the votes cannot exceed the members on the
    roll at the month's end (SCHEMES §3.2). Committees are not checked here (their vote is the
    committee's, not a roll)."""
    if not organization.is_cell or not 1 <= month <= 12:
        return {}
    last_day = (datetime.date(year, month, 1) + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
    roll = len(selectors.roll_at(organization, last_day))
    errors = {}
    if (votes_for or 0) > roll:
        errors["votes_for"] = _("Số phiếu tán thành (%(n)d) vượt số đảng viên của chi bộ (%(p)d).") % {
            "n": votes_for,
            "p": roll,
        }
    elif (votes_for or 0) + (votes_against or 0) > roll:
        errors["votes_against"] = _(
            "Tổng số phiếu (%(n)d tán thành, %(a)d không tán thành) vượt số đảng viên của chi bộ (%(p)d)."
        ) % {"n": votes_for or 0, "a": votes_against or 0, "p": roll}
    return errors


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
    # The pass mark of the plan in force, as rule FG5 reads it [004 §II.4.2.2] (issue 12).
    assessment.passed = thresholds.for_organization(organization, year).month_passes(
        framework, clean_points, clean_achieved
    )
    assessment.votes_for = votes_for or 0
    assessment.votes_against = votes_against or 0
    assessment.save()
    return assessment


@transaction.atomic
def four_goods_lock_month(*, user, organization, year, month):
    """The grassroots committee locks the month for itself and everything under it.

    Writes a MonthLock row for the subtree (issue 10, hole 8), so a cell that filed nothing
    is locked too; the self-assessments already filed are stamped as before. Answers how many
    self-assessments were stamped.
    """
    _require(user, LOCK_MONTH, organization)
    if not 1 <= int(month) <= 12 or not 1900 <= int(year) <= 2100:
        raise ValidationError({"month": _("Tháng phải từ 1 đến 12.")})
    now = timezone.now()
    organization = type(organization).objects.select_for_update().get(pk=organization.pk)
    if not MonthLock.objects.active().filter(organization=organization, year=year, month=month).exists():
        lock = MonthLock(organization=organization, year=year, month=month, locked_by=user, locked_at=now)
        lock._history_user = user
        lock.save()
    count = 0
    for assessment in FourGoodsAssessment.objects.select_for_update().filter(
        organization__path__startswith=organization.path, year=year, month=month, locked_at__isnull=True
    ):
        assessment.locked_at, assessment.locked_by = now, user
        assessment._history_user = user
        assessment.save(update_fields=["locked_at", "locked_by", "updated_at"])
        count += 1
    return count


@transaction.atomic
def four_goods_lock(*, user, assessment):
    """Lock the month of one self-assessment (the API's `lock` action): the month's lock record, as
    the page writes it (four_goods_lock_month), answered with the stamped self-assessment."""
    four_goods_lock_month(user=user, organization=assessment.organization, year=assessment.year, month=assessment.month)
    return FourGoodsAssessment.objects.select_related("organization").get(pk=assessment.pk)


@transaction.atomic
def four_goods_reopen(*, user, assessment, reason):
    """Reopen a locked month, recording who, when and why (SCHEMES §3.2: audited)."""
    assessment = FourGoodsAssessment.objects.select_for_update().select_related("organization").get(pk=assessment.pk)
    _require(user, LOCK_MONTH, assessment.organization)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi lý do mở lại tháng đã khóa.")})
    locks = list(
        MonthLock.objects.covering(assessment.organization, assessment.year, assessment.month).select_for_update()
    )
    if assessment.locked_at is None and not locks:
        raise ValidationError(_("Tháng này chưa bị khóa."))
    # Reopening closes the lock rows covering the month (kept, with who, when and why).
    now = timezone.now()
    for lock in locks:
        _require(user, LOCK_MONTH, lock.organization)
        lock.reopened_at, lock.reopened_by, lock.reopen_reason = now, user, reason.strip()
        lock.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
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
