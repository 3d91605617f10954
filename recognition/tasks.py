"""Celery tasks of the recognition workflow: decision PDFs and a conference's decisions (SCHEMES §5)."""

from celery import shared_task
from django.contrib.auth import get_user_model

from registry.outbox import retrying_database_errors


@shared_task
@retrying_database_errors
def render_decision_pdf(decision_id):
    """Idempotent; a lost database connection runs it again (issue 13: the outbox sent it already)."""
    from .models import Decision
    from .services import decision_render_pdf

    decision_render_pdf(decision=Decision.objects.get(pk=decision_id))
    return decision_id


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
