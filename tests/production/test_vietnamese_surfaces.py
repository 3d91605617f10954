"""Vietnamese everywhere a user looks (issue 11, "English and conventions").

Error pages under production settings, the library screens (import-export, admin, history) from the
portal's catalogue locale/vi, the branded password-reset flow with absolute links, one date format
(dd/mm/yyyy), thousands separators, 24-hour time and dd/mm/yyyy entry whatever the phone's language,
and the browser's own validation bubbles in Vietnamese (static/js/validation.js).
"""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from asgiref.local import Local
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template, engines, loader
from django.test import Client
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import trans_real

from evaluations.forms import AttendeeReportForm, PostponementForm, ScheduleForm
from evaluations.models import Notification
from evaluations.reminders import send_monthly_reminders
from registry.formats import short_date
from registry.forms import VietDateField, VietTimeField
from tests.factories import UserFactory

from ..evaluations.factories import members_on

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_ERROR_TEXTS = (
    "Not Found",
    "The requested resource was not found",
    "Server Error",
    "Bad Request",
    "Forbidden",
    "CSRF verification failed",
    "Request aborted",
)


# -- views for the error pages (this module doubles as a URLconf) ---------------------------------


def _boom(request):
    raise RuntimeError("a bug")


def _bad(request):
    raise SuspiciousOperation("a tampered request")


def _denied(request):
    raise PermissionDenied


urlpatterns = [path("loi/500/", _boom), path("loi/400/", _bad), path("loi/403/", _denied)]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """locale/vi compiled as scripts/install.sh does, when the .mo is missing or older than the .po."""
    folder = ROOT / "locale" / "vi" / "LC_MESSAGES"
    stale = [
        po for po in folder.glob("*.po") if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]  # fmt: skip
    if stale:
        call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
        trans_real._translations = {}  # catalogues already loaded by earlier tests are read again
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture
def production(settings):
    """config.settings_production on top of the test settings (its database and caches aside)."""
    module = importlib.import_module("config.settings_production")
    for name in dir(module):
        if name.isupper() and name not in ("DATABASES", "CACHES", "PASSWORD_HASHERS", "LOGGING", "SECRET_KEY"):
            setattr(settings, name, getattr(module, name))
    assert settings.DEBUG is False
    return settings


def _assert_vietnamese_page(html, *expected):
    assert '<html lang="vi">' in html
    for text in expected:
        assert text in html
    for english in ENGLISH_ERROR_TEXTS:
        assert english not in html


# -- error pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_answers_an_unknown_address_with_a_vietnamese_404_under_production_settings(production):
    response = Client().get("/khong-co-trang-nay/", secure=True)
    assert response.status_code == 404
    _assert_vietnamese_page(response.content.decode(), "Không tìm thấy trang", "Về trang chủ")


@pytest.mark.django_db
def test_it_answers_an_object_outside_the_scope_with_the_same_vietnamese_404(production, users, tree):
    client = Client()
    client.force_login(users.secretary_b)  # cell A1 is not under her cell (README: "Who sees what")
    response = client.get(reverse("evaluations:cell", args=[tree.cell_a1.pk]), secure=True)
    assert response.status_code == 404
    _assert_vietnamese_page(response.content.decode(), "Không tìm thấy trang")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "status", "heading"),
    [
        ("/loi/500/", 500, "Lỗi máy chủ"),
        ("/loi/400/", 400, "Yêu cầu không hợp lệ"),
        ("/loi/403/", 403, "Không có quyền truy cập"),
    ],
)
def test_it_answers_errors_in_vietnamese_under_production_settings(production, address, status, heading):
    production.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get(address, secure=True)
    assert response.status_code == status
    _assert_vietnamese_page(response.content.decode(), heading)


def test_the_500_page_renders_without_a_request_context_processors_or_database():
    """Django renders 500.html with an empty context when something failed; it must stand alone."""
    html = loader.get_template("500.html").render({})
    _assert_vietnamese_page(html, "Lỗi máy chủ", "Vui lòng thử lại sau ít phút.")
    # Not marked django_db: any query would fail the test. The portal's base.html needs the
    # request's context processors, so the error pages use their own layout, templates/_error.html.
    assert "{%" not in html and 'extends "base.html"' not in (ROOT / "templates" / "500.html").read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_form_without_its_csrf_token_is_refused_in_vietnamese(settings, production, debug):
    settings.DEBUG = debug  # the CSRF page is the portal's own in both, not Django's English one
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a", "password": "b"}, secure=True)
    assert response.status_code == 403
    _assert_vietnamese_page(response.content.decode(), "Biểu mẫu không còn hợp lệ", "chưa có gì được lưu")


