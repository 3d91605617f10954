"""The attendee's decided score replaces the self-score [001 §III.4(3)]; locking and audited reopen (SCHEMES §3.2)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import services
from evaluations.models import AttendeeAssignment, FourGoodsAssessment, FourGoodsReopen

from .factories import file_meeting, members_on

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 12, 1)
GOOD = {"FG1": 25, "FG2": 25, "FG3": 22, "FG4": 20}
ALL = {"FG1": True, "FG2": True, "FG3": True, "FG4": True}


def test_the_attendee_score_replaces_the_self_score(tree, users):
    members = members_on(tree.cell_a1, 5)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 3, 5))
    assert meeting.effective_score == Decimal("93") and meeting.quality_level == "good"
    AttendeeAssignment.objects.create(
        user=users.attendee,
        cell=tree.cell_a1,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    report = services.attendee_report_file(
        user=users.attendee,
        meeting=meeting,
        data={"meeting_conduct": "Đúng quy trình", "assessment": "Khá", "decided_score": Decimal("78")},
    )
    meeting.refresh_from_db()
    assert report.assignment is not None
    assert meeting.self_score == Decimal("93")
    assert meeting.decided_score == Decimal("78")
    assert meeting.effective_score == Decimal("78")
    assert meeting.quality_level == "fair"


def test_a_secretary_cannot_file_the_attendee_report(tree, users):
    members = members_on(tree.cell_a1, 3)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 3, 5))
    with pytest.raises(PermissionDenied):
        services.attendee_report_file(
            user=users.secretary_a1,
            meeting=meeting,
            data={"meeting_conduct": "x", "assessment": "x", "decided_score": 99},
        )


@pytest.mark.parametrize(
    ("points", "achieved", "passed"),
    [
        (GOOD, ALL, True),  # 92, all achieved
        ({"FG1": 25, "FG2": 25, "FG3": 20, "FG4": 19}, ALL, False),  # 89 < 90
        ({"FG1": 25, "FG2": 25, "FG3": 25, "FG4": 25}, {**ALL, "FG4": False}, False),  # one not achieved
    ],
)
def test_the_month_passes_when_every_criterion_is_achieved_and_the_score_reaches_90(
    tree, users, points, achieved, passed
):
    assessment = services.four_goods_save(
        user=users.secretary_a1,
        organization=tree.cell_a1,
        year=2025,
        month=10,
        points=points,
        achieved=achieved,
        today=TODAY,
    )
    assert assessment.passed is passed


def test_a_locked_month_changes_only_through_an_audited_reopen(tree, users):
    assessment = services.four_goods_save(
        user=users.secretary_a1, organization=tree.cell_a1, year=2025, month=10, points=GOOD, achieved=ALL, today=TODAY
    )
    with pytest.raises(PermissionDenied):
        services.four_goods_lock_month(user=users.secretary_a1, organization=tree.committee_a, year=2025, month=10)
    assert (
        services.four_goods_lock_month(user=users.committee_staff_a, organization=tree.committee_a, year=2025, month=10)
        == 1
    )

    with pytest.raises(ValidationError) as error:
        services.four_goods_save(
            user=users.secretary_a1,
            organization=tree.cell_a1,
            year=2025,
            month=10,
            points=GOOD,
            achieved={},
            today=TODAY,
        )
    assert "Tháng 10/2025 đã được đảng ủy cơ sở khóa" in str(error.value)
    members = members_on(tree.cell_a1, 3)
    with pytest.raises(ValidationError, match="đã được đảng ủy cơ sở khóa"):
        file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 10, 5))

    assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="Cần ghi lý do"):
        services.four_goods_reopen(user=users.committee_staff_a, assessment=assessment, reason="  ")
    with pytest.raises(PermissionDenied):
        services.four_goods_reopen(user=users.secretary_a1, assessment=assessment, reason="Sửa sai")
    locked_at = assessment.locked_at
    audit = services.four_goods_reopen(
        user=users.committee_staff_a, assessment=assessment, reason="Chi bộ nhập nhầm điểm FG3"
    )

    assert FourGoodsReopen.objects.get() == audit
    assert audit.reopened_by == users.committee_staff_a
    assert audit.reason == "Chi bộ nhập nhầm điểm FG3"
    assert audit.previous_locked_at == locked_at
    assert audit.previous_values["score"] == "92.00"
    assert audit.reopened_at is not None
    changed = services.four_goods_save(
        user=users.secretary_a1,
        organization=tree.cell_a1,
        year=2025,
        month=10,
        points={**GOOD, "FG3": 25},
        achieved=ALL,
        today=TODAY,
    )
    assert changed.score == Decimal("95") and not changed.is_locked
    assert FourGoodsAssessment.objects.count() == 1
