"""Computed figures of a meeting, with their boundaries (SCHEMES §1.1 G2, §2.1)."""

import datetime
from decimal import Decimal

import pytest

from evaluations.models import AttendanceStatus, MeetingKind, QualityLevel
from evaluations.selectors import meeting_framework_for
from evaluations.services import meeting_figures

from .factories import file_meeting, members_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    return meeting_framework_for(None)


@pytest.mark.parametrize(("roll", "required"), [(1, 3), (9, 3), (10, 5), (30, 5), (31, 8), (60, 8)])
def test_speaker_requirement_follows_the_cell_size(framework, roll, required):
    """Fewer than 10 members: 3; 10 to 30: 5; more than 30: 8 (SCHEMES §1.1 G2)."""
    assert framework.required_speakers(roll) == required


def _figures(framework, present, roll, kind=MeetingKind.REGULAR, minutes=100):
    start = datetime.time(14, 0)
    end = (datetime.datetime(2025, 1, 1, 14, 0) + datetime.timedelta(minutes=minutes)).time()
    statuses = [AttendanceStatus.PRESENT] * present + [AttendanceStatus.EXCUSED] * (roll - present)
    return meeting_figures(
        roll_size=roll, statuses=statuses, speakers=5, kind=kind, start_time=start, end_time=end, framework=framework
    )


def test_attendance_of_exactly_95_percent_meets_the_target(framework):
    """SCHEMES §2.2 T2: attendance at every meeting ≥ 95%."""
    figures = _figures(framework, 19, 20)
    assert figures["attendance_rate"] == Decimal("95.00")
    assert figures["attendance_rate"] >= framework.attendance_target
    below = _figures(framework, 18, 19)  # 94.74%
    assert below["attendance_rate"] == Decimal("94.74")
    assert below["attendance_rate"] < framework.attendance_target


@pytest.mark.parametrize(
    ("kind", "minutes", "required", "enough"),
    [
        (MeetingKind.REGULAR, 89, 90, False),
        (MeetingKind.REGULAR, 90, 90, True),
        (MeetingKind.THEMATIC, 90, 90, True),
        (MeetingKind.COMBINED, 119, 120, False),
        (MeetingKind.COMBINED, 120, 120, True),
    ],
)
def test_duration_is_measured_against_90_or_120_minutes_when_combined(framework, kind, minutes, required, enough):
    """At least 90 minutes, 120 when combined with a thematic meeting (SCHEMES §2.1)."""
    figures = _figures(framework, 10, 10, kind=kind, minutes=minutes)
    assert figures["duration_minutes"] == minutes
    assert figures["required_minutes"] == required
    assert (figures["duration_minutes"] >= figures["required_minutes"]) is enough


@pytest.mark.parametrize(
    ("score", "level"), [(90, "good"), (89.5, "fair"), (70, "fair"), (69, "average"), (50, "average"), (49, "poor")]
)
def test_quality_level_thresholds(framework, score, level):
    assert framework.level_for(Decimal(str(score))) == level


@pytest.mark.parametrize(("size", "required"), [(9, 3), (10, 5), (30, 5), (31, 8)])
def test_a_filed_meeting_stores_its_figures(tree, users, size, required):
    members = members_on(tree.cell_a1, size)
    meeting = file_meeting(
        users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 3, 5), absent=members[:1], speakers=required - 1
    )
    meeting.refresh_from_db()
    assert meeting.roll_size == size
    assert meeting.present_count == size - 1
    assert meeting.excused_count == 1
    assert meeting.speakers_count == required - 1
    assert meeting.required_speakers == required
    assert meeting.duration_minutes == 100
    assert meeting.required_minutes == 90
    assert meeting.self_score == Decimal("93")
    assert meeting.quality_level == QualityLevel.GOOD
    assert meeting.attendances.count() == size
