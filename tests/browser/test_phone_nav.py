"""The navigation and long pages on a phone, under the Content-Security-Policy (issue 11).

On a phone (390×844) the menu is closed behind a "Menu" button and opens grouped by task; on a
desktop it is open and the button hidden. The cell page opens on a table of contents and the gap
report ("Còn phải làm"); the criteria table is stacked so "Lý do" gets the card's width.
The behaviour lives in static/js/portal.js and static/css/portal.css; a console CSP violation
or a script error fails the test.
"""

import pytest

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _page(browser, base, username, device):
    context = browser.new_context(**device)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: ("Content Security Policy" in message.text or message.type == "error")
        and "Failed to load resource" not in message.text
        and problems.append(message.text),
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page, problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_phone_menu_is_closed_and_opens_grouped_by_task(live_server, browser, tree, users):
    page, problems = _page(browser, live_server.url, "canbo_a", PHONE)
    response = page.goto(f"{live_server.url}/meetings/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    toggle = page.locator("[data-menu-toggle]")
    nav = page.locator("#mainnav")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert not page.get_by_role("link", name="Lịch sinh hoạt").is_visible()
    toggle.click()
    assert nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    titles = page.locator("#mainnav .navgroup-title").all_inner_texts()
    assert [t.strip().lower() for t in titles] == [
        "tổ chức và đảng viên",
        "sinh hoạt hằng tháng",
        "tiêu chí và chỉ tiêu",
        "đăng ký và công nhận",
    ]
    with page.expect_navigation():
        page.locator("#mainnav").get_by_role("link", name="Lịch sinh hoạt").click()
    assert page.url.endswith("/meetings/calendar/")
    assert not page.locator("#mainnav").is_visible()  # a new page opens with the menu closed
    toggle = page.locator("[data-menu-toggle]")
    toggle.click()
    toggle.click()
    assert not page.locator("#mainnav").is_visible()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desktop_menu_is_open_without_a_button(live_server, browser, tree, users):
    page, problems = _page(browser, live_server.url, "bithu_a1", DESKTOP)
    page.goto(f"{live_server.url}/meetings/")
    assert not page.locator("[data-menu-toggle]").is_visible()
    assert page.locator("#mainnav").is_visible()
    assert page.locator("#mainnav").get_by_role("link", name="Lịch sinh hoạt").is_visible()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_cell_page_opens_on_its_contents_and_gap_report_with_readable_reasons(live_server, browser, tree, users):
    page, problems = _page(browser, live_server.url, "bithu_a1", PHONE)
    page.goto(f"{live_server.url}/chi-bo/{tree.cell_a1.pk}/")
    toc = page.locator("ul.toc")
    assert toc.is_visible()
    assert toc.get_by_role("link", name="Còn phải làm").get_attribute("href") == "#con-phai-lam"
    gap = page.locator("#con-phai-lam")
    # The gap report starts within the first two screens, not ~8,000 px down.
    assert gap.bounding_box()["y"] < 2 * 844
    toc.get_by_role("link", name="Còn phải làm").click()
    page.wait_for_function("() => Math.abs(document.getElementById('con-phai-lam').getBoundingClientRect().top) < 60")
    # Stacked criteria table: each "Lý do" cell spans the card (not one word per line).
    page.locator("details.verdict").first.evaluate("d => d.open = true")
    reason = page.locator("details.verdict").first.locator("td[data-label='Lý do']").first
    assert reason.bounding_box()["width"] > 250
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert problems == []
