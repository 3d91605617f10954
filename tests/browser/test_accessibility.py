"""Accessibility of the pages people work in, checked with axe-core (issue 11).

Each page is opened as the user who works there: the cell secretary on a phone (390×844), a
grassroots staff member and a standing-committee member on a desktop. No violation of impact
"serious" or "critical" is allowed; the failure message lists each rule id with the elements
it found, so it says what to fix.
"""

import datetime

import pytest

from recognition import services as recognition_services
from tests.evaluations.factories import members_on
from tests.recognition.conftest import make_plan

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
BLOCKING = ("serious", "critical")


def _login(browser, base, username, device):
    context = browser.new_context(**device)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _violations(page, label):
    """["label: rule-id (impact) — help: target, target …"] for every serious or critical violation."""
    results = axe_module.Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:8])
        found.append(f"{label}: {violation['id']} ({violation['impact']}) — {violation['help']}: {targets}")
    return found


def _check(page, base, pages):
    found = []
    for label, path in pages:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, (label, path, response.status)
        found += _violations(page, label)
    return found


@pytest.fixture
def registration(tree, users):
    plan = make_plan("four_goods", tree.block)
    year = min(max(datetime.date.today().year - 1, plan.period_start_year), plan.period_end_year)
    registration = recognition_services.registration_create(
        user=users.admin, plan=plan, year=year, organization=tree.cell_a1
    )
    recognition_services.registration_submit(registration=registration, user=users.admin)
    return registration


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_secretarys_pages_on_a_phone_have_no_serious_violations(live_server, browser, tree, users, registration):
    members_on(tree.cell_a1, 4)
    base = live_server.url
    page = _login(browser, base, "bithu_a1", PHONE)
    today = datetime.date.today()
    previous = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    cell = tree.cell_a1.pk
    found = _check(
        page,
        base,
        [
            ("home", "/"),
            ("cell page", f"/meetings/cell/{cell}/"),
            ("meeting form", f"/meetings/cell/{cell}/new/"),
            ("four-goods", f"/four-goods/{cell}/{previous.year}/{previous.month}/"),
            ("registration detail", f"/recognition/r/{registration.pk}/"),
            ("new registration", "/recognition/new/"),
        ],
    )
    # The meeting form after a failed save: no start time, so the error summary is shown.
    page.goto(f"{base}/meetings/cell/{cell}/new/")
    page.fill("#id_start_time", "")
    with page.expect_navigation():
        page.click("button.primary[type=submit]")
    assert page.locator("#error-summary").is_visible()
    found += _violations(page, "meeting form with errors")
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_staff_pages_on_a_desktop_have_no_serious_violations(live_server, browser, tree, users, registration):
    base = live_server.url
    found = _check(
        _login(browser, base, "canbo_a", DESKTOP),
        base,
        [("staff home", "/"), ("review queue", "/recognition/queue/")],
    )
    found += _check(
        _login(browser, base, "thuongvu", DESKTOP),
        base,
        [("standing home", "/"), ("criteria dashboard", "/tieu-chi/chi-tieu/")],
    )
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
