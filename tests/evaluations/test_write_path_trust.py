"""Issue 10 (Trust) on the monthly work: writes look at the stored record, locks are records of
their own, errors name nobody outside scope, choices stay in scope, bad input answers 400.

Rules: SCHEMES §3.2 (the grassroots committee locks a month for everything under it; reopening is
audited), §1.1 G2 / §2.1 (meeting attendance), [001 §III.2(2)] (assigned attendees).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.models import Attendance, AttendanceStatus, Meeting, MeetingQualityFramework, MonthLock
from registry.models import Role
from tests.factories import BlockFactory, UserFactory, appoint

from .factories import attendance_for, file_meeting, members_on

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 12, 1)
GOOD = {"FG1": 25, "FG2": 25, "FG3": 22, "FG4": 20}
ALL = {"FG1": True, "FG2": True, "FG3": True, "FG4": True}


def test_a_patch_cannot_move_a_meeting_or_empty_its_attendance(client, tree, users):
    members = members_on(tree.cell_a1, 4)
    # Cell A2 has an empty roll: on the old code the meeting moved there with no attendance.
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 1, 8))
    assert meeting.attendance_rate == 100
    client.force_login(users.committee_staff_a)  # may file for both cells of committee A
    response = client.patch(
        f"/api/meetings/{meeting.pk}/",
        {"topic": "x", "cell": tree.cell_a2.pk, "attendances": []},
        content_type="application/json",
    )
    assert response.status_code == 400  # the roll call of cell A1 cannot be emptied
    meeting.refresh_from_db()
    assert meeting.cell == tree.cell_a1
    assert meeting.attendances.count() == 4 and meeting.attendance_rate == 100

    # A month locked for cell A1 stays locked, whatever cell the body names (SCHEMES §3.2).
    services.four_goods_lock_month(user=users.committee_staff_a, organization=tree.cell_a1, year=2025, month=1)
    client.force_login(users.secretary_a1)
    response = client.patch(
        f"/api/meetings/{meeting.pk}/", {"topic": "x", "cell": tree.cell_b.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "đã được đảng ủy cơ sở khóa" in str(response.json())
    meeting.refresh_from_db()
    assert meeting.cell == tree.cell_a1 and meeting.topic != "x"
    assert client.delete(f"/api/meetings/{meeting.pk}/").status_code == 400
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_locked_month_refuses_a_cell_that_filed_nothing(client, tree, users):
    assert (
        services.four_goods_lock_month(user=users.committee_staff_a, organization=tree.committee_a, year=2025, month=10)
        == 0
    )  # nothing was filed yet
    assert MonthLock.objects.active().filter(organization=tree.committee_a, year=2025, month=10).exists()
    with pytest.raises(ValidationError, match="đã được đảng ủy cơ sở khóa"):
        services.four_goods_save(
            user=users.secretary_a1,
            organization=tree.cell_a1,
            year=2025,
            month=10,
            points=GOOD,
            achieved=ALL,
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="đã được đảng ủy cơ sở khóa"):
        file_meeting(users.secretary_a1, tree.cell_a1, members_on(tree.cell_a1, 3), datetime.date(2025, 10, 5))
    client.force_login(users.secretary_a1)
    response = client.post(
        "/api/four-goods/",
        {"organization": tree.cell_a1.pk, "year": 2025, "month": 10, "points": GOOD, "achieved": ALL},
        content_type="application/json",
    )
    assert response.status_code == 400
    # A cell outside the locked subtree still files the month.
    assert services.four_goods_save(
        user=users.secretary_b, organization=tree.cell_b, year=2025, month=10, points=GOOD, achieved=ALL, today=TODAY
    ).pk
    # Reopening (audited) closes the lock row, kept with who and why.
    filed = services.four_goods_save(
        user=users.secretary_a1, organization=tree.cell_a1, year=2025, month=9, points=GOOD, achieved=ALL, today=TODAY
    )
    services.four_goods_lock_month(user=users.committee_staff_a, organization=tree.committee_a, year=2025, month=9)
    services.four_goods_reopen(user=users.committee_staff_a, assessment=filed, reason="Nhập nhầm")
    lock = MonthLock.objects.get(organization=tree.committee_a, year=2025, month=9)
    assert lock.reopened_by == users.committee_staff_a and lock.reopen_reason == "Nhập nhầm"
    assert not services.month_is_locked(tree.cell_a2, 2025, 9)


def test_meeting_errors_never_name_a_member_of_another_cell(client, tree, users):
    members = members_on(tree.cell_a1, 3)
    (stranger,) = members_on(tree.cell_b, 1, full_name="Nguyễn Văn Ngoàiphạmvi")
    client.force_login(users.secretary_a1)
    payload = {
        "cell": tree.cell_a1.pk,
        "date": "2025-05-06",
        "kind": "regular",
        "attendances": [{"member": m.pk, "status": "present"} for m in [*members, stranger]],
    }
    foreign = client.post("/api/meetings/", payload, content_type="application/json")
    unknown = client.post(
        "/api/meetings/",
        {**payload, "attendances": [*payload["attendances"][:3], {"member": 987654321, "status": "present"}]},
        content_type="application/json",
    )
    assert foreign.status_code == unknown.status_code == 400
    assert "Ngoàiphạmvi" not in foreign.content.decode()
    assert foreign.content.decode().replace(str(stranger.pk), "ID") == unknown.content.decode().replace(
        "987654321", "ID"
    )
    # The service (what the meeting form calls with `att-<pk>` rows) names nobody either.
    with pytest.raises(ValidationError) as error:
        services.meeting_save(
            user=users.secretary_a1,
            cell=tree.cell_a1,
            data={"date": datetime.date(2025, 5, 6), "kind": "regular"},
            attendance=attendance_for([*members, stranger]),
        )
    assert "Ngoàiphạmvi" not in str(error.value)
    # Another cell's id answers 404, exactly like a nonexistent one (no existence oracle).
    other = client.post("/api/meetings/", {**payload, "cell": tree.cell_b.pk}, content_type="application/json")
    missing = client.post("/api/meetings/", {**payload, "cell": 99999999}, content_type="application/json")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_assignment_choices_stay_in_scope(client, tree, users):
    other_block = BlockFactory(name="Đảng bộ Khối khác")
    foreigner = appoint(UserFactory(username="du_khoi_khac"), other_block, Role.MEETING_ATTENDEE)
    choices = set(services.selectors.attendee_choices(users.org_board))
    assert users.attendee in choices and users.standing in choices
    assert foreigner not in choices
    assert users.secretary_a1 not in choices  # a cell secretary is not an attendee
    client.force_login(users.org_board)
    page = client.get(reverse("evaluations:assignments"))
    assert page.status_code == 200
    assert "du_khoi_khac" not in page.content.decode() and "dusinhhoat" in page.content.decode()
    response = client.post(
        "/api/attendee-assignments/",
        {"user": foreigner.pk, "cell": tree.cell_a1.pk, "start_date": "2025-01-01", "end_date": "2025-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "du_khoi_khac" not in response.content.decode()


def test_frameworks_outside_scope_answer_404(client, tree, users):
    general = MeetingQualityFramework.objects.create(name="Khung chung")
    own = MeetingQualityFramework.objects.create(name="Khung Sở Tài chính", organization=tree.committee_a)
    foreign = MeetingQualityFramework.objects.create(name="Khung Ban Dân tộc", organization=tree.cell_b)
    client.force_login(users.secretary_a1)
    assert client.get(f"/api/meeting-frameworks/{foreign.pk}/").status_code == 404
    assert client.get(f"/api/meeting-frameworks/{own.pk}/").status_code == 200  # an ancestor's framework applies
    assert client.get(f"/api/meeting-frameworks/{general.pk}/").status_code == 200
    listed = client.get("/api/meeting-frameworks/?page_size=500").content.decode()
    assert "Khung Ban Dân tộc" not in listed and "Khung Sở Tài chính" in listed


@pytest.mark.parametrize(
    "body",
    [
        {"points": [1]},
        {"points": {"FG1": "nhiều"}},
        {"points": {"FG1": 10**30}},
        {"points": None},
        {"achieved": [True]},
        {"votes_for": 10**12},
        {"votes_for": "x"},
    ],
)
def test_malformed_four_goods_input_answers_400(client, tree, users, body):
    assessment = services.four_goods_save(
        user=users.secretary_a1, organization=tree.cell_a1, year=2025, month=3, points=GOOD, achieved=ALL, today=TODAY
    )
    client.force_login(users.secretary_a1)
    response = client.patch(f"/api/four-goods/{assessment.pk}/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    for create in (
        {"organization": tree.cell_a1.pk, "year": 99999, "month": 1, "points": GOOD},
        {"organization": tree.cell_a1.pk, "year": 2025, "month": 13, "points": GOOD},
        {"organization": "abc", "year": 2025, "month": 1, "points": GOOD},
        {"organization": [1], "year": 2025, "month": 1, "points": GOOD},
        {"organization": tree.cell_a1.pk, "year": None, "month": 1, "points": GOOD},
        {"organization": tree.cell_a1.pk, "year": 2025, "month": 1, **body},
    ):
        response = client.post("/api/four-goods/", create, content_type="application/json")
        assert response.status_code == 400, (create, response.content)
    assert client.patch(f"/api/four-goods/{assessment.pk}/", [1], content_type="application/json").status_code == 400


def test_malformed_meeting_input_answers_400(client, tree, users):
    members = members_on(tree.cell_a1, 2)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 2, 4))
    client.force_login(users.secretary_a1)
    for body in (
        {"attendances": {"member": 1}},
        {"attendances": [{"member": [1]}]},
        {"attendances": [{"member": 10**30}]},
        {"section_scores": [1]},
        {"votes_for": 10**12},
        {"date": 5},
    ):
        response = client.patch(f"/api/meetings/{meeting.pk}/", body, content_type="application/json")
        assert response.status_code == 400, (body, response.content)
    assert client.patch(f"/api/meetings/{meeting.pk}/", [1], content_type="application/json").status_code == 400


def test_attendance_edits_keep_history(tree, users):
    members = members_on(tree.cell_a1, 3)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 4, 2))
    first = {a.member_id: a.pk for a in meeting.attendances.all()}
    data = {"date": meeting.date, "start_time": meeting.start_time, "end_time": meeting.end_time, "kind": "regular"}
    services.meeting_save(
        user=users.secretary_a1,
        cell=tree.cell_a1,
        data=data,
        attendance=attendance_for(members, absent=members[:1]),
        meeting=meeting,
        today=TODAY,
    )
    # Rows are updated in place: same rows, and the change is in their history.
    assert {a.member_id: a.pk for a in meeting.attendances.all()} == first
    changed = Attendance.objects.get(meeting=meeting, member=members[0])
    assert changed.status == AttendanceStatus.EXCUSED
    statuses = list(changed.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == [AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED]
    assert changed.history.latest().history_user == users.secretary_a1
    unchanged = Attendance.objects.get(meeting=meeting, member=members[1])
    assert unchanged.history.count() == 1  # untouched rows are not rewritten
    assert meeting.history.count() == 2
