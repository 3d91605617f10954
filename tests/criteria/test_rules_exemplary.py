"""Exemplary collectives and individuals [003 §II.2, §III.2.1] (SCHEMES §4), without a database."""

import pytest

from criteria.results import build_result
from criteria.rules import exemplary

from .builders import EXEMPLARY, member, perfect_cell, plan_params

PARAMS = plan_params(EXEMPLARY)


def test_phase_years():
    assert exemplary.phase_years(2023, PARAMS) == [2021, 2022, 2023]
    assert exemplary.phase_years(2024, PARAMS) == [2023, 2024]
    assert exemplary.phase_years(2025, PARAMS) == [2023, 2024, 2025]


@pytest.mark.parametrize(
    ("good", "leader_good", "status"),
    [
        (7, True, "not_met"),  # exactly 70%: "trên 70%" needs more
        (8, True, "met"),
        (10, False, "not_met"),  # 90% of members but a leader short of "good"
    ],
)
def test_more_than_70_percent_and_every_leader_set_a_good_example(good, leader_good, status):
    cell = perfect_cell(members=10)
    for pk in range(1, 11):
        for year in (2023, 2024):
            cell.members[pk].attestations[year].good_example = "good" if pk <= good else "fair"
    if not leader_good:
        cell.members[2].is_leader = True
        cell.members[2].attestations[2024].good_example = "fair"
        cell.members[10].attestations[2024].good_example = "good"
    result = exemplary.ex4_good_example(cell, 2024, PARAMS)
    assert result.status == status
    if good == 7:
        assert "có 7/10 đảng viên nêu gương tốt, cần trên 70%" in result.reason


def test_a_year_with_no_organization_rating_is_missing_data():
    cell = perfect_cell()
    del cell.ratings[2023]
    result = exemplary.ex6_rating(cell, 2024, PARAMS)
    assert result.status == "missing_data" and "Năm 2023 chưa có kết quả xếp loại" in result.reason


def _individual(ratings, **flags):
    person = member(50, [], name="Lê Văn Nam", **flags)
    person.ratings = ratings
    return person


@pytest.mark.parametrize(
    ("ratings", "codes"),
    [
        ({2023: "EXCELLENT", 2024: "GOOD"}, {"EXI1": "met", "EXI2": "met"}),
        ({2023: "GOOD", 2024: "GOOD"}, {"EXI1": "met", "EXI2": "not_met"}),
        ({2023: "EXCELLENT", 2024: "PASS"}, {"EXI1": "not_met", "EXI2": "met"}),
        ({2023: "GOOD"}, {"EXI1": "missing_data", "EXI2": "missing_data"}),
    ],
)
def test_an_individual_is_good_every_year_and_excellent_once(ratings, codes):
    results = {r.code: r.status for r in exemplary.evaluate_individual(_individual(ratings), 2024, PARAMS)}
    for code, status in codes.items():
        assert results[code] == status
    assert results["EXI3"] == "not_applicable" and results["EXI4"] == "not_applicable"


def _collective(eligible, rating):
    cell = perfect_cell()
    cell.ratings[2024] = rating
    if not eligible:
        cell.members[3].disciplined_on.append(__import__("datetime").date(2024, 4, 1))
    verdict = build_result(
        cell.id, cell.name, "exemplary", 2024, 4, EXEMPLARY, "Điển hình", exemplary.evaluate(cell, 2024, PARAMS)
    )
    return cell, verdict


@pytest.mark.parametrize(
    ("eligible", "rating", "status", "reason_part"),
    [
        (True, "EXCELLENT", "met", "là tập thể điển hình"),
        (False, "EXCELLENT", "not_met", "chưa là tập thể điển hình"),
        (True, "GOOD", "not_met", "chỉ xếp loại Hoàn thành tốt nhiệm vụ, cần Hoàn thành xuất sắc nhiệm vụ"),
    ],
)
def test_a_leader_is_an_exemplar_only_when_the_collective_is_exemplary_and_excellent(
    eligible, rating, status, reason_part
):
    leader = _individual({2023: "EXCELLENT", 2024: "EXCELLENT"}, is_leader=True)
    result = exemplary.exi3_leader_collective(leader, 2024, PARAMS, _collective(eligible, rating))
    assert result.status == status and reason_part in result.reason


def test_a_direct_worker_needs_the_nomination():
    worker = _individual({2023: "EXCELLENT", 2024: "GOOD"}, is_direct_worker=True)
    assert exemplary.exi4_direct_worker(worker, 2024, PARAMS).status == "missing_data"
    worker.nominations[2024] = __import__("criteria.facts", fromlist=["NominationFacts"]).NominationFacts(
        True, False, True
    )
    result = exemplary.exi4_direct_worker(worker, 2024, PARAMS)
    assert result.status == "not_met" and "chưa được lãnh đạo và tập thể tín nhiệm" in result.reason


def test_model_types_by_unit_type():
    enterprise = [t["number"] for t in exemplary.allowed_model_types("enterprise", "gr_committee", PARAMS)]
    assert enterprise == [1, 2, 10, 11, 12]
    school = [t["number"] for t in exemplary.allowed_model_types("service", "sub_cell", PARAMS)]
    assert 3 in school and 4 in school and 1 not in school
