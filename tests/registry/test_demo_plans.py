"""The demo block runs every scheme under its own plan, and its decisions cite it (issue 12, "Citations").

The seeds come from five committees (SCHEMES, table of files: Yên Bái, Quảng Bình, TKV, Hải Dương).
The demo block copies the plan in force of each scheme as its own document, with the seed's number
and itself as the issuer (criteria.demo_plans): model cell 128-KH/ĐUK, meeting quality 01-ĐA/ĐUK,
four-goods 39-KH/ĐU (the newer of the two four-goods seeds, 28/8/2024) and exemplary 46-KH/ĐUK.
A plan binds what is under its issuer: an organization outside the block keeps the seed's plan.
"""

import io

import pytest
from django.core.management import call_command

from criteria import engine
from criteria.models import Plan, Scheme, Verdict
from recognition.models import Decision
from recognition.pdf import decision_context
from registry.models import Organization, OrganizationKind
from registry.pdf import issuing_body

pytestmark = pytest.mark.django_db

OWN_NUMBERS = {
    Scheme.MODEL_CELL: "128-KH/ĐUK",
    Scheme.MEETING_QUALITY: "01-ĐA/ĐUK",
    Scheme.FOUR_GOODS: "39-KH/ĐU",
    Scheme.EXEMPLARY: "46-KH/ĐUK",
}
OTHER_ISSUERS = ("Hải Dương", "Quảng Bình", "Điện lực", "TKV")


@pytest.fixture
def demo():
    call_command("demo_block", size="tiny", stdout=io.StringIO())
    return Organization.objects.get(code="ĐUK")


def test_the_block_has_its_own_plan_per_scheme_with_the_seeds_numbers(demo):
    own = {plan.scheme: plan for plan in Plan.objects.filter(issuer=demo)}
    assert {scheme: plan.number for scheme, plan in own.items()} == OWN_NUMBERS
    for plan in own.values():
        assert plan.issuer_name == issuing_body(demo)
        assert not any(name in plan.issuer_name for name in OTHER_ISSUERS)
        assert plan.copied_from is not None and plan.copied_from.issuer_id is None


def test_the_block_cells_are_judged_and_stored_under_the_block_plans(demo):
    own = {plan.scheme: plan.pk for plan in Plan.objects.filter(issuer=demo)}
    cells = Organization.objects.under([demo]).cells()
    for scheme in (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS):
        rows = Verdict.objects.filter(organization__in=cells, scheme=scheme, year=2025)
        assert rows.exists()
        assert set(rows.values_list("plan_id", flat=True)) == {own[scheme]}
        cell = cells.first()
        assert engine.plan_in_force(scheme, cell, 2025).pk == own[scheme]


def test_an_organization_outside_the_block_keeps_the_seed_plan(demo):
    other = Organization.objects.create(name="Đảng bộ Khối khác", kind=OrganizationKind.UPPER_COMMITTEE)
    cell = Organization.objects.create(name="Chi bộ ngoài khối", kind=OrganizationKind.GRASSROOTS_CELL, parent=other)
    for scheme, number in OWN_NUMBERS.items():
        plan = engine.plan_in_force(scheme, cell, 2025)
        assert plan.number == number and plan.issuer_id is None


def test_every_demo_decision_cites_the_block_plan_and_no_other_issuer(demo):
    decisions = list(Decision.objects.select_related("plan", "issuer"))
    assert decisions, "the demo issues decisions"
    for decision in decisions:
        assert decision.plan.issuer_id == demo.pk
        bases = " ".join(str(b) for b in decision_context(decision)["bases"])
        assert f"văn bản số {decision.plan.number}" in bases
        assert issuing_body(demo) in bases
        assert not any(name in bases for name in OTHER_ISSUERS), bases
