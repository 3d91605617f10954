"""The earliest year a recognition can still be reached (criteria.reach, issue 11).

Expected years come from the rules, never from the code:
- model cell G1 [000 §II.1(1), §IV.1; SCHEMES §1.1]: a grassroots cell needs 5 consecutive years
  GOOD or higher with at least 3 EXCELLENT (plan 128-KH/ĐUK params); the window of assessment
  year T is T-4..T;
- meeting quality [001 §II.1.2; SCHEMES §2.2]: every month a regular meeting, every quarter a
  thematic one, attendance >= 95%, no unexcused absence, no more than 3 absences in a row, every
  regular meeting fair or better and at least 7 good (plan 01-ĐA/ĐUK params);
- four-goods [004 §II.4.2.2; SCHEMES §3.2]: at least 10 of 12 months self-rated pass with >= 90.
"""

import datetime

import pytest

from criteria.facts import MeetingFacts, MonthFacts
from criteria.reach import four_goods_reach, meeting_quality_reach, model_cell_reach

GR_CELL = {"years": 5, "min_excellent": 3}  # [000 §II.1(1)] grassroots cell
SUB_CELL = {"years": 3, "min_excellent": 2}  # [000 §II.1(1)] subordinate cell
MQ_PARAMS = {
    "min_attendance_pct": 95,
    "max_consecutive_absences": 3,
    "year_good": {"min_level_each": "fair", "min_good_meetings": 7},
    "quality_levels": {"good": 90, "fair": 70, "average": 50},
}
FG_PARAMS = {
    "year_good": {"min_level_each": "fair", "min_good_meetings": 7},
    "quality_levels": {"good": 90, "fair": 70, "average": 50},
    "monthly": {"min_passing_months": 10, "pass_score": 90, "total_points": 100, "points_per_criterion": 25},
}


# --------------------------------------------------------------------------------- model cell


def test_a_year_below_good_rules_the_window_out_until_it_leaves_it():
    # 2021 PASS: the window 2021–2025 can never be all GOOD+; the window 2022–2026 no longer holds 2021,
    # and with 2022–2025 EXCELLENT, EXCELLENT, GOOD, GOOD and 2026 still unrated it can reach 3 EXCELLENT.
    ratings = {2021: "PASS", 2022: "EXCELLENT", 2023: "EXCELLENT", 2024: "GOOD", 2025: "GOOD"}
    reach = model_cell_reach(ratings, 2025, **GR_CELL)
    assert not reach.now
    assert reach.year == 2026 and reach.window == (2022, 2026)
    assert "Giai đoạn 2021–2025 không thể đạt G1 nữa" in reach.sentence
    assert "năm 2021 chỉ xếp loại Hoàn thành nhiệm vụ" in reach.sentence
    assert "kỳ xét năm 2026 (giai đoạn 2022–2026)" in reach.sentence
    assert "khi năm 2021 ra khỏi giai đoạn" in reach.sentence


def test_a_later_window_that_still_lacks_excellent_years_is_skipped():
    # 2022 FAIL; 2023–2025 GOOD. Window 2023–2027: 2026, 2027 unrated, 0 EXCELLENT so far:
    # at most 2 < 3. Window 2024–2028: 3 unrated years, enough. So 2028.
    ratings = {2021: "GOOD", 2022: "FAIL", 2023: "GOOD", 2024: "GOOD", 2025: "GOOD"}
    reach = model_cell_reach(ratings, 2025, **GR_CELL)
    assert (reach.year, reach.window, reach.now) == (2028, (2024, 2028), False)
    assert "khi năm 2022 ra khỏi giai đoạn" in reach.sentence


def test_too_few_unrated_years_for_the_excellent_years_missing():
    # Window 2021–2025: 2021–2024 GOOD, 2025 unrated: 0 EXCELLENT + 1 unrated < 3.
    # Window 2022–2026: 2022–2024 GOOD, 2025–2026 unrated: 2 < 3. Window 2023–2027: 2 GOOD, 3 unrated: 3. → 2027.
    ratings = {2021: "GOOD", 2022: "GOOD", 2023: "GOOD", 2024: "GOOD"}
    reach = model_cell_reach(ratings, 2025, **GR_CELL)
    assert (reach.year, reach.now) == (2027, False)
    assert "chỉ còn 1 năm chưa xếp loại mà còn thiếu 3 năm Hoàn thành xuất sắc nhiệm vụ (cần 3)" in reach.sentence
    assert "ra khỏi giai đoạn" not in reach.sentence  # no year below GOOD to wait out


