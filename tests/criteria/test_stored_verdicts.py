"""Stored verdicts (issue 12): which writes mark which rows, the refresh, and reading them.

A fact of year Y reaches the verdicts whose engine reads that kind of fact, for the years whose
window holds Y: the model cell reads organization ratings over a five-year window
([000 §II.1(1)], SCHEMES §1.1 G1), meeting quality reads only the year's meetings and absences
(SCHEMES §2), four-goods reads the year (SCHEMES §3), and a committee's four-goods and exemplary
verdicts read the cells under it (SCHEMES §3.1, §4.3).
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from criteria import demo, engine, verdicts
from criteria.models import OrganizationYear, Scheme, Verdict
from evaluations.models import FourGoodsAssessment, Meeting
from registry.models import OrganizationKind, Rating
from registry.signals import facts_changed
from tests.factories import MemberFactory, MembershipFactory, OrganizationFactory

from .factories import fill_cell

YEARS = (2023, 2024, 2025)
CELL = (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.EXEMPLARY)
COMMITTEE = (Scheme.FOUR_GOODS, Scheme.EXEMPLARY)


@pytest.fixture
def stored(db, tree):
    demo.populate()
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b):
        fill_cell(cell, members=4, years=range(2019, 2026))
    verdicts.rebuild(tree.block, YEARS)
    return tree


def _stale():
    return set(Verdict.objects.stale().values_list("organization_id", "scheme", "year"))


def _rows(orgs, schemes, years):
    return {(o.pk, s, y) for o in orgs for s in schemes for y in years}


def test_rebuild_stores_one_row_per_subject_scheme_and_year(stored):
    tree = stored
    cells = {(c.pk, s, y) for c in (tree.cell_a1, tree.cell_a2, tree.cell_b) for s in CELL for y in YEARS}
    committee = _rows([tree.committee_a], COMMITTEE, YEARS)
    assert set(Verdict.objects.values_list("organization_id", "scheme", "year")) == cells | committee
    assert _stale() == set()


def test_stored_and_live_verdicts_agree_for_every_scheme(stored):
    tree = stored
    subjects = [tree.cell_a1, tree.cell_a2, tree.cell_b, tree.committee_a]
    for year in YEARS:
        for scheme in CELL:
            ids = [s for s in subjects if scheme in COMMITTEE or s.kind != OrganizationKind.GRASSROOTS_COMMITTEE]
            live = engine.evaluate(ids, scheme, year)
            kept = verdicts.results(ids, scheme, year)
            assert {pk: r.as_dict() for pk, r in kept.items()} == {pk: r.as_dict() for pk, r in live.items()}


def test_a_cell_rating_marks_its_window_and_its_committee_not_the_neighbours(stored):
    tree = stored
    Rating.objects.filter(organization=tree.cell_a1, year=2024).update(level="PASS")
    Rating.objects.get(organization=tree.cell_a1, year=2024).save()
    # Model cell: 2024 and 2025 hold 2024 in their window; four-goods reads the year itself;
    # exemplary reads the years of its phase (ratings from 2024 on). Meeting quality reads no rating.
    expected = {
        (tree.cell_a1.pk, Scheme.MODEL_CELL, 2024),
        (tree.cell_a1.pk, Scheme.MODEL_CELL, 2025),
        (tree.cell_a1.pk, Scheme.FOUR_GOODS, 2024),
        (tree.committee_a.pk, Scheme.FOUR_GOODS, 2024),
    }
    stale = _stale()
    assert expected <= stale
    assert not {row for row in stale if row[0] in (tree.cell_a2.pk, tree.cell_b.pk)}
    assert not {row for row in stale if row[1] == Scheme.MEETING_QUALITY}
    assert not {row for row in stale if row[2] == 2023}


@pytest.mark.parametrize(
    "write, schemes",
    [
        ("meeting", {Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS}),
        ("four_goods_month", {Scheme.FOUR_GOODS}),
        ("yearly_facts", {Scheme.MODEL_CELL, Scheme.FOUR_GOODS, Scheme.EXEMPLARY}),
    ],
)
def test_each_kind_of_fact_marks_the_schemes_that_read_it(stored, write, schemes):
    tree = stored
    cell = tree.cell_b  # a grassroots cell right under the block: nobody else reads its facts
    if write == "meeting":
        Meeting.objects.create(cell=cell, date=datetime.date(2025, 11, 25), kind="thematic")
    elif write == "four_goods_month":
        month = FourGoodsAssessment.objects.get(organization=cell, year=2025, month=11)
        month.score = 60
        month.save()
    else:
        facts = OrganizationYear.objects.get(organization=cell, year=2025)
        facts.unit_targets_met = False
        facts.save()
    stale = _stale()
    assert {row[0] for row in stale} == {cell.pk}
    assert {row[2] for row in stale} == {2025}
    assert {row[1] for row in stale} == schemes & set(CELL)


def test_a_member_fact_reaches_the_cells_the_member_belongs_to(stored):
    tree = stored
    member = MemberFactory()
    MembershipFactory(member=member, cell=tree.cell_a2, start_date=datetime.date(2020, 1, 1))
    Verdict.objects.update(stale_since=None)
    Rating.objects.create(member=member, year=2025, level="PASS")
    assert {row[0] for row in _stale()} == {tree.cell_a2.pk, tree.committee_a.pk}


def test_facts_changed_signal_marks_like_a_save(stored):
    tree = stored
    facts_changed.send(sender=Meeting, organization_ids=[tree.cell_a1.pk], member_ids=[], year=2023)
    assert (tree.cell_a1.pk, Scheme.MEETING_QUALITY, 2023) in _stale()
    assert (tree.committee_a.pk, Scheme.FOUR_GOODS, 2023) in _stale()
    assert not {row for row in _stale() if row[0] == tree.cell_a2.pk}


def test_refresh_follows_the_new_facts_and_is_idempotent(stored):
    tree = stored
    before = verdicts.results([tree.cell_a1], Scheme.MODEL_CELL, 2025)[tree.cell_a1.pk]
    assert before.eligible
    rating = Rating.objects.get(organization=tree.cell_a1, year=2024)
    rating.level = "PASS"  # below GOOD inside the window: G1 cannot be met [000 §II.1(1)]
    rating.save()
    assert verdicts.results([tree.cell_a1], Scheme.MODEL_CELL, 2025)[tree.cell_a1.pk].stale
    marked = _stale()
    assert verdicts.refresh([tree.cell_a1.pk, tree.committee_a.pk]) == len(marked)
    after = verdicts.results([tree.cell_a1], Scheme.MODEL_CELL, 2025)[tree.cell_a1.pk]
    assert not after.eligible and not after.stale
    assert "G1" in [c.code for c in after.failing]
    assert _stale() == set()
    assert verdicts.refresh() == 0, "a second refresh finds nothing to do"


def test_a_write_during_the_computation_keeps_the_row_stale(stored, monkeypatch):
    tree = stored
    Rating.objects.get(organization=tree.cell_b, year=2024).save()
    real = engine.evaluate_all

    def evaluate_then_write(*args, **kwargs):
        out = real(*args, **kwargs)
        Verdict.objects.filter(organization=tree.cell_b).update(facts_changed_at=timezone.now())
        return out

    monkeypatch.setattr(verdicts, "evaluate_all", evaluate_then_write)
    verdicts.refresh([tree.cell_b.pk])
    assert (tree.cell_b.pk, Scheme.MODEL_CELL, 2025) in _stale(), "the later write is not lost"


def test_the_refresh_is_sent_once_per_transaction_after_commit(stored, django_capture_on_commit_callbacks):
    tree = stored
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Rating.objects.get(organization=tree.cell_a1, year=2024).save()
        Rating.objects.get(organization=tree.cell_a2, year=2024).save()
        Meeting.objects.create(cell=tree.cell_b, date=datetime.date(2025, 11, 25), kind="thematic")
    refreshes = [c for c in callbacks if c is verdicts._send_refresh]
    assert len(refreshes) == 1
    assert {tree.cell_a1.pk, tree.cell_a2.pk, tree.cell_b.pk} <= verdicts._buffer.ids
    with django_capture_on_commit_callbacks(execute=True):
        refreshes[0]()  # through the outbox; eager here: the task runs in-process, as on the embedded default
    assert _stale() == set()


def test_oldest_stale_age_is_the_wait_of_the_oldest_mark(stored):
    tree = stored
    assert verdicts.oldest_stale_age() is None
    Rating.objects.get(organization=tree.cell_a1, year=2024).save()
    later = timezone.now() + datetime.timedelta(minutes=5)
    age = verdicts.oldest_stale_age(now=later)
    assert datetime.timedelta(minutes=4) < age <= datetime.timedelta(minutes=5, seconds=5)


def test_reading_many_subjects_costs_the_same_queries_as_few(stored):
    tree = stored
    extra = [OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=tree.committee_a) for _ in range(12)]
    verdicts.rebuild(tree.block, [2025], [Scheme.MEETING_QUALITY])
    few = [tree.cell_a1, tree.cell_a2]
    with CaptureQueriesContext(connection) as small:
        verdicts.results(few, Scheme.MEETING_QUALITY, 2025)
    with CaptureQueriesContext(connection) as large:
        verdicts.results(few + extra, Scheme.MEETING_QUALITY, 2025)
    assert len(large) == len(small) == 2  # which are missing, then the rows


def test_the_first_read_computes_what_is_not_stored(stored):
    tree = stored
    newcomer = OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=tree.committee_a)
    got = verdicts.results([tree.cell_a1, newcomer], Scheme.MEETING_QUALITY, 2025)
    assert set(got) == {tree.cell_a1.pk, newcomer.pk}
    assert Verdict.objects.filter(organization=newcomer, scheme=Scheme.MEETING_QUALITY, year=2025).exists()


def test_rebuild_command_rebuilds_a_subtree(stored):
    tree = stored
    Verdict.objects.filter(organization__in=[tree.cell_a1, tree.cell_a2]).delete()
    call_command("rebuild_verdicts", org=tree.committee_a.pk, years="2025-2025", stdout=open("/dev/null", "w"))
    assert Verdict.objects.filter(organization=tree.cell_a1, year=2025).count() == 4
    assert not Verdict.objects.filter(organization=tree.cell_a1, year=2024).exists()
