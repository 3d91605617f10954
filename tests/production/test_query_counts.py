"""Query counts of every page and API list stay flat as data grows (issue 6).

Every GET route of the permission matrix is requested by the system administrator
(who sees everything) and by cell A1's secretary (whose every query is narrowed by the
access policy, issue 10) on the world of tests/production/world.py, then again after
cell A1 has gained 12 members with ratings and attestations and another meeting with
their attendance. A route whose query count grows with the data has an N+1.
"""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from registry.models import Member, Rating, RatingLevel
from tests.evaluations.factories import file_meeting
from tests.factories import MembershipFactory
from tests.registry.factories import member_attestation

from .test_permission_matrix import ROUTES
from .world import build_world

GET_ROUTES = sorted(name for name, (method, _template, _data) in ROUTES.items() if method == "GET")


def grow(tree, users, members=12):
    """More members on cell A1's roll, each rated and attested, and a meeting they all attended."""
    added = [MembershipFactory(cell=tree.cell_a1, start_date=datetime.date(2020, 1, 1)).member for _ in range(members)]
    Rating.objects.bulk_create(
        Rating(member=member, year=year, level=RatingLevel.GOOD) for member in added for year in (2023, 2024, 2025)
    )
    for member in added:
        member_attestation(member, 2025)
    day = datetime.date(2025, 4, 9)
    file_meeting(users.admin, tree.cell_a1, list(Member.objects.on_roll(tree.cell_a1, day)), day)


def queries_for(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    return response.status_code, len(context.captured_queries)


@pytest.mark.parametrize("role", ["admin", "secretary_a1"])
@pytest.mark.parametrize("name", GET_ROUTES)
@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_data(name, role, tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(tree, users)
    _method, template, _data = ROUTES[name]
    path = template.format(**world["in"])
    client = Client()
    client.force_login(getattr(users, role))

    client.get(path)  # warm caches that are filled once per process (content types, plans)
    status, before = queries_for(client, path)
    grow(tree, users)
    status_after, after = queries_for(client, path)

    assert status == status_after
    assert after == before, f"{path}: {before} queries with little data, {after} after adding 12 members"
