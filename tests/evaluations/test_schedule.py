"""Regular meeting day, postponements and the calendar ("chỉ báo hoãn, không báo họp" [001 §III.2(1)])."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from evaluations import services
from evaluations.selectors import upcoming_meetings

from .factories import file_meeting, members_on

pytestmark = pytest.mark.django_db


def test_a_postponement_moves_the_meeting_on_the_subtree_calendar(tree, users):
    services.schedule_set(user=users.secretary_a1, cell=tree.cell_a1, day_of_month=10, start_time=datetime.time(14))
    services.schedule_set(user=users.secretary_b, cell=tree.cell_b, day_of_month=12)
    services.postponement_report(
        user=users.secretary_a1,
        cell=tree.cell_a1,
        original_date=datetime.date(2025, 6, 10),
        new_date=datetime.date(2025, 6, 13),
        reason="Trùng hội nghị của Sở",
    )
    entries = upcoming_meetings([tree.committee_a], datetime.date(2025, 6, 1), months=1)
    assert [(e["cell"], e["date"]) for e in entries] == [
        (tree.cell_a1, datetime.date(2025, 6, 13)),
        (tree.cell_a1, datetime.date(2025, 7, 10)),
    ]
    assert entries[0]["postponement"].reason == "Trùng hội nghị của Sở"
    block = upcoming_meetings([tree.block], datetime.date(2025, 6, 1), months=0)
    assert {e["cell"] for e in block} == {tree.cell_a1, tree.cell_b}


def test_a_postponement_needs_a_later_date_and_a_reason(tree, users):
    with pytest.raises(ValidationError) as error:
        services.postponement_report(
            user=users.secretary_a1,
            cell=tree.cell_a1,
            original_date=datetime.date(2025, 6, 10),
            new_date=datetime.date(2025, 6, 9),
            reason="",
        )
    assert error.value.message_dict == {
        "new_date": ["Ngày họp mới phải sau ngày họp theo lịch."],
        "reason": ["Cần ghi lý do hoãn."],
    }


def test_the_calendar_page_and_api_show_the_users_subtree(client, tree, users):
    services.schedule_set(user=users.secretary_a1, cell=tree.cell_a1, day_of_month=10)
    services.schedule_set(user=users.secretary_b, cell=tree.cell_b, day_of_month=12)
    client.force_login(users.secretary_a1)
    page = client.get("/meetings/calendar/").content.decode()
    assert tree.cell_a1.name in page and tree.cell_b.name not in page
    cells = {e["cell"] for e in client.get("/api/meeting-schedules/calendar/").json()}
    assert cells == {tree.cell_a1.pk}


def test_a_partial_api_update_keeps_the_roll_call(client, tree, users):
    members = members_on(tree.cell_a1, 4)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 3, 5), absent=members[:1])
    client.force_login(users.secretary_a1)
    response = client.patch(
        f"/api/meetings/{meeting.pk}/", {"agenda": "Bổ sung nội dung"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert meeting.agenda == "Bổ sung nội dung"
    assert (meeting.roll_size, meeting.excused_count, meeting.self_score) == (4, 1, 93)
