"""A registration names a plan that binds its subject (issue 12: the plan in force per organization).

A plan binds everything under its issuer (criteria.engine.plan_in_force): registering a cell of one
block under another block's plan is refused with a Vietnamese reason and writes nothing; and a
subject is registered once per scheme and year, whichever plan names it, so a cell cannot reach two
decisions through its block's plan and the portal's default.
"""

import pytest
from django.core.exceptions import ValidationError

from criteria.models import Scheme
from criteria.services import plan_copy
from recognition import services
from recognition.models import Registration

YEAR = 2025


@pytest.fixture
def other_block_plan(plans, other_block):
    return plan_copy(plan=plans.model_cell, issuer=other_block.block, number="77-KH/ĐUKDN")


def test_another_blocks_plan_is_refused_for_a_cell_and_nothing_is_written(tree, users, other_block_plan):
    with pytest.raises(ValidationError) as refused:
        services.registration_create(user=users.admin, plan=other_block_plan, year=YEAR, organization=tree.cell_b)
    message = " ".join(refused.value.messages)
    assert "77-KH/ĐUKDN" in message and "không áp dụng cho Chi bộ Ban Dân tộc" in message
    assert not Registration.objects.exists()


def test_the_block_plan_and_its_copy_by_a_committee_both_bind_the_committees_cell(tree, users, plans):
    own = plan_copy(plan=plans.model_cell, issuer=tree.committee_a, number="03-KH/ĐU")
    registration = services.registration_create(user=users.admin, plan=own, year=YEAR, organization=tree.cell_a1)
    assert registration.plan == own and registration.scheme == Scheme.MODEL_CELL


def test_one_registration_per_scheme_and_year_whichever_plan_names_it(tree, users, plans):
    services.registration_create(user=users.admin, plan=plans.model_cell, year=YEAR, organization=tree.cell_b)
    copy = plan_copy(plan=plans.model_cell, issuer=tree.block, number="15-KH/ĐUK")
    with pytest.raises(ValidationError, match="đã được đăng ký"):
        services.registration_create(user=users.admin, plan=copy, year=YEAR, organization=tree.cell_b)
    assert Registration.objects.filter(organization=tree.cell_b).count() == 1
