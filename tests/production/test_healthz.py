"""/healthz tells load balancers and operators whether the database and the broker answer (issue 6)."""

from unittest import mock

import pytest
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_redis_answer(client, settings, redis_server):
    redis_server.start()
    settings.REDIS_URL = redis_server.url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_the_broker_down_when_redis_stops(client, settings, redis_server):
    redis_server.start()
    settings.REDIS_URL = redis_server.url
    assert client.get("/healthz").json()["broker"] == "ok"
    redis_server.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_reports_the_database_down(client, settings):
    settings.REDIS_URL = ""
    with mock.patch("registry.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "down", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_needs_no_login(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json() == {"database": "ok", "broker": "eager"}
