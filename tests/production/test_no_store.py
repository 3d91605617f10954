"""Responses holding personal data are never kept by a cache (issue 10, hole 10)."""

import pytest
from django.urls import reverse

from tests.factories import MemberFactory


@pytest.fixture
def member_a1(tree):
    from registry.models import Membership

    member = MemberFactory(full_name="Nguyễn Văn Riêng")
    Membership.objects.create(member=member, cell=tree.cell_a1, start_date="2020-01-01")
    return member


@pytest.mark.django_db
def test_member_pages_and_api_answers_are_not_cached(client, users, member_a1):
    client.force_login(users.secretary_a1)
    for url in (
        reverse("registry:members"),
        reverse("registry:member", args=[member_a1.pk]),
        f"/api/members/{member_a1.pk}/",
        "/api/members/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


@pytest.mark.django_db
def test_an_api_answer_without_a_session_is_not_cached_either(client):
    response = client.get("/api/members/")
    assert response.status_code in (401, 403)
    assert "no-store" in response["Cache-Control"]
