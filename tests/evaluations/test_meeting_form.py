"""The meeting form keeps everything and says everything at once (issue 11, "Forms that keep everything").

Votes are cast by the members present [001 §III.4(2)]; only a member present can have spoken
(SCHEMES §2.1); section scores range from 0 to the section's points [001 §III.4].
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import FourGoodsAssessment, Meeting
from tests.evaluations.factories import members_on

pytestmark = pytest.mark.django_db


def _post(members, **overrides):
    data = {
        "date": "2025-03-05",
        "start_time": "14:00",
        "end_time": "15:45",
        "kind": "regular",
        "agenda": "Đánh giá nhiệm vụ tháng 3, triển khai tháng 4",
        "section_preparation": "14",
        "section_attendance": "19",
        "section_conduct": "40",
        "section_closing": "18",
        "votes_for": str(len(members)),
        "votes_against": "0",
    }
    for member in members:
        data[f"att-{member.pk}"] = "present"
    data.update(overrides)
    return data


@pytest.fixture
def filing(client, tree, users):
    members = members_on(tree.cell_a1, 5)
    client.force_login(users.secretary_a1)
    return client, members, reverse("evaluations:meeting_create", args=[tree.cell_a1.pk])


def _errors(response):
    return [message for _anchor, message in response.context["error_summary"]]


def test_it_reads_the_vietnamese_decimal_comma(filing):
    client, members, url = filing
    response = client.post(url, _post(members, section_preparation="13,5"))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert Decimal(meeting.section_scores["preparation"]) == Decimal("13.5")
    assert meeting.self_score == Decimal("90.5")  # 13.5 + 19 + 40 + 18, not 135 + …


def test_it_refuses_more_votes_than_members_present(filing):
    client, members, url = filing
    response = client.post(url, _post(members, votes_for="200"))
    assert response.status_code == 200
    assert "Số phiếu tán thành (200) vượt số đảng viên có mặt (5)." in _errors(response)
    assert not Meeting.objects.exists()


def test_it_counts_only_the_members_present_for_the_vote(filing):
    client, members, url = filing
    absent = {f"att-{members[0].pk}": "excused", f"reason-{members[0].pk}": "Ốm"}
    response = client.post(url, _post(members, votes_for="5", **absent))
    assert "Số phiếu tán thành (5) vượt số đảng viên có mặt (4)." in _errors(response)
    assert not Meeting.objects.exists()


def test_it_refuses_a_speaker_tick_on_an_absent_member_by_name(filing):
    client, members, url = filing
    overrides = {
        f"att-{members[0].pk}": "unexcused",
        f"spoke-{members[0].pk}": "on",
        "votes_for": "4",
    }
    response = client.post(url, _post(members, **overrides))
    assert response.status_code == 200
    assert any(members[0].full_name in message and "phát biểu" in message for message in _errors(response))
    assert not Meeting.objects.exists()


def test_it_refuses_a_second_meeting_of_the_same_kind_on_the_same_day_unless_marked_separate(filing):
    client, members, url = filing
    assert client.post(url, _post(members)).status_code == 302
    response = client.post(url, _post(members))
    assert response.status_code == 200
    assert any("đã có biên bản sinh hoạt thường kỳ ngày 05/03/2025" in m for m in _errors(response))
    assert Meeting.objects.count() == 1
    assert client.post(url, _post(members, separate_meeting="on")).status_code == 302
    assert Meeting.objects.count() == 2


def test_a_double_post_of_the_same_form_saves_once(filing):
    client, members, url = filing
    data = _post(members, submission_token="a1b2c3", separate_meeting="on")  # even when marked separate
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url  # both land on the one saved record
    assert Meeting.objects.count() == 1


def test_every_error_is_reported_in_one_response_with_links_to_the_fields(filing):
    client, members, url = filing
    response = client.post(url, _post(members, start_time="", end_time="13:00", section_conduct="46", votes_for="200"))
    assert response.status_code == 200
    summary = dict((message, anchor) for anchor, message in response.context["error_summary"])
    assert summary["Trường này là bắt buộc."] == "id_start_time"
    # the service's rules too, in the same response, though the form itself was not valid
    assert summary["Số phiếu tán thành (200) vượt số đảng viên có mặt (5)."] == "id_votes_for"
    response = client.post(url, _post(members, end_time="13:00", section_conduct="46"))
    summary = dict((message, anchor) for anchor, message in response.context["error_summary"])
    assert summary["Giờ kết thúc phải sau giờ bắt đầu."] == "id_end_time"
    assert any(anchor == "id_section_conduct" for anchor in summary.values())
    html = response.content.decode()
    assert 'role="alert"' in html and 'href="#id_end_time"' in html and 'id="id_end_time"' in html


def test_changing_the_date_recomputes_the_roll_and_keeps_every_field(client, tree, users):
    old = members_on(tree.cell_a1, 3, start=datetime.date(2015, 1, 1))
    newcomer = members_on(tree.cell_a1, 1, start=datetime.date(2025, 4, 1))[0]
    client.force_login(users.secretary_a1)
    url = reverse("evaluations:meeting_create", args=[tree.cell_a1.pk])
    data = _post(
        old,
        date="2025-04-10",
        recompute="1",
        conclusions="Thống nhất",
        section_preparation="13,5",
        **{f"spoke-{old[1].pk}": "on", f"att-{old[2].pk}": "excused", f"reason-{old[2].pk}": "Đi công tác"},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Meeting.objects.exists()  # recomputing saves nothing
    assert response.context["error_summary"] == []  # and complains about nothing yet
    rows = {row["member"].pk: row for row in response.context["rows"]}
    assert set(rows) == {m.pk for m in old} | {newcomer.pk}  # the roll of 10/04/2025
    assert rows[old[1].pk]["spoke"] and rows[old[2].pk]["reason"] == "Đi công tác"
    html = response.content.decode()
    for kept in ("15:45", "Đánh giá nhiệm vụ tháng 3, triển khai tháng 4", "Thống nhất", "13,5", 'value="2025-04-10"'):
        assert kept in html


def _four_goods(members, **overrides):
    data = {"points_FG1": "22,5", "points_FG2": "25", "points_FG3": "22", "points_FG4": "20"}
    data.update({f"achieved_FG{i}": "on" for i in range(1, 5)})
    data.update(votes_for=str(len(members)), votes_against="0")
    data.update(overrides)
    return data


def test_the_four_goods_page_reads_the_decimal_comma(filing, tree):
    client, members, _url = filing
    url = reverse("evaluations:four_goods", args=[tree.cell_a1.pk, 2025, 3])
    assert client.post(url, _four_goods(members)).status_code == 302
    assert FourGoodsAssessment.objects.get(organization=tree.cell_a1).score == Decimal("89.5")


def test_the_four_goods_page_refuses_more_votes_than_members(filing, tree):
    client, members, _url = filing
    url = reverse("evaluations:four_goods", args=[tree.cell_a1.pk, 2025, 3])
    response = client.post(url, _four_goods(members, votes_for="200"))
    assert response.status_code == 200
    assert "Số phiếu tán thành (200) vượt số đảng viên của chi bộ (5)." in _errors(response)
    assert not FourGoodsAssessment.objects.exists()


# ------------------------------------------------------------------- chair and recorder (issue 11)
# Both sign the minutes of a meeting they attended: members of the day's roll, marked present.


def test_the_chair_and_the_recorder_are_offered_from_the_days_roll(filing, tree):
    client, members, url = filing
    outsider = members_on(tree.cell_b, 1)[0]
    response = client.get(url + "?date=05/03/2025")
    offered = {member.pk for member in response.context["form"].fields["chair"].queryset}
    assert offered == {m.pk for m in members}
    assert outsider.pk not in offered
    assert set(response.context["form"].fields["recorder"].queryset) == set(
        response.context["form"].fields["chair"].queryset
    )


def test_a_chair_and_a_recorder_present_at_the_meeting_are_saved(filing):
    client, members, url = filing
    response = client.post(url, _post(members, chair=str(members[0].pk), recorder=str(members[1].pk)))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.chair, meeting.recorder) == (members[0], members[1])


def test_an_absent_chair_or_recorder_is_refused_saying_why(filing):
    client, members, url = filing
    overrides = {
        f"att-{members[0].pk}": "excused",
        f"reason-{members[0].pk}": "Đi công tác",
        f"att-{members[1].pk}": "unexcused",
        "votes_for": "3",
        "chair": str(members[0].pk),
        "recorder": str(members[1].pk),
    }
    response = client.post(url, _post(members, **overrides))
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    summary = dict((message, anchor) for anchor, message in response.context["error_summary"])
    chair_message = (
        f"Người chủ trì phải là đảng viên có mặt tại buổi họp; đồng chí {members[0].full_name} "
        "được điểm danh là “vắng có lý do”."
    )
    recorder_message = (
        f"Thư ký ghi biên bản phải là đảng viên có mặt tại buổi họp; đồng chí {members[1].full_name} "
        "được điểm danh là “vắng không lý do”."
    )
    assert summary[chair_message] == "id_chair"
    assert summary[recorder_message] == "id_recorder"
    html = response.content.decode()
    assert 'href="#id_chair"' in html and 'id="id_chair"' in html


def test_a_chair_from_another_cell_is_refused_without_naming_them(filing, tree):
    client, members, url = filing
    outsider = members_on(tree.cell_b, 1)[0]
    response = client.post(url, _post(members, chair=str(outsider.pk)))
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert "Người chủ trì phải là đảng viên trong danh sách sinh hoạt ngày họp." in _errors(response)
    assert outsider.full_name not in response.content.decode()


def test_the_date_change_reload_keeps_the_chair_and_the_recorder(client, tree, users):
    old = members_on(tree.cell_a1, 3, start=datetime.date(2015, 1, 1))
    client.force_login(users.secretary_a1)
    url = reverse("evaluations:meeting_create", args=[tree.cell_a1.pk])
    data = _post(old, date="2025-04-10", recompute="1", chair=str(old[0].pk), recorder=str(old[2].pk))
    response = client.post(url, data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    form = response.context["form"]
    assert str(form["chair"].value()) == str(old[0].pk) and str(form["recorder"].value()) == str(old[2].pk)
    html = response.content.decode()
    assert f'<option value="{old[0].pk}" selected>' in html and f'<option value="{old[2].pk}" selected>' in html


def test_the_edit_form_opens_with_the_stored_chair_and_recorder(filing):
    client, members, url = filing
    client.post(url, _post(members, chair=str(members[3].pk), recorder=str(members[4].pk)))
    meeting = Meeting.objects.get()
    html = client.get(reverse("evaluations:meeting_edit", args=[meeting.pk])).content.decode()
    assert f'<option value="{members[3].pk}" selected>' in html and f'<option value="{members[4].pk}" selected>' in html


def _api_payload(cell, members, **overrides):
    payload = {
        "cell": cell.pk,
        "date": "2025-05-06",
        "start_time": "14:00",
        "end_time": "15:45",
        "kind": "regular",
        "attendances": [
            {"member": m.pk, "status": "present" if i else "excused", "reason": "" if i else "Ốm", "spoke": 0 < i < 4}
            for i, m in enumerate(members)
        ],
    }
    payload.update(overrides)
    return payload


def test_the_api_accepts_a_chair_and_a_recorder_present_and_refuses_an_absent_one(client, tree, users):
    members = members_on(tree.cell_a1, 5)  # members[0] is away with a reason
    client.force_login(users.secretary_a1)
    refused = client.post(
        "/api/meetings/",
        _api_payload(tree.cell_a1, members, chair=members[0].pk, recorder=members[1].pk),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["chair"] == [
        f"Người chủ trì phải là đảng viên có mặt tại buổi họp; đồng chí {members[0].full_name} "
        "được điểm danh là “vắng có lý do”."
    ]
    assert not Meeting.objects.exists()
    accepted = client.post(
        "/api/meetings/",
        _api_payload(tree.cell_a1, members, chair=members[1].pk, recorder=members[2].pk),
        content_type="application/json",
    )
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert (body["chair"], body["recorder"]) == (members[1].pk, members[2].pk)
    assert (body["chair_name"], body["recorder_name"]) == (members[1].full_name, members[2].full_name)
    meeting = Meeting.objects.get()
    # A partial update keeps them; marking the recorder absent afterwards is refused while they stay recorder.
    patch = client.patch(f"/api/meetings/{meeting.pk}/", {"agenda": "Bổ sung"}, content_type="application/json")
    assert patch.status_code == 200 and patch.json()["recorder"] == members[2].pk
    rows = _api_payload(tree.cell_a1, members)["attendances"]
    rows[2].update(status="excused", reason="Ốm", spoke=False)
    patch = client.patch(f"/api/meetings/{meeting.pk}/", {"attendances": rows}, content_type="application/json")
    assert patch.status_code == 400 and "recorder" in patch.json()


def test_the_api_answers_a_chair_from_outside_the_scope_as_unknown(client, tree, users):
    members = members_on(tree.cell_a1, 3)
    stranger = members_on(tree.cell_b, 1)[0]
    client.force_login(users.secretary_a1)
    response = client.post(
        "/api/meetings/", _api_payload(tree.cell_a1, members, chair=stranger.pk), content_type="application/json"
    )
    assert response.status_code == 400
    assert stranger.full_name not in response.content.decode()
    assert Meeting.objects.count() == 0
