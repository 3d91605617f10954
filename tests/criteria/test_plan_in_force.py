"""Which plan judges an organization in a year (issue 12: "the plan in force for that organization and year").

"The same scheme is run with different numbers by different committees" (SCHEMES, §intro): a plan
binds everything under its issuer. So for a cell the candidates are the plans issued by the cell
or one of its ancestors and the portal's defaults (the seeds, no issuer); a plan whose period
covers the year comes first, then the nearest issuer, then the newest issued. Another block's
plan never applies. The monthly thresholds (evaluations.thresholds) follow the same choice.
"""

import datetime

import pytest

from criteria import demo, engine
from criteria.models import Scheme
from criteria.services import plan_copy
from evaluations import thresholds

YEAR = 2025


@pytest.fixture
def plans(db):
    return {plan.number: plan for plan in demo.populate()}


def _copy(plan, issuer, number, **changes):
    copy = plan_copy(plan=plan, issuer=issuer, number=number)
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    return copy


def test_without_own_plans_every_organization_is_judged_by_the_seeds(plans, tree):
    for scheme, number in ((Scheme.MODEL_CELL, "128-KH/ĐUK"), (Scheme.MEETING_QUALITY, "01-ĐA/ĐUK")):
        assert engine.plan_in_force(scheme, tree.cell_a1, YEAR) == plans[number]
    # Two four-goods seeds: both cover 2025, the newer (39-KH/ĐU, 28/8/2024) is in force.
    assert engine.plan_in_force(Scheme.FOUR_GOODS, tree.cell_b, YEAR) == plans["39-KH/ĐU"]


def test_a_block_plan_binds_its_cells_and_not_another_blocks(plans, tree, other_block):
    own = _copy(plans["128-KH/ĐUK"], tree.block, "15-KH/ĐUK")
    assert engine.plan_in_force(Scheme.MODEL_CELL, tree.cell_a1, YEAR) == own
    assert engine.plan_in_force(Scheme.MODEL_CELL, tree.block, YEAR) == own
    assert engine.plan_in_force(Scheme.MODEL_CELL, other_block.cell, YEAR) == plans["128-KH/ĐUK"]
    # The verdicts say so: each cell's result names its own plan.
    results = engine.evaluate([tree.cell_a1, other_block.cell], Scheme.MODEL_CELL, YEAR)
    assert results[tree.cell_a1.pk].plan_number == "15-KH/ĐUK"
    assert results[other_block.cell.pk].plan_number == "128-KH/ĐUK"


def test_the_nearest_issuer_wins_over_the_block(plans, tree):
    _copy(plans["01-ĐA/ĐUK"], tree.block, "20-ĐA/ĐUK")
    committee = _copy(plans["01-ĐA/ĐUK"], tree.committee_a, "05-ĐA/ĐU")
    assert engine.plan_in_force(Scheme.MEETING_QUALITY, tree.cell_a1, YEAR) == committee
    assert engine.plan_in_force(Scheme.MEETING_QUALITY, tree.cell_b, YEAR).number == "20-ĐA/ĐUK"


def test_a_plan_whose_period_ended_gives_way_to_one_in_force_for_the_year(plans, tree):
    old = _copy(plans["128-KH/ĐUK"], tree.block, "15-KH/ĐUK")  # 2022–2025
    new = _copy(
        plans["128-KH/ĐUK"],
        tree.block,
        "30-KH/ĐUK",
        period_start_year=2026,
        period_end_year=2030,
        issued_on=datetime.date(2026, 3, 1),
    )
    assert engine.plan_in_force(Scheme.MODEL_CELL, tree.cell_b, 2025) == old
    assert engine.plan_in_force(Scheme.MODEL_CELL, tree.cell_b, 2027) == new


def test_the_monthly_thresholds_follow_the_plan_of_each_organization(plans, tree, other_block):
    params = dict(plans["01-ĐA/ĐUK"].params, max_consecutive_absences=2)
    _copy(plans["01-ĐA/ĐUK"], tree.block, "20-ĐA/ĐUK", params=params)
    found = thresholds.for_organizations([tree.cell_a1, other_block.cell], YEAR)
    # The copy's limit (2) for the block's cell; the seed's [001 §II.1.2(2)]: more than 3 in a row, elsewhere.
    assert found[tree.cell_a1.pk].max_consecutive_absences == 2
    assert found[other_block.cell.pk].max_consecutive_absences == 3
    assert "20-ĐA/ĐUK" in found[tree.cell_a1.pk].source and "01-ĐA/ĐUK" in found[other_block.cell.pk].source


def test_many_cells_choose_their_plans_in_one_query(plans, tree, other_block, django_assert_num_queries):
    _copy(plans["128-KH/ĐUK"], tree.block, "15-KH/ĐUK")
    cells = [tree.cell_a1, tree.cell_a2, tree.cell_b, other_block.cell]
    with django_assert_num_queries(1):
        found = thresholds.for_organizations(cells, YEAR)
    assert len({found[c.pk].source for c in cells}) == 2


def test_a_plan_past_its_period_still_governs_and_editing_it_marks_those_years(plans, tree):
    from criteria import verdicts
    from criteria.models import Verdict

    own = _copy(plans["128-KH/ĐUK"], tree.block, "15-KH/ĐUK")  # 2022–2025
    # 2026: the block issued nothing newer, so its plan stays in force for its cells.
    verdicts.compute_and_store([tree.cell_b.pk], Scheme.MODEL_CELL, 2026)
    row = Verdict.objects.get(organization=tree.cell_b, scheme=Scheme.MODEL_CELL, year=2026)
    assert row.plan_id == own.pk and row.stale_since is None
    own.params = dict(own.params, targets=dict(own.params["targets"]))
    own.save()
    row.refresh_from_db()
    assert row.stale_since is not None, "the edit reaches the year past the period it governs"


def test_a_deleted_plan_hands_its_cells_back_to_the_default_and_marks_them(plans, tree):
    from criteria import verdicts
    from criteria.models import Verdict

    own = _copy(plans["01-ĐA/ĐUK"], tree.block, "20-ĐA/ĐUK")
    verdicts.compute_and_store([tree.cell_a1.pk], Scheme.MEETING_QUALITY, YEAR)
    own.delete()
    row = Verdict.objects.get(organization=tree.cell_a1, scheme=Scheme.MEETING_QUALITY, year=YEAR)
    assert row.stale_since is not None
    assert engine.plan_in_force(Scheme.MEETING_QUALITY, tree.cell_a1, YEAR) == plans["01-ĐA/ĐUK"]


def test_a_plan_change_restates_the_saved_figures_through_the_outbox(plans, tree):
    """Kept in the outbox when the broker is down, like every task sent after a write (registry.outbox)."""
    from registry.models import PendingTask

    _copy(plans["01-ĐA/ĐUK"], tree.block, "20-ĐA/ĐUK")
    sent = [t.args for t in PendingTask.objects.filter(task_name="criteria.restate_figures").order_by("pk")]
    # The seeds' five (demo.populate, no issuer), then the copy's creation and its edit (`_copy` saves twice).
    assert [args[0] for args in sent] == [None] * 5 + [tree.block.pk] * 2
    root_id, first, last, reason = sent[-1]
    assert root_id == tree.block.pk and first <= 2020 and last >= 2025 and "20-ĐA/ĐUK" in reason
