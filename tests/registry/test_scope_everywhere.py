"""A secretary of cell X cannot read or change cell Y through any page, admin, API or export (issue 2).

Out of scope answers 404 everywhere alike (registry.scoping, SCHEMES §0 roles).
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import Member, Rating, RatingLevel

from ..factories import MassOrganizationFactory, RatingFactory
from .factories import member_attestation, roll, unit_attestation


@pytest.fixture
def world(tree, users):
    mine = roll(tree.cell_a1, 2)
    theirs = roll(tree.cell_b, 2)
    other_member = theirs[0]
    return type(
        "World",
        (),
        {
            "mine": mine,
            "theirs": theirs,
            "other_member": other_member,
            "other_membership": other_member.memberships.get(),
            "other_rating": RatingFactory(member=other_member, year=2024),
            "other_cell_rating": RatingFactory(organization=tree.cell_b, year=2024),
            "other_attestation": member_attestation(other_member),
            "other_unit_attestation": unit_attestation(tree.cell_b),
            "other_mass": MassOrganizationFactory(cell=tree.cell_b),
        },
    )


@pytest.fixture
def secretary(client, users):
    users.secretary_a1.is_staff = True
    users.secretary_a1.save()
    client.force_login(users.secretary_a1)
    return client


@pytest.mark.django_db
def test_pages_of_another_cell_answer_404(secretary, tree, world):
    assert secretary.get(reverse("registry:cell", args=[tree.cell_a1.pk])).status_code == 200
    assert secretary.get(reverse("registry:cell", args=[tree.cell_b.pk])).status_code == 404
    assert secretary.get(reverse("registry:member", args=[world.other_member.pk])).status_code == 404
    assert secretary.get(reverse("registry:rating_entry", args=[tree.cell_b.pk, 2024])).status_code == 404
    assert secretary.get(reverse("registry:organization", args=[tree.cell_b.pk])).status_code == 404
    response = secretary.post(
        reverse("registry:rating_entry", args=[tree.cell_b.pk, 2024]), {f"member_{world.theirs[1].pk}": "GOOD"}
    )
    assert response.status_code == 404
    assert not Rating.objects.filter(member=world.theirs[1]).exists()


@pytest.mark.django_db
def test_lists_and_tree_leave_out_another_cell(secretary, tree, world):
    members = secretary.get(reverse("registry:members")).content.decode()
    assert world.mine[0].full_name in members and world.other_member.full_name not in members
    assert tree.cell_b.name not in secretary.get(reverse("registry:tree")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, attr",
    [
        ("organization", "cell_b"),
        ("member", "other_member"),
        ("membership", "other_membership"),
        ("rating", "other_rating"),
        ("memberattestation", "other_attestation"),
        ("unitattestation", "other_unit_attestation"),
        ("massorganization", "other_mass"),
    ],
)
def test_admin_change_and_history_of_another_cell_answer_404(secretary, tree, world, model, attr):
    obj = getattr(tree, attr, None) or getattr(world, attr)
    for view in ("change", "history", "delete"):
        response = secretary.get(reverse(f"admin:registry_{model}_{view}", args=[obj.pk]))
        assert response.status_code == 404, (model, view)


@pytest.mark.django_db
def test_admin_lists_only_own_cell_and_posting_into_another_changes_nothing(secretary, tree, world):
    listing = secretary.get(reverse("admin:registry_member_changelist"))
    assert listing.status_code == 200
    assert world.mine[0].full_name in listing.content.decode()
    assert world.other_member.full_name not in listing.content.decode()
    response = secretary.post(
        reverse("admin:registry_member_change", args=[world.other_member.pk]),
        {"full_name": "Đã bị sửa", "gender": "M", "card_number": world.other_member.card_number},
    )
    assert response.status_code == 404
    world.other_member.refresh_from_db()
    assert world.other_member.full_name != "Đã bị sửa"
    # Foreign-key choices stay in scope: a rating cannot be added for a member of cell B.
    add = secretary.post(
        reverse("admin:registry_rating_add"), {"year": 2023, "level": "GOOD", "member": world.other_member.pk}
    )
    assert add.status_code == 200  # the form comes back with an error
    assert not Rating.objects.filter(member=world.other_member, year=2023).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route, attr",
    [
        ("organization", "cell_b"),
        ("member", "other_member"),
        ("membership", "other_membership"),
        ("rating", "other_rating"),
        ("member-attestation", "other_attestation"),
        ("unit-attestation", "other_unit_attestation"),
    ],
)
def test_api_detail_and_change_of_another_cell_answer_404(tree, users, world, route, attr):
    api = APIClient()
    api.force_authenticate(users.secretary_a1)
    obj = getattr(tree, attr, None) or getattr(world, attr)
    url = reverse(f"{route}-detail", args=[obj.pk])
    assert api.get(url).status_code == 404
    assert api.patch(url, {}, format="json").status_code == 404


@pytest.mark.django_db
def test_api_refuses_to_write_into_another_cell(tree, users, world):
    api = APIClient()
    api.force_authenticate(users.secretary_a1)
    response = api.post(
        reverse("rating-list"), {"year": 2023, "level": "GOOD", "member": world.theirs[1].pk}, format="json"
    )
    assert response.status_code == 400
    assert "member" in response.json()
    response = api.post(
        reverse("member-list"),
        {"full_name": "Lê Văn Mới", "gender": "M", "card_number": "77770001", "cell": tree.cell_b.pk},
        format="json",
    )
    assert response.status_code == 400
    assert not Member.objects.filter(card_number="77770001").exists()
    listed = api.get(reverse("member-list")).json()
    assert {m["id"] for m in listed["results"]} == {m.pk for m in world.mine}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["members", "memberships", "ratings"])
def test_export_of_another_cell_answers_404_and_full_export_leaves_it_out(secretary, tree, world, kind):
    url = reverse("registry:export", args=[kind, "csv"])
    assert secretary.get(url, {"cell": tree.cell_b.pk}).status_code == 404
    content = secretary.get(url).content.decode("utf-8-sig")
    assert world.other_member.card_number not in content
    assert world.other_member.full_name not in content
    if kind != "ratings":
        assert world.mine[0].card_number in content


@pytest.mark.django_db
def test_member_list_export_leaves_out_another_cell(secretary, world):
    response = secretary.get(reverse("registry:members"), {"export": "csv"})
    content = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert world.mine[0].card_number in content and world.other_member.card_number not in content


@pytest.mark.django_db
def test_admin_export_leaves_out_another_cell(secretary, world):
    response = secretary.post(
        reverse("admin:registry_member_export"),
        {"format": "0", "resource": "0", **{f"memberresource_{f}": "on" for f in ("card_number", "full_name")}},
    )
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig", errors="ignore")
    assert world.other_member.card_number not in content


@pytest.mark.django_db
def test_committee_staff_sees_both_of_its_cells_but_not_cell_b(client, tree, users, world):
    client.force_login(users.committee_staff_a)
    assert client.get(reverse("registry:cell", args=[tree.cell_a2.pk])).status_code == 200
    assert client.get(reverse("registry:cell", args=[tree.cell_b.pk])).status_code == 404


@pytest.mark.django_db
def test_a_board_member_without_editing_rights_cannot_enter_ratings(client, tree, users, world):
    client.force_login(users.standing)
    assert client.get(reverse("registry:cell", args=[tree.cell_b.pk])).status_code == 200
    assert client.get(reverse("registry:rating_entry", args=[tree.cell_b.pk, 2024])).status_code == 404
    api = APIClient()
    api.force_authenticate(users.standing)
    response = api.post(
        reverse("rating-list"), {"year": 2023, "level": RatingLevel.GOOD, "member": world.theirs[1].pk}, format="json"
    )
    assert response.status_code == 400
