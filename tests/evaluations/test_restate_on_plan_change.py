"""A plan created, copied or edited restates the figures stored on records already saved (issue 12).

What a meeting stores when it is filed follows the plan in force for its cell and year: the speakers
required by the cell's size [000 §II.1(2)] (seed: up to 9 members 3, up to 30 members 5, more 8;
SCHEMES §1.1 G2), the minimum duration (90 minutes, 120 when combined; HD 12-HD/BTCTW) and the
quality level from the score that counts on the plan's scale [001 §III.4]: seed good from 90, fair
from 70, average from 50, poor below (SCHEMES §2.1). A four-goods month passes when every criterion
is achieved and the score reaches the plan's pass mark, 90 in the seed [004 §II.4.2.2; SCHEMES §3.2].
A copy with other numbers restates those figures once it is committed, in a locked month too (they
are the plan's numbers, not the cell's filing), and only under its issuer: "a plan binds everything
under its issuer", never another block's cells.
"""

import datetime
import re

import pytest
from django.urls import reverse

from criteria import demo, engine, verdicts
from criteria.models import Scheme, Verdict
from criteria.services import plan_copy
from evaluations import restate, services
from evaluations.models import FourGoodsAssessment, Meeting
from registry.models import OrganizationKind
from tests.evaluations.factories import file_meeting, members_on
from tests.factories import OrganizationFactory

YEAR = 2025
AFTER = datetime.date(2026, 1, 15)
# file_meeting's section scores: 14 + 19 + 42 + 18 = 93 points.
SCORE = 93


@pytest.fixture
def plans(db):
    return {plan.number: plan for plan in demo.populate()}


def _copy(plans, number, issuer, change, copy_number):
    """The committee's copy of a seed plan with one number changed (plan_copy, then edited and saved)."""
    params = dict(plans[number].params)
    change(params)
    copy = plan_copy(plan=plans[number], issuer=issuer, number=copy_number)
    copy.params = params
    copy.save()
    return copy


def _stricter_levels(params):
    params["quality_levels"] = {"good": 95, "fair": 75, "average": 50}


def _six_speakers_for_ten(params):
    params["speakers"] = [
        {"max_members": 9, "min": 3},
        {"max_members": 30, "min": 6},
        {"max_members": None, "min": 8},
    ]


def _pass_from_95(params):
    params["monthly"] = dict(params["monthly"], pass_score=95)


def _month_cell(client, user, cell, month):
    """The cells of month `month` in the cell's page (meetings, four-goods), as the secretary sees them."""
    client.force_login(user)
    page = client.get(reverse("evaluations:cell", args=[cell.pk]) + f"?nam={YEAR}").content.decode()
    row = re.search(rf"<tr><td>{month}/{YEAR}</td>(.*?)</tr>", page, re.S)
    assert row, page
    return row.group(1)


def _file_month(user, organization, month, points):
    return services.four_goods_save(
        user=user,
        organization=organization,
        year=YEAR,
        month=month,
        points=points,
        achieved={code: True for code in points},
        today=AFTER,
    )


