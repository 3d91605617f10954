"""/healthz tells load balancers and operators whether the database and the broker answer (issue 6),
how old the last backup is and how long the oldest stale stored verdict has waited (issue 13).

The status code depends on the database and the broker only (config/health.py).
"""

import datetime
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from registry.models import BackupRecord


def backed_up(hours_ago):
    return BackupRecord.objects.create(
        created_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        path="/srv/backups/portal-backup-20261202T190000Z",
        database_bytes=1,
        media_bytes=1,
        media_files=0,
    )


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_redis_answer(client, settings, redis_server):
    redis_server.start()
    settings.REDIS_URL = redis_server.url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_the_broker_down_when_redis_stops(client, settings, redis_server):
    redis_server.start()
    settings.REDIS_URL = redis_server.url
    assert client.get("/healthz").json()["broker"] == "ok"
    redis_server.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert (response.json()["database"], response.json()["broker"]) == ("ok", "down")


@pytest.mark.django_db
def test_healthz_reports_the_database_down(client, settings):
    settings.REDIS_URL = ""
    with mock.patch("config.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    # With the database away nothing else can be read: unknown, not "stale".
    assert response.json() == {
        "database": "down",
        "broker": "eager",
        "backup": None,
        "oldest_stale_verdict_age_seconds": None,
    }


@pytest.mark.django_db
def test_healthz_needs_no_login(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert (response.json()["database"], response.json()["broker"]) == ("ok", "eager")


@pytest.mark.django_db
def test_no_backup_ever_is_stale_but_the_portal_stays_in_rotation(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["backup"] == {"status": "stale", "last_at": None, "age_seconds": None, "max_age_hours": 26}


@pytest.mark.django_db
def test_a_backup_three_hours_old_is_ok(client, settings):
    settings.REDIS_URL = ""
    backed_up(hours_ago=40)
    record = backed_up(hours_ago=3)  # the newest counts
    backup = client.get("/healthz").json()["backup"]
    assert backup["status"] == "ok"
    assert 3 * 3600 <= backup["age_seconds"] < 3 * 3600 + 60
    assert datetime.datetime.fromisoformat(backup["last_at"]) == record.created_at


@pytest.mark.django_db
def test_a_backup_older_than_backup_max_age_hours_is_stale(client, settings):
    settings.REDIS_URL = ""
    backed_up(hours_ago=27)  # default BACKUP_MAX_AGE_HOURS is 26: a nightly run plus slack
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["backup"]["status"] == "stale"
    assert response.json()["backup"]["age_seconds"] >= 27 * 3600

    settings.BACKUP_MAX_AGE_HOURS = 48
    assert client.get("/healthz").json()["backup"] == {
        **response.json()["backup"],
        "status": "ok",
        "max_age_hours": 48,
        "age_seconds": mock.ANY,
    }


@pytest.mark.django_db
def test_healthz_reports_the_age_of_the_oldest_stale_verdict(client, settings, monkeypatch):
    from criteria import verdicts

    settings.REDIS_URL = ""
    monkeypatch.setattr(verdicts, "oldest_stale_age", lambda: datetime.timedelta(minutes=90))
    assert client.get("/healthz").json()["oldest_stale_verdict_age_seconds"] == 5400

    monkeypatch.setattr(verdicts, "oldest_stale_age", lambda: None)  # nothing waiting
    assert client.get("/healthz").json()["oldest_stale_verdict_age_seconds"] is None


@pytest.mark.django_db
def test_healthz_reports_null_while_criteria_has_no_stored_verdicts(client, settings, monkeypatch):
    from criteria import verdicts

    settings.REDIS_URL = ""
    monkeypatch.delattr(verdicts, "oldest_stale_age", raising=False)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["oldest_stale_verdict_age_seconds"] is None


@pytest.mark.django_db
def test_healthz_costs_three_queries(client, settings, django_assert_max_num_queries):
    settings.REDIS_URL = ""
    backed_up(hours_ago=1)
    with django_assert_max_num_queries(3):  # SELECT 1, the newest backup, the oldest stale verdict
        assert client.get("/healthz").status_code == 200
