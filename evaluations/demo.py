"""Demo monthly work 2021–2025: meetings, attendance, speakers, scores, four-goods self-assessments.

Realistic variation: most cells fine; some miss months or hold weak meetings (short, few
speakers, absences); a few members are away for long stretches. The lapses grow rarer year by
year (TREND), so the dashboard's trends rise towards the 2025 targets [001 §II.1.2]. The
grassroots committees above the cells self-assess their months too [004 §II.4.2.2].
Everything is computed in Python and written with bulk_create, so 250 cells × 60 months take
about ten seconds.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import timezone

from registry.demo import NEAR_MISS_YEARS, near_miss_kind, profile_of
from registry.models import Appointment, Member, Membership, Organization, OrganizationKind, Role

from .defaults import ensure_default_frameworks
from .models import (
    Attendance,
    AttendanceStatus,
    AttendeeAssignment,
    AttendeeReport,
    FourGoodsAssessment,
    Meeting,
    MeetingKind,
    MeetingSchedule,
    MonthLock,
    Postponement,
)
from .services import duration_minutes, meeting_figures

TOPICS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phòng, chống tham nhũng, tiêu cực",
    "Cải cách hành chính, chuyển đổi số",
    "Trách nhiệm nêu gương của cán bộ, đảng viên",
    "Bảo vệ nền tảng tư tưởng của Đảng",
]
AGENDA = "Đánh giá kết quả thực hiện nhiệm vụ tháng; triển khai nhiệm vụ tháng tới; sinh hoạt tư tưởng."


@dataclass(frozen=True)
class Habits:
    """How a cell of a demo profile (registry.demo.PROFILES) holds its meetings, as probabilities."""

    missing_month: float  # no regular meeting that month [001 §II.1.2(1)]
    skip_thematic: float  # the quarter's thematic meeting not held
    bad_meeting: float  # short, few speakers, absences, low score
    excused: float  # per member and meeting, at a normal meeting [001 §II.1.2(2)]
    unexcused: float
    long_absence: float  # per member: away 4–7 months in a row
    score_low: float  # lowest share of the framework's points at a normal meeting [001 §II.1.2(3)]
    no_self_assessment: float  # four-goods month not self-assessed [004 §II.4.2.2]


PERFECT = Habits(0, 0, 0, 0, 0, 0, 0.92, 0)
HABITS = {
    "model": PERFECT,
    "near": PERFECT,
    "strong": Habits(0.002, 0.006, 0.01, 0.0005, 0.0001, 0, 0.9, 0.005),
    "good": Habits(0.003, 0.01, 0.015, 0.0006, 0.0002, 0.002, 0.88, 0.01),
    "normal": Habits(0.006, 0.02, 0.035, 0.001, 0.0004, 0.004, 0.85, 0.015),
    "weak": Habits(0.06, 0.15, 0.25, 0.008, 0.004, 0.01, 0.8, 0.15),
}
# How often the lapses happen in a year against the profile's habits: cells improve towards the
# 2025 targets (share of cells with good meeting quality > 85% by 2023, > 95% by 2025 [001 §II.1.2]).
TREND = {2021: 1.6, 2022: 1.3, 2023: 1.0, 2024: 0.8, 2025: 0.65}
# A grassroots committee's month: not self-assessed, or assessed below the pass mark [004 §II.4.2.2].
COMMITTEE_NO_SELF_ASSESSMENT = 0.01
COMMITTEE_WEAK_MONTH = 0.05


def habits_in(profile, year):
    """The habits of a cell of `profile` in `year` (PERFECT cells stay perfect)."""
    habit = HABITS[profile]
    factor = TREND.get(year, 1.0)
    if habit is PERFECT or factor == 1.0:
        return habit
    return replace(
        habit,
        missing_month=habit.missing_month * factor,
        skip_thematic=habit.skip_thematic * factor,
        bad_meeting=habit.bad_meeting * factor,
        excused=habit.excused * factor,
        unexcused=habit.unexcused * factor,
        no_self_assessment=habit.no_self_assessment * factor,
    )


def _months(years, today):
    for year in years:
        for month in range(1, 13):
            if datetime.date(year, month, 28) < today:
                yield year, month


def populate(cells, rng, years=(2021, 2022, 2023, 2024, 2025)):
    """Create the monthly work of `cells` for `years`; returns the number of meetings created."""
    framework, four_goods = ensure_default_frameworks()
    sections = list(framework.sections.all())
    today = timezone.localdate()
    cells = list(cells)
    cell_ids = [c.pk for c in cells]

    rolls = defaultdict(list)  # cell -> [(member, start, end)]
    memberships = Membership.objects.filter(cell_id__in=cell_ids).order_by("pk")  # a fixed order: deterministic
    for member_id, cell_id, start, end in memberships.values_list("member_id", "cell_id", "start_date", "end_date"):
        rolls[cell_id].append((member_id, start, end))
    exempted = dict(
        Member.objects.filter(memberships__cell_id__in=cell_ids, exempted_since__isnull=False).values_list(
            "pk", "exempted_since"
        )
    )
    habits = {cell.pk: HABITS[profile_of(cell)] for cell in cells}
    yearly = {(cell.pk, year): habits_in(profile_of(cell), year) for cell in cells for year in years}
    months = list(_months(years, today))
    # A few members with long absences: (member) -> (first month index, length)
    long_absent = {}
    for cell_id, entries in rolls.items():
        for member_id, _s, _e in entries:
            if rng.random() < habits[cell_id].long_absence:
                long_absent[member_id] = (rng.randrange(0, max(len(months) - 4, 1)), rng.randint(4, 7))

    schedules, postponements, meetings, attendance_plans, assessments = [], [], [], [], []
    for cell in cells:
        # A "speakers" near miss: one meeting a year (March) short of speakers, nothing else [000 §II.1(2)].
        short_meetings = (
            {(year, 3) for year in NEAR_MISS_YEARS}
            if profile_of(cell) == "near" and near_miss_kind(cell) == "speakers"
            else set()
        )
        day = rng.choice([5, 8, 10, 12, 15, 20, 25])
        schedules.append(MeetingSchedule(cell=cell, day_of_month=day, start_time=datetime.time(14, 0)))
        thematic_months = {(y, q): rng.randint(0, 2) for y in years for q in range(4)}
        for index, (year, month) in enumerate(months):
            habit = yearly[(cell.pk, year)]
            if rng.random() < habit.missing_month:
                continue  # a missing month
            date = datetime.date(year, month, day)
            if rng.random() < 0.05:
                new_date = date + datetime.timedelta(days=rng.randint(2, 6))
                postponements.append(
                    Postponement(
                        cell=cell, original_date=date, new_date=new_date, reason="Trùng lịch công tác của đơn vị"
                    )
                )
                date = new_date
            quarter = (month - 1) // 3
            thematic_here = (month - 1) % 3 == thematic_months[(year, quarter)]
            skip_thematic = rng.random() < habit.skip_thematic
            kind = MeetingKind.COMBINED if thematic_here and not skip_thematic else MeetingKind.REGULAR
            roll = [
                m
                for m, start, end in rolls[cell.pk]
                if start <= date and (end is None or end >= date) and not (m in exempted and exempted[m] <= date)
            ]
            bad_meeting = rng.random() < habit.bad_meeting
            statuses = {}
            for member_id in roll:
                absent = long_absent.get(member_id)
                if absent and absent[0] <= index < absent[0] + absent[1]:
                    statuses[member_id] = AttendanceStatus.EXCUSED
                    continue
                r = rng.random()
                if r < (0.04 if bad_meeting else habit.excused):
                    statuses[member_id] = AttendanceStatus.EXCUSED
                elif r < (0.06 if bad_meeting else habit.excused + habit.unexcused):
                    statuses[member_id] = AttendanceStatus.UNEXCUSED
                else:
                    statuses[member_id] = AttendanceStatus.PRESENT
            present = [m for m, s in statuses.items() if s == AttendanceStatus.PRESENT]
            needed = framework.required_speakers(len(roll))
            n_speakers = min(
                len(present), rng.randint(max(needed - 2, 1), needed) if bad_meeting else needed + rng.randint(0, 3)
            )
            if (year, month) in short_meetings:
                n_speakers = min(n_speakers, needed - 1)
            speakers = set(rng.sample(present, n_speakers)) if present else set()
            required = framework.required_minutes(kind)
            minutes = (
                rng.randint(60, required - 5)
                if bad_meeting and rng.random() < 0.6
                else rng.randint(required, required + 45)
            )
            start = datetime.time(14, 0)
            end = (datetime.datetime.combine(date, start) + datetime.timedelta(minutes=minutes)).time()
            low = habit.score_low
            scale = 0.65 + rng.random() * 0.22 if bad_meeting else low + rng.random() * (1 - low)
            scores = {s.code: str(Decimal(round(s.points * scale * 2) / 2).quantize(Decimal("0.1"))) for s in sections}
            self_score = sum(Decimal(v) for v in scores.values())
            figures = meeting_figures(
                roll_size=len(roll),
                statuses=list(statuses.values()),
                speakers=len(speakers),
                kind=kind,
                start_time=start,
                end_time=end,
                framework=framework,
            )
            meeting = Meeting(
                cell=cell,
                date=date,
                start_time=start,
                end_time=end,
                kind=kind,
                topic=rng.choice(TOPICS) if kind == MeetingKind.COMBINED else "",
                agenda=AGENDA,
                conclusions="Chi bộ thống nhất các nhiệm vụ trọng tâm tháng tới.",
                resolution=f"Nghị quyết chi bộ tháng {month}/{year}.",
                framework=framework,
                section_scores=scores,
                self_score=self_score,
                quality_level=framework.level_for(self_score),
                votes_for=max(len(present) - (1 if bad_meeting else 0), 0),
                votes_against=1 if bad_meeting and present else 0,
                **figures,
            )
            assert figures["duration_minutes"] == duration_minutes(start, end)
            meetings.append(meeting)
            attendance_plans.append((statuses, speakers))
            if rng.random() < habit.no_self_assessment:
                continue  # self-assessment not filed
            good_month = not bad_meeting and (habit is PERFECT or rng.random() > 0.04)
            assessments.append(_assessment(rng, four_goods, cell, year, month, good_month, len(present), months))
    for committee in _committees_of(cells):
        # The committee reviews its month at its own monthly meeting [004 §II.4.2.1].
        for year, month in months:
            if rng.random() < COMMITTEE_NO_SELF_ASSESSMENT:
                continue
            good_month = rng.random() >= COMMITTEE_WEAK_MONTH
            assessments.append(
                _assessment(rng, four_goods, committee, year, month, good_month, rng.randint(7, 11), months)
            )

    MeetingSchedule.objects.bulk_create(schedules, batch_size=1000, ignore_conflicts=True)
    Postponement.objects.bulk_create(postponements, batch_size=1000, ignore_conflicts=True)
    created = Meeting.objects.bulk_create(meetings, batch_size=1000)
    rows = []
    for meeting, (statuses, speakers) in zip(created, attendance_plans, strict=True):
        for member_id, status in statuses.items():
            rows.append(
                Attendance(
                    meeting_id=meeting.pk,
                    member_id=member_id,
                    status=status,
                    reason="Đi công tác" if status == AttendanceStatus.EXCUSED else "",
                    spoke=member_id in speakers,
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=5000)
    FourGoodsAssessment.objects.bulk_create(assessments, batch_size=1000, ignore_conflicts=True)
    # The locked months are MonthLock rows of their own (issue 10, hole 8).
    MonthLock.objects.bulk_create(
        [
            MonthLock(organization=a.organization, year=a.year, month=a.month, locked_at=a.locked_at)
            for a in assessments
            if a.locked_at is not None
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    _attendees(rng, cells, created, years, today)
    return len(created)


def _committees_of(cells):
    """The grassroots committees above `cells`, by pk."""
    ids = {int(part) for cell in cells for part in cell.path.split(".")[:-1] if part}
    return list(Organization.objects.filter(pk__in=ids, kind=OrganizationKind.GRASSROOTS_COMMITTEE).order_by("pk"))


def _assessment(rng, four_goods, organization, year, month, good_month, votes, months):
    """A month's four-goods self-assessment: full marks in a good month, else some criteria short."""
    points = {c: float(25 if good_month else rng.choice([18, 20, 22, 25])) for c in four_goods.codes}
    achieved = {c: points[c] >= 22 for c in four_goods.codes}
    return FourGoodsAssessment(
        organization=organization,
        year=year,
        month=month,
        points=points,
        achieved=achieved,
        score=Decimal(str(sum(points.values()))),
        passed=four_goods.passes(points, achieved),
        votes_for=votes,
        locked_at=timezone.now() if (year, month) < months[-2] else None,
    )