def test_a_copy_with_a_higher_good_mark_relevels_a_saved_meeting_in_a_locked_month(
    plans, tree, users, client, django_capture_on_commit_callbacks
):
    members = members_on(tree.cell_a1, 6)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(YEAR, 1, 5), minutes=130)
    assert meeting.self_score == SCORE and meeting.quality_level == "good"  # 93 >= 90 [001 §III.4]
    services.four_goods_lock_month(user=users.committee_staff_a, organization=tree.committee_a, year=YEAR, month=1)
    assert services.month_is_locked(tree.cell_a1, YEAR, 1)
    before = Meeting.objects.get(pk=meeting.pk)
    assert "Tốt" in _month_cell(client, users.secretary_a1, tree.cell_a1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        _copy(plans, "01-ĐA/ĐUK", tree.block, _stricter_levels, "99-ĐA/ĐUK")

    after = Meeting.objects.get(pk=meeting.pk)
    # 93 < 95 (good under the copy), 93 >= 75 (fair under the copy) [001 §III.4].
    assert after.quality_level == "fair"
    shown = _month_cell(client, users.secretary_a1, tree.cell_a1, 1)
    assert '<span class="badge warn">Khá</span>' in shown and "Tốt" not in shown
    # The month stays locked and what the cell filed is as it was; so is the time a person last edited it.
    assert services.month_is_locked(tree.cell_a1, YEAR, 1)
    for name in ("self_score", "section_scores", "votes_for", "roll_size", "speakers_count", "updated_at"):
        assert getattr(after, name) == getattr(before, name), name
    assert (after.required_speakers, after.required_minutes) == (3, 90)  # 6 members: 3; regular: 90 minutes
    # The change is in the record's history, with the plan that caused it and no user.
    latest = after.history.latest()
    assert latest.history_change_reason == "Tính lại theo 99-ĐA/ĐUK"
    assert latest.history_user is None and latest.quality_level == "fair"


def test_the_restated_levels_are_the_levels_the_stored_verdicts_read(
    plans, tree, users, django_capture_on_commit_callbacks
):
    """MQ5 [001 §II.1.2(3)] and FG2.2 [002 §II.1.2; 004 §II.3.2.2]: the cell's year of meetings is
    good when every regular meeting is fair or better and at least 7 are good; both rules read the
    level stored on each meeting. The meeting-quality copy marks its own scheme's verdicts stale;
    the restated levels reach the four-goods verdict too, and both are recomputed after them."""
    members = members_on(tree.cell_b, 6)
    for month in range(1, 13):
        kind = "combined" if month % 3 == 0 else "regular"
        file_meeting(users.secretary_b, tree.cell_b, members, datetime.date(YEAR, month, 5), kind=kind, minutes=130)
    verdicts.store_all([tree.cell_b.pk], [Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS], YEAR)
    assert _stored(tree.cell_b, Scheme.MEETING_QUALITY).statuses["MQ5"] == "met"
    assert _stored(tree.cell_b, Scheme.FOUR_GOODS).statuses["FG2.2"] == "met"

    with django_capture_on_commit_callbacks(execute=True):
        _copy(plans, "01-ĐA/ĐUK", tree.block, _stricter_levels, "99-ĐA/ĐUK")

    # 93 points under the copy: fair (from 75), not good (from 95) [001 §III.4].
    assert set(Meeting.objects.filter(cell=tree.cell_b).values_list("quality_level", flat=True)) == {"fair"}
    quality = _stored(tree.cell_b, Scheme.MEETING_QUALITY)
    assert quality.stale_since is None and quality.statuses["MQ5"] == "not_met"
    mq5 = next(c for c in quality.result["criteria"] if c["code"] == "MQ5")
    assert "Năm 2025 có 0 cuộc họp thường kỳ đạt mức Tốt, cần ít nhất 7" in mq5["reason"]
    four_goods = _stored(tree.cell_b, Scheme.FOUR_GOODS)
    assert four_goods.stale_since is None and four_goods.statuses["FG2.2"] == "not_met"


def _stored(cell, scheme):
    return Verdict.objects.get(organization=cell, scheme=scheme, year=YEAR)


def test_a_copy_asking_more_speakers_restates_a_saved_meeting_of_a_cell_of_ten(
    plans, tree, users, client, django_capture_on_commit_callbacks
):
    members = members_on(tree.cell_b, 10)
    meeting = file_meeting(
        users.secretary_b, tree.cell_b, members, datetime.date(YEAR, 3, 5), kind="combined", minutes=130, speakers=5
    )
    assert (meeting.roll_size, meeting.required_speakers, meeting.required_minutes) == (10, 5, 120)
    client.force_login(users.secretary_b)
    assert client.get(f"/api/meetings/{meeting.pk}/").json()["required_speakers"] == 5

    with django_capture_on_commit_callbacks(execute=True):
        _copy(plans, "128-KH/ĐUK", tree.block, _six_speakers_for_ten, "99-KH/ĐUK")

    # A cell of 10 is in the band up to 30 members: 6 under the copy [000 §II.1(2)].
    shown = client.get(f"/api/meetings/{meeting.pk}/").json()
    assert shown["required_speakers"] == 6
    assert shown["required_minutes"] == 120  # combined: 120 minutes, unchanged
    assert shown["quality_level"] == "good"  # the levels are the meeting-quality plan's, unchanged
    assert Meeting.objects.get(pk=meeting.pk).speakers_count == 5


def test_a_copy_with_a_higher_monthly_pass_mark_fails_a_saved_month_in_a_locked_month(
    plans, tree, users, client, django_capture_on_commit_callbacks
):
    points = {"FG1": 24, "FG2": 23, "FG3": 23, "FG4": 22}  # 92, every criterion achieved
    month = _file_month(users.secretary_a1, tree.cell_a1, 2, points)
    assert month.passed is True  # 92 >= 90 [004 §II.4.2.2]
    services.four_goods_lock_month(user=users.committee_staff_a, organization=tree.committee_a, year=YEAR, month=2)
    locked = FourGoodsAssessment.objects.get(pk=month.pk)
    assert locked.is_locked
    assert '<span class="badge ok">Đạt</span>' in _month_cell(client, users.secretary_a1, tree.cell_a1, 2)

    with django_capture_on_commit_callbacks(execute=True):
        _copy(plans, "39-KH/ĐU", tree.block, _pass_from_95, "99-KH/ĐU")

    after = FourGoodsAssessment.objects.get(pk=month.pk)
    assert after.passed is False  # 92 < 95
    shown = _month_cell(client, users.secretary_a1, tree.cell_a1, 2)
    assert '<span class="badge bad">Không đạt</span>' in shown and "🔒" in shown
    for name in ("points", "achieved", "score", "votes_for", "locked_at", "locked_by_id", "updated_at"):
        assert getattr(after, name) == getattr(locked, name), name
    fg5 = next(
        c for c in engine.evaluate([tree.cell_a1], Scheme.FOUR_GOODS, YEAR)[tree.cell_a1.pk].criteria if c.code == "FG5"
    )
    assert fg5.evidence["passed_months"] == []


def test_a_plan_of_one_block_never_touches_another_blocks_records(
    plans, tree, users, other_block, django_capture_on_commit_callbacks
):
    ours = file_meeting(
        users.secretary_b, tree.cell_b, members_on(tree.cell_b, 10), datetime.date(YEAR, 4, 5), speakers=5
    )
    theirs = file_meeting(
        other_block.secretary, other_block.cell, members_on(other_block.cell, 10), datetime.date(YEAR, 4, 5), speakers=5
    )
    points = {"FG1": 24, "FG2": 23, "FG3": 23, "FG4": 22}  # 92
    their_month = _file_month(other_block.secretary, other_block.cell, 4, points)
    assert (ours.quality_level, theirs.quality_level, their_month.passed) == ("good", "good", True)

    # Our block's own numbers: good from 95, 6 speakers for a cell of 10, months pass from 95.
    with django_capture_on_commit_callbacks(execute=True):
        ours_levels = _copy(plans, "01-ĐA/ĐUK", tree.block, _stricter_levels, "99-ĐA/ĐUK")
        _copy(plans, "128-KH/ĐUK", tree.block, _six_speakers_for_ten, "99-KH/ĐUK")
        _copy(plans, "39-KH/ĐU", tree.block, _pass_from_95, "99-KH/ĐU")

    ours = Meeting.objects.get(pk=ours.pk)
    assert (ours.quality_level, ours.required_speakers) == ("fair", 6)
    theirs = Meeting.objects.get(pk=theirs.pk)
    assert (theirs.quality_level, theirs.required_speakers) == ("good", 5)  # the seed's numbers still
    assert FourGoodsAssessment.objects.get(pk=their_month.pk).passed is True
    assert theirs.history.count() == 1  # never rewritten

    # The other block's own copy (newer) with a lower good mark applies to its cells only: editing
    # our plan afterwards restates our cells by our copy, not by the newest plan anywhere.
    def lenient(params):
        params["quality_levels"] = {"good": 80, "fair": 60, "average": 40}

    with django_capture_on_commit_callbacks(execute=True):
        _copy(plans, "01-ĐA/ĐUK", other_block.block, lenient, "88-ĐA/ĐUKDN")
        ours_levels.title = ours_levels.title + " (sửa đổi)"
        ours_levels.save()

    assert Meeting.objects.get(pk=ours.pk).quality_level == "fair"  # 93 < 95, ours
    assert Meeting.objects.get(pk=theirs.pk).quality_level == "good"  # 93 >= 80, theirs


# Restating: savepoint, the meetings, the months, the plans in force (one query for the year, every
# organization together), the four-goods frameworks, for the meetings and for the months one UPDATE
# per distinct set of new values (one each here: fair, 6 speakers, 90 minutes; not passed) and one
# history INSERT, release (10); then the verdicts reading them told once for the year
# (registry.signals.facts_changed -> criteria.verdicts.mark_stale: the organizations' paths, the plans
# of the 3 schemes reading meetings or months for their windows, one UPDATE of the verdicts: 5).
QUERIES = 15
# Nothing to change: the savepoint, the four reads, the release.
QUERIES_UNCHANGED = 6


@pytest.mark.parametrize("cells", [1, 4])
def test_restating_takes_the_same_queries_whatever_the_number_of_rows(
    cells, plans, tree, users, django_assert_num_queries
):
    """Each cell files 3 meetings and 2 months; every figure changes under the copies."""
    organization = tree.committee_a
    pool = [tree.cell_a1, tree.cell_a2] + [
        OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=organization) for _i in range(2)
    ]
    chosen = pool[:cells]
    for cell in chosen:
        members = members_on(cell, 10)
        for month in (1, 2, 3):
            file_meeting(users.committee_staff_a, cell, members, datetime.date(YEAR, month, 5), speakers=6)
        for month in (1, 2):
            _file_month(users.committee_staff_a, cell, month, {"FG1": 24, "FG2": 23, "FG3": 23, "FG4": 22})
    # Outside django_capture_on_commit_callbacks the copies' own restating never runs here.
    _copy(plans, "01-ĐA/ĐUK", tree.block, _stricter_levels, "99-ĐA/ĐUK")
    _copy(plans, "128-KH/ĐUK", tree.block, _six_speakers_for_ten, "99-KH/ĐUK")
    _copy(plans, "39-KH/ĐU", tree.block, _pass_from_95, "99-KH/ĐU")
    ids = [cell.pk for cell in chosen]

    with django_assert_num_queries(QUERIES):
        restated = restate.restate_stored_figures(ids, [YEAR])
    assert restated == {"meetings": 3 * cells, "four_goods": 2 * cells}
    assert set(Meeting.objects.filter(cell_id__in=ids).values_list("quality_level", "required_speakers")) == {
        ("fair", 6)
    }
    assert not FourGoodsAssessment.objects.filter(organization_id__in=ids, passed=True).exists()

    # Nothing left to change: reading only, nothing written.
    with django_assert_num_queries(QUERIES_UNCHANGED):
        assert restate.restate_stored_figures(ids, [YEAR]) == {"meetings": 0, "four_goods": 0}
