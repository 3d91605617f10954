"""The engine against the database: plans, fixed query counts, verdicts, gap report, surfaces."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria import demo, engine
from criteria.models import Plan, Scheme
from registry.models import OrganizationKind, Rating
from tests.factories import OrganizationFactory

from .factories import fill_cell

ALL = [Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.EXEMPLARY]


@pytest.fixture
def plans(db):
    return demo.populate()


def test_populate_loads_the_five_seed_plans_once(plans):
    demo.populate()
    assert Plan.objects.count() == 5
    numbers = set(Plan.objects.values_list("number", flat=True))
    assert numbers == {"128-KH/ĐUK", "01-ĐA/ĐUK", "1288-KH/ĐU", "46-KH/ĐUK", "39-KH/ĐU"}


def test_plan_none_picks_the_newest_plan_of_the_scheme(plans, tree):
    result = engine.evaluate([tree.cell_b], Scheme.FOUR_GOODS, 2024)[tree.cell_b.pk]
    assert result.plan_number == "39-KH/ĐU"  # 28/8/2024 is newer than 05/02/2024
    tkv = Plan.objects.get(number="1288-KH/ĐU")
    assert engine.evaluate([tree.cell_b], Scheme.FOUR_GOODS, 2024, tkv)[tree.cell_b.pk].plan_id == tkv.pk


def test_without_stored_plans_the_seed_defaults_apply(tree):
    result = engine.evaluate([tree.cell_b], Scheme.MODEL_CELL, 2024)[tree.cell_b.pk]
    assert result.plan_number == "128-KH/ĐUK" and result.plan_id is None


def _cells(parent, n):
    cells = [OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=parent) for _ in range(n)]
    for cell in cells:
        fill_cell(cell, members=3, years=[2023, 2024])
    return cells


def test_loader_query_count_does_not_grow_with_cells(plans, tree):
    few = _cells(tree.committee_a, 2)
    many = _cells(tree.committee_a, 20)
    with CaptureQueriesContext(connection) as small:
        engine.evaluate_all(few, 2024, ALL)
    with CaptureQueriesContext(connection) as large:
        engine.evaluate_all(many, 2024, ALL)
    assert len(small) == len(large), [q["sql"][:80] for q in large]
    assert len(large) <= 25


def test_a_complete_grassroots_cell_is_eligible_for_the_model_cell(plans, tree):
    fill_cell(tree.cell_b, members=6)
    result = engine.evaluate([tree.cell_b], Scheme.MODEL_CELL, 2024)[tree.cell_b.pk]
    assert result.eligible, result.summary
    data = result.as_dict()
    json.dumps(data)
    assert data["plan_number"] == "128-KH/ĐUK" and data["criteria"][0]["code"] == "G1"


def test_one_missing_rating_makes_the_cell_a_near_miss_with_a_gap(plans, tree):
    fill_cell(tree.cell_b, members=6)
    Rating.objects.filter(organization=tree.cell_b, year=2022).update(level="GOOD")
    result = engine.evaluate([tree.cell_b], Scheme.MODEL_CELL, 2024)[tree.cell_b.pk]
    assert not result.eligible and result.near_miss
    assert "cần ít nhất 3" in result.criteria[0].reason
    gaps = engine.gap_report(tree.cell_b, Scheme.MODEL_CELL, 2024)
    # Every year of the window is rated: the target cannot be reached, and the report says so plainly.
    assert (
        "Cần thêm 1 năm Hoàn thành xuất sắc nhiệm vụ trong giai đoạn 2020–2024: giai đoạn 2020–2024 "
        "không thể đạt G1 nữa, vì chỉ còn 0 năm chưa xếp loại; cần chờ giai đoạn sau"
    ) in gaps


def test_gap_report_for_a_future_year_asks_for_the_years_still_to_come(plans, tree):
    fill_cell(tree.cell_b, members=6, years=[2020, 2021, 2022])
    gaps = engine.gap_report(tree.cell_b, Scheme.MODEL_CELL, 2024)
    assert "Năm 2024 cần được xếp loại Hoàn thành tốt nhiệm vụ trở lên" in gaps
    assert any(g.startswith("Cần thêm 1 năm Hoàn thành xuất sắc nhiệm vụ trong giai đoạn 2020–2024") for g in gaps)


def test_evaluate_members_checks_the_collective_of_a_leader(plans, tree):
    people = fill_cell(tree.cell_b, members=4, years=[2023, 2024])
    leader = people[0]
    Rating.objects.filter(member=leader, year=2024).update(level="EXCELLENT")
    result = engine.evaluate_members([leader], 2024)[leader.pk]
    codes = {c.code: c.status for c in result.criteria}
    assert codes["EXI1"] == "met" and codes["EXI2"] == "met"
    # The cell is rated GOOD in 2024 (not EXCELLENT): the leader is not an exemplar.
    assert codes["EXI3"] == "not_met"
    Rating.objects.filter(organization=tree.cell_b, year=2024).update(level="EXCELLENT")
    result = engine.evaluate_members([leader], 2024)[leader.pk]
    assert result.eligible, result.summary


def test_four_goods_commendation_is_capped_per_authority(plans, tree):
    cells = _cells(tree.committee_a, 5)
    Rating.objects.filter(organization__in=cells, year=2024).update(level="EXCELLENT")
    results = engine.evaluate(cells, Scheme.FOUR_GOODS, 2024)
    assert all(r.eligible for r in results.values())
    commendable = [r for r in results.values() if r.extra.get("commendable")]
    assert len(commendable) == 1  # 20% of 5, rounded down
    assert all(r.extra["authority_id"] == tree.committee_a.pk for r in results.values())


def test_the_cell_page_partial_renders_every_scheme_with_reasons(plans, tree, rf):
    fill_cell(tree.cell_a1, members=3, years=[2023, 2024])
    request = rf.get("/", {"year": "2024"})
    html = render_to_string("criteria/_cell_verdicts.html", {"cell": tree.cell_a1, "request": request})
    for label in ("Chi bộ kiểu mẫu", "Chất lượng sinh hoạt chi bộ", "bốn tốt", "Mô hình, điển hình"):
        assert label in html
    assert "128-KH/ĐUK" in html and "Năm 2022 chưa có kết quả xếp loại" in html


def test_ranking_page_filters_and_exports_csv(plans, tree, users, client):
    fill_cell(tree.cell_a1, members=3, years=[2022, 2023, 2024])
    client.force_login(users.org_board)
    url = reverse("criteria:ranking")
    response = client.get(url, {"org": tree.block.pk, "scheme": "model_cell", "year": 2024, "filter": "eligible"})
    assert response.status_code == 200
    assert [r.subject_id for r in response.context["page"]] == [tree.cell_a1.pk]
    response = client.get(url, {"org": tree.block.pk, "scheme": "model_cell", "year": 2024, "format": "csv"})
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv") and body.count("\n") == 4


def test_pages_and_api_answer_404_outside_the_users_scope(plans, tree, users, client):
    client.force_login(users.secretary_a1)
    assert client.get(reverse("criteria:subject", args=[tree.cell_b.pk])).status_code == 404
    assert client.get(reverse("criteria:ranking"), {"org": tree.cell_b.pk}).status_code == 404
    assert client.get(f"/api/criteria/verdicts/{tree.cell_b.pk}/").status_code == 404
    assert client.get(f"/api/criteria/verdicts/{tree.cell_a1.pk}/", {"year": 2024}).status_code == 200


def test_api_subject_and_subtree(plans, tree, users, client):
    fill_cell(tree.cell_a1, members=3, years=[2022, 2023, 2024])
    client.force_login(users.committee_staff_a)
    data = client.get(f"/api/criteria/verdicts/{tree.cell_a1.pk}/", {"year": 2024}).json()
    assert [r["scheme"] for r in data["results"]] == ALL
    assert data["results"][0]["criteria"][0]["evidence"]["window"] == [2022, 2024]
    data = client.get(
        f"/api/criteria/verdicts/{tree.committee_a.pk}/subtree/", {"year": 2024, "scheme": "model_cell"}
    ).json()
    assert data["count"] == 2 and data["results"][0]["subject_id"] == tree.cell_a1.pk
    data = client.get(f"/api/criteria/verdicts/{tree.block.pk}/indicators/", {"year": 2024})
    assert data.status_code == 404  # the block is above the committee staff's reach


def test_dashboard_and_indicator_drill_down(plans, tree, users, client):
    fill_cell(tree.cell_a1, members=3, years=[2022, 2023, 2024])
    tree.cell_b.head_is_secretary = True
    tree.cell_b.save()
    client.force_login(users.standing)
    response = client.get(reverse("criteria:dashboard"), {"org": tree.block.pk, "year": 2024})
    assert response.status_code == 200 and "<svg" in response.content.decode()
    figures = {f["code"]: f for f in response.context["figures"]}
    assert figures["model_cells"]["numerator"] == 1 and figures["model_cells"]["denominator"] == 3
    assert figures["unit_head_secretary"]["value"] == 50.0
    response = client.get(reverse("criteria:indicator", args=["model_cells"]), {"org": tree.block.pk, "year": 2024})
    assert response.status_code == 200
    assert [pk for pk, _name in response.context["counted"].rows] == [tree.cell_a1.pk]
    api = client.get(f"/api/criteria/verdicts/{tree.block.pk}/indicators/", {"year": 2024}).json()
    assert {f["code"] for f in api["indicators"]} >= {
        "model_cells",
        "registrations",
        "meeting_quality_good",
        "members_good",
    }


def test_evaluate_subtree_command_writes_json_and_csv(plans, tree):
    fill_cell(tree.cell_b, members=3, years=[2022, 2023, 2024])
    out = StringIO()
    call_command("evaluate_subtree", tree.block.pk, "--scheme", "meeting_quality", "--year", "2024", stdout=out)
    data = json.loads(out.getvalue())
    assert {row["subject_id"] for row in data} == {tree.cell_a1.pk, tree.cell_a2.pk, tree.cell_b.pk}
    out = StringIO()
    call_command(
        "evaluate_subtree", tree.block.pk, "--scheme", "four_goods", "--year", "2024", "--format", "csv", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("id,ten") and len(lines) == 5  # 3 cells and the committee


def test_admin_copies_a_plan(plans, admin_client):
    plan = Plan.objects.get(number="128-KH/ĐUK")
    response = admin_client.post(
        reverse("admin:criteria_plan_changelist"), {"action": "copy_plans", "_selected_action": [plan.pk]}
    )
    assert response.status_code == 302
    copy = Plan.objects.get(copied_from=plan)
    assert copy.params == plan.params and copy.scheme == plan.scheme
