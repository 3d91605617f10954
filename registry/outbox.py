"""Send Celery tasks so that none is lost when the broker is away.

`enqueue(task, *args, **kwargs)` writes a PendingTask row inside the caller's
transaction and tries to send it once the transaction commits. If Redis is down
the row stays unsent, the user's save still succeeds, and `flush()` (run by Celery
beat every minute and by `manage.py flush_pending_tasks`) sends it when the broker
is back. A task must therefore be safe to run more than once (idempotent).
"""

import functools
import logging
import time

from celery import current_app
from django import db
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import PendingTask

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs):
    """Record `task(*args, **kwargs)` and send it after commit; return the PendingTask."""
    pending = PendingTask.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _send(pending))
    return pending


def _send(pending):
    app = current_app
    try:
        if app.conf.task_always_eager:
            # Embedded default: run in-process, as `.delay()` would.
            app.tasks[pending.task_name].apply(args=pending.args, kwargs=pending.kwargs, throw=True)
        else:
            with app.pool.acquire(block=True) as connection:
                # One quick try: kombu would otherwise retry the connection for its 4 s timeout
                # while the user's save waits; the row is kept and flushed later instead.
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
                app.send_task(
                    pending.task_name,
                    args=pending.args,
                    kwargs=pending.kwargs,
                    retry=False,
                    ignore_result=True,
                    connection=connection,
                )
    except OperationalError as error:
        logger.warning("Broker unavailable, task %s kept for later: %s", pending.task_name, error)
        PendingTask.objects.filter(pk=pending.pk).update(attempts=pending.attempts + 1, last_error=str(error)[:1000])
        pending.attempts += 1
        return False
    PendingTask.objects.filter(pk=pending.pk).update(sent_at=timezone.now(), attempts=pending.attempts + 1)
    pending.attempts += 1
    return True


def broker_was_unavailable(pending):
    """True when the task is still waiting for the broker (for telling the user)."""
    pending.refresh_from_db(fields=["sent_at", "attempts"])
    return pending.sent_at is None and pending.attempts > 0


def flush(limit=500):
    """Send waiting tasks, oldest first; stop at the first broker error. Returns how many were sent."""
    sent = 0
    for pending in PendingTask.objects.filter(sent_at__isnull=True).order_by("created_at")[:limit]:
        if not _send(pending):
            break
        sent += 1
    return sent


# Seconds between the runs of a task body that met PostgreSQL away (retrying_database_errors).
RETRY_WAITS = (0.5, 1, 2, 4, 8, 8, 8)


def retrying_database_errors(func):
    """Run a task body again, in the same worker process, while PostgreSQL restarts (issue 13).

    Not Celery's own `retry`: that schedules a countdown message the worker holds unacknowledged,
    and a broker restart while one is held stops the worker (kombu fails restoring it, see
    celery/kombu#970-like reports); a retry here holds nothing at the broker. The task is
    idempotent, so running its body again after a half-done attempt is safe. About 30 s in all,
    then the error is raised and the task fails as before."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for wait in (*RETRY_WAITS, None):
            try:
                return func(*args, **kwargs)
            except (db.OperationalError, db.InterfaceError) as error:
                if wait is None:
                    raise
                logger.warning("Database unavailable in %s, trying again in %s s: %s", func.__name__, wait, error)
                for connection in db.connections.all(initialized_only=True):
                    if not connection.in_atomic_block:  # (a test's transaction stays open)
                        connection.close()  # the broken connection; the next query opens a fresh one
                time.sleep(wait)

    return wrapper
