"""One source per threshold (issue 12): the monthly flags and the rules read the plan in force.

Speakers by the cell's size are the model-cell plan's [000 §II.1(2)]: a cell of 9 or fewer
members needs 3, up to 30 needs 5, more needs 8 (SCHEMES §1.1 G2). The consecutive-absence limit
(absent more than 3 meetings in a row fails) and the attendance target (95% or more) are the
meeting-quality plan's [001 §II.1.2(2)], its quality levels (good from 90 points) [001 §III.4];
a four-goods month passes from 90 points [004 §II.4.2.2]. A committee that copies a plan and
changes one of these numbers changes the monthly flag and the verdict together.
"""

import datetime

import pytest

from criteria import demo, engine
from criteria.models import Scheme
from criteria.services import plan_copy
from evaluations import services
from evaluations.models import FourGoodsAssessment, Meeting
from evaluations.selectors import FLAG_FEW_SPEAKERS, FLAG_LONG_ABSENCE, flags_for_cell
from tests.evaluations.factories import file_meeting, members_on

YEAR = 2025
AFTER = datetime.date(2026, 1, 15)


@pytest.fixture
def plans(db):
    return {plan.number: plan for plan in demo.populate()}


def _copy(plans, number, tree, change):
    params = dict(plans[number].params)
    change(params)
    plan = plans[number]
    copy = plan_copy(plan=plan, issuer=tree.block, number="99-KH/ĐUK")
    copy.params = params
    copy.save()
    return copy


def _year_of_meetings(user, cell, members, absent_months=(), absentee=None, **attendance):
    for month in range(1, 13):
        kind = "combined" if month % 3 == 0 else "regular"
        absent = [absentee] if month in absent_months else []
        day = datetime.date(YEAR, month, 5)
        file_meeting(user, cell, members, day, kind=kind, minutes=130, absent=absent, **attendance)


def _criterion(cell, scheme, code):
    result = engine.evaluate([cell], scheme, YEAR)[cell.pk]
    return next(c for c in result.criteria if c.code == code)


def _codes(cell, code):
    return [f for f in flags_for_cell(cell, YEAR, AFTER) if f.code == code]


def test_a_copied_plan_asking_more_speakers_of_a_cell_of_ten_changes_the_flag_and_the_verdict(plans, tree, users):
    members = members_on(tree.cell_b, 10)
    _year_of_meetings(users.secretary_b, tree.cell_b, members, speakers=5)
    assert set(Meeting.objects.filter(cell=tree.cell_b).values_list("roll_size", "speakers_count")) == {(10, 5)}
    # The seed plan: a cell of 10 needs 5 speakers; nobody is flagged, G2 finds no meeting short.
    assert _codes(tree.cell_b, FLAG_FEW_SPEAKERS) == []
    g2 = _criterion(tree.cell_b, Scheme.MODEL_CELL, "G2")
    assert g2.evidence["meetings"] == []
    assert "phát biểu" not in g2.reason

    def six_for_ten(params):
        params["speakers"] = [
            {"max_members": 9, "min": 3},
            {"max_members": 30, "min": 6},
            {"max_members": None, "min": 8},
        ]

    _copy(plans, "128-KH/ĐUK", tree, six_for_ten)
    flagged = _codes(tree.cell_b, FLAG_FEW_SPEAKERS)
    assert len(flagged) == 12
    assert flagged[0].message == "Sinh hoạt ngày 05/01/2025 chỉ có 5 đảng viên phát biểu, yêu cầu tối thiểu 6."
    g2 = _criterion(tree.cell_b, Scheme.MODEL_CELL, "G2")
    assert g2.status == "not_met"
    assert [m["need"] for m in g2.evidence["meetings"]] == [6] * 12
    assert "Cuộc họp ngày 05/01/2025 có 5 đảng viên phát biểu, cần ít nhất 6" in g2.reason
    assert g2.section == "99-KH/ĐUK §II.1(2)"


def test_a_copied_plan_with_a_lower_absence_limit_changes_the_flag_and_the_verdict(plans, tree, users):
    members = members_on(tree.cell_b, 6)
    away = members[1]
    away.full_name = "Vắng Ba Lần"
    away.save()
    # Away (excused) from three meetings in a row: within the seed's limit of 3.
    _year_of_meetings(users.secretary_b, tree.cell_b, members, absent_months=(4, 5, 6), absentee=away)
    assert _codes(tree.cell_b, FLAG_LONG_ABSENCE) == []
    assert _criterion(tree.cell_b, Scheme.MEETING_QUALITY, "MQ4").status == "met"

    def two(params):
        params["max_consecutive_absences"] = 2

    _copy(plans, "01-ĐA/ĐUK", tree, two)
    flagged = _codes(tree.cell_b, FLAG_LONG_ABSENCE)
    assert [f.member_id for f in flagged] == [away.pk]
    mq4 = _criterion(tree.cell_b, Scheme.MEETING_QUALITY, "MQ4")
    assert mq4.status == "not_met"
    assert "Đồng chí Vắng Ba Lần vắng 3 lần liên tiếp từ cuộc họp ngày 05/04/2025 (tối đa 2)" in mq4.reason


def test_a_copied_plan_with_other_levels_and_pass_mark_scores_the_next_records_by_them(plans, tree, users):
    members = members_on(tree.cell_b, 6)
    # 14 + 19 + 42 + 18 = 93 points: good under the seed (from 90).
    first = file_meeting(users.secretary_b, tree.cell_b, members, datetime.date(YEAR, 1, 5), minutes=130)
    assert first.quality_level == "good"

    def stricter(params):
        params["quality_levels"] = {"good": 95, "fair": 75, "average": 50}

    _copy(plans, "01-ĐA/ĐUK", tree, stricter)
    second = file_meeting(users.secretary_b, tree.cell_b, members, datetime.date(YEAR, 2, 5), minutes=130)
    assert second.quality_level == "fair"  # 93 < 95 under the copy

    def higher_pass(params):
        params["monthly"] = dict(params["monthly"], pass_score=95)

    _copy(plans, "39-KH/ĐU", tree, higher_pass)
    points = {"FG1": 24, "FG2": 23, "FG3": 23, "FG4": 22}  # 92: passes from 90, not from 95
    achieved = {code: True for code in points}
    month = services.four_goods_save(
        user=users.secretary_b,
        organization=tree.cell_b,
        year=YEAR,
        month=1,
        points=points,
        achieved=achieved,
        today=AFTER,
    )
    assert month.passed is False
    fg5 = _criterion(tree.cell_b, Scheme.FOUR_GOODS, "FG5")
    assert fg5.evidence["pass_score"] == 95 and fg5.evidence["passed_months"] == []
    assert FourGoodsAssessment.objects.get(pk=month.pk).passed is False