def test_a_window_that_can_still_pass_is_this_one():
    # 2021–2024: EXCELLENT, EXCELLENT, GOOD, GOOD; 2025 unrated: 2 + 1 >= 3, nothing below GOOD.
    ratings = {2021: "EXCELLENT", 2022: "EXCELLENT", 2023: "GOOD", 2024: "GOOD"}
    reach = model_cell_reach(ratings, 2025, **GR_CELL)
    assert (reach.year, reach.window, reach.now) == (2025, (2021, 2025), True)
    assert "Giai đoạn 2021–2025 vẫn có thể đạt G1" in reach.sentence
    assert "ít nhất 1 năm Hoàn thành xuất sắc nhiệm vụ" in reach.sentence


def test_a_subordinate_cell_reads_its_own_shorter_window():
    # Sub-cell: 3 years, 2 EXCELLENT. 2023 PASS → windows 2023–2025 and 2024–2026 hold it; 2024–2026 ends 2026 ...
    # 2023 leaves with the window 2024–2026: 2024 EXCELLENT, 2025 GOOD, 2026 unrated → 1 + 1 = 2. → 2026.
    ratings = {2023: "PASS", 2024: "EXCELLENT", 2025: "GOOD"}
    reach = model_cell_reach(ratings, 2025, **SUB_CELL)
    assert (reach.year, reach.window) == (2026, (2024, 2026))
    # The same history read with a 5-year window waits for 2023 to leave: 2028 (2024–2028).
    assert model_cell_reach(ratings, 2025, **GR_CELL).year == 2028


# ------------------------------------------------------------------------------ yearly schemes


def _meeting(month, level="good", kind="regular", **fields):
    values = {"roll_size": 10, "present": 10, "speakers": 5, "quality_level": level}
    values.update(fields)
    return MeetingFacts(date=datetime.date(2026, month, 5), kind=kind, **values)


def _year(months, per_month=None):
    """A regular meeting each month listed, a combined (regular + thematic) one in each quarter's first month."""
    return [
        _meeting(m, kind="combined" if m in (1, 4, 7, 10) else "regular", **(per_month or {}).get(m, {}))
        for m in months
    ]


def test_meeting_quality_is_still_possible_this_year_with_the_months_left():
    today = datetime.date(2026, 6, 20)  # five months done; June has no meeting yet
    reach = meeting_quality_reach(_year(range(1, 6)), 2026, today, MQ_PARAMS)
    assert (reach.year, reach.now) == (2026, True)
    # 5 good so far, June to December can bring 7 more: at least 7 is still possible.
    assert "đã có 5 cuộc họp thường kỳ đạt mức Tốt (cần 7), còn 7 cuộc có thể đạt" in reach.sentence


def test_a_regular_meeting_below_fair_rules_this_year_out():
    today = datetime.date(2026, 6, 20)
    reach = meeting_quality_reach(_year(range(1, 6), {3: {"level": "average"}}), 2026, today, MQ_PARAMS)
    assert (reach.year, reach.now) == (2027, False)
    assert "Năm 2026 không thể đạt nữa vì cuộc họp ngày 05/03/2026 chỉ đạt mức Trung bình" in reach.sentence
    assert "Sớm nhất có thể đạt vào năm 2027." in reach.sentence


def test_too_few_months_left_for_the_good_meetings_rules_this_year_out():
    # October: nine months done, all fair. Good so far 0; October to December at most 3 < 7.
    today = datetime.date(2026, 10, 2)
    reach = meeting_quality_reach(
        _year(range(1, 10), {m: {"level": "fair"} for m in range(1, 10)}), 2026, today, MQ_PARAMS
    )
    assert reach.year == 2027
    assert "mới có 0 cuộc họp đạt mức Tốt, thời gian còn lại nhiều nhất thêm 3 cuộc, không đủ 7" in reach.sentence


