"""Citations (issue 12): verdicts, reasons and indicators cite documents by their numbers.

Users know the documents by their numbers: the model-cell plan [000] is "Số 128-KH/ĐUK", the
meeting-quality scheme [001] "Số: 01-ĐA/ĐUK", the four-goods plans [002] "Số 1288-KH/ĐU" and
[004] "Số 39-KH/ĐU", the exemplary plan [003] "Số 46-KH/ĐUK" (the seed documents' headings).
A verdict cites the plan in force by the number on its record, so a committee's copy cites its
own; it never shows the project's seed file numbers ("[000 §II.1(1)]").
"""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from criteria import demo, engine, indicators, verdicts
from criteria.citations import cite
from criteria.models import Scheme, Verdict
from criteria.services import plan_copy

from .factories import fill_cell

BARE = re.compile(r"\[\d{3}\b")  # "[000 §…", "[002, …": a seed file number
YEAR = 2024


@pytest.fixture
def plans(db):
    return {plan.number: plan for plan in demo.populate()}


@pytest.fixture
def filled(plans, tree):
    fill_cell(tree.cell_b, members=4, years=range(2019, 2026))
    return tree


def _sections(result):
    return {c.code: c.section for c in result.criteria}


def test_a_verdict_cites_the_number_and_section_of_the_plan_in_force(filled):
    tree = filled
    results = engine.evaluate_all([tree.cell_b], YEAR)
    model = _sections(results[Scheme.MODEL_CELL][tree.cell_b.pk])
    # G1: five years' ratings [128-KH/ĐUK §II.1(1)], recognized per §IV.1.
    assert model["G1"] == "128-KH/ĐUK §II.1(1); §IV.1"
    assert model["G3"] == "128-KH/ĐUK §II.1(3)"
    assert all(section.startswith("128-KH/ĐUK §") for section in model.values())
    quality = _sections(results[Scheme.MEETING_QUALITY][tree.cell_b.pk])
    assert quality["MQ1"] == "01-ĐA/ĐUK §II.1.2(1)" and quality["MQ5"] == "01-ĐA/ĐUK §II.1.2(3)"
    # Four-goods: 39-KH/ĐU (28/8/2024) is in force; FG1.1 is in both four-goods plans, and the
    # verdict cites the section of the plan it is judged by, not the other plan's.
    four = _sections(results[Scheme.FOUR_GOODS][tree.cell_b.pk])
    assert four["FG1.1"] == "39-KH/ĐU §II.3.1"
    assert four["FG5"] == "39-KH/ĐU §II.4.2.2"
    exemplary = _sections(results[Scheme.EXEMPLARY][tree.cell_b.pk])
    assert set(exemplary.values()) == {"46-KH/ĐUK §II.2.1"}
    for scheme_results in results.values():
        for result in scheme_results.values():
            for criterion in result.criteria:
                assert not BARE.search(criterion.section) and not BARE.search(criterion.reason)


def test_another_seed_document_is_cited_by_its_own_number(plans):
    """A section found only in the other four-goods plan cites that document's number (1288-KH/ĐU,
    the heading of [002]); no citation keeps a file number."""
    in_force = [plans["39-KH/ĐU"]]
    assert cite("[002 §II.1.1]", in_force) == "1288-KH/ĐU §II.1.1"
    assert cite("[002 §II.1.1, §II.2.1; 003 §II.2.1]", in_force) == "1288-KH/ĐU §II.1.1, §II.2.1; 46-KH/ĐUK §II.2.1"
    assert cite("[002 §II.1.2; §II.2.2; 004 §II.3.2]", [plans["1288-KH/ĐU"]]) == "1288-KH/ĐU §II.1.2; §II.2.2"