def test_the_demo_serves_the_portal_error_pages_not_django_technical_ones():
    """scripts/run.sh: DEBUG off unless asked for, so the demo's 404 is templates/404.html."""
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'export DEBUG="${DEBUG:-0}"' in script
    assert script.index('export DEBUG="${DEBUG:-0}"') < script.index("runserver")


# -- library screens --------------------------------------------------------------------------------


@pytest.fixture
def staff_secretary(client, users):
    users.secretary_a1.is_staff = True
    users.secretary_a1.save()
    client.force_login(users.secretary_a1)
    return client


@pytest.mark.django_db
def test_the_import_screen_of_the_admin_is_in_vietnamese(staff_secretary):
    html = staff_secretary.get(reverse("admin:registry_member_import")).content.decode()
    for vietnamese in ("Chức năng nhập sẽ nhập các trường sau", "Tệp cần nhập", "Định dạng tệp", "Nhập dữ liệu"):
        assert vietnamese in html
    for english in ("This importer will import the following fields", "File to import", ">Submit<"):
        assert english not in html


@pytest.mark.django_db
def test_the_import_preview_and_its_confirm_button_are_in_vietnamese(staff_secretary, tree):
    form_page = staff_secretary.get(reverse("admin:registry_member_import")).content.decode()
    csv_choice = re.search(r'<option value="(\d+)"[^>]*>csv</option>', form_page).group(1)
    text = (
        "Số thẻ đảng viên,Họ và tên,Giới tính,Ngày sinh,Mã số chi bộ,Sinh hoạt từ ngày\n"
        f"90000001,Nguyễn Văn An,Nam,12/3/1980,{tree.cell_a1.pk},1/1/2024\n"
    )
    upload = SimpleUploadedFile("dang-vien.csv", text.encode("utf-8"), content_type="text/csv")
    html = staff_secretary.post(
        reverse("admin:registry_member_import"), {"format": csv_choice, "import_file": upload, "resource": "0"}
    ).content.decode()
    for vietnamese in ("Dưới đây là bản xem trước dữ liệu sẽ được nhập", "Xác nhận nhập dữ liệu", "Mới"):
        assert vietnamese in html
    for english in ("Below is a preview", "Confirm import", ">New<"):
        assert english not in html


@pytest.mark.django_db
def test_the_export_screen_of_the_admin_is_in_vietnamese(staff_secretary):
    html = staff_secretary.get(reverse("admin:registry_member_export")).content.decode()
    assert "Chức năng xuất sẽ xuất các trường sau" in html and "Chọn tất cả" in html
    assert "This exporter will export" not in html and "Select all" not in html


@pytest.mark.django_db
def test_the_admin_changelist_shows_its_buttons_and_filters_in_vietnamese(staff_secretary, tree):
    members_on(tree.cell_a1, 2)
    html = staff_secretary.get(reverse("admin:registry_member_changelist")).content.decode()
    for vietnamese in ("Nhập dữ liệu", "Xuất dữ liệu", "Hiện số lượng", "Chuyển đến nội dung chính"):
        assert vietnamese in html
    for english in ("Show counts", ">Import<", ">Export<", "Skip to main content", "Select all objects on this page"):
        assert english not in html
    assert "Quản trị Cổng thông tin công tác đảng" in html and "Django" not in re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_the_history_screen_of_the_admin_is_in_vietnamese(staff_secretary, tree):
    member = members_on(tree.cell_a1, 1)[0]
    html = staff_secretary.get(reverse("admin:registry_member_history", args=[member.pk])).content.decode()
    assert "Người thay đổi" in html and "Ngày giờ" in html
    assert "Changed by" not in html and "Date/time" not in html


# -- password reset ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_links_to_the_password_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Quên mật khẩu?</a>' in html


@pytest.mark.django_db
def test_the_password_reset_flow_is_the_portals_own_and_mails_an_absolute_link(client, settings, mailoutbox):
    settings.PORTAL_BASE_URL = "https://congthongtin.example.vn"
    user = UserFactory(username="bithu_reset", email="bithu@example.vn", first_name="Lan", last_name="Nguyễn Thị")

    form_page = client.get(reverse("password_reset")).content.decode()
    assert "Quên mật khẩu" in form_page and "Địa chỉ e-mail" in form_page
    for foreign in ("Trang quản trị cho Django", "Django", "Password reset"):
        assert foreign not in form_page
    assert 'href="/static/css/portal.css"' in form_page  # the portal's base, not the admin's

    done = client.post(reverse("password_reset"), {"email": "bithu@example.vn"}, follow=True)
    assert "Đã gửi hướng dẫn đặt lại mật khẩu" in done.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "Đặt lại mật khẩu trên Cổng thông tin công tác đảng" and mail.to == ["bithu@example.vn"]
    assert "Kính gửi đồng chí Nguyễn Thị Lan" in mail.body and "bithu_reset" in mail.body
    links = re.findall(r"\S+/accounts/reset/\S+", mail.body)
    assert len(links) == 1 and links[0].startswith("https://congthongtin.example.vn/accounts/reset/")
    assert "testserver" not in mail.body  # never the Host header of the request that asked

    confirm = client.get(links[0].removeprefix(settings.PORTAL_BASE_URL), follow=True)
    html = confirm.content.decode()
    assert "Đặt mật khẩu mới" in html and "Nhập lại mật khẩu mới" in html and "Django" not in html
    short = client.post(confirm.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})
    assert "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự." in short.content.decode()
    complete = client.post(
        confirm.redirect_chain[-1][0], {"new_password1": "mat-khau-moi-2025", "new_password2": "mat-khau-moi-2025"},
        follow=True,
    )  # fmt: skip
    assert "Đã đặt mật khẩu mới" in complete.content.decode()
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-2025")


