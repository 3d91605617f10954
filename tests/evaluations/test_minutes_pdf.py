"""The meeting minutes (biên bản sinh hoạt chi bộ) printed from a saved meeting (issue 11).

The minutes are an A4 party document (Hướng dẫn 36-HD/VPTW heading: the party organization
above, the cell, "ĐẢNG CỘNG SẢN VIỆT NAM", place and date) holding what the record holds:
time start–end, place, attendance against the roll with the absent and why (SCHEMES §1.1 G2,
§2.1), speakers, content, conclusions, resolution, the vote on the proposed level (§2.1) and
the signature lines of the recorder and the chair. Who may see the meeting may print it;
anyone else gets 404, as on the meeting page.
"""

import datetime
import io
import unicodedata

import pytest
from django.urls import reverse

from evaluations.models import AttendeeReport, Meeting, MeetingSchedule
from tests.factories import MemberFactory, MembershipFactory

from .factories import file_meeting

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = pytest.mark.django_db

NAMES = [
    "Nguyễn Thị Ánh Tuyết",
    "Đặng Văn Hưởng",
    "Trần Quốc Việt",
    "Phạm Thị Ngọc Ánh",
    "Lê Thị Hằng",
    "Vũ Đức Thắng",
]
AGENDA = "Đánh giá việc thực hiện nhiệm vụ tháng 3; triển khai nhiệm vụ tháng 4 năm 2025."
CONCLUSIONS = "Chi bộ thống nhất các giải pháp nâng cao chất lượng sinh hoạt."
RESOLUTION = "Tập trung hoàn thành dự toán ngân sách quý II; mỗi đảng viên đăng ký một việc làm cụ thể."


def _flat(text):
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _pages(content):
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [
            {
                "text": _flat(page.extract_text()),
                "signatures": [page.search(word, regex=False) for word in ("THƯ KÝ", "CHỦ TRÌ")],
                "closing": page.search("Buổi sinh hoạt kết thúc", regex=False),
            }
            for page in pdf.pages
        ]


@pytest.fixture
def meeting(tree, users):
    members = []
    for name in NAMES:
        member = MemberFactory(full_name=name)
        MembershipFactory(member=member, cell=tree.cell_a1, start_date=datetime.date(2015, 1, 1))
        members.append(member)
    MeetingSchedule.objects.create(cell=tree.cell_a1, day_of_month=5, place="Hội trường tầng 3, Sở Tài chính")
    file_meeting(
        users.secretary_a1,
        tree.cell_a1,
        members,
        datetime.date(2025, 3, 5),
        minutes=100,
        absent=(members[4],),
        unexcused=(members[5],),
        speakers=3,
    )
    meeting = Meeting.objects.get()
    Meeting.objects.filter(pk=meeting.pk).update(agenda=AGENDA, conclusions=CONCLUSIONS, resolution=RESOLUTION)
    meeting.refresh_from_db()
    return meeting


def _print(client, user, meeting):
    client.force_login(user)
    return client.get(reverse("evaluations:meeting_minutes", args=[meeting.pk]))


def test_the_secretary_prints_the_minutes_with_heading_attendance_content_and_signatures(client, users, tree, meeting):
    response = _print(client, users.secretary_a1, meeting)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    text = " ".join(page["text"] for page in pages)
    # Heading of a party document: the grassroots committee above, the cell, place and date.
    assert "ĐẢNG BỘ SỞ TÀI CHÍNH" in text
    assert "CHI BỘ PHÒNG NGÂN SÁCH" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Yên Bái, ngày 5 tháng 3 năm 2025" in text
    assert "BIÊN BẢN" in text and "Sinh hoạt chi bộ thường kỳ tháng 3 năm 2025" in text
    # Time start–end (14:00 plus 100 minutes) and the registered place.
    assert "bắt đầu lúc 14 giờ 00, ngày 5 tháng 3 năm 2025" in text
    assert "Buổi sinh hoạt kết thúc lúc 15 giờ 40 cùng ngày." in text
    assert "Địa điểm: Hội trường tầng 3, Sở Tài chính." in text
    # Attendance against the roll of 6: 4 present, one away with reason, one without.
    assert "có mặt: 4/6 đồng chí (đạt 66,67%)" in text
    assert "vắng: 2 đồng chí (có lý do: 1, không lý do: 1)" in text
    assert "Đồng chí Lê Thị Hằng: vắng có lý do (Đi công tác)." in text
    assert "Đồng chí Vũ Đức Thắng: vắng không lý do." in text
    # Speakers: the first three present members, by name (the absent never speak).
    assert "Có 3 đồng chí phát biểu ý kiến:" in text
    speakers = text.split("Có 3 đồng chí phát biểu ý kiến:")[1].split("IV. KẾT LUẬN")[0]
    assert all(name in speakers for name in NAMES[:3])  # file_meeting: the first three present spoke
    assert "Lê Thị Hằng" not in speakers and "Vũ Đức Thắng" not in speakers
    # Content, conclusions, resolution and the vote of the members present (file_meeting: all for).
    for part in (AGENDA, CONCLUSIONS, RESOLUTION):
        assert part in text
    # The self-score is the sum of the section scores (14 + 19 + 42 + 18); 90 and above is "Tốt".
    assert "Chất lượng buổi sinh hoạt: 93 điểm, xếp loại tốt." in text
    assert "Biểu quyết: 4/4 đồng chí có mặt tán thành (100%); 0 đồng chí không tán thành." in text
    # Vietnamese diacritics come back intact: no replacement character, every tone mark there.
    for name in NAMES[:3] + NAMES[4:]:  # the speakers and the absent are named; Ánh only attended
        assert name in text
    assert "Phạm Thị Ngọc Ánh" not in text
    assert "\ufffd" not in text
    # Signature lines of the recorder (left) and the chair (right), side by side on the last page,
    # with the closing line of the body above them.
    last = pages[-1]
    (recorder,), (chair,) = last["signatures"]
    assert abs(recorder["top"] - chair["top"]) < 3 and recorder["x0"] < chair["x0"]
    assert last["closing"] and last["closing"][0]["top"] < chair["top"]


