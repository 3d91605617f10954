"""Query counts of the cell page and the API member list do not grow with the number of members (issue 2)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import RatingLevel
from registry.templatetags.registry_tags import IncludeIfExistsNode

from ..factories import MassOrganizationFactory, RatingFactory
from .factories import member_attestation, roll, unit_attestation


def populate(cell, size):
    members = roll(cell, size)
    for member in members:
        RatingFactory(member=member, year=2023, level=RatingLevel.GOOD)
        RatingFactory(member=member, year=2024, level=RatingLevel.EXCELLENT)
        member_attestation(member)
    RatingFactory(organization=cell, year=2024)
    mass = MassOrganizationFactory(cell=cell)
    RatingFactory(mass_organization=mass, year=2024)
    unit_attestation(cell)
    return members


def count_queries(fetch):
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.fixture
def without_plugged_panels(monkeypatch):
    """Other apps' panels (include_if_exists) have their own counts; switch them off to count ours."""
    monkeypatch.setattr(IncludeIfExistsNode, "render", lambda self, context: "")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 30])
def test_cell_page_query_count_does_not_grow_with_members(client, tree, users, size, without_plugged_panels):
    populate(tree.cell_a1, size)
    client.force_login(users.secretary_a1)
    url = reverse("registry:cell", args=[tree.cell_a1.pk])
    client.get(url)  # warm per-process caches (content types, templates)
    queries, response = count_queries(lambda: client.get(url))
    assert len(response.context["page"].members) == size
    # session, user, appointments (scope); the cell, its roll, the roll's ratings, the cell's ratings,
    # mass organizations and their ratings, attestation counts per year, unit attestations;
    # audit: organization, membership and rating histories (14); the navigation bar's count of
    # unread notifications (evaluations.nav, 1).
    assert queries == 15


@pytest.mark.django_db
def test_cell_page_with_every_plugged_panel_costs_the_same_for_5_and_30_members(client, tree, users):
    populate(tree.cell_a1, 5)
    populate(tree.cell_a2, 30)
    client.force_login(users.committee_staff_a)
    small_url = reverse("registry:cell", args=[tree.cell_a1.pk])
    large_url = reverse("registry:cell", args=[tree.cell_a2.pk])
    client.get(small_url)
    small, _ = count_queries(lambda: client.get(small_url))
    large, response = count_queries(lambda: client.get(large_url))
    assert len(response.context["page"].members) == 30
    assert small == large


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 30])
def test_api_member_list_query_count_does_not_grow_with_members(tree, users, size):
    populate(tree.cell_a1, size)
    api = APIClient()
    api.force_authenticate(users.secretary_a1)
    # appointments (scope), count for pagination, the page of members with their current cell.
    queries, response = count_queries(lambda: api.get(reverse("member-list")))
    assert response.json()["count"] == size
    assert all(row["current_cell"] == tree.cell_a1.pk for row in response.json()["results"])
    assert queries == 3