def _attendees(rng, cells, meetings, years, today):
    """Assign the demo attendees to a few cells each and file reports for some of their meetings."""
    attendees = [
        a.user
        for a in Appointment.objects.filter(
            role__in=[Role.MEETING_ATTENDEE, Role.STANDING_COMMITTEE, Role.ORGANIZATION_BOARD]
        ).select_related("user")
    ]
    if not attendees or not cells:
        return
    start, end = datetime.date(years[-1], 1, 1), datetime.date(years[-1] + 1, 12, 31)
    assignments = []
    assigned = {}
    for user in attendees:
        for cell in rng.sample(cells, min(6, len(cells))):
            assignments.append(AttendeeAssignment(user=user, cell=cell, start_date=start, end_date=end))
            assigned.setdefault(cell.pk, (user, len(assignments) - 1))
    created = AttendeeAssignment.objects.bulk_create(assignments)
    reports, updated = [], []
    for meeting in meetings:
        if meeting.cell_id in assigned and meeting.date >= start and rng.random() < 0.3:
            user, index = assigned[meeting.cell_id]
            score = max(Decimal(0), meeting.self_score - Decimal(rng.choice([0, 0, 2, 5, 8])))
            reports.append(
                AttendeeReport(
                    meeting=meeting,
                    attendee=user,
                    assignment=created[index],
                    arrived_at=meeting.start_time,
                    unit_situation="Đơn vị hoàn thành các chỉ tiêu công tác trong tháng.",
                    meeting_conduct="Chi bộ sinh hoạt đúng quy trình, đủ nội dung.",
                    issues_raised="Đề nghị chi bộ tăng cường sinh hoạt tư tưởng.",
                    issues_answered="Chi ủy tiếp thu.",
                    assessment="Sinh hoạt có chất lượng.",
                    decided_score=score,
                )
            )
            meeting.decided_score = score
            meeting.quality_level = meeting.framework.level_for(score)
            updated.append(meeting)
    AttendeeReport.objects.bulk_create(reports, batch_size=1000)
    Meeting.objects.bulk_update(updated, ["decided_score", "quality_level"], batch_size=1000)
