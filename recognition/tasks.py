"""Celery tasks of the recognition workflow: decision PDFs and a conference's decisions (SCHEMES §5)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.contrib.auth import get_user_model

from registry.outbox import retrying_database_errors

logger = logging.getLogger(__name__)


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


# A decision still without its PDF this long after it was recorded has lost its render task.
PDF_SWEEP_AFTER = timedelta(minutes=1)


@shared_task(name="recognition.resend_missing_pdfs", ignore_result=True)
def resend_missing_pdfs():
    """Beat, every minute (config/settings.py): send render_decision_pdf again for the decisions
    recorded more than a minute ago that have no PDF yet (SCHEMES §5: each decision has its PDF).

    Defence in depth behind the outbox (issue 13): a render message can still be lost or held,
    e.g. delivered to a worker the instant Redis stopped (it waits in Redis's unacked set for the
    visibility timeout), or lost with the last second of Redis's append-only file. Rendering is
    idempotent under the decision's row lock, so a message that does arrive after all finds the
    PDF and keeps it. Returns the ids sent; stops at the first broker error (the next run sends
    the rest)."""
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from .selectors import decisions_missing_pdf

    sent = []
    for decision_id in decisions_missing_pdf(created_before=timezone.now() - PDF_SWEEP_AFTER).values_list(
        "pk", flat=True
    ):
        try:
            render_decision_pdf.apply_async(args=[decision_id], retry=False)
        except OperationalError as error:
            logger.warning("Broker unavailable, %d decision PDF(s) left for the next sweep: %s", len(sent), error)
            break
        sent.append(decision_id)
    if sent:
        logger.warning("Decision PDFs sent again (no PDF after %s): %s", PDF_SWEEP_AFTER, sent)
    return sent


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