def test_after_a_plan_copy_verdicts_cite_the_copys_number(filled, plans):
    tree = filled
    copy = plan_copy(plan=plans["128-KH/ĐUK"], issuer=tree.block, number="99-KH/ĐUK")
    # The copy binds everything under its issuer; the portal's default stays the seed's plan.
    assert engine.resolve_plan(Scheme.MODEL_CELL, organization=tree.cell_b, year=YEAR) == copy
    assert engine.resolve_plan(Scheme.MODEL_CELL) == plans["128-KH/ĐUK"]
    result = engine.evaluate([tree.cell_b], Scheme.MODEL_CELL, YEAR)[tree.cell_b.pk]
    assert result.plan_number == "99-KH/ĐUK" and "99-KH/ĐUK" in str(result.summary)
    sections = _sections(result)
    assert sections["G1"] == "99-KH/ĐUK §II.1(1); §IV.1"
    assert all(section.startswith("99-KH/ĐUK §") for section in sections.values())
    # The stored verdict, as the rebuild writes it and as the pages read it back.
    verdicts.rebuild(tree.block, [YEAR], [Scheme.MODEL_CELL])
    row = Verdict.objects.get(organization=tree.cell_b, scheme=Scheme.MODEL_CELL, year=YEAR)
    assert row.plan_number == "99-KH/ĐUK"
    assert {c["code"]: c["section"] for c in row.result["criteria"]}["G1"] == "99-KH/ĐUK §II.1(1); §IV.1"
    assert "128-KH/ĐUK" not in str(row.result) and not BARE.search(str(row.result))
    kept = verdicts.results([tree.cell_b], Scheme.MODEL_CELL, YEAR)[tree.cell_b.pk]
    assert _sections(kept)["G1"] == "99-KH/ĐUK §II.1(1); §IV.1"


def test_a_copied_four_goods_plan_cites_its_own_number(filled, plans):
    tree = filled
    plan_copy(plan=plans["39-KH/ĐU"], issuer=tree.block, number="99-KH/ĐUK")
    four = _sections(engine.evaluate([tree.cell_b], Scheme.FOUR_GOODS, YEAR)[tree.cell_b.pk])
    assert four["FG1.1"] == "99-KH/ĐUK §II.3.1" and four["FG5"] == "99-KH/ĐUK §II.4.2.2"
    assert not any("39-KH/ĐU" in section for section in four.values())


def test_no_reason_on_a_cell_page_shows_a_seed_file_number(filled, users, client, plans):
    tree = filled
    client.force_login(users.secretary_b)
    for url in (reverse("registry:cell", args=[tree.cell_b.pk]), reverse("criteria:subject", args=[tree.cell_b.pk])):
        for year in ("", str(YEAR)):
            response = client.get(url, {"year": year} if year else {})
            assert response.status_code == 200
            html = response.content.decode()
            assert "128-KH/ĐUK §II.1(1)" in html and "01-ĐA/ĐUK §II.1.2(1)" in html
            assert not BARE.search(html), BARE.search(html)
    html = render_to_string("criteria/_cell_verdicts.html", {"cell": tree.committee_a, "request": None})
    assert not BARE.search(html)


def test_indicators_cite_the_plans_in_force(filled, users, client, plans):
    tree = filled
    plan_copy(plan=plans["01-ĐA/ĐUK"], issuer=tree.block, number="99-KH/ĐUK")
    figures = {f["code"]: f for f in indicators.compute(_cells(tree), [], YEAR)}
    assert figures["model_cells"]["section"] == "128-KH/ĐUK §III.1"
    assert figures["meeting_quality_good"]["section"] == "99-KH/ĐUK §II.1.2(3)"
    assert figures["four_goods_pass"]["section"] == "39-KH/ĐU §II.4.2.2"
    client.force_login(users.standing)
    response = client.get(reverse("criteria:dashboard"), {"org": tree.block.pk, "year": YEAR})
    html = response.content.decode()
    assert response.status_code == 200 and "128-KH/ĐUK §III.1" in html
    assert not BARE.search(html)


def _cells(tree):
    from registry.models import CELL_KINDS, Organization

    return Organization.objects.under([tree.block]).filter(kind__in=CELL_KINDS).order_by("path")
