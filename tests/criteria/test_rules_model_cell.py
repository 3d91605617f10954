"""Model cell rules, straight from [000 §II] (SCHEMES §1), without a database."""

import datetime

import pytest

from criteria.results import build_result
from criteria.rules import model_cell

from .builders import MODEL_CELL, perfect_cell, plan_params, statuses

PARAMS = plan_params(MODEL_CELL)
E, G, P = "EXCELLENT", "GOOD", "PASS"


@pytest.mark.parametrize(
    ("kind", "ratings", "status", "reason_part"),
    [
        # Grassroots cell: 2020–2024 all GOOD+, at least 3 EXCELLENT [000 §II.1(1), §IV.1].
        ("gr_cell", {2020: E, 2021: E, 2022: E, 2023: G, 2024: G}, "met", "5 năm liền 2020–2024"),
        (
            "gr_cell",
            {2020: E, 2021: E, 2022: G, 2023: G, 2024: G},
            "not_met",
            "có 2 năm Hoàn thành xuất sắc nhiệm vụ, cần ít nhất 3",
        ),
        (
            "gr_cell",
            {2020: E, 2021: P, 2022: E, 2023: E, 2024: E},
            "not_met",
            "Năm 2021 chỉ xếp loại Hoàn thành nhiệm vụ",
        ),
        ("gr_cell", {2020: E, 2021: E, 2023: E, 2024: G}, "missing_data", "Năm 2022 chưa có kết quả xếp loại"),
        # Subordinate cell: only 2022–2024, at least 2 EXCELLENT: 2020–2021 do not count.
        ("sub_cell", {2020: P, 2021: P, 2022: E, 2023: E, 2024: G}, "met", "3 năm liền 2022–2024"),
        ("gr_cell", {2020: P, 2021: P, 2022: E, 2023: E, 2024: G}, "not_met", "Năm 2020 chỉ xếp loại"),
        ("sub_cell", {2022: E, 2023: G, 2024: G}, "not_met", "cần ít nhất 2"),
        # A year with no rating never counts as met, even when EXCELLENT could still come.
        ("sub_cell", {2022: E, 2023: G}, "missing_data", "Năm 2024 chưa có kết quả xếp loại"),
    ],
)
def test_g1_reads_the_window_of_each_kind_of_cell(kind, ratings, status, reason_part):
    cell = perfect_cell(kind=kind)
    cell.ratings = ratings
    result = model_cell.g1_rating_history(cell, 2024, PARAMS)
    assert result.status == status
    assert reason_part in result.reason
    assert result.section == "[000 §II.1(1); §IV.1]"


def test_g1_verdicts_shared_between_equal_histories_follow_the_plan_numbers():
    """G1 verdicts are memoized by (kind, window, ratings, plan numbers): a copied plan asking for
    2 EXCELLENT years instead of 3 judges the same history differently, before and after."""
    history = {2020: E, 2021: E, 2022: G, 2023: G, 2024: G}
    first, second = perfect_cell("gr_cell"), perfect_cell("gr_cell")
    first.ratings, second.ratings = dict(history), dict(history)
    lenient = plan_params(MODEL_CELL)
    lenient["windows"]["gr_cell"]["min_excellent"] = 2
    assert model_cell.g1_rating_history(first, 2024, PARAMS).status == "not_met"
    assert model_cell.g1_rating_history(second, 2024, lenient).status == "met"
    assert model_cell.g1_rating_history(first, 2024, PARAMS).status == "not_met"
    second.ratings[2022] = E  # a changed history is a new verdict, not the cached one
    assert model_cell.g1_rating_history(second, 2024, PARAMS).status == "met"


def test_g1_window_evidence_differs_for_a_grassroots_and_a_subordinate_cell():
    assert model_cell.g1_rating_history(perfect_cell("gr_cell"), 2024, PARAMS).evidence["window"] == [2020, 2024]
    assert model_cell.g1_rating_history(perfect_cell("sub_cell"), 2024, PARAMS).evidence["window"] == [2022, 2024]


