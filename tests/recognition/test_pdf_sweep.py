"""The beat sweep behind the outbox (issue 13): a decision still without its PDF a minute after it
was recorded gets its render sent again (SCHEMES §5: every decision is issued as a numbered PDF).

Tests run Celery eagerly, so "sent again" renders at once: the PDF is there afterwards."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from recognition import services
from recognition.models import Conference, Decision, GenerationState, State
from recognition.tasks import resend_missing_pdfs

from .conftest import OVERRIDE_REASON, advance


def _decision(users, plans, org, year, *, age):
    """A recognition of `org` for `year` whose decision was recorded `age` ago, its PDF not rendered."""
    registration = services.registration_create(user=users.admin, plan=plans.four_goods, year=year, organization=org)
    advance(registration, State.APPRAISED_BOARD, users.admin)
    services.registration_recognize(
        registration=registration,
        user=users.standing,
        issued_on=datetime.date(2025, 3, 20),
        override_reason=OVERRIDE_REASON,
        render=False,
    )
    registration.refresh_from_db()
    Decision.objects.filter(pk=registration.decision_id).update(created_at=timezone.now() - age)
    return Decision.objects.get(pk=registration.decision_id)


@pytest.mark.django_db
def test_only_a_decision_without_pdf_for_more_than_a_minute_is_sent_again(tree, users, plans):
    old = _decision(users, plans, tree.cell_b, 2024, age=timedelta(minutes=5))
    young = _decision(users, plans, tree.cell_b, 2025, age=timedelta(seconds=20))
    printed = _decision(users, plans, tree.cell_b, 2026, age=timedelta(minutes=5))
    services.decision_render_pdf(decision=printed)
    printed_file = printed.pdf.name
    printed_bytes = printed.pdf.read()
    printed.pdf.close()

    assert resend_missing_pdfs() == [old.pk]

    old.refresh_from_db()
    assert old.pdf.name == f"recognition/decisions/{old.year}/QD-{old.number}-{old.year}-{old.issuer_id}.pdf"
    assert old.pdf.read().startswith(b"%PDF")
    young.refresh_from_db()
    assert young.pdf.name == "", "its render task may still be on its way: not sent twice so soon"
    printed.refresh_from_db()
    assert printed.pdf.name == printed_file
    assert printed.pdf.read() == printed_bytes, "a decision that has its PDF is not printed again"
    # Nothing is left for the next run.
    assert resend_missing_pdfs() == []


@pytest.mark.django_db
def test_a_conference_batch_still_printing_its_decisions_is_left_to_the_batch(tree, users, plans):
    waiting = _decision(users, plans, tree.cell_b, 2024, age=timedelta(minutes=5))
    conference = Conference.objects.create(
        authority=waiting.issuer,
        plan=plans.four_goods,
        scheme=plans.four_goods.scheme,
        year=2024,
        held_on=datetime.date(2025, 3, 20),
        generation_state=GenerationState.RUNNING,
    )
    Decision.objects.filter(pk=waiting.pk).update(conference=conference)

    assert resend_missing_pdfs() == []

    Conference.objects.filter(pk=conference.pk).update(generation_state=GenerationState.FAILED)
    assert resend_missing_pdfs() == [waiting.pk], "a failed batch's missing PDF is sent again"
    waiting.refresh_from_db()
    assert waiting.pdf.name
