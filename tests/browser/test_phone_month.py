"""A secretary files a month on a phone without losing anything (issue 11, "Phone flow").

Home → cell → meeting record → four-goods self-assessment on a 390×844 phone, Content-Security-
Policy on (a console CSP violation or script error fails the test): changing "Ngày họp" keeps
what was typed, one save reports every error at the top (focused, not under the sticky bar), a
double tap saves once, the same meeting twice is refused, "13,5" is 13.5. Taps and time of the
whole month are printed (README figures: /tmp/notes/readme_phone.md).
"""

import datetime
import re
import time
from decimal import Decimal

import pytest

from evaluations.models import FourGoodsAssessment, Meeting
from tests.factories import MemberFactory, MembershipFactory

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class Phone:
    """The page, counting what the secretary does: taps (clicks, ticks) and fields typed."""

    def __init__(self, page):
        self.page, self.taps, self.typed = page, 0, 0

    def tap(self, selector):
        self.taps += 1
        self.page.locator(selector).first.click()

    def type(self, selector, value):
        self.taps += 1  # the tap that focuses the field
        self.typed += 1
        self.page.fill(selector, value)


def _watch(page):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: ("Content Security Policy" in message.text or message.type == "error")
        and "Failed to load resource" not in message.text
        and problems.append(message.text),
    )
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_secretary_files_a_month_on_a_phone_without_losing_anything(live_server, browser, tree, users):
    cell = tree.cell_a1
    members = []
    for i in range(10):  # a cell of 10: 5 speakers required (SCHEMES §2.1)
        member = MemberFactory(full_name=f"Đảng viên {i:02d}")
        MembershipFactory(member=member, cell=cell, start_date=datetime.date(2015, 1, 1))
        members.append(member)
    today = datetime.date.today()
    first_of_last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    newcomer_day = first_of_last.replace(day=10)
    newcomer = MemberFactory(full_name="Đảng viên mới")
    MembershipFactory(member=newcomer, cell=cell, start_date=newcomer_day)  # on the roll from the 10th
    base = live_server.url

    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bithu_a1")
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    phone = Phone(page)
    started = time.monotonic()
    page.goto(f"{base}/")
    cell_link = page.locator(f'a[href="/meetings/cell/{cell.pk}/"]')
    if cell_link.count():
        phone.tap(f'a[href="/meetings/cell/{cell.pk}/"]')
    else:  # the home lists no link to the cell yet: one tap on a bookmark
        phone.taps += 1
        page.goto(f"{base}/meetings/cell/{cell.pk}/")
    phone.tap("a:has-text('Ghi biên bản sinh hoạt')")
    page.wait_for_url(re.compile(r"/new/"))

    # Everything typed first, then the date: the roll is recomputed, nothing is lost.
    phone.type("[name=start_time]", "14:00")
    phone.type("[name=end_time]", "15:45")
    phone.type("[name=agenda]", "Đánh giá nhiệm vụ tháng, triển khai tháng tới")
    for member in members[1:6]:
        phone.tap(f'[data-member="{member.pk}"] .spoke')
    phone.tap(f'[data-member="{members[0].pk}"] label:has-text("Vắng có lý do")')
    phone.type(f"[name=reason-{members[0].pk}]", "Đi công tác")
    early = first_of_last.replace(day=5)
    with page.expect_navigation():
        phone.type("[name=date]", early.isoformat())
    assert page.input_value("[name=date]") == early.isoformat()
    assert page.input_value("[name=end_time]") == "15:45"
    assert page.input_value("[name=agenda]") == "Đánh giá nhiệm vụ tháng, triển khai tháng tới"
    assert all(page.is_checked(f'[data-member="{m.pk}"] .spoke input') for m in members[1:6])
    assert page.input_value(f"[name=reason-{members[0].pk}]") == "Đi công tác"
    assert page.locator(".att-row").count() == 10  # the newcomer joins on the 10th: not on this roll
    assert page.locator(f'[data-member="{newcomer.pk}"]').count() == 0

    # Impossible values: the live bar says what is wrong instead of "-90/90 phút" or "112 — Tốt".
    phone.type("[name=end_time]", "13:00")
    assert page.text_content("#live-duration") == "Giờ kết thúc phải sau giờ bắt đầu"
    for name, value in (("preparation", "14"), ("attendance", "19"), ("conduct", "46"), ("closing", "18")):
        phone.type(f"[name=section_{name}]", value)
    assert page.text_content("#live-score") == "Điểm vượt tối đa"
    phone.type("[name=votes_for]", "200")

    # One save reports every error, at the top, focused, links to the fields.
    phone.tap("button:has-text('Lưu biên bản')")
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = summary.bounding_box()
    assert 0 <= box["y"] < 844 - 200  # on screen, above the sticky bar at the bottom
    text = summary.text_content()
    assert "Giờ kết thúc phải sau giờ bắt đầu." in text
    assert "Số phiếu tán thành (200) vượt số đảng viên có mặt (9)." in text
    assert page.locator("#error-summary a[href='#id_section_conduct']").count() == 1
    phone.tap("#error-summary a[href='#id_end_time']")
    assert page.evaluate("document.activeElement.id") == "id_end_time"
    field = page.locator("#id_end_time").bounding_box()
    bar = page.locator(".sticky-sum").bounding_box()
    assert field["y"] + field["height"] <= bar["y"]  # not hidden under the sticky bar
    assert page.input_value("[name=agenda]") == "Đánh giá nhiệm vụ tháng, triển khai tháng tới"  # still kept

    # Corrected, with the Vietnamese decimal comma; a double tap saves once.
    phone.type("[name=end_time]", "15:45")
    phone.type("[name=section_conduct]", "40,5")
    phone.type("[name=votes_for]", "9")
    assert page.text_content("#live-score") == "91,5 — Tốt"
    phone.taps += 1
    page.locator("button:has-text('Lưu biên bản')").dblclick()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert Meeting.objects.filter(cell=cell).count() == 1
    meeting = Meeting.objects.get(cell=cell)
    assert meeting.self_score == Decimal("91.5") and meeting.date == early

    # Four-goods self-assessment of that month, comma decimals.
    page.goto(f"{base}/four-goods/{cell.pk}/{early.year}/{early.month}/")
    phone.taps += 1  # from the cell page's month row
    for code, points in (("FG1", "22,5"), ("FG2", "25"), ("FG3", "22"), ("FG4", "20")):
        phone.type(f"[name=points_{code}]", points)
    for box in page.locator(".fg-achieved").all():
        phone.taps += 1
        box.check()
    phone.type("[name=votes_for]", "9")
    assert page.text_content("#fg-live").startswith("89,5")
    phone.tap("button:has-text('Lưu tự đánh giá')")
    page.wait_for_load_state()
    elapsed = time.monotonic() - started
    assessment = FourGoodsAssessment.objects.get(organization=cell, year=early.year, month=early.month)
    assert assessment.score == Decimal("89.5")

    # The same meeting filed again is refused with a clear message.
    page.goto(f"{base}/meetings/cell/{cell.pk}/new/?date={early.isoformat()}")
    page.fill("[name=start_time]", "14:00")
    page.fill("[name=end_time]", "15:45")
    page.click("button:has-text('Lưu biên bản')")
    page.wait_for_load_state()
    assert "đã có biên bản sinh hoạt thường kỳ ngày" in page.text_content("#error-summary")
    assert Meeting.objects.filter(cell=cell).count() == 1

    print(
        f"\nPHONE MONTH (cell of 10): {phone.taps} taps, {phone.typed} fields typed, "
        f"{elapsed:.1f} s of browser time (including two deliberate corrections)"
    )
    assert problems == []
    context.close()