@pytest.mark.parametrize(
    ("roll", "speakers", "status"),
    [
        (9, 3, "met"),  # fewer than 10 members -> 3 speakers
        (9, 2, "not_met"),
        (10, 5, "met"),  # 10 to 30 members -> 5
        (10, 4, "not_met"),
        (30, 5, "met"),
        (31, 8, "met"),  # more than 30 -> 8
        (31, 7, "not_met"),
    ],
)
def test_g2_speakers_by_cell_size_at_the_boundaries(roll, speakers, status):
    cell = perfect_cell()
    meeting = cell.meetings_in(2024)[2]
    meeting.roll_size = meeting.present = roll
    meeting.speakers = speakers
    result = model_cell.g2_meetings(cell, 2024, PARAMS)
    assert result.status == status
    if status == "not_met":
        need = {9: 3, 10: 5, 31: 8}[roll]
        assert f"Cuộc họp ngày 05/03/2024 có {speakers} đảng viên phát biểu, cần ít nhất {need}" in result.reason


def test_g2_fails_on_one_unexcused_absence_and_on_a_month_without_meeting():
    cell = perfect_cell()
    cell.meetings_in(2023)[0].unexcused = 1
    assert (
        "Cuộc họp ngày 05/01/2023 có 1 đảng viên vắng không có lý do"
        in model_cell.g2_meetings(cell, 2024, PARAMS).reason
    )
    cell = perfect_cell()
    cell.meetings = [m for m in cell.meetings if not (m.date.year == 2022 and m.date.month == 7)]
    result = model_cell.g2_meetings(cell, 2024, PARAMS)
    assert result.status == "not_met" and "Tháng 7/2022 không có sinh hoạt thường kỳ" in result.reason


def test_g2_a_year_without_meeting_records_is_missing_data_not_met():
    cell = perfect_cell()
    cell.meetings = [m for m in cell.meetings if m.date.year != 2023]
    result = model_cell.g2_meetings(cell, 2024, PARAMS)
    assert result.status == "missing_data"
    assert "Năm 2023 chưa có dữ liệu sinh hoạt chi bộ" in result.reason


@pytest.mark.parametrize(
    ("levels", "status"),
    [
        ((E, G), "met"),  # 50% EXCELLENT is enough
        ((G, G), "not_met"),
        ((E, P), "not_met"),
        ((E, None), "missing_data"),
    ],
)
def test_g3_mass_organizations(levels, status):
    cell = perfect_cell()
    for mass, level in zip(cell.mass_orgs, levels, strict=True):
        mass.ratings = {y: level for y in range(2020, 2025)} if level else {}
    assert model_cell.g3_mass_organizations(cell, 2024, PARAMS).status == status


def test_g3_is_not_applicable_to_a_cell_with_no_mass_organization():
    cell = perfect_cell()
    cell.mass_orgs = []
    result = model_cell.g3_mass_organizations(cell, 2024, PARAMS)
    assert result.status == "not_applicable"
    verdict = build_result(
        1, cell.name, "model_cell", 2024, 1, MODEL_CELL, "Chi bộ kiểu mẫu", model_cell.evaluate(cell, 2024, PARAMS)
    )
    assert verdict.eligible  # not applicable does not block


@pytest.mark.parametrize(
    ("rule", "field", "bad", "failing", "missing"),
    [
        (model_cell.g4_handbook, "uses_handbook", False, "không sử dụng sổ tay", "chưa ghi việc dùng sổ tay"),
        (
            model_cell.g5_exemplary_conduct,
            "good_example",
            "fair",
            "chưa được xếp loại Nêu gương tốt",
            "chưa có kết quả nêu gương",
        ),
        (model_cell.g5_exemplary_conduct, "signed_commitment", False, "chưa ký cam kết", "chưa ghi việc ký cam kết"),
        (
            model_cell.g5_exemplary_conduct,
            "no_degradation",
            False,
            "có biểu hiện suy thoái",
            "chưa có nhận xét về suy thoái",
        ),
        (model_cell.g6_cultural_family, "cultural_family", False, "không đạt Gia đình văn hóa", "chưa ghi danh hiệu"),
        (model_cell.g7_residence, "residence_exemplary", False, "chưa được nơi cư trú", "chưa có nhận xét nơi cư trú"),
    ],
)
def test_g4_to_g7_need_every_member_and_name_who_fails(rule, field, bad, failing, missing):
    cell = perfect_cell()
    setattr(cell.members[3].attestations[2023], field, bad)
    result = rule(cell, 2024, PARAMS)
    assert result.status == "not_met"
    assert failing in result.reason and "Đảng viên 03" in result.reason
    cell = perfect_cell()
    setattr(cell.members[4].attestations[2024], field, "" if field == "good_example" else None)
    result = rule(cell, 2024, PARAMS)
    assert result.status == "missing_data"
    assert missing in result.reason and "Đảng viên 04" in result.reason