def test_a_month_without_a_regular_meeting_an_unexcused_absence_or_low_attendance_rule_it_out():
    today = datetime.date(2026, 6, 20)
    meetings = [m for m in _year(range(1, 6)) if m.date.month != 2]
    assert (
        "tháng 2/2026 không có biên bản sinh hoạt thường kỳ"
        in meeting_quality_reach(meetings, 2026, today, MQ_PARAMS).sentence
    )
    unexcused = _year(range(1, 6), {4: {"present": 9, "unexcused": 1}})
    reach = meeting_quality_reach(unexcused, 2026, today, MQ_PARAMS)
    assert reach.year == 2027
    assert "cuộc họp ngày 05/04/2026 có đảng viên vắng không có lý do" in reach.sentence
    # 9 of 10 is 90%, under the 95% target [001 §II.1.2(2)].
    assert "cuộc họp ngày 05/04/2026 có 9/10 đảng viên dự, cần từ 95%" in reach.sentence


def test_four_absences_in_a_row_rule_this_year_out_three_do_not():
    today = datetime.date(2026, 6, 20)
    away = {"roll_size": 20, "present": 19, "excused": 1}  # 95%: the attendance target itself is met
    three = _year(range(1, 6), {m: away for m in range(2, 5)})
    for m in three[1:4]:
        m.absences[7] = ("excused", "Lê Thị Hằng")
    assert meeting_quality_reach(three, 2026, today, MQ_PARAMS).now
    four = _year(range(1, 6), {m: away for m in range(2, 6)})
    for m in four[1:5]:
        m.absences[7] = ("excused", "Lê Thị Hằng")
    reach = meeting_quality_reach(four, 2026, today, MQ_PARAMS)
    assert reach.year == 2027 and "đồng chí Lê Thị Hằng vắng 4 lần liên tiếp (tối đa 3)" in reach.sentence


def _months(passing, failing):
    out = {m: MonthFacts(month=m, passed=True, score=95) for m in passing}
    out.update({m: MonthFacts(month=m, passed=False, score=80) for m in failing})
    return out


def test_four_goods_allows_two_failed_months_not_three():
    today = datetime.date(2026, 6, 20)
    meetings = _year(range(1, 6))
    two = four_goods_reach(meetings, _months([1, 2, 3], [4, 5]), 2026, today, FG_PARAMS)
    assert (two.year, two.now) == (2026, True)  # 3 passed + 7 months not assessed = 10
    assert "đã có 3 tháng tự đánh giá đạt (cần 10/12), còn 7 tháng chưa tự đánh giá" in two.sentence
    three = four_goods_reach(meetings, _months([1, 2], [3, 4, 5]), 2026, today, FG_PARAMS)
    assert (three.year, three.now) == (2027, False)  # 2 + 7 = 9 < 10
    assert "đã có 3 tháng tự đánh giá không đạt, nhiều nhất chỉ còn 9/12 tháng đạt, cần 10" in three.sentence


def test_a_passed_month_under_the_pass_score_does_not_count():
    today = datetime.date(2026, 6, 20)
    months = _months([1, 2, 3], [4])
    months[5] = MonthFacts(month=5, passed=True, score=85)  # under 90 [004 §II.4.2.2]
    months[6] = MonthFacts(month=6, passed=False, score=70)
    reach = four_goods_reach(_year(range(1, 6)), months, 2026, today, FG_PARAMS)
    assert reach.year == 2027  # 3 + 6 unassessed = 9 < 10


def test_four_goods_without_a_monthly_rule_reads_only_the_meetings():
    today = datetime.date(2026, 6, 20)
    params = {**FG_PARAMS, "monthly": None}  # plan 1288-KH/ĐU has no monthly self-assessment
    assert four_goods_reach(_year(range(1, 6)), {}, 2026, today, params).now
    reach = four_goods_reach(_year(range(1, 6), {2: {"level": "poor"}}), {}, 2026, today, params)
    assert reach.year == 2027


@pytest.mark.django_db
def test_the_secretarys_home_says_the_year_each_recognition_can_still_be_reached(client, tree, users):
    from django.urls import reverse

    client.force_login(users.secretary_a1)
    html = client.get(reverse("home")).content.decode()
    # Nothing recorded: the meeting regime of this year's completed months already fails (MQ1),
    # so the sentence names next year; the model cell's window has its years unrated.
    today = datetime.date.today()
    if today.month > 1:
        assert (
            f"Năm {today.year} không thể đạt nữa vì tháng 1/{today.year} không có biên bản sinh hoạt thường kỳ" in html
        )
        assert f"Sớm nhất có thể đạt vào năm {today.year + 1}." in html
    assert "vẫn có thể đạt G1" in html
