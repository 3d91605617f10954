"""Four-goods rules [002 §II], [004 §II.3–§II.4] (SCHEMES §3), without a database."""

import pytest

from criteria.facts import MonthFacts
from criteria.rules import four_goods

from .builders import FOUR_GOODS_HD, FOUR_GOODS_TKV, perfect_cell, perfect_committee, plan_params, statuses

HD = plan_params(FOUR_GOODS_HD)
TKV = plan_params(FOUR_GOODS_TKV)


@pytest.mark.parametrize(("passing", "status"), [(10, "met"), (9, "not_met"), (12, "met")])
def test_ten_of_twelve_months_must_pass(passing, status):
    cell = perfect_cell()
    cell.four_goods[2024] = {m: MonthFacts(m, m <= passing, 95.0 if m <= passing else 60.0) for m in range(1, 13)}
    result = four_goods.fg5_monthly(cell, 2024, HD)
    assert result.status == status
    if status == "not_met":
        assert "Năm 2024 có 9/12 tháng tự đánh giá đạt (từ 90 điểm), cần ít nhất 10" in result.reason


def test_a_passed_month_below_the_pass_mark_does_not_count():
    cell = perfect_cell()
    cell.four_goods[2024] = {m: MonthFacts(m, True, 89.0 if m <= 3 else 95.0) for m in range(1, 13)}
    assert four_goods.fg5_monthly(cell, 2024, HD).status == "not_met"


def test_unassessed_months_are_missing_data_while_ten_are_still_possible():
    cell = perfect_cell()
    cell.four_goods[2024] = {m: MonthFacts(m, True, 95.0) for m in range(1, 9)}
    assert four_goods.fg5_monthly(cell, 2024, HD).status == "missing_data"


def test_the_tkv_plan_has_no_monthly_self_assessment_and_no_rating_condition():
    result = statuses(four_goods.evaluate(perfect_cell(), 2024, TKV))
    assert result["FG5"] == "not_applicable" and result["FG1.4"] == "not_applicable"


@pytest.mark.parametrize(("good", "status"), [(9, "met"), (8, "not_met")])
def test_ninety_percent_of_members_good_or_better(good, status):
    cell = perfect_cell(members=10)
    for pk in range(good + 1, 11):
        cell.members[pk].ratings[2024] = "PASS"
    assert four_goods.fg1_ratings(cell, 2024, HD).status == status


@pytest.mark.parametrize(("level", "status"), [("GOOD", "met"), ("PASS", "not_met"), (None, "missing_data")])
def test_the_hai_duong_plan_needs_the_cell_rated_good(level, status):
    cell = perfect_cell()
    cell.ratings[2024] = level
    if level is None:
        del cell.ratings[2024]
    assert four_goods.fg1_org_rating(cell, 2024, HD).status == status


def test_a_disciplined_member_fails_unity_and_discipline_by_name():
    import datetime

    cell = perfect_cell()
    cell.members[6].disciplined_on.append(datetime.date(2024, 9, 1))
    result = four_goods.fg3_no_discipline(cell, 2024, HD)
    assert result.status == "not_met" and "Đảng viên 06" in result.reason


def test_a_violation_fails_even_without_discipline():
    import datetime

    cell = perfect_cell()
    cell.members[2].violations_on.append(datetime.date(2024, 2, 1))
    assert four_goods.fg3_no_violation(cell, 2024, HD).status == "not_met"


@pytest.mark.parametrize(
    ("passed", "cap"),
    [(10, 2), (9, 1), (5, 1), (4, 0), (0, 0), (14, 2), (15, 3)],
)
def test_commendation_cap_is_twenty_percent_rounded_down(passed, cap):
    """[004 §II.4.2.2] "không quá 20%": floor, so the cap is never exceeded."""
    assert four_goods.commendation_cap(passed, HD) == cap
    assert four_goods.commendation_cap(passed, TKV) == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda c: setattr(c.yearly[2024], "committee_meetings", 11), "FG2.1"),
        (lambda c: setattr(c.yearly[2024], "congress_meetings", 1), "FG2.1"),
        (lambda c: setattr(c.yearly[2024], "organizations_disciplined", 1), "FG3.3"),
        (lambda c: [setattr(ch, "ratings", {2024: "PASS"}) for ch in c.children[:2]], "FG1.3"),
    ],
)
def test_a_grassroots_committee_is_judged_on_its_committee_and_subordinates(change, code):
    committee = perfect_committee()
    assert all(s in ("met", "not_applicable") for s in statuses(four_goods.evaluate(committee, 2024, HD)).values())
    change(committee)
    assert statuses(four_goods.evaluate(committee, 2024, HD))[code] == "not_met"


def test_four_good_members_need_every_attestation():
    cell = perfect_cell()
    cell.members[9].attestations[2024].dues_paid = False
    result = four_goods.fg4_good_members(cell, 2024, HD)
    assert result.status == "not_met" and "chưa đóng đảng phí đầy đủ" in result.reason
