"""The loader's ways of reading: subjects as a queryset, ids as one array, the read-ahead connection."""

import threading
import time

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from criteria import demo, engine, loader
from criteria.models import Scheme
from registry.models import CELL_KINDS, Organization, OrganizationKind, Rating
from tests.factories import OrganizationFactory

from .factories import fill_cell

ALL = [Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.EXEMPLARY]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array and second connection")


def _block_with_cells(tree, n=3):
    cells = [OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=tree.committee_a) for _ in range(n)]
    for index, cell in enumerate(cells):
        fill_cell(cell, members=3 + index, years=[2022, 2023, 2024])
    Rating.objects.filter(organization=cells[0], year=2023).update(level="PASS")  # one cell falls short
    return cells


def _as_dicts(results):
    return {scheme: {pk: r.as_dict() for pk, r in by_subject.items()} for scheme, by_subject in results.items()}


def _subtree(tree):
    return Organization.objects.filter(path__startswith=tree.committee_a.path, kind__in=CELL_KINDS)


def test_a_queryset_of_cells_gives_the_verdicts_of_the_same_cells_as_instances(tree):
    demo.populate()
    _block_with_cells(tree)
    as_instances = engine.evaluate_all(list(_subtree(tree)), 2024, ALL)
    with CaptureQueriesContext(connection) as queries:
        as_queryset = engine.evaluate_all(_subtree(tree), 2024, ALL)
    assert _as_dicts(as_queryset) == _as_dicts(as_instances)
    assert list(as_queryset[Scheme.MODEL_CELL]) == list(_subtree(tree).values_list("pk", flat=True))
    # The subjects' queryset travels as a subquery: no statement spells out the cells' ids.
    ids = [str(pk) for pk in _subtree(tree).values_list("pk", flat=True)]
    assert not [q["sql"] for q in queries if ", ".join(ids) in q["sql"] or ",".join(ids) in q["sql"]]


def test_a_page_of_cells_is_evaluated_as_given(tree):
    """A paginated list passes a sliced queryset: it cannot be a subquery, its rows are the subjects."""
    demo.populate()
    _block_with_cells(tree)
    page = _subtree(tree).order_by("name")[1:3]
    results = engine.evaluate(page, Scheme.MEETING_QUALITY, 2024)
    assert list(results) == [cell.pk for cell in _subtree(tree).order_by("name")[1:3]]


def test_any_of_matches_in_and_an_empty_list_matches_nothing(tree):
    cells = _block_with_cells(tree)
    ids = [c.pk for c in cells]
    by_array = set(Rating.objects.filter(organization_id__any_of=ids).values_list("pk", flat=True))
    by_in = set(Rating.objects.filter(organization_id__in=ids).values_list("pk", flat=True))
    assert by_array == by_in and by_array
    assert not Rating.objects.filter(organization_id__any_of=[]).exists()


@on_postgresql
def test_any_of_sends_the_ids_as_one_array_parameter(tree):
    cells = _block_with_cells(tree)
    sql, params = Rating.objects.filter(organization_id__any_of=[c.pk for c in cells]).query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert [c.pk for c in cells] in [p for p in params if isinstance(p, list)]


class _ByThread:
    """Counts statements per thread, on every connection that runs the caller's wrappers."""

    def __init__(self, fail_on=None):
        self.main, self.other, self.fail_on = 0, 0, fail_on

    def __call__(self, execute, sql, params, many, context):
        if threading.current_thread() is threading.main_thread():
            self.main += 1
        else:
            self.other += 1
            if self.fail_on and self.fail_on in sql:
                raise DatabaseError("simulated failure on the read-ahead connection")
        return execute(sql, params, many, context)


def _backends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _settled_backends(expected, timeout=5.0):
    """Backends of this database once a closed connection's server process has gone."""
    deadline = time.monotonic() + timeout
    count = _backends()
    while count != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _backends()
    return count


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_read_ahead_connection_gives_the_same_verdicts_and_queries(tree, monkeypatch):
    demo.populate()
    _block_with_cells(tree)
    monkeypatch.setattr(loader, "READ_AHEAD_FROM", 10**6)
    sequential = _ByThread()
    with connection.execute_wrapper(sequential):
        one_by_one = engine.evaluate_all(_subtree(tree), 2024, ALL)
    before = _backends()
    monkeypatch.setattr(loader, "READ_AHEAD_FROM", 1)
    ahead = _ByThread()
    with connection.execute_wrapper(ahead), loader.batch_work():
        read_ahead = engine.evaluate_all(_subtree(tree), 2024, ALL)
    assert _as_dicts(read_ahead) == _as_dicts(one_by_one)
    assert ahead.other > 0, "the facts were not read on the second connection"
    assert ahead.main + ahead.other == sequential.main == sequential.main + sequential.other
    assert _settled_backends(before) == before, "the read-ahead connection was left open"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failure_on_the_read_ahead_connection_reaches_the_caller(tree, monkeypatch):
    demo.populate()
    _block_with_cells(tree)
    monkeypatch.setattr(loader, "READ_AHEAD_FROM", 1)
    before = _backends()
    with connection.execute_wrapper(_ByThread(fail_on="evaluations_meeting")), loader.batch_work():
        with pytest.raises(DatabaseError, match="simulated failure"):
            engine.evaluate_all(_subtree(tree), 2024, ALL)
    assert _settled_backends(before) == before


def test_inside_a_transaction_the_facts_are_read_on_the_callers_connection(tree, monkeypatch):
    """A second connection could not see this test's uncommitted rows: the loader stays on one."""
    demo.populate()
    _block_with_cells(tree)
    monkeypatch.setattr(loader, "READ_AHEAD_FROM", 1)
    counter = _ByThread()
    with connection.execute_wrapper(counter), loader.batch_work():
        results = engine.evaluate_all(_subtree(tree), 2024, [Scheme.MODEL_CELL])
    assert counter.other == 0
    assert sum(r.eligible for r in results[Scheme.MODEL_CELL].values()) == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_outside_batch_work_there_is_no_read_ahead_and_the_collector_keeps_running(tree, monkeypatch):
    """A page request evaluates on its own connection with the collector on (issue 12)."""
    import gc

    demo.populate()
    _block_with_cells(tree)
    monkeypatch.setattr(loader, "READ_AHEAD_FROM", 1)
    seen = []
    real_disable = gc.disable
    monkeypatch.setattr(gc, "disable", lambda: (seen.append("gc off"), real_disable()))
    counter = _ByThread()
    with connection.execute_wrapper(counter):
        engine.evaluate_all(_subtree(tree), 2024, ALL)
    assert counter.other == 0 and seen == []
    with connection.execute_wrapper(counter), loader.batch_work():
        engine.evaluate_all(_subtree(tree), 2024, ALL)
    assert counter.other > 0 and seen, "batch work still reads ahead with the collector paused"
