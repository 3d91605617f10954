"""One registration from a cell secretary to a printed decision, every role in headless Chromium (issue 5).

Model cell (SCHEMES §1.3, §5): the secretary of a subordinate cell registers and submits, the
grassroots committee appraises, the block's organization board appraises, the standing committee
decides in conference and issues the decision, whose PDF is downloadable.
"""

import pytest

from recognition.models import Decision, Registration, State
from tests.recognition.conftest import make_plan


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _as(browser, base, username):
    """A fresh browser context (own cookies) signed in as `username`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_registration_travels_from_a_secretary_to_a_printed_decision(live_server, browser, tree, users):
    plan = make_plan("model_cell", tree.block)
    base = live_server.url

    # The cell secretary registers the cell and submits.
    page = _as(browser, base, "bithu_a1")
    page.goto(f"{base}/recognition/new/")
    page.select_option("#id_plan", str(plan.pk))
    page.fill("#id_year", "2025")
    page.select_option("#id_subject_kind", "organization")
    page.select_option("#id_organization", str(tree.cell_a1.pk))
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    registration = Registration.objects.get()
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state()
    assert "Chờ đảng ủy cơ sở thẩm định" in page.content()
    page.context.close()

    # The grassroots committee appraises from its queue.
    page = _as(browser, base, "canbo_a")
    page.goto(f"{base}/recognition/queue/")
    page.check(f"tr[data-registration='{registration.pk}'] input[name=ids]")
    page.fill("#q-comment", "Chi bộ đủ điều kiện, đề nghị Ban Tổ chức thẩm định.")
    page.click("button[name=action][value=appraise_grassroots]")
    page.wait_for_load_state()
    page.context.close()
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_GRASSROOTS

    # The block's organization board appraises.
    page = _as(browser, base, "bantochuc")
    page.goto(f"{base}/recognition/queue/")
    page.check(f"tr[data-registration='{registration.pk}'] input[name=ids]")
    page.click("button[name=action][value=appraise_board]")
    page.wait_for_load_state()
    page.context.close()
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD

    # The standing committee opens a conference, decides and issues the decision.
    page = _as(browser, base, "thuongvu")
    page.goto(f"{base}/recognition/conferences/")
    page.select_option("#id_authority", str(tree.block.pk))
    page.select_option("#id_plan", str(plan.pk))
    page.fill("#id_year", "2025")
    page.fill("#id_held_on", "2025-03-20")
    page.select_option("#id_signer_title", "BÍ THƯ")
    page.fill("#id_signer_name", "Nguyễn Văn Khánh")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.check(f"tr[data-registration='{registration.pk}'] input[name=recognize]")
    # No facts entered: the verdict is "not eligible", the committee writes why it recognizes (issue 12).
    page.fill(f"#override_{registration.pk}", "Ban Thường vụ đã đối chiếu hồ sơ minh chứng và thống nhất công nhận.")
    page.click("#decide-form button[type=submit]")
    page.wait_for_load_state()
    page.click("#issue-button")
    page.wait_for_selector("#decision-links a", timeout=60000)
    link = page.locator("#decision-links a").first
    assert "1-QĐ/ĐUK" in link.inner_text()
    response = page.request.get(base + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.context.close()

    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED
    assert Decision.objects.get().display_number == "1-QĐ/ĐUK"
    assert [t.action for t in registration.transitions.all()] == [
        "submit",
        "appraise_grassroots",
        "appraise_board",
        "recognize",
    ]

    # The secretary sees the decision on the list and can download it.
    page = _as(browser, base, "bithu_a1")
    page.goto(f"{base}/recognition/")
    assert "Đã công nhận" in page.content() and "1-QĐ/ĐUK" in page.content()
    page.context.close()