@pytest.mark.django_db
def test_the_password_change_page_is_the_portals_own(client, users):
    client.force_login(users.secretary_a1)
    html = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in html and "Mật khẩu hiện tại" in html
    assert "Trang quản trị cho Django" not in html and "Django" not in html


@pytest.mark.django_db
def test_a_used_reset_link_says_so_in_vietnamese(client):
    html = client.get(reverse("password_reset_confirm", args=["MQ", "khong-hop-le"])).content.decode()
    assert "Đường dẫn đặt lại mật khẩu không còn hiệu lực" in html


# -- e-mails ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reminder_email_ends_with_a_link_that_can_be_clicked(
    tree, users, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://congthongtin.example.vn/"  # a trailing slash is tolerated
    users.secretary_b.email = "b@example.vn"
    users.secretary_b.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_monthly_reminders(today=datetime.date(2025, 11, 6))  # October missing everywhere
    mail = next(m for m in mailoutbox if m.to == ["b@example.vn"])
    path_of_cell = reverse("evaluations:cell", args=[tree.cell_b.pk])
    assert mail.body.rstrip().endswith(f"https://congthongtin.example.vn{path_of_cell}")
    # The notification in the portal keeps the site path.
    assert Notification.objects.get(user=users.secretary_b).url == path_of_cell


# -- dates and numbers ------------------------------------------------------------------------------


def test_a_short_date_is_dd_mm_yyyy():
    assert short_date(datetime.date(2025, 3, 5)) == "05/03/2025"
    assert short_date(datetime.date(2025, 9, 8)) == "08/09/2025"
    assert short_date(datetime.date(2025, 12, 20)) == "20/12/2025"


def test_dates_and_times_in_templates_are_dd_mm_yyyy_and_24_hour():
    context = Context(
        {"d": datetime.date(2025, 3, 5), "t": datetime.time(14, 0), "dt": datetime.datetime(2025, 3, 5, 14, 0)}
    )
    with translation.override("vi"):
        rendered = Template("{{ d }}|{{ d|date:'SHORT_DATE_FORMAT' }}|{{ t }}|{{ dt }}|{{ d|date }}").render(context)
    assert rendered == "05/03/2025|05/03/2025|14:00|05/03/2025 14:00|05/03/2025"


