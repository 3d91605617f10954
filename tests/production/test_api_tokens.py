"""API tokens expire, can be listed and revoked, and go through the login throttle (issue 10, hole 2)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from config.auth import LOGIN_THROTTLE_ATTEMPTS

PASSWORD = "mat-khau-123"  # tests/factories.py UserFactory


def obtain(username, password=PASSWORD):
    return APIClient().post(reverse("api-token"), {"username": username, "password": password}, format="json")


def with_token(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


@pytest.mark.django_db
def test_wrong_passwords_are_throttled_like_the_login_form(users):
    for _ in range(LOGIN_THROTTLE_ATTEMPTS):
        assert obtain(users.secretary_a1.username, "sai").status_code == 400
    refused = obtain(users.secretary_a1.username, "sai")
    assert refused.status_code == 429
    assert "đăng nhập sai quá" in refused.json()["detail"]


@pytest.mark.django_db
def test_a_user_locked_out_of_the_login_form_gets_no_token_with_the_right_password(client, users):
    for _ in range(LOGIN_THROTTLE_ATTEMPTS):
        client.post(reverse("login"), {"username": users.secretary_a1.username, "password": "sai"})
    assert (
        client.post(reverse("login"), {"username": users.secretary_a1.username, "password": PASSWORD}).status_code
        == 429
    )
    response = obtain(users.secretary_a1.username)
    assert response.status_code == 429
    assert "token" not in response.json()


@pytest.mark.django_db
def test_a_token_expires(users, settings):
    issued = obtain(users.secretary_a1.username).json()
    assert with_token(issued["token"]).get(reverse("member-list")).status_code == 200
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    with time_machine.travel(dt.datetime.now(dt.UTC) + ttl + dt.timedelta(minutes=1)):
        assert with_token(issued["token"]).get(reverse("member-list")).status_code in (401, 403)


@pytest.mark.django_db
def test_tokens_are_listed_without_their_secret_and_revoked_one_by_one(users):
    first = obtain(users.secretary_a1.username).json()["token"]
    second = obtain(users.secretary_a1.username).json()["token"]
    listed = with_token(first).get(reverse("api-tokens")).json()
    assert len(listed) == 2
    assert all(first not in str(row) and second not in str(row) for row in listed)
    revoked = with_token(first).delete(reverse("api-token-revoke", args=[second[:15]]))
    assert revoked.status_code == 204
    assert with_token(second).get(reverse("member-list")).status_code in (401, 403)
    assert with_token(first).get(reverse("member-list")).status_code == 200


@pytest.mark.django_db
def test_a_user_cannot_revoke_someone_elses_token(users):
    mine = obtain(users.secretary_a1.username).json()["token"]
    theirs = obtain(users.secretary_b.username).json()["token"]
    assert with_token(mine).delete(reverse("api-token-revoke", args=[theirs[:15]])).status_code == 404
    assert with_token(theirs).get(reverse("member-list")).status_code == 200