def test_a_member_who_left_before_31_december_is_not_on_that_years_roll():
    cell = perfect_cell()
    cell.memberships = [(m, s, datetime.date(2023, 6, 30) if m == 5 else e) for m, s, e in cell.memberships]
    cell.members[5].attestations[2024].uses_handbook = False
    assert model_cell.g4_handbook(cell, 2024, PARAMS).status == "met"


@pytest.mark.parametrize(
    ("unit_type", "codes"),
    [
        ("admin", ["A1", "A2", "A3", "A4"]),
        ("service", ["S1", "S2", "S3", "S4"]),
        ("enterprise", ["E1", "E2", "E3", "E4", "E5"]),
        ("other", ["LH"]),
    ],
)
def test_each_unit_type_gets_its_own_criteria(unit_type, codes):
    cell = perfect_cell(unit_type=unit_type)
    results = model_cell.evaluate(cell, 2024, PARAMS)
    assert [r.code for r in results[7:]] == codes
    if unit_type == "other":
        assert results[7].status == "not_applicable"
        assert "chỉ xét các tiêu chí chung" in results[7].reason


def test_satisfaction_may_be_not_applicable_but_rules_in_force_may_not():
    cell = perfect_cell(unit_type="admin")
    for y in (2022, 2023, 2024):
        cell.unit_attestations[(y, "A3")] = "na"
    cell.unit_attestations[(2023, "A1")] = "na"
    result = statuses(model_cell.evaluate(cell, 2024, PARAMS))
    assert result["A3"] == "not_applicable"
    assert result["A1"] == "not_met"


def test_e2_counts_admissions_against_the_target():
    cell = perfect_cell(unit_type="enterprise")
    cell.yearly[2023].admission_target, cell.yearly[2023].admitted_count = 3, 2
    result = model_cell.unit_rule("E2")(cell, 2024, PARAMS)
    assert result.status == "not_met" and "Năm 2023 kết nạp 2 đảng viên, chỉ tiêu 3" in result.reason


def test_a_missing_unit_attestation_is_missing_data():
    cell = perfect_cell(unit_type="service")
    del cell.unit_attestations[(2024, "S2")]
    assert statuses(model_cell.evaluate(cell, 2024, PARAMS))["S2"] == "missing_data"


def test_eligible_only_when_every_applicable_criterion_is_met():
    cell = perfect_cell()
    verdict = build_result(
        1, cell.name, "model_cell", 2024, 1, MODEL_CELL, "Chi bộ kiểu mẫu", model_cell.evaluate(cell, 2024, PARAMS)
    )
    assert verdict.eligible and not verdict.near_miss
    cell = perfect_cell()
    cell.members[2].attestations[2024].cultural_family = None
    verdict = build_result(
        1, cell.name, "model_cell", 2024, 1, MODEL_CELL, "Chi bộ kiểu mẫu", model_cell.evaluate(cell, 2024, PARAMS)
    )
    assert not verdict.eligible and verdict.near_miss and verdict.missing_data
    assert "thiếu dữ liệu G6" in verdict.summary


def test_selection_bar_of_2022():
    cell = perfect_cell()
    cell.ratings.update({2020: "GOOD", 2021: "EXCELLENT"})
    assert model_cell.selection(cell, PARAMS)[0] is True
    cell.ratings.update({2020: "GOOD", 2021: "GOOD"})
    assert model_cell.selection(cell, PARAMS)[0] is False


def test_a_committee_is_never_a_model_cell():
    committee = perfect_cell(kind="gr_committee")
    results = model_cell.evaluate(committee, 2024, PARAMS)
    verdict = build_result(1, committee.name, "model_cell", 2024, 1, MODEL_CELL, "Chi bộ kiểu mẫu", results)
    assert [r.status for r in results] == ["not_applicable"] and not verdict.eligible
