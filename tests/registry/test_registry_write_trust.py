"""The registry's write seams (issue 10, holes 3, 4, 5 and 9), each reproduced as the issue
describes it. Expected answers come from the policy the issue sets out and the role table
(README "Who sees what", SCHEMES §0): a member is written by the cell of their current
membership only, a former cell reads what is dated within its time with the member; tree
management belongs to the organization board; an id outside scope answers like a missing one.
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import Member, Organization, OrganizationKind, Rating
from tests.factories import MemberFactory, MembershipFactory, RatingFactory

MOVED_ON = datetime.date(2024, 6, 1)


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def moved(tree):
    """A member on cell A1's roll from 2015 who moved to cell B on 1 June 2024."""
    member = MemberFactory(full_name="Trần Thị Chuyển")
    MembershipFactory(member=member, cell=tree.cell_a1, end_date=MOVED_ON - datetime.timedelta(days=1))
    MembershipFactory(member=member, cell=tree.cell_b, start_date=MOVED_ON)
    return member


# --- hole 3 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_old_cell_can_no_longer_change_a_member_who_moved_away(users, moved):
    old_cell = api_for(users.secretary_a1)
    answer = old_cell.patch(reverse("member-detail", args=[moved.pk]), {"full_name": "Đổi Tên"}, format="json")
    assert answer.status_code == 404
    moved.refresh_from_db()
    assert moved.full_name == "Trần Thị Chuyển"
    # The cell the member belongs to now may.
    new_cell = api_for(users.secretary_b)
    answer = new_cell.patch(reverse("member-detail", args=[moved.pk]), {"full_name": "Trần Thị Mới"}, format="json")
    assert answer.status_code == 200
    assert Member.objects.get(pk=moved.pk).full_name == "Trần Thị Mới"


@pytest.mark.django_db
def test_the_old_cell_reads_its_own_years_of_a_moved_member_and_nothing_after(users, moved):
    during = RatingFactory(member=moved, year=2023)
    after = RatingFactory(member=moved, year=2025)
    old_cell = api_for(users.secretary_a1)
    assert old_cell.get(reverse("rating-detail", args=[during.pk])).status_code == 200  # its own history
    assert old_cell.get(reverse("rating-detail", args=[after.pk])).status_code == 404  # a year after the move
    # Neither rating is the old cell's to change any more.
    for rating in (during, after):
        answer = old_cell.patch(reverse("rating-detail", args=[rating.pk]), {"level": "FAIL"}, format="json")
        assert answer.status_code == 404
    assert set(Rating.objects.filter(member=moved).values_list("level", flat=True)) == {"GOOD"}
    new_cell = api_for(users.secretary_b)
    answer = new_cell.patch(reverse("rating-detail", args=[after.pk]), {"level": "EXCELLENT"}, format="json")
    assert answer.status_code == 200


# --- hole 4 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cell_secretary_cannot_retype_or_extend_the_tree(users, tree):
    secretary = api_for(users.secretary_a1)
    retype = secretary.patch(
        reverse("organization-detail", args=[tree.cell_a1.pk]),
        {"kind": OrganizationKind.GRASSROOTS_COMMITTEE},
        format="json",
    )
    assert retype.status_code == 403
    tree.cell_a1.refresh_from_db()
    assert tree.cell_a1.kind == OrganizationKind.SUBORDINATE_CELL
    create = secretary.post(
        reverse("organization-list"),
        {
            "name": "Tổ đảng mới",
            "kind": OrganizationKind.SUBORDINATE_CELL,
            "unit_type": "admin",
            "parent": tree.cell_a1.pk,
        },
        format="json",
    )
    assert create.status_code == 403
    assert not Organization.objects.filter(name="Tổ đảng mới").exists()
    # Renaming its own cell is an edit of the registry, not a change of the tree.
    rename = secretary.patch(
        reverse("organization-detail", args=[tree.cell_a1.pk]), {"name": "Chi bộ Ngân sách"}, format="json"
    )
    assert rename.status_code == 200


@pytest.mark.django_db
def test_the_organization_board_restructures_its_block(users, tree):
    board = api_for(users.org_board)
    answer = board.patch(
        reverse("organization-detail", args=[tree.cell_a2.pk]), {"parent": tree.block.pk}, format="json"
    )
    assert answer.status_code == 200
    tree.cell_a2.refresh_from_db()
    assert tree.cell_a2.parent_id == tree.block.pk


# --- hole 5 (registry) ---------------------------------------------------------------------


@pytest.mark.django_db
def test_another_cells_id_in_a_body_answers_exactly_like_a_missing_one(users, tree):
    secretary = api_for(users.secretary_a1)
    body = {"full_name": "Lê Văn Mới", "gender": "M", "card_number": "77770001"}
    foreign = secretary.post(reverse("member-list"), {**body, "cell": tree.cell_b.pk}, format="json")
    missing = secretary.post(reverse("member-list"), {**body, "cell": 987654321}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["cell"] == [m.replace("987654321", str(tree.cell_b.pk)) for m in missing.json()["cell"]]
    assert tree.cell_b.name not in foreign.content.decode()
    assert not Member.objects.filter(card_number="77770001").exists()


# --- hole 9 (registry) ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["cell=99999999999999999999999", "cell=abc", "cell=-1"],
)
def test_an_id_filter_out_of_range_answers_400_in_vietnamese(users, query):
    answer = api_for(users.secretary_a1).get(reverse("member-list") + "?" + query)
    assert answer.status_code == 400
    assert answer.json()["cell"] == ["Mã số không hợp lệ: cần một số nguyên dương, ví dụ 42."]


# --- one write path: the row as written is checked, not the body ------------------------


@pytest.mark.django_db
def test_a_write_that_would_land_outside_the_write_scope_is_refused_and_rolled_back(users, tree):
    """registry.services.registry_record_save re-checks the policy on the record as written:
    whatever a serializer let through, a row that ends up in another cell is refused and undone."""
    from django.core.exceptions import PermissionDenied

    from registry.services import registry_record_save

    class LandsInCellB:  # a serializer whose validation missed a foreign cell
        instance = None

        def save(self, **extra):
            return Organization.objects.create(
                name="Chi bộ lọt phạm vi", kind=OrganizationKind.SUBORDINATE_CELL, parent=tree.cell_b
            )

    with pytest.raises(PermissionDenied):
        registry_record_save(user=users.secretary_a1, serializer=LandsInCellB())
    assert not Organization.objects.filter(name="Chi bộ lọt phạm vi").exists()
