"""Celery tasks of the recognition workflow: decision PDFs and a conference's decisions (SCHEMES §5)."""

from celery import shared_task
from django.contrib.auth import get_user_model

from registry.outbox import retrying_database_errors


@shared_task
@retrying_database_errors
def render_decision_pdf(decision_id):
    """Idempotent; a lost database connection runs it again (issue 13: the outbox sent it already).

    Delivery is at least once (a message taken but not started when Redis restarts comes back after
    the visibility timeout): the decision's row is locked while its PDF is checked and written, so two
    deliveries never write two files. Returns "<id> rendered" or "<id> kept" (the worker's log)."""
    from django.db import transaction

    from .models import Decision
    from .services import decision_render_pdf

    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision_id)
        had_pdf = bool(decision.pdf)
        decision_render_pdf(decision=decision)
    return f"{decision_id} {'kept' if had_pdf else 'rendered'}"


@shared_task
@retrying_database_errors
def generate_conference_decisions(conference_id, user_id):
    """Number and print every decision of a standing-committee conference; progress is stored
    on the conference row so the page can poll it whether the task ran eagerly or on a worker.

    A lost database connection (PostgreSQL restarting) runs the task again by itself: the work
    is idempotent, numbers are taken inside the decision's transaction, so nothing is
    numbered twice and nothing already printed is printed again."""
    from .models import Conference
    from .services import conference_generate_decisions

    conference = Conference.objects.get(pk=conference_id)
    user = get_user_model().objects.get(pk=user_id)
    conference_generate_decisions(conference=conference, user=user)
    return conference_id
