"""The Content-Security-Policy in a real browser: inline code with the request's nonce runs,
nothing is reported as blocked (issue 6, config/middleware.py). Headless Chromium, PLATFORM.md."""

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_four_goods_page_script_runs_under_the_policy_and_nothing_is_blocked(live_server, browser, tree, users):
    page = browser.new_page()
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bithu_a1")
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    response = page.goto(f"{live_server.url}/four-goods/{tree.cell_a1.pk}/2025/3/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    for code, points in (("FG1", "25"), ("FG2", "25"), ("FG3", "22"), ("FG4", "20")):
        page.fill(f"[name=points_{code}]", points)
    page.wait_for_function("document.getElementById('fg-live').textContent.trim() !== '—'")
    assert "92" in page.text_content("#fg-live"), "the inline script (with the nonce) computed the total"
    assert violations == []