def test_long_minutes_keep_the_signatures_with_the_end_of_the_body(client, users, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(agenda="\n".join([AGENDA] * 40))
    pages = _pages(_print(client, users.secretary_a1, meeting).content)
    assert len(pages) >= 2
    for page in pages[:-1]:
        assert not any(page["signatures"])
    last = pages[-1]
    assert all(last["signatures"]) and last["closing"]
    assert "Biểu quyết: 4/4 đồng chí có mặt tán thành" in last["text"]  # the body's last lines


def test_the_attendee_from_above_is_named_when_a_report_was_filed(client, users, meeting):
    users.attendee.last_name, users.attendee.first_name = "Hoàng Thị", "Lan"
    users.attendee.save()
    AttendeeReport.objects.create(
        meeting=meeting,
        attendee=users.attendee,
        arrived_at=datetime.time(14, 0),
        meeting_conduct="Đúng quy trình.",
        assessment="Tốt.",
        decided_score=90,
    )
    text = " ".join(page["text"] for page in _pages(_print(client, users.secretary_a1, meeting).content))
    assert "Cán bộ cấp trên dự sinh hoạt: đồng chí Hoàng Thị Lan (dự từ 14 giờ 00)." in text


def test_the_minutes_are_404_for_another_cells_secretary_and_ask_a_stranger_to_sign_in(client, users, meeting):
    assert _print(client, users.secretary_b, meeting).status_code == 404
    client.logout()
    response = client.get(reverse("evaluations:meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 302 and reverse("login") in response.url
    # The grassroots committee above the cell sees the meeting, so it may print the minutes too.
    assert _print(client, users.committee_staff_a, meeting).status_code == 200


def test_the_meeting_page_links_to_the_printable_minutes(client, users, meeting):
    client.force_login(users.secretary_a1)
    page = client.get(reverse("evaluations:meeting", args=[meeting.pk])).content.decode()
    assert "In biên bản (PDF)" in page
    assert reverse("evaluations:meeting_minutes", args=[meeting.pk]) in page


def test_the_chair_and_the_recorder_are_named_on_the_signature_lines(client, users, meeting):
    chair, recorder = (a.member for a in meeting.attendances.select_related("member").order_by("member__full_name")[:2])
    Meeting.objects.filter(pk=meeting.pk).update(chair=chair, recorder=recorder)
    pages = _pages(_print(client, users.secretary_a1, meeting).content)
    text = " ".join(page["text"] for page in pages)
    assert f"Chủ trì: đồng chí {chair.full_name}" in text
    assert f"Thư ký: đồng chí {recorder.full_name}" in text
    # On the signature page each name sits under its own role: the recorder left, the chair right.
    with pdfplumber.open(io.BytesIO(_print(client, users.secretary_a1, meeting).content)) as pdf:
        last = pdf.pages[-1]
        (recorder_role,) = last.search("THƯ KÝ", regex=False)
        (chair_role,) = last.search("CHỦ TRÌ", regex=False)
        recorder_hits = [h for h in last.search(recorder.full_name, regex=False) if h["top"] > recorder_role["top"]]
        chair_hits = [h for h in last.search(chair.full_name, regex=False) if h["top"] > chair_role["top"]]
    assert recorder_hits and chair_hits
    assert recorder_hits[0]["x0"] < chair_role["x0"] <= chair_hits[0]["x1"]
    assert "Chủ trì: …" not in text and "Thư ký: …" not in text  # no dotted line where a name is known


def test_old_records_without_chair_or_recorder_keep_the_dotted_lines(client, users, meeting):
    text = " ".join(page["text"] for page in _pages(_print(client, users.secretary_a1, meeting).content))
    assert "Chủ trì: ……" in text and "Thư ký: ……" in text
