"""Reads of the monthly work: rolls, frameworks, flags, calendar, quarterly view.

Rules: SCHEMES §1.1 G2, §2 (meeting quality), §3.2 (four-goods monthly self-assessment).
"""

import calendar as _calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.formats import short_date
from registry.models import Member, Organization

from . import thresholds
from .defaults import ensure_default_frameworks
from .models import (
    Attendance,
    AttendanceStatus,
    AttendeeAssignment,
    AttendeeReport,
    FourGoodsAssessment,
    FourGoodsFramework,
    Meeting,
    MeetingKind,
    MeetingQualityFramework,
    MeetingSchedule,
    Postponement,
)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def meeting_framework_for(organization):
    framework = MeetingQualityFramework.objects.for_organization(organization)
    if framework is None:
        framework, _four = ensure_default_frameworks()
    return framework


def four_goods_framework_for(organization):
    framework = FourGoodsFramework.objects.for_organization(organization)
    if framework is None:
        _meeting, framework = ensure_default_frameworks()
    return framework


def roll_at(cell, day):
    """Members on the cell's roll on `day`, exempted members left out (SCHEMES §2.1, HD 12-HD/BTCTW)."""
    return list(
        Member.objects.on_roll(cell, day)
        .filter(Q(exempted_since__isnull=True) | Q(exempted_since__gt=day))
        .order_by("full_name", "pk")
    )


def month_bounds(year, month):
    return datetime.date(year, month, 1), datetime.date(year, month, _calendar.monthrange(year, month)[1])


def previous_month(day):
    first = day.replace(day=1) - datetime.timedelta(days=1)
    return first.year, first.month


# ---------------------------------------------------------------------------------- flags


@dataclass
class Flag:
    code: str
    message: str
    cell_id: int
    day: datetime.date | None = None
    meeting_id: int | None = None
    member_id: int | None = None
    extra: dict = field(default_factory=dict)


FLAG_LONG_ABSENCE = "long_absence"
FLAG_UNEXCUSED = "unexcused_absence"
FLAG_NO_MEETING = "no_meeting_record"
FLAG_NO_THEMATIC = "no_thematic_meeting"
FLAG_SHORT = "short_meeting"
FLAG_FEW_SPEAKERS = "few_speakers"
FLAG_LOW_ATTENDANCE = "low_attendance"


def _elapsed_months(year, today, active_from=None):
    if year < today.year:
        months = range(1, 13)
    elif year == today.year:
        months = range(1, today.month)
    else:
        months = range(0)
    if active_from:
        months = [m for m in months if datetime.date(year, m, 1) >= active_from.replace(day=1)]
    return list(months)


