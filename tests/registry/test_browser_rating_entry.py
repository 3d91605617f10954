"""A secretary rates the cell's members for a year on a phone (issue 2), in real headless Chromium."""

import pytest
from django.utils import timezone

from registry.models import Rating, RatingLevel

from .factories import roll


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_secretary_rates_the_cell_on_a_phone_and_sees_the_excellent_cap_warning(live_server, browser, tree, users):
    members = roll(tree.cell_a1, 4)
    year = timezone.localdate().year - 1
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", users.secretary_a1.username)
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/chi-bo/{tree.cell_a1.pk}/")
    page.click(f"text=Xếp loại đảng viên năm {year}")
    for member, level in zip(members, ["EXCELLENT", "GOOD", "GOOD", "PASS"], strict=True):
        page.select_option(f"#id_member_{member.pk}", level)
    page.click("text=Ghi xếp loại")
    page.wait_for_load_state()

    body = page.inner_text("body")
    assert f"Đã ghi xếp loại năm {year} cho 4 đảng viên." in body
    assert "vượt quá 20%" in body  # 2 GOOD allow floor(0.4) = 0 EXCELLENT
    assert "HTXSNV" in body
    assert Rating.objects.filter(year=year, level=RatingLevel.EXCELLENT).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling of the page
