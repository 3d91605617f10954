"""The organization tree and the one place that scopes what a user sees (SCHEMES §0)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Member, Membership, Organization, OrganizationKind

from ..factories import MemberFactory, MembershipFactory, OrganizationFactory


@pytest.mark.django_db
def test_subtree_filter_is_one_query(tree):
    with CaptureQueriesContext(connection) as ctx:
        names = set(Organization.objects.under([tree.committee_a, tree.cell_b]).values_list("name", flat=True))
    assert len(ctx.captured_queries) == 1
    assert names == {"Đảng bộ Sở Tài chính", "Chi bộ Phòng Ngân sách", "Chi bộ Văn phòng Sở", "Chi bộ Ban Dân tộc"}


@pytest.mark.django_db
def test_moving_a_cell_moves_its_subtree_and_keeps_its_members(tree):
    member = MembershipFactory(cell=tree.cell_a1).member
    partial = OrganizationFactory(
        name="Đảng bộ bộ phận", kind=OrganizationKind.PARTIAL_COMMITTEE, parent=tree.committee_a
    )
    sub = OrganizationFactory(name="Chi bộ con", kind=OrganizationKind.SUBORDINATE_CELL, parent=partial)

    partial.parent = tree.block
    partial.save()

    sub.refresh_from_db()
    assert sub.path.startswith(tree.block.path) and not sub.path.startswith(tree.committee_a.path)
    assert sub.depth == 2
    assert Member.objects.on_roll(tree.cell_a1, datetime.date(2024, 1, 1)).get() == member
    assert partial.history.count() >= 2


@pytest.mark.django_db
def test_a_secretary_sees_only_their_cell(tree, users):
    visible = set(Organization.objects.visible_to(users.secretary_a1))
    assert visible == {tree.cell_a1}
    assert set(Organization.objects.visible_to(users.committee_staff_a)) == {
        tree.committee_a,
        tree.cell_a1,
        tree.cell_a2,
    }
    assert Organization.objects.visible_to(users.standing).count() == 5


@pytest.mark.django_db
def test_members_are_visible_where_they_are_on_the_roll(tree, users):
    mine = MembershipFactory(cell=tree.cell_a1).member
    MembershipFactory(cell=tree.cell_b)
    assert list(Member.objects.visible_to(users.secretary_a1)) == [mine]


@pytest.mark.django_db
def test_the_roll_at_a_date_follows_transfers(tree):
    member = MemberFactory(full_name="Trần Thị Hương")
    Membership.objects.create(
        member=member, cell=tree.cell_a1, start_date=datetime.date(2018, 1, 1), end_date=datetime.date(2022, 6, 30)
    )
    Membership.objects.create(member=member, cell=tree.cell_b, start_date=datetime.date(2022, 7, 1))

    assert list(Member.objects.on_roll(tree.cell_a1, datetime.date(2022, 6, 30))) == [member]
    assert list(Member.objects.on_roll(tree.cell_a1, datetime.date(2022, 7, 1))) == []
    assert list(Member.objects.on_roll(tree.cell_b, datetime.date(2022, 7, 1))) == [member]
