"""A secretary files a month on a phone; the attendee's report overrides the score (issue 3).

Real headless Chromium (Debian package) through Playwright; see PLATFORM.md.
"""

import datetime
import re

import pytest

from evaluations.models import AttendeeAssignment, FourGoodsAssessment, Meeting
from tests.factories import MemberFactory, MembershipFactory


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_secretary_files_a_month_on_a_phone_and_the_attendee_overrides_the_score(live_server, browser, tree, users):
    members = []
    for i in range(12):  # 10–30 members: 5 speakers required
        member = MemberFactory(full_name=f"Đảng viên {i:02d}")
        MembershipFactory(member=member, cell=tree.cell_a1, start_date=datetime.date(2015, 1, 1))
        members.append(member)
    today = datetime.date.today()
    day = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=5)  # the 5th of last month
    AttendeeAssignment.objects.create(
        user=users.attendee, cell=tree.cell_a1, start_date=day - datetime.timedelta(days=40), end_date=today
    )
    base = live_server.url

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # a blocked inline script or style (Content-Security-Policy) shows up as a console error
    page.on(
        "console",
        lambda message: message.type == "error"
        and "Failed to load resource" not in message.text
        and errors.append(message.text),
    )
    _login(page, base, "bithu_a1")
    page.goto(f"{base}/meetings/cell/{tree.cell_a1.pk}/new/?date={day.isoformat()}")
    assert page.locator(".att-row").count() == 12  # the whole roll on one screen of toggles, no dropdowns
    assert page.locator("#attendance select").count() == 0
    page.fill("[name=start_time]", "14:00")
    page.fill("[name=end_time]", "15:20")  # 80 minutes: under 90
    page.locator(f'[data-member="{members[0].pk}"] label:has-text("Vắng không lý do")').click()
    page.locator(f'[data-member="{members[1].pk}"] label:has-text("Vắng có lý do")').click()
    page.fill(f"[name=reason-{members[1].pk}]", "Đi công tác")
    for member in members[2:7]:
        page.locator(f'[data-member="{member.pk}"] .spoke').click()
    page.fill("[name=agenda]", "Đánh giá nhiệm vụ tháng, triển khai tháng tới")
    for name, value in (("preparation", "14"), ("attendance", "17"), ("conduct", "40"), ("closing", "18")):
        page.fill(f"[name=section_{name}]", value)
    page.fill("[name=votes_for]", "10")
    # computed live in the form
    assert errors == []
    assert page.text_content("#live-attendance") == "10/12 (83,33%)"
    assert page.text_content("#live-speakers") == "5/5"
    assert page.text_content("#live-duration").startswith("80/90")
    assert page.text_content("#live-score") == "89 — Khá"
    page.click("button:has-text('Lưu biên bản')")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))

    # stored and shown by the server, with the flags
    assert page.text_content("#res-attendance").strip() == "10/12 (83,33%)"
    assert page.text_content("#res-speakers").strip() == "5/5"
    assert "80/90" in page.text_content("#res-duration")
    assert page.text_content("#res-score").strip() == "89.00"
    flags = page.text_content(".flags")
    assert "vắng không lý do (Đảng viên 00)" in flags
    assert "kéo dài 80 phút, dưới 90 phút" in flags
    meeting = Meeting.objects.get()
    assert (meeting.present_count, meeting.unexcused_count, meeting.speakers_count) == (10, 1, 5)

    page.goto(f"{base}/four-goods/{tree.cell_a1.pk}/{day.year}/{day.month}/")
    for code, points in (("FG1", "25"), ("FG2", "22"), ("FG3", "25"), ("FG4", "24")):
        page.fill(f"[name=points_{code}]", points)
        page.check(f"[name=achieved_{code}]")
    page.fill("[name=votes_for]", "10")
    assert page.text_content("#fg-live") == "96 — Đạt"
    page.click("button:has-text('Lưu tự đánh giá')")
    page.wait_for_load_state()
    assert "Đạt" in page.text_content("#fg-result")
    assert FourGoodsAssessment.objects.get().passed
    assert errors == []

    page.goto(f"{base}/meetings/cell/{tree.cell_a1.pk}/?nam={day.year}")
    assert "vắng không lý do" in page.text_content(".flags")
    context.close()

    # the attendee overrides the score
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, base, "dusinhhoat")
    page.goto(f"{base}/meetings/attendee/")
    assert tree.cell_a1.name in page.text_content("main")
    page.click("a:has-text('Báo cáo')")
    page.fill("[name=arrived_at]", "14:00")
    page.fill("[name=unit_situation]", "Đơn vị hoàn thành nhiệm vụ tháng.")
    page.fill("[name=meeting_conduct]", "Sinh hoạt chưa đủ thời lượng, một đảng viên vắng không lý do.")
    page.fill("[name=issues_raised]", "Đề nghị chấn chỉnh nền nếp sinh hoạt.")
    page.fill("[name=issues_answered]", "Chi ủy tiếp thu.")
    page.fill("[name=assessment]", "Chất lượng trung bình.")
    page.fill("[name=decided_score]", "65")
    page.click("button:has-text('Lưu báo cáo')")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert page.text_content("#res-score").strip() == "65.00"
    assert page.text_content("#res-level").strip() == "Trung bình"
    assert "Chất lượng trung bình." in page.text_content("#attendee-report")
    context.close()
    meeting.refresh_from_db()
    assert (meeting.self_score, meeting.decided_score, meeting.quality_level) == (89, 65, "average")
