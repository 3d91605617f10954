"""Redis down: a write still succeeds, its follow-up task is kept and sent when Redis returns.

issue 6 (faults), registry/outbox.py. The task is recorded as a PendingTask in the
caller's transaction, sent on commit; when the broker refuses, the row stays unsent
and `registry.flush_pending_tasks` (Celery beat, every minute) sends it later.
Both paths are exercised: eager mode (embedded default) and a real Redis broker
with an in-process Celery worker.
"""

import time

import pytest
import redis
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from registry import outbox
from registry.models import Organization, PendingTask
from registry.tasks import flush_pending_tasks
from tests.factories import BlockFactory

from .conftest import free_port

RAN = []
RESULTS_KEY = "outbox-test"


@shared_task(name="tests.production.note_sent", ignore_result=True)
def note_sent(redis_url, value):
    """The follow-up task: leaves a trace where the test can see it."""
    if redis_url:
        redis.Redis.from_url(redis_url).rpush(RESULTS_KEY, value)
    else:
        RAN.append(value)


def wait_for(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(autouse=True)
def _clean_ran():
    RAN.clear()
    yield
    RAN.clear()


@pytest.fixture(autouse=True)
def _worker_closes_its_connections():
    """The in-process worker's thread opens its own database connection: close it after each task."""
    from celery.signals import task_postrun
    from django.db import connections

    def close(**_kwargs):
        connections.close_all()

    task_postrun.connect(close, weak=False)
    yield
    task_postrun.disconnect(close)


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_the_task_runs_after_commit_and_is_marked_sent(celery_on):
    celery_on("memory://", eager=True)
    with transaction.atomic():
        pending = outbox.enqueue(note_sent, None, "eager")
        assert RAN == [], "nothing runs before the write is committed"
    assert RAN == ["eager"]
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert not outbox.broker_was_unavailable(pending)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_task_behind(celery_on):
    celery_on("memory://", eager=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        BlockFactory(name="Khối bị hủy")
        outbox.enqueue(note_sent, None, "rolled back")
        raise RuntimeError("failure in the middle of the write")
    assert RAN == []
    assert not PendingTask.objects.exists()
    assert not Organization.objects.filter(name="Khối bị hủy").exists()


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_write_succeeds_and_the_task_is_kept_unsent(celery_on):
    port = free_port()  # nothing listens there: the broker is down
    celery_on(f"redis://127.0.0.1:{port}/0")
    with transaction.atomic():
        block = BlockFactory(name="Khối ghi khi Redis ngừng")
        pending = outbox.enqueue(note_sent, None, "kept")
    assert Organization.objects.filter(pk=block.pk).exists(), "the user's write is committed"
    assert outbox.broker_was_unavailable(pending), "the view can tell the user the task will follow"
    pending.refresh_from_db()
    assert pending.sent_at is None
    assert pending.attempts == 1
    assert pending.last_error
    # Beat's flush while Redis is still down sends nothing and keeps the row.
    assert outbox.flush() == 0
    pending.refresh_from_db()
    assert pending.sent_at is None and pending.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_kept_while_redis_was_down_is_run_by_the_worker_when_redis_returns(redis_server, celery_on):
    app = celery_on(redis_server.url)
    with transaction.atomic():
        BlockFactory(name="Khối chờ Redis")
        pending = outbox.enqueue(note_sent, redis_server.url, "after the outage")
    pending.refresh_from_db()
    assert pending.sent_at is None

    redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        flush_pending_tasks.delay()  # what Celery beat sends every minute
        assert wait_for(lambda: client.llen(RESULTS_KEY) == 1), "the kept task ran once Redis was back"
    assert client.lrange(RESULTS_KEY, 0, -1) == [b"after the outage"]
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert PendingTask.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_with_redis_up_the_task_goes_through_the_broker_to_the_worker(redis_server, celery_on):
    redis_server.start()
    app = celery_on(redis_server.url)
    client = redis.Redis.from_url(redis_server.url)
    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        with transaction.atomic():
            pending = outbox.enqueue(note_sent, redis_server.url, "direct")
        assert wait_for(lambda: client.llen(RESULTS_KEY) == 1)
    pending.refresh_from_db()
    assert pending.sent_at is not None and pending.attempts == 1
    assert RAN == [], "it ran in the worker, not eagerly in the request"