def test_no_template_writes_a_date_another_way():
    """One date format: no template asks for "j/n/Y" (5/3/2025) or "d/n/Y" (05/3/2025)."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        for match in re.finditer(r"""\|date:["']([^"']+)["']""", template.read_text()):
            fmt = match.group(1)
            if ("j" in fmt or "n" in fmt) and "d/m/Y" not in fmt:
                offenders.append(f"{template.relative_to(ROOT)}: {fmt}")
    # recognition/pdf/registration_report.html is helper F's; listed in the report to the coordinator.
    assert [o for o in offenders if "recognition/pdf/" not in o] == []


def test_counts_take_the_vietnamese_thousands_separator_and_years_and_ids_do_not():
    """ "2.774/3.011" through |intcomma (the "." of vi); years and ids stay plain for links and forms."""
    engine = engines["django"]
    page = engine.from_string('{% load humanize %}{{ a|intcomma }}/{{ b|intcomma }} {{ year }} <a href="/x/{{ pk }}/">')
    with translation.override("vi"):
        assert page.render({"a": 2774, "b": 3011, "year": 2025, "pk": 12345}) == '2.774/3.011 2025 <a href="/x/12345/">'
    assert django_settings.USE_THOUSAND_SEPARATOR is False


# -- date and time entry ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("05/03/2025", datetime.date(2025, 3, 5)), ("5/3/2025", datetime.date(2025, 3, 5)),
     ("05.03.2025", datetime.date(2025, 3, 5)), ("05032025", datetime.date(2025, 3, 5)),
     ("2025-03-05", datetime.date(2025, 3, 5))],
)  # fmt: skip
def test_a_date_is_read_day_first(typed, expected):
    assert VietDateField().clean(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("14:00", datetime.time(14, 0)), ("14h", datetime.time(14, 0)), ("14h30", datetime.time(14, 30)),
     ("1400", datetime.time(14, 0)), ("14.30", datetime.time(14, 30)), ("9:05", datetime.time(9, 5))],
)  # fmt: skip
def test_a_time_is_read_on_the_24_hour_clock(typed, expected):
    assert VietTimeField().clean(typed) == expected


def test_an_american_date_or_time_is_refused_with_a_vietnamese_message():
    with translation.override("vi"):
        for field, typed, message in (
            (VietDateField(), "03/25/2025", "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2025."),
            (VietTimeField(), "02:00 PM", "Nhập giờ theo dạng hh:mm (24 giờ), ví dụ 14:00."),
        ):
            with pytest.raises(Exception) as error:
                field.clean(typed)
            assert error.value.messages == [message]


def test_no_portal_form_uses_the_phones_own_date_or_time_picker():
    forms = [
        AttendeeReportForm(initial={"arrived_at": datetime.time(14, 0)}),
        ScheduleForm(initial={"start_time": datetime.time(14, 0)}),
        PostponementForm(initial={"original_date": datetime.date(2025, 3, 5)}),
    ]
    html = "".join(str(form) for form in forms)
    assert 'type="date"' not in html and 'type="time"' not in html
    assert 'value="05/03/2025"' in html and 'value="14:00"' in html and "PM" not in html
    assert 'placeholder="dd/mm/yyyy"' in html and 'placeholder="hh:mm"' in html and 'inputmode="numeric"' in html


def test_no_template_writes_a_date_or_time_input_of_its_own():
    offenders = [
        str(t.relative_to(ROOT)) for t in (ROOT / "templates").rglob("*.html")
        if re.search(r"""type=["'](date|time|datetime-local)["']""", t.read_text())
    ]  # fmt: skip
    assert offenders == []


@pytest.mark.django_db
def test_the_meeting_form_opens_with_the_date_day_first_and_the_time_on_24_hours(client, users, tree):
    members_on(tree.cell_a1, 2)
    client.force_login(users.secretary_a1)
    html = client.get(
        reverse("evaluations:meeting_create", args=[tree.cell_a1.pk]) + "?date=2025-03-05"
    ).content.decode()
    assert re.search(r'<input type="text" name="date" value="05/03/2025"[^>]*inputmode="numeric"', html)
    assert 'type="date"' not in html and 'type="time"' not in html


# -- the browser's own validation, in a real browser under the CSP ----------------------------------


def _watch(page):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_bubbles_and_date_entry_are_vietnamese_whatever_the_browser_language(live_server, browser, tree, users):
    members_on(tree.cell_a1, 2)
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    # A form left to the browser's checks (no novalidate): the messages come from validation.js.
    messages = page.evaluate(
        """() => {
        const form = document.querySelector("form");
        form.removeAttribute("novalidate");
        const year = document.createElement("input");
        year.type = "number"; year.name = "nam"; year.max = "2100"; year.value = "3000";
        const mail = document.createElement("input");
        mail.type = "email"; mail.name = "mail"; mail.value = "khong-phai-email";
        form.append(year, mail);
        document.getElementById("id_username").value = "";
        form.checkValidity();
        return [document.getElementById("id_username").validationMessage, year.validationMessage, mail.validationMessage];
    }"""
    )
    assert messages == [
        "Trường này là bắt buộc.",
        "Giá trị phải nhỏ hơn hoặc bằng 2100.",
        "Vui lòng nhập một địa chỉ e-mail hợp lệ, ví dụ ten@coquan.vn.",
    ]
    # Typing clears the message: the field is judged again on the next submit.
    page.fill("#id_username", "bithu_a1")
    assert page.evaluate("document.getElementById('id_username').validationMessage") == ""

    page.evaluate("document.querySelectorAll('[name=nam], [name=mail]').forEach((el) => el.remove())")
    page.fill("#id_password", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/meetings/cell/{tree.cell_a1.pk}/new/?date=2025-03-05")
    assert page.locator("input[type=date], input[type=time], input[type=datetime-local]").count() == 0
    assert page.input_value("[name=date]") == "05/03/2025"
    page.fill("[name=start_time]", "1400")  # a numeric keypad without ":"
    assert page.input_value("[name=start_time]") == "14:00"
    page.fill("[name=end_time]", "15h45")
    page.locator("[name=agenda]").click()  # leaving the field writes it back as hh:mm
    assert page.input_value("[name=end_time]") == "15:45"
    with page.expect_navigation():  # eight digits typed: the date is complete, the roll recomputed
        page.fill("[name=date]", "10032025")
    assert page.input_value("[name=date]") == "10/03/2025"
    assert page.input_value("[name=start_time]") == "14:00" and page.input_value("[name=end_time]") == "15:45"
    assert problems == []
    context.close()
