"""Dashboard with trends (issue 12): five years of each indicator against its target line, and the
same indicator compared across the grassroots organizations, drawn by pygal, read from stored verdicts.

The world: a block with three grassroots organizations, each cell holding (or not) its meetings.
The indicator checked by hand is "meeting regime" [001 §II.1.2(1)], SCHEMES §2 MQ1: a cell meets
it in a year when it held a regular meeting every month and a thematic meeting every quarter;
the indicator is the share of cells meeting it. Per year (✓ met, ✗ a month missing, – no meetings):

                      2021  2022  2023  2024  2025
  Đảng bộ A  a1        ✓     ✓     ✓     ✓     ✓
             a2        –     ✗     ✓     ✓     ✗
             a3        –     –     –     ✓     –
  Đảng bộ B  b1        –     ✓     ✓     ✓     ✓
             b2        –     –     ✓     ✓     ✓
  Chi bộ C   (itself)  ✗     –     –     ✓     –
  share of 6 cells    1/6   2/6   4/6   6/6   3/6

2025 per organization: A 1/3 = 33,3%, B 2/2 = 100%, C 0/1 = 0%, so the order is B, A, C
(path order is A, B, C).
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria import charts, demo, indicators, verdicts
from criteria.engine import resolve_plan
from criteria.models import Scheme
from evaluations.models import Meeting
from registry.models import OrganizationKind, Role
from tests.factories import BlockFactory, OrganizationFactory, UserFactory, appoint

from .factories import _meeting

YEARS = [2021, 2022, 2023, 2024, 2025]
YEAR = 2025
REGIME = "meeting_regime"


def hold_meetings(cell, year, skip_month=None):
    """A year of meetings: regular every month (but `skip_month`), thematic every quarter."""
    rows = [_meeting(cell, datetime.date(year, m, 5), "regular", 3) for m in range(1, 13) if m != skip_month]
    rows += [_meeting(cell, datetime.date(year, m, 20), "thematic", 3) for m in (3, 6, 9, 12)]
    Meeting.objects.bulk_create(rows)


def committee(block, name, cells):
    unit = OrganizationFactory(name=name, kind=OrganizationKind.GRASSROOTS_COMMITTEE, parent=block)
    return unit, [
        OrganizationFactory(name=f"Chi bộ {name[-1]}{i}", kind=OrganizationKind.SUBORDINATE_CELL, parent=unit)
        for i in range(1, cells + 1)
    ]


def build_world(username, before_rebuild=None):
    """Two committees (3 and 2 subordinate cells) and a grassroots cell, their meetings of 2021–2025
    (some months skipped), the stored verdicts rebuilt and a standing-committee member of the block.
    `before_rebuild(cells)`: more facts, written before the verdicts are stored."""
    demo.populate()
    block = BlockFactory(name="Đảng bộ Khối thử nghiệm")
    a, (a1, a2, a3) = committee(block, "Đảng bộ A", 3)
    b, (b1, b2) = committee(block, "Đảng bộ B", 2)
    c = OrganizationFactory(name="Chi bộ C", kind=OrganizationKind.GRASSROOTS_CELL, parent=block)
    for year in YEARS:
        hold_meetings(a1, year)
    hold_meetings(a2, 2022, skip_month=7)
    hold_meetings(a2, 2023)
    hold_meetings(a2, 2024)
    hold_meetings(a2, 2025, skip_month=2)
    hold_meetings(a3, 2024)
    for year in (2022, 2023, 2024, 2025):
        hold_meetings(b1, year)
    for year in (2023, 2024, 2025):
        hold_meetings(b2, year)
    hold_meetings(c, 2021, skip_month=11)
    hold_meetings(c, 2024)
    if before_rebuild is not None:
        before_rebuild((a1, a2, a3))
    verdicts.rebuild(block, YEARS)
    standing = appoint(UserFactory(username=username), block, Role.STANDING_COMMITTEE)
    return type("World", (), {"block": block, "a": a, "b": b, "c": c, "cells": (a1, a2, a3), "user": standing})


@pytest.fixture
def world(db):
    return build_world("thuongvu_thu")


def _figure(data, code):
    return next(f for f in data["figures"] if f["code"] == code)


def test_five_years_of_the_regime_share_are_what_the_rule_gives(world):
    data = indicators.for_dashboard(world.user, world.block, YEAR)
    assert data["years"] == YEARS
    points = _figure(data, REGIME)["trend"]
    assert [p["year"] for p in points] == YEARS
    assert [(p["numerator"], p["denominator"]) for p in points] == [(1, 6), (2, 6), (4, 6), (6, 6), (3, 6)]
    assert [p["value"] for p in points] == [16.67, 33.33, 66.67, 100.0, 50.0]


def test_the_target_line_is_the_plans_target_for_each_year(world):
    data = indicators.for_dashboard(world.user, world.block, YEAR)
    regime_target = resolve_plan(Scheme.MEETING_QUALITY).params["targets"].get("regime_compliance_pct", 100)
    assert [p["target"] for p in _figure(data, REGIME)["trend"]] == [regime_target] * 5
    model = resolve_plan(Scheme.MODEL_CELL).params["targets"]["model_cell_share_pct"]
    assert [p["target"] for p in _figure(data, "model_cells")["trend"]] == [model] * 5
    # Meeting quality "good": the nearest target year not before the year [001 §II.1.2(3)].
    targets = sorted(resolve_plan(Scheme.MEETING_QUALITY).params["targets"]["good_share"], key=lambda t: t["year"])
    expected = [next((t for t in targets if t["year"] >= y), targets[-1])["min_pct"] for y in YEARS]
    assert [p["target"] for p in _figure(data, "meeting_quality_good")["trend"]] == expected


def test_the_grassroots_organizations_are_compared_best_first(world):
    rows = _figure(indicators.for_dashboard(world.user, world.block, YEAR), REGIME)["committees"]
    assert [(r["pk"], r["numerator"], r["denominator"], r["value"]) for r in rows] == [
        (world.b.pk, 2, 2, 100.0),
        (world.a.pk, 1, 3, 33.33),
        (world.c.pk, 0, 1, 0.0),
    ]


def test_the_dashboard_shows_the_trend_table_and_the_comparison_with_links(world, client):
    client.force_login(world.user)
    response = client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR, "so_sanh": REGIME})
    assert response.status_code == 200
    html = response.content.decode()
    card = html[html.index(f'id="chi-tieu-{REGIME}"') :]
    card = card[: card.index("</section>")]
    table = card[card.index("<table") : card.index("</table>")]
    assert "<caption>Số liệu qua các năm: Tỷ lệ chi bộ thực hiện đúng chế độ sinh hoạt" in table
    rows = re.findall(
        r'<tr><th scope="row">(\d{4})</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td>', table
    )
    assert rows == [
        ("2021", "16,7%", "1/6"),
        ("2022", "33,3%", "2/6"),
        ("2023", "66,7%", "4/6"),
        ("2024", "100%", "6/6"),
        ("2025", "50%", "3/6"),
    ]
    # The comparison: sorted, each name linking to the indicator's drill-down of that organization.
    compare = html[html.index('id="so-sanh"') :]
    url = reverse("criteria:indicator", args=[REGIME])
    links = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th><td class="num">([^<]*)</td>', compare)
    assert links == [
        (f"{url}?org={world.b.pk}&amp;year={YEAR}", "Đảng bộ B", "100%"),
        (f"{url}?org={world.a.pk}&amp;year={YEAR}", "Đảng bộ A", "33,3%"),
        (f"{url}?org={world.c.pk}&amp;year={YEAR}", "Chi bộ C", "0%"),
    ]
    assert "<caption>So sánh giữa các tổ chức cơ sở đảng: Tỷ lệ chi bộ thực hiện đúng chế độ sinh hoạt" in compare


def test_the_drill_down_of_a_committee_lists_its_cells(world, client):
    client.force_login(world.user)
    a1, a2, a3 = world.cells
    response = client.get(reverse("criteria:indicator", args=[REGIME]), {"org": world.a.pk, "year": YEAR})
    assert response.status_code == 200
    assert [pk for pk, _name in response.context["counted"].rows] == [a1.pk]
    assert [pk for pk, _name in response.context["not_counted"].rows] == [a2.pk, a3.pk]
    assert "33,3%" in response.content.decode()


def test_the_drill_down_lists_are_paginated_and_read_only_the_names_shown(world, client, monkeypatch):
    from criteria import views

    monkeypatch.setattr(views, "DRILL_DOWN_PAGE", 1)
    client.force_login(world.user)
    _a1, a2, a3 = world.cells
    url = reverse("criteria:indicator", args=[REGIME])
    first = client.get(url, {"org": world.a.pk, "year": YEAR})
    assert [pk for pk, _name in first.context["not_counted"].rows] == [a2.pk]
    assert first.context["not_counted"].paginator.count == 2  # the heading counts all of them
    assert "chua=2" in first.content.decode()
    second = client.get(url, {"org": world.a.pk, "year": YEAR, "chua": 2})
    assert [pk for pk, _name in second.context["not_counted"].rows] == [a3.pk]


def test_the_charts_are_pygal_svg_without_script_and_their_style_carries_the_nonce(world, client):
    client.force_login(world.user)
    response = client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR})
    html = response.content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) >= 8  # a trend per indicator with data, and the comparison
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    for svg in svgs:
        assert 'class="pygal-chart"' in svg and 'role="img"' in svg and "aria-label=" in svg
        assert "<script" not in svg
        assert " style=" not in svg  # an inline style attribute would be blocked by style-src
        assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<style[^>]*>", svg))
    # Readable without colour: value labels on the points and a dashed target line named in the legend.
    regime = html[html.index(f'id="chi-tieu-{REGIME}"') :]
    regime = regime[: regime.index("</svg>")]
    assert all(f'class="value">{label}' in regime for label in ("16,7%", "33,3%", "66,7%", "100%", "50%"))
    assert ".series.serie-1{stroke-width:3;stroke-dasharray:10,6}" in regime  # the target series
    assert f"<title>Biểu đồ {_figure({'figures': response.context['figures']}, REGIME)['title']}" in regime
    assert "Chỉ tiêu (đường nét đứt)" in regime


def test_vietnamese_number_formats():
    assert charts.percent(4.5) == "4,5%"
    assert charts.percent(33.333) == "33,3%"
    assert charts.percent(100.0) == "100%"
    assert charts.number(1234.5) == "1.234,5"
    assert charts.percent(None) == ""


def test_a_registered_indicator_in_another_unit_still_renders(world, client):
    """Indicators registered by an upper app (register_indicator) go through the same rendering;
    a count is shown as a number, and without cells behind it there is no comparison."""
    context_seen = []

    def overrides(*, cells, grassroots, year, plans):
        context_seen.append(year)
        return {
            "code": "test_count",
            "title": "Số lượng thử",
            "section": "[thử]",
            "numerator": 3,
            "denominator": 1,
            "value": 3,
            "target": None,
            "strict": False,
            "target_text": "không đặt chỉ tiêu",
            "met": None,
            "counted": [],
            "not_counted": [],
            "note": "",
            "unit": "count",
        }

    indicators.register_indicator("test_count", overrides)
    try:
        client.force_login(world.user)
        response = client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR})
        figure = _figure({"figures": response.context["figures"]}, "test_count")
        assert figure["committees"] is None and figure["shown"] == "3"
        assert sorted(context_seen) == YEARS
        response = client.get(reverse("criteria:indicator", args=["test_count"]), {"org": world.block.pk, "year": YEAR})
        assert response.status_code == 200
    finally:
        indicators._PROVIDERS.pop("test_count", None)


def _dashboard_queries(client, world):
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR}).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR}).status_code == 200
    return len(cold), len(warm)


def test_the_query_count_does_not_grow_with_the_committees_and_cells(world, client):
    client.force_login(world.user)
    small = _dashboard_queries(client, world)
    for n in range(4):  # from 3 grassroots organizations and 6 cells to 7 and 18
        _unit, cells = committee(world.block, f"Đảng bộ thêm {n}", 3)
        for cell in cells:
            hold_meetings(cell, YEAR)
    verdicts.rebuild(world.block, YEARS)
    large = _dashboard_queries(client, world)
    assert large == small
    assert small[1] < small[0]  # the second view reads the cached figures
    data = indicators.for_dashboard(world.user, world.block, YEAR)
    assert len(_figure(data, REGIME)["committees"]) == 7


def test_after_a_write_the_dashboard_opens_with_the_previous_figures_and_says_they_are_being_recomputed(world, client):
    """A province's five years take over a second to recompute: the page must not wait for them
    (criteria.figure_cache). Here the recomputation is held back as a busy worker would hold it."""
    from unittest import mock

    from criteria.tasks import refresh_figures

    client.force_login(world.user)
    url, params = reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR}
    first = client.get(url, params)
    assert not first.context["refreshing"]
    verdicts.mark_stale(organization_ids=[world.cells[0].pk], year=YEAR)  # a fact of a cell changed
    with mock.patch.object(refresh_figures, "delay") as delay:
        during = client.get(url, params)
    assert delay.call_count == 1
    assert during.context["refreshing"]
    assert "đang tính lại" in during.content.decode()
    assert [f["value"] for f in during.context["figures"]] == [f["value"] for f in first.context["figures"]]
    refresh_figures.apply(args=delay.call_args.args)  # the worker's turn
    after = client.get(url, params)
    assert not after.context["refreshing"]


def test_the_nightly_warm_up_computes_the_standing_committees_dashboard_before_its_first_view(world, client):
    from unittest import mock

    from criteria import figure_cache

    assert indicators.warm_dashboards(YEAR) == 1  # one reader of dashboards (standing committee), one subtree
    client.force_login(world.user)
    failing = mock.Mock(side_effect=AssertionError("computed in the request"))
    with mock.patch.dict(figure_cache._COMPUTERS, {"dashboard": failing}):
        response = client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR})
    assert response.status_code == 200 and not response.context["refreshing"]
    failing.assert_not_called()


def test_the_warm_up_command_after_a_deployment_fills_the_cache_for_the_first_view(world, client):
    import io
    from unittest import mock

    from django.core.management import call_command

    from criteria import figure_cache

    out = io.StringIO()
    call_command("warm_dashboards", year=YEAR, stdout=out)
    assert "Đã tính trước 1 bảng chỉ tiêu" in out.getvalue()
    client.force_login(world.user)
    failing = mock.Mock(side_effect=AssertionError("computed in the request"))
    with mock.patch.dict(figure_cache._COMPUTERS, {"dashboard": failing}):
        response = client.get(reverse("criteria:dashboard"), {"org": world.block.pk, "year": YEAR})
    assert response.status_code == 200
    failing.assert_not_called()


def test_members_who_see_the_same_subtree_share_one_computation(world, client):
    from unittest import mock

    from criteria import figure_cache

    other = appoint(UserFactory(username="thuongvu_pho"), world.block, Role.STANDING_COMMITTEE)
    indicators.for_dashboard(world.user, world.block, YEAR)
    failing = mock.Mock(side_effect=AssertionError("computed again"))
    with mock.patch.dict(figure_cache._COMPUTERS, {"dashboard": failing}):
        indicators.for_dashboard(other, world.block, YEAR)
    failing.assert_not_called()