def flags_for_cells(cells, year, today=None):
    """Flags per cell id for `year` (SCHEMES §1.1 G2, §2.2 T1–T2), in three queries (the plans in
    force, meetings, attendance). Every number is the plan's in force (evaluations.thresholds):

    - a member absent more than the limit (3) of consecutive meetings, any reason;
    - any absence without reason;
    - an elapsed month with no regular meeting record;
    - an elapsed quarter with no thematic meeting;
    - a meeting under the required duration, speakers or attendance.
    """
    today = today or timezone.localdate()
    cells = list(cells)
    by_cell = {cell.pk: [] for cell in cells}
    if not cells:
        return by_cell
    # Speakers, minutes, attendance and the absence limit of the plan in force for each cell and
    # the year, read now: the numbers the rules judge by (evaluations.thresholds, issue 12).
    in_force = thresholds.for_organizations(cells, year)
    meetings = list(
        Meeting.objects.filter(cell__in=cells, date__year=year)
        .only(
            "pk",
            "cell_id",
            "date",
            "kind",
            "roll_size",
            "attendance_rate",
            "present_count",
            "speakers_count",
            "duration_minutes",
            "unexcused_count",
        )
        .order_by("cell_id", "date", "pk")
    )
    absences = defaultdict(list)  # (cell, member) -> [(date, status)]
    unexcused = defaultdict(list)  # meeting -> [names]
    names = {}
    for meeting_id, cell_id, day, member_id, status, name in (
        Attendance.objects.filter(meeting__in=[m.pk for m in meetings])
        .order_by("meeting__date", "meeting_id")
        .values_list("meeting_id", "meeting__cell_id", "meeting__date", "member_id", "status", "member__full_name")
    ):
        absences[(cell_id, member_id)].append((day, status))
        names[member_id] = name
        if status == AttendanceStatus.UNEXCUSED:
            unexcused[meeting_id].append(name)

    held_months = defaultdict(set)
    thematic_quarters = defaultdict(set)
    for m in meetings:
        limits = in_force[m.cell_id]
        required_minutes = limits.required_minutes(m.kind)
        required_speakers = limits.required_speakers(m.roll_size)
        flags = by_cell[m.cell_id]
        when = short_date(m.date)
        if m.kind in (MeetingKind.REGULAR, MeetingKind.COMBINED):
            held_months[m.cell_id].add(m.date.month)
        if m.kind in (MeetingKind.THEMATIC, MeetingKind.COMBINED):
            thematic_quarters[m.cell_id].add((m.date.month - 1) // 3 + 1)
        if unexcused.get(m.pk):
            flags.append(
                Flag(
                    FLAG_UNEXCUSED,
                    _("Sinh hoạt ngày %(d)s: %(n)d đảng viên vắng không lý do (%(names)s).")
                    % {"d": when, "n": len(unexcused[m.pk]), "names": ", ".join(unexcused[m.pk])},
                    m.cell_id,
                    m.date,
                    m.pk,
                )
            )
        if m.duration_minutes is not None and m.duration_minutes < required_minutes:
            flags.append(
                Flag(
                    FLAG_SHORT,
                    _("Sinh hoạt ngày %(d)s kéo dài %(m)d phút, dưới %(r)d phút theo quy định.")
                    % {"d": when, "m": m.duration_minutes, "r": required_minutes},
                    m.cell_id,
                    m.date,
                    m.pk,
                )
            )
        if m.roll_size and m.speakers_count < required_speakers:
            flags.append(
                Flag(
                    FLAG_FEW_SPEAKERS,
                    _("Sinh hoạt ngày %(d)s chỉ có %(s)d đảng viên phát biểu, yêu cầu tối thiểu %(r)d.")
                    % {"d": when, "s": m.speakers_count, "r": required_speakers},
                    m.cell_id,
                    m.date,
                    m.pk,
                )
            )
        # In integers, as rule MQ2 compares [001 §II.1.2(2)]: no rounding at the boundary.
        if m.roll_size and m.present_count * 100 < limits.attendance_pct * m.roll_size:
            flags.append(
                Flag(
                    FLAG_LOW_ATTENDANCE,
                    _("Sinh hoạt ngày %(d)s: tỷ lệ dự họp %(a)s%%, dưới %(t)s%%.")
                    % {"d": when, "a": _pct(m.attendance_rate), "t": _pct(limits.attendance_pct)},
                    m.cell_id,
                    m.date,
                    m.pk,
                )
            )

    for (cell_id, member_id), rows in absences.items():
        limit = in_force[cell_id].max_consecutive_absences
        run = []
        for day, status in rows + [(None, AttendanceStatus.PRESENT)]:
            if status != AttendanceStatus.PRESENT:
                run.append(day)
                continue
            if len(run) > limit:
                by_cell[cell_id].append(
                    Flag(
                        FLAG_LONG_ABSENCE,
                        _("Đảng viên %(name)s vắng %(n)d lần sinh hoạt liên tiếp (từ %(a)s đến %(b)s).")
                        % {"name": names[member_id], "n": len(run), "a": short_date(run[0]), "b": short_date(run[-1])},
                        cell_id,
                        run[-1],
                        member_id=member_id,
                    )
                )
            run = []

    for cell in cells:
        flags = by_cell[cell.pk]
        months = _elapsed_months(year, today, cell.active_from)
        for month in months:
            if month not in held_months[cell.pk]:
                flags.append(
                    Flag(
                        FLAG_NO_MEETING,
                        _("Tháng %(m)d/%(y)d chưa có biên bản sinh hoạt thường kỳ.") % {"m": month, "y": year},
                        cell.pk,
                        datetime.date(year, month, 1),
                    )
                )
        for quarter in range(1, 5):
            if quarter * 3 in months and quarter not in thematic_quarters[cell.pk]:
                flags.append(
                    Flag(
                        FLAG_NO_THEMATIC,
                        _("Quý %(q)s/%(y)d chưa sinh hoạt chuyên đề.") % {"q": ROMAN[quarter], "y": year},
                        cell.pk,
                        datetime.date(year, quarter * 3, 1),
                    )
                )
        flags.sort(key=lambda f: (f.day or datetime.date.min, f.code))
    return by_cell


def _pct(value):
    return f"{Decimal(value):.2f}".replace(".", ",")


def flags_for_cell(cell, year, today=None):
    return flags_for_cells([cell], year, today)[cell.pk]


# ---------------------------------------------------------------------------------- pages


def cells_under(organization):
    return Organization.objects.under([organization]).cells().order_by("path")


def cell_months(cell, year):
    """Month by month: the regular meeting and the four-goods self-assessment of the cell."""
    meetings = defaultdict(list)
    for m in Meeting.objects.filter(cell=cell, date__year=year).select_related("attendee_report").order_by("date"):
        meetings[m.date.month].append(m)
    assessments = {a.month: a for a in FourGoodsAssessment.objects.filter(organization=cell, year=year)}
    return [
        {"month": month, "meetings": meetings.get(month, []), "assessment": assessments.get(month)}
        for month in range(1, 13)
    ]


def upcoming_meetings(organizations, start, months=2):
    """Calendar of scheduled meetings under the organizations, postponements applied [001 §III.2(1)]."""
    schedules = MeetingSchedule.objects.filter(
        cell__in=Organization.objects.under(organizations).cells()
    ).select_related("cell")
    end_year, end_month = start.year, start.month
    month_starts = []
    year, month = start.year, start.month
    for _i in range(months + 1):
        month_starts.append((year, month))
        end_year, end_month = year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    end = month_bounds(end_year, end_month)[1]
    cells = [s.cell_id for s in schedules]
    postponed = {
        (p.cell_id, p.original_date): p
        for p in Postponement.objects.filter(cell_id__in=cells, original_date__gte=start - datetime.timedelta(days=62))
    }
    entries = []
    for schedule in schedules:
        for y, m in month_starts:
            day = datetime.date(y, m, schedule.day_of_month)
            postponement = postponed.get((schedule.cell_id, day))
            actual = postponement.new_date if postponement else day
            if start <= actual <= end:
                entries.append(
                    {
                        "date": actual,
                        "cell": schedule.cell,
                        "time": schedule.start_time,
                        "place": schedule.place,
                        "postponement": postponement,
                        "scheduled": day,
                    }
                )
    entries.sort(key=lambda e: (e["date"], e["cell"].name))
    return entries


def active_assignments(user, day=None):
    day = day or timezone.localdate()
    return (
        AttendeeAssignment.objects.filter(user=user, start_date__lte=day, end_date__gte=day)
        .select_related("cell")
        .order_by("cell__name")
    )


def assignment_for(user, cell, day):
    return AttendeeAssignment.objects.filter(user=user, cell=cell, start_date__lte=day, end_date__gte=day).first()


def quarter_bounds(year, quarter):
    return datetime.date(year, quarter * 3 - 2, 1), month_bounds(year, quarter * 3)[1]


def quarterly_view(committee, year, quarter):
    """Per cell under a grassroots committee: the meeting regime and assigned vs attended (SCHEMES §2.2)."""
    start, end = quarter_bounds(year, quarter)
    cells = list(cells_under(committee))
    meetings = defaultdict(list)
    for m in (
        Meeting.objects.filter(cell__in=cells, date__range=(start, end))
        .select_related("attendee_report__attendee")
        .order_by("date")
    ):
        meetings[m.cell_id].append(m)
    assignments = defaultdict(list)
    for a in AttendeeAssignment.objects.filter(cell__in=cells, start_date__lte=end, end_date__gte=start).select_related(
        "user"
    ):
        assignments[a.cell_id].append(a)
    rows = []
    totals = {"assigned": 0, "attended": 0, "regular": 0, "thematic_ok": 0}
    for cell in cells:
        cell_meetings = meetings[cell.pk]
        regular = [m for m in cell_meetings if m.kind in (MeetingKind.REGULAR, MeetingKind.COMBINED)]
        thematic = [m for m in cell_meetings if m.kind in (MeetingKind.THEMATIC, MeetingKind.COMBINED)]
        assigned_users = {a.user_id for a in assignments[cell.pk]}
        attended = [
            m
            for m in cell_meetings
            if hasattr(m, "attendee_report") and m.attendee_report.attendee_id in assigned_users
        ]
        rates = [m.attendance_rate for m in cell_meetings if m.roll_size]
        row = {
            "cell": cell,
            "regular_count": len({m.date.month for m in regular}),
            "thematic_count": len(thematic),
            "average_attendance": (sum(rates) / len(rates)) if rates else None,
            "levels": [m.get_quality_level_display() for m in regular if m.quality_level],
            "assignments": assignments[cell.pk],
            "assigned": len(assignments[cell.pk]),
            "attended": len(attended),
        }
        totals["assigned"] += row["assigned"]
        totals["attended"] += row["attended"]
        totals["regular"] += row["regular_count"]
        totals["thematic_ok"] += 1 if thematic else 0
        rows.append(row)
    return {"rows": rows, "totals": totals, "start": start, "end": end, "cells": len(cells)}


def meetings_for_list(user, **filters):
    return (
        Meeting.objects.visible_to(user)
        .filter(**filters)
        .select_related("cell")
        .prefetch_related(Prefetch("attendee_report", queryset=AttendeeReport.objects.all()))
    )


ATTENDEE_ROLES = ("attendee", "standing", "org_board", "grassroots_staff")


def attendee_choices(user):
    """Users who may be assigned to attend meetings, as seen by `user` (issue 10, hole 5).

    Attendee users (meeting attendee, standing committee, organization board, grassroots staff
    [001 §III.2(2)]) appointed within the subtrees where `user` may assign (lock a month or
    manage plans), or at an ancestor of those (the upper level that sends its staff) — never
    the attendee users of another block or committee.
    """
    from django.contrib.auth import get_user_model

    from registry.scoping import LOCK_MONTH, MANAGE_PLANS, prefixes_for

    users = get_user_model().objects.filter(is_active=True)
    lock, plans = prefixes_for(user, LOCK_MONTH), prefixes_for(user, MANAGE_PLANS)
    roles = Q(appointments__role__in=ATTENDEE_ROLES)
    if lock is None or plans is None:
        return users.filter(roles).distinct().order_by("username")
    prefixes = sorted(set(lock) | set(plans))
    if not prefixes:
        return users.none()
    where = Q(pk__in=[])
    ancestors = set()
    for prefix in prefixes:
        where |= Q(appointments__organization__path__startswith=prefix)
        parts = prefix.split(".")[:-1]
        ancestors.update(".".join(parts[: i + 1]) + "." for i in range(len(parts)))
    where |= Q(appointments__organization__path__in=sorted(ancestors))
    return users.filter(pk__in=users.filter(roles & where).values("pk")).order_by("username")
