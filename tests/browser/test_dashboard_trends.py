"""The dashboard's pygal charts under the Content-Security-Policy, on a phone (issue 12).

The charts are inline SVG whose one <style> element carries the request's nonce
(criteria/charts.py): the browser must apply it (the target line is drawn dashed) without any
CSP report in the console, and on a 390 px wide phone the charts scale to the card while the
tables scroll inside their .table-wrap instead of widening the page.
"""

import pytest

from tests.criteria.test_dashboard_trends import REGIME, YEAR, world  # noqa: F401 - the fixture

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_charts_draw_under_the_policy_and_fit_a_phone(live_server, browser, world):  # noqa: F811
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
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "thuongvu_thu")
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    response = page.goto(f"{live_server.url}/tieu-chi/chi-tieu/?org={world.block.pk}&year={YEAR}&so_sanh={REGIME}")
    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]

    chart = page.locator(f"#chi-tieu-{REGIME} svg.pygal-chart")
    # pygal's stylesheet applied (nonce accepted): the target series is dashed, the guides are not.
    dash = chart.locator(".series.serie-1 path").first.evaluate("p => getComputedStyle(p).strokeDasharray")
    assert dash.replace("px", "").replace(" ", "") == "10,6"
    # The chart scales with its card; the page does not scroll sideways on a phone.
    box = chart.bounding_box()
    assert 200 < box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The comparison's bars link to the drill-down of each organization.
    hrefs = page.locator("#so-sanh svg a").evaluate_all(
        "links => links.map(a => a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))"
    )
    assert len(hrefs) == 3 and all(f"/tieu-chi/chi-tieu/{REGIME}/?org=" in h for h in hrefs)
    assert page.locator("#so-sanh table caption").inner_text().startswith("So sánh giữa các tổ chức cơ sở đảng")
    assert problems == []
    context.close()
