"""Concurrency on PostgreSQL: one decision per registration, consecutive numbers (SCHEMES §5).

Threads use their own database connections; skipped on SQLite, which serializes writers.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from recognition import services
from recognition.models import Decision, Registration, State
from tests.factories import OrganizationFactory

from .conftest import OVERRIDE_REASON, advance

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _run_together(functions):
    """Start every function at the same moment in its own thread; return results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # collected and asserted by the caller
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_reviewers_deciding_the_same_registration_at_once_make_exactly_one_decision(tree, users, plans):
    registration = advance(
        services.registration_create(user=users.admin, plan=plans.four_goods, year=2024, organization=tree.cell_b),
        State.APPRAISED_BOARD,
        users.admin,
    )

    def decide(user):
        def run():
            fresh = Registration.objects.get(pk=registration.pk)
            return services.registration_recognize(
                override_reason=OVERRIDE_REASON, registration=fresh, user=user, render=False
            )

        return run

    results = _run_together([decide(users.standing), decide(users.admin)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), results
    assert Decision.objects.count() == 1
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED
    assert registration.transitions.filter(action="recognize").count() == 1


def test_fifty_decisions_issued_at_once_get_fifty_distinct_consecutive_numbers(tree, users, plans):
    registrations = [
        services.registration_create(
            user=users.admin,
            plan=plans.four_goods,
            year=2024,
            organization=OrganizationFactory(name=f"Chi bộ số {i}", parent=tree.block),
        )
        for i in range(50)
    ]
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(state=State.RECOGNIZED)

    def issue(registration):
        return lambda: services.decision_issue(registrations=[registration], user=users.standing, render=False)

    results = _run_together([issue(r) for r in registrations])
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Decision.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 51))
    assert Registration.objects.filter(decision__isnull=True).count() == 0
