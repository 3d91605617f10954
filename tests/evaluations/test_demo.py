"""The demo monthly work: realistic records written in a fixed number of queries."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import demo
from evaluations.models import Attendance, FourGoodsAssessment, Meeting

from .factories import members_on

pytestmark = pytest.mark.django_db


def _populate(cells):
    with CaptureQueriesContext(connection) as queries:
        count = demo.populate(cells, random.Random(7), years=(2024, 2025))
    return count, len(queries)


def test_populate_writes_meetings_attendance_and_assessments_in_bulk(tree, users):
    cells = [tree.cell_a1, tree.cell_a2, tree.cell_b]
    for cell in cells:
        members_on(cell, 12)
    count, queries = _populate(cells)
    assert count == Meeting.objects.count() > 60
    assert Attendance.objects.count() >= count * 11
    assert FourGoodsAssessment.objects.count() > 60
    assert Meeting.objects.filter(kind="combined").exists()
    assert queries < 40  # bulk writes: the count does not grow with cells or months


def test_populate_query_count_does_not_grow_with_cells(tree, users):
    from tests.factories import OrganizationFactory

    many = [OrganizationFactory(parent=tree.committee_a, kind="sub_cell") for _i in range(8)]
    for cell in many:
        members_on(cell, 5)
    _count, queries = _populate(many)
    assert queries < 40
