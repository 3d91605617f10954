"""Meeting quality rules [001 §II.1.2] (SCHEMES §2.2), without a database."""

import datetime

import pytest

from criteria.rules import meeting_quality

from .builders import MEETING_QUALITY, perfect_cell, plan_params

PARAMS = plan_params(MEETING_QUALITY)


@pytest.mark.parametrize(
    ("present", "roll", "status"),
    [
        (19, 20, "met"),  # exactly 95%
        (18, 20, "not_met"),  # 90%
        (20, 20, "met"),
        (94, 99, "not_met"),  # 94.95%: no rounding up at the boundary
    ],
)
def test_attendance_of_at_least_95_percent_at_every_meeting(present, roll, status):
    cell = perfect_cell()
    meeting = cell.meetings_in(2024)[4]
    meeting.roll_size, meeting.present = roll, present
    result = meeting_quality.mq2_attendance(cell, 2024, PARAMS)
    assert result.status == status
    if status == "not_met":
        assert f"có {present}/{roll} đảng viên dự" in result.reason


def _absent(cell, member_id, dates):
    for meeting in cell.meetings_in(2024):
        if meeting.date in dates:
            meeting.absences[member_id] = ("excused", cell.members[member_id].name)


def _regular_dates(months):
    return {datetime.date(2024, m, 5) for m in months}


def test_three_consecutive_absences_are_allowed():
    cell = perfect_cell()
    cell.meetings = [m for m in cell.meetings if m.is_regular]
    _absent(cell, 7, _regular_dates([2, 3, 4]))
    assert meeting_quality.mq4_consecutive_absences(cell, 2024, PARAMS).status == "met"


def test_four_consecutive_absences_flag_the_member():
    cell = perfect_cell()
    cell.meetings = [m for m in cell.meetings if m.is_regular]
    _absent(cell, 7, _regular_dates([2, 3, 4, 5]))
    result = meeting_quality.mq4_consecutive_absences(cell, 2024, PARAMS)
    assert result.status == "not_met"
    assert "Đồng chí Đảng viên 07 vắng 4 lần liên tiếp từ cuộc họp ngày 05/02/2024" in result.reason
    assert result.evidence["flagged"][0]["member_id"] == 7


def test_attending_in_between_breaks_the_run():
    cell = perfect_cell()
    cell.meetings = [m for m in cell.meetings if m.is_regular]
    _absent(cell, 7, _regular_dates([1, 2, 3, 5, 6, 7]))
    assert meeting_quality.mq4_consecutive_absences(cell, 2024, PARAMS).status == "met"


def test_unexcused_absence_names_the_member():
    cell = perfect_cell()
    meeting = cell.meetings_in(2024)[0]
    meeting.unexcused = 1
    meeting.absences[3] = ("unexcused", "Trần Thị Hoa")
    result = meeting_quality.mq3_no_unexcused(cell, 2024, PARAMS)
    assert result.status == "not_met" and "Trần Thị Hoa" in result.reason


@pytest.mark.parametrize(
    ("good", "others", "status"),
    [
        (7, "fair", "met"),  # every meeting fair or better, at least 7 good
        (6, "fair", "not_met"),
        (12, None, "met"),
        (11, "average", "not_met"),  # one average meeting spoils the year
        (7, "", "missing_data"),  # not assessed
    ],
)
def test_year_quality_is_good_with_seven_good_meetings_and_none_below_fair(good, others, status):
    cell = perfect_cell()
    regular = [m for m in cell.meetings_in(2024) if m.is_regular]
    for index, meeting in enumerate(regular):
        if index >= good and others is not None:
            meeting.quality_level = others
            meeting.score = None if others == "" else meeting.score
    result = meeting_quality.mq5_year_quality(cell, 2024, PARAMS)
    assert result.status == status


def test_quality_level_is_derived_from_the_score_when_not_recorded():
    cell = perfect_cell()
    for meeting in cell.meetings_in(2024):
        meeting.quality_level = ""
        meeting.score = 89.5  # fair: 70 to < 90
    result = meeting_quality.mq5_year_quality(cell, 2024, PARAMS)
    assert result.status == "not_met" and "có 0 cuộc họp thường kỳ đạt mức Tốt, cần ít nhất 7" in result.reason


def test_a_quarter_without_thematic_meeting_breaks_the_regime():
    cell = perfect_cell()
    cell.meetings = [
        m for m in cell.meetings if not (m.date.year == 2024 and m.kind == "thematic" and m.date.month == 6)
    ]
    result = meeting_quality.mq1_regime(cell, 2024, PARAMS)
    assert result.status == "not_met" and "Quý 2/2024 không có sinh hoạt chuyên đề" in result.reason


def test_a_combined_meeting_counts_as_regular_and_thematic():
    cell = perfect_cell()
    cell.meetings = [m for m in cell.meetings if not (m.date.year == 2024 and m.kind == "thematic")]
    for meeting in cell.meetings_in(2024):
        if meeting.date.month % 3 == 0:
            meeting.kind = "combined"
    assert meeting_quality.mq1_regime(cell, 2024, PARAMS).status == "met"


def test_the_current_year_is_checked_up_to_its_last_completed_month():
    cell = perfect_cell(today=datetime.date(2024, 5, 10))
    cell.meetings = [m for m in cell.meetings if m.date < datetime.date(2024, 5, 1)]
    assert meeting_quality.mq1_regime(cell, 2024, PARAMS).status == "met"
