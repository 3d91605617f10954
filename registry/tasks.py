from celery import shared_task

from . import outbox


@shared_task(name="registry.flush_pending_tasks", ignore_result=True)
def flush_pending_tasks():
    """Send the tasks that waited for the broker (registry.outbox)."""
    return outbox.flush()
