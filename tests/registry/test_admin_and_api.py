"""Admin for every registry model and API writes, inside the user's scope (issue 2)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import Member, Organization, OrganizationKind
from tests.factories import BlockFactory

from .factories import roll

MODELS = [
    "organization",
    "member",
    "membership",
    "massorganization",
    "rating",
    "memberattestation",
    "disciplinaryrecord",
    "ruleviolation",
    "unitattestation",
    "appointment",
]


@pytest.fixture
def staff_secretary(client, users):
    users.secretary_a1.is_staff = True
    users.secretary_a1.save()
    client.force_login(users.secretary_a1)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_staff_secretary_can_open_every_admin_list(staff_secretary, tree, model):
    roll(tree.cell_a1, 1)
    assert staff_secretary.get(reverse(f"admin:registry_{model}_changelist")).status_code == 200


@pytest.mark.django_db
def test_only_system_administrators_change_appointments(staff_secretary, users):
    assert staff_secretary.get(reverse("admin:registry_appointment_add")).status_code == 403


@pytest.mark.django_db
def test_a_non_staff_user_does_not_reach_the_admin(client, users):
    client.force_login(users.secretary_b)
    response = client.get(reverse("admin:registry_member_changelist"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_admin_import_page_and_export_page_open_for_staff(staff_secretary):
    for model in ("member", "membership", "rating"):
        assert staff_secretary.get(reverse(f"admin:registry_{model}_import")).status_code == 200
        assert staff_secretary.get(reverse(f"admin:registry_{model}_export")).status_code == 200


@pytest.mark.django_db
def test_api_creates_a_member_on_the_roll_of_an_own_cell(users, tree):
    api = APIClient()
    api.force_authenticate(users.secretary_a1)
    response = api.post(
        reverse("member-list"),
        {"full_name": "Hà Thị Lan", "gender": "F", "card_number": "55550001", "cell": tree.cell_a1.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["current_cell"] == tree.cell_a1.pk
    assert Member.objects.get(card_number="55550001").memberships.get().cell == tree.cell_a1
    again = api.post(
        reverse("member-list"),
        {"full_name": "Trùng Số", "gender": "F", "card_number": "55550001", "cell": tree.cell_a1.pk},
        format="json",
    )
    assert again.status_code == 400 and "card_number" in again.json()


@pytest.mark.django_db
def test_api_creates_organizations_only_under_an_own_one(users, tree):
    # Creating and moving organizations is tree management (MANAGE_TREE): the organization
    # board (Ban Tổ chức, SCHEMES §0) holds it within its block; grassroots staff do not.
    body = {"name": "Chi bộ mới", "kind": OrganizationKind.SUBORDINATE_CELL, "unit_type": "admin"}
    staff = APIClient()
    staff.force_authenticate(users.committee_staff_a)
    refused = staff.post(reverse("organization-list"), {**body, "parent": tree.committee_a.pk}, format="json")
    assert refused.status_code == 403
    assert not Organization.objects.filter(name="Chi bộ mới").exists()

    api = APIClient()
    api.force_authenticate(users.org_board)
    assert (
        api.post(reverse("organization-list"), {**body, "parent": tree.committee_a.pk}, format="json").status_code
        == 201
    )
    other_block = BlockFactory()
    outside = api.post(reverse("organization-list"), {**body, "parent": other_block.pk}, format="json")
    assert outside.status_code == 400
    assert api.post(reverse("organization-list"), body, format="json").status_code == 400
    new = Organization.objects.get(name="Chi bộ mới")
    assert new.path.startswith(tree.committee_a.path)
    moved = api.patch(reverse("organization-detail", args=[new.pk]), {"parent": None}, format="json")
    assert moved.status_code == 400


@pytest.mark.django_db
def test_api_reads_need_a_login_and_the_schema_builds(client, users):
    assert APIClient().get(reverse("member-list")).status_code in (401, 403)
    client.force_login(users.secretary_a1)
    assert client.get(reverse("api-schema")).status_code == 200


@pytest.mark.django_db
def test_api_answers_a_token_within_the_token_owners_scope(users, tree):
    mine = roll(tree.cell_a1, 2)
    roll(tree.cell_b, 3)
    token = APIClient().post(
        reverse("api-token"), {"username": users.secretary_a1.username, "password": "mat-khau-123"}
    )
    assert token.status_code == 200, token.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    listed = api.get(reverse("member-list"), {"ordering": "card_number"}).json()
    assert [m["id"] for m in listed["results"]] == sorted(
        (m.pk for m in mine), key=lambda pk: Member.objects.get(pk=pk).card_number
    )
