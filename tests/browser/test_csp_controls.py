"""Every JavaScript control works under the Content-Security-Policy, on a phone (issue 11).

The policy (config/middleware.py) allows scripts from the portal's own origin and inline ones
carrying the request's nonce; inline handlers (onchange=, onclick=) are blocked. The controls
below live in static/js/portal.js. A console CSP violation fails the test.
"""

import datetime

import pytest

from recognition import services as recognition_services
from tests.recognition.conftest import make_plan

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _page(browser, base, username):
    context = browser.new_context(**PHONE)
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
def test_the_year_select_on_the_cell_page_changes_the_year_under_the_policy(live_server, browser, tree, users):
    page, problems = _page(browser, live_server.url, "bithu_a1")
    response = page.goto(f"{live_server.url}/meetings/cell/{tree.cell_a1.pk}/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    years = page.locator("#nam option").evaluate_all("options => options.map(o => o.value)")
    other = next(y for y in years if y != page.input_value("#nam"))
    with page.expect_navigation():
        page.select_option("#nam", other)
    assert f"nam={other}" in page.url
    assert page.input_value("#nam") == other
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_select_all_box_in_the_review_queue_ticks_every_row_under_the_policy(live_server, browser, tree, users):
    plan = make_plan("four_goods", tree.block)
    year = datetime.date.today().year - 1
    year = min(max(year, plan.period_start_year), plan.period_end_year)
    for cell in (tree.cell_a1, tree.cell_a2):
        registration = recognition_services.registration_create(
            user=users.admin, plan=plan, year=year, organization=cell
        )
        recognition_services.registration_submit(registration=registration, user=users.admin)
    page, problems = _page(browser, live_server.url, "canbo_a")
    page.goto(f"{live_server.url}/recognition/queue/")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() == 2
    page.check("input[data-select-all=ids]")
    assert [boxes.nth(i).is_checked() for i in range(2)] == [True, True]
    page.uncheck("input[data-select-all=ids]")
    assert [boxes.nth(i).is_checked() for i in range(2)] == [False, False]
    assert problems == []
