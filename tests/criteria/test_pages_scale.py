"""Pages at province scale (issue 12): the dashboard counts its indicators in SQL aggregates
grouped by year and grassroots organization, so neither its queries nor its figures grow with the
cells; the drill-down reads one page of cells at a time; the comparison across the grassroots
organizations is shown a page at a time.

The world is test_dashboard_trends' block (three grassroots organizations, six cells, the meeting
regime of SCHEMES §2 MQ1 per year), plus members on the rolls for the members' indicator
[001 §II.1.2(5)]: "members on the roll on 31 December rated Hoàn thành tốt nhiệm vụ or higher".

  a1: 3 members on the roll since 2015, rated GOOD in 2024 and 2025;
      1 member who left on 30 June 2025 (on the 2024 roll, not on the 2025 one), rated GOOD both years;
      1 member who left on 31 December 2025 (still on the 2025 roll), rated GOOD in 2024, PASS in 2025.
  2025: on the roll 3 + 1 = 4, of them rated good 3 -> 75%; 2024: 5 on the roll, all 5 good -> 100%.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria import indicators, verdicts
from criteria.engine import resolve_plan
from criteria.models import Scheme
from registry.models import CELL_KINDS, GRASSROOTS_KINDS, Organization, OrganizationKind, Rating
from tests.factories import MembershipFactory, OrganizationFactory

from .test_dashboard_trends import YEARS, build_world, committee, hold_meetings

YEAR = 2025
REGIME = "meeting_regime"


@pytest.fixture
def world(db):
    """The trends' world (test_dashboard_trends.build_world) with a roll in the first cell: three
    members staying, one leaving on 30 June 2025, one on 31 December 2025 [001 §II.1.2(5)]."""

    def roll(cells):
        stay = [MembershipFactory(cell=cells[0]).member for _ in range(3)]
        left_june = MembershipFactory(cell=cells[0], end_date=datetime.date(2025, 6, 30)).member
        left_december = MembershipFactory(cell=cells[0], end_date=datetime.date(2025, 12, 31)).member
        ratings = [Rating(member=m, year=y, level="GOOD") for m in [*stay, left_june] for y in (2024, 2025)]
        ratings += [Rating(member=left_december, year=2024, level="GOOD")]
        ratings += [Rating(member=left_december, year=2025, level="PASS")]
        Rating.objects.bulk_create(ratings)

    return build_world("thuongvu_quymo", before_rebuild=roll)


def _figure(figures, code):
    return next(f for f in figures if f["code"] == code)


def test_the_members_indicator_counts_the_roll_of_31_december(world):
    figures = indicators.for_dashboard(world.user, world.block, YEAR)["figures"]
    members = _figure(figures, "members_good")
    assert (members["numerator"], members["denominator"], members["value"]) == (3, 4, 75.0)
    assert [(p["numerator"], p["denominator"]) for p in members["trend"]][-2:] == [(5, 5), (3, 4)]
    rows = {r["pk"]: (r["numerator"], r["denominator"]) for r in members["committees"]}
    assert rows[world.a.pk] == (3, 4)
    assert rows[world.b.pk] == (0, 0) and rows[world.c.pk] == (0, 0)  # no members on their rolls


def test_the_dashboard_holds_numbers_not_the_cells_ids_and_agrees_with_the_per_cell_figures(world):
    """The SQL aggregates give every figure of every year that the per-cell computation (the API's,
    `compute` without counts) gives for the same cells."""
    figures = indicators.for_dashboard(world.user, world.block, YEAR)["figures"]
    subtree = Organization.objects.under([world.block])
    cells = subtree.filter(kind__in=CELL_KINDS).order_by("path")
    grassroots = subtree.filter(kind__in=GRASSROOTS_KINDS).order_by("path")
    for year in YEARS:
        per_cell = {f["code"]: f for f in indicators.compute(cells, grassroots, year)}
        for figure in figures:
            point = next(p for p in figure["trend"] if p["year"] == year)
            expected = per_cell[figure["code"]]
            assert (point["numerator"], point["denominator"], point["value"], point["met"]) == (
                expected["numerator"],
                expected["denominator"],
                expected["value"],
                expected["met"],
            ), (figure["code"], year)
    for code in ("model_cells", REGIME, "meeting_quality_good", "cells_good", "members_good", "four_goods_pass"):
        figure = _figure(figures, code)
        assert figure["counted"] is None and figure["not_counted"] is None
        assert len(figure["committees"]) == 3


def _cold_queries(client, url, params):
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_dashboard_and_drill_down_cost_the_same_queries_for_a_committee_and_for_the_block(world, client):
    """A grassroots organization of three cells and the block of six (and then eighteen) cells:
    the same number of queries, with nothing cached and with the figures cached."""
    client.force_login(world.user)
    for url in (reverse("criteria:dashboard"), reverse("criteria:indicator", args=[REGIME])):
        small = _cold_queries(client, url, {"org": world.a.pk, "year": YEAR})
        block = _cold_queries(client, url, {"org": world.block.pk, "year": YEAR})
        for n in range(4):
            _unit, cells = committee(world.block, f"Đảng bộ thêm {n}", 3)
            for cell in cells:
                hold_meetings(cell, YEAR)
        verdicts.rebuild(world.block, YEARS)
        larger = _cold_queries(client, url, {"org": world.block.pk, "year": YEAR})
        assert small == block == larger, url
        client.get(url, {"org": world.a.pk, "year": YEAR})  # computes the committee's figures again
        with CaptureQueriesContext(connection) as warm_small:
            client.get(url, {"org": world.a.pk, "year": YEAR})
        with CaptureQueriesContext(connection) as warm_large:
            client.get(url, {"org": world.block.pk, "year": YEAR})
        assert len(warm_small) == len(warm_large), url


def test_the_comparison_is_shown_a_page_at_a_time_keeping_each_organizations_rank(world, client, monkeypatch):
    """2025 regime shares: B 2/2 = 100%, A 1/3 = 33,3%, C 0/1 = 0% (test_dashboard_trends)."""
    from criteria import views

    monkeypatch.setattr(views, "COMPARE_PAGE", 2)
    client.force_login(world.user)
    url, params = reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR, "so_sanh": REGIME}
    first = client.get(url, params)
    compared = first.context["compared"]
    assert [(r["rank"], r["pk"], r["shown"]) for r in compared["committees"]] == [
        (1, world.b.pk, "100%"),
        (2, world.a.pk, "33,3%"),
    ]
    html = first.content.decode()
    assert "Trang 1/2 (3 tổ chức cơ sở đảng)" in html and f"so_sanh={REGIME}&amp;trang_ss=2#so-sanh" in html
    second = client.get(url, {**params, "trang_ss": 2})
    assert [(r["rank"], r["pk"], r["shown"]) for r in second.context["compared"]["committees"]] == [
        (3, world.c.pk, "0%")
    ]
    assert '<td class="num">3</td><th scope="row"><a href=' in second.content.decode()


def test_the_drill_down_reads_its_page_from_the_stored_verdicts(world, client, monkeypatch):
    """Regime 2025 in the block: met by a1, b1, b2; not by a2 (February missing), a3 and C (no
    meetings). One cell a page, in id order; the headings count the whole lists."""
    from criteria import views

    monkeypatch.setattr(views, "DRILL_DOWN_PAGE", 1)
    client.force_login(world.user)
    a1, a2, a3 = world.cells
    b1, b2 = Organization.objects.filter(parent=world.b).order_by("pk")
    url = reverse("criteria:indicator", args=[REGIME])
    met, not_met = [], []
    for page in (1, 2, 3, 4):
        response = client.get(url, {"org": world.block.pk, "year": YEAR, "dat": page, "chua": page})
        assert response.context["counted"].paginator.count == 3
        assert response.context["not_counted"].paginator.count == 3
        if page <= 3:
            met += [pk for pk, _name in response.context["counted"].rows]
            not_met += [pk for pk, _name in response.context["not_counted"].rows]
    assert met == sorted([a1.pk, b1.pk, b2.pk])
    assert not_met == sorted([a2.pk, a3.pk, world.c.pk])


def test_the_drill_down_of_the_heads_lists_the_grassroots_organizations(world, client):
    """[001 §II.1.2(4)]: grassroots organizations whose unit head is the secretary."""
    Organization.objects.filter(pk=world.b.pk).update(head_is_secretary=True)
    Organization.objects.filter(pk__in=[world.a.pk, world.c.pk]).update(head_is_secretary=False)
    client.force_login(world.user)
    response = client.get(
        reverse("criteria:indicator", args=["unit_head_secretary"]), {"org": world.block.pk, "year": YEAR}
    )
    assert [pk for pk, _name in response.context["counted"].rows] == [world.b.pk]
    assert [pk for pk, _name in response.context["not_counted"].rows] == sorted([world.a.pk, world.c.pk])


def test_every_registered_indicator_still_drills_down_by_its_ids(world, client):
    client.force_login(world.user)
    for code in ("registrations", "recognized_over_verdict", "members_good"):
        response = client.get(reverse("criteria:indicator", args=[code]), {"org": world.block.pk, "year": YEAR})
        assert response.status_code == 200, code
    response = client.get(reverse("criteria:indicator", args=["members_good"]), {"org": world.block.pk, "year": YEAR})
    # a1: 3 of its 4 members good = 75%, counted when above the plan's members_good_pct (strictly).
    target = resolve_plan(Scheme.MEETING_QUALITY).params["targets"]["members_good_pct"]
    a1 = world.cells[0].pk
    counted = [pk for pk, _n in response.context["counted"].rows]
    not_counted = [pk for pk, _n in response.context["not_counted"].rows]
    assert (counted, not_counted) == (([a1], []) if 3 * 100 > target * 4 else ([], [a1]))


def test_a_cell_without_stored_verdicts_is_judged_before_it_is_counted(world):
    """A cell added to Đảng bộ A after the last rebuild, holding every meeting of 2025: the
    dashboard computes its verdicts first (criteria.verdicts.ensure), so 2025's regime share is
    4/7 (3/6 before) and A's is 2/4 (1/3 before)."""
    newcomer = OrganizationFactory(name="Chi bộ A4", kind=OrganizationKind.SUBORDINATE_CELL, parent=world.a)
    hold_meetings(newcomer, YEAR)
    regime = _figure(indicators.for_dashboard(world.user, world.block, YEAR)["figures"], REGIME)
    assert (regime["numerator"], regime["denominator"]) == (4, 7)
    rows = {r["pk"]: (r["numerator"], r["denominator"]) for r in regime["committees"]}
    assert rows[world.a.pk] == (2, 4)
