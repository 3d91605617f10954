"""Security switches of issue 6: CSP, login throttling, API throttles, cookies and HSTS, evidence limits."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

from config import auth
from config.middleware import ContentSecurityPolicyMiddleware
from registry.validators import validate_evidence_size

BASE_DIR = Path(django_settings.BASE_DIR)
PASSWORD = "mat-khau-123"


# --- Content-Security-Policy -------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
def test_every_page_is_served_with_a_strict_content_security_policy(client, users):
    client.force_login(users.secretary_a1)
    for url in ("/", "/accounts/login/", "/healthz"):
        policy = csp_directives(client.get(url))
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert "'unsafe-inline'" not in policy["style-src"]


def test_an_inline_script_runs_only_with_the_nonce_of_its_request():
    def view(request):
        template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">go()</script>')
        return HttpResponse(template.render({}, request))

    def get(path):
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        return request

    middleware = ContentSecurityPolicyMiddleware(view)
    first = middleware(get("/"))
    second = middleware(get("/"))
    nonce = re.search(r'nonce="([^"]+)"', first.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp_directives(first)["script-src"]
    assert f"'nonce-{nonce}'" not in first.content.decode().replace(f'nonce="{nonce}"', "")
    assert f"'nonce-{nonce}'" not in second["Content-Security-Policy"], "a fresh nonce per request"


def test_a_page_without_inline_code_names_no_nonce():
    response = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert "nonce-" not in response["Content-Security-Policy"]


def test_only_the_api_documentation_pages_may_load_their_cdn_bundles():
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    docs = csp_directives(middleware(RequestFactory().get("/api/docs/")))
    assert "https://cdn.jsdelivr.net" in docs["script-src"]
    page = csp_directives(middleware(RequestFactory().get("/recognition/")))
    assert page["script-src"] == ["'self'"]


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>|<style(?![^>]*\bnonce=)[^>]*>|\sstyle=\"")


def served_templates():
    for folder in sorted((BASE_DIR / "templates").iterdir()):
        if folder.is_dir():
            for path in sorted(folder.rglob("*.html")):
                if "pdf" not in path.relative_to(BASE_DIR / "templates").parts:  # PDFs: WeasyPrint, not a browser
                    yield path.relative_to(BASE_DIR / "templates").as_posix()
    yield "base.html"


# Inline <script>/<style> must carry nonce="{{ request.csp_nonce }}"; style="" attributes go to CSS.
@pytest.mark.parametrize("template", list(served_templates()))
def test_templates_carry_the_csp_nonce_on_inline_code(template):
    text = (BASE_DIR / "templates" / template).read_text()
    offending = INLINE_CODE.findall(text)
    assert not offending, f"{template}: {offending} would be blocked by the Content-Security-Policy"


# --- Login throttling ---------------------------------------------------------------------


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_fifteen_minutes(client, users):
    for _ in range(auth.LOGIN_THROTTLE_ATTEMPTS):
        assert login(client, "bithu_a1", "sai-mat-khau").status_code == 200
    response = login(client, "bithu_a1", PASSWORD)
    assert response.status_code == 429
    assert "Bạn đã đăng nhập sai quá 5 lần. Vui lòng thử lại sau 15 phút." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_refusal_is_per_user_name_and_address(client, users):
    for _ in range(auth.LOGIN_THROTTLE_ATTEMPTS):
        login(client, "bithu_a1", "sai-mat-khau")
    assert login(client, "bithu_a1", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert login(client, "bithu_b", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_the_count(client, users):
    for _ in range(auth.LOGIN_THROTTLE_ATTEMPTS - 1):
        login(client, "bithu_a1", "sai-mat-khau")
    assert login(client, "bithu_a1", PASSWORD).status_code == 302
    client.logout()
    for _ in range(auth.LOGIN_THROTTLE_ATTEMPTS - 1):
        login(client, "bithu_a1", "sai-mat-khau")
    assert login(client, "bithu_a1", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_window_expires_after_fifteen_minutes(client, users):
    import time_machine

    with time_machine.travel("2026-01-05 08:00 +0700", tick=False) as traveller:
        for _ in range(auth.LOGIN_THROTTLE_ATTEMPTS):
            login(client, "bithu_a1", "sai-mat-khau")
        assert login(client, "bithu_a1", PASSWORD).status_code == 429
        traveller.shift(auth.LOGIN_THROTTLE_WINDOW + 1)
        if caches["throttle"].get(auth._login_key(_fake_post("bithu_a1"))) is not None:
            pytest.skip("this cache backend keeps its own clock (Redis): expiry is Redis's job")
        assert login(client, "bithu_a1", PASSWORD).status_code == 302


def _fake_post(username, ip="10.0.0.1"):
    return RequestFactory().post("/accounts/login/", {"username": username}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_login_still_works_when_the_throttle_cache_is_down(client, users):
    broken = mock.Mock(side_effect=ConnectionError("redis down"))
    with mock.patch.object(auth, "throttle_cache", return_value=mock.Mock(get=broken, add=broken, delete=broken)):
        assert login(client, "bithu_a1", "sai-mat-khau").status_code == 200
        assert login(client, "bithu_a1", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 127.0.0.1")
    settings.TRUSTED_PROXIES = 0
    assert auth.client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = 1
    assert auth.client_ip(request) == "127.0.0.1"
    request.META["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    assert auth.client_ip(request) == "203.0.113.9"


# --- API throttles --------------------------------------------------------------------------


def test_the_api_is_throttled_with_generous_rates():
    rest = django_settings.REST_FRAMEWORK
    assert rest["DEFAULT_THROTTLE_CLASSES"] == ["config.auth.AnonRateThrottle", "config.auth.UserRateThrottle"]
    assert rest["DEFAULT_THROTTLE_RATES"] == {"anon": "300/min", "user": "3000/min"}


@pytest.mark.django_db
def test_an_api_user_over_the_rate_gets_429(client, users, monkeypatch):
    monkeypatch.setattr(auth.UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    client.force_login(users.secretary_a1)
    codes = [client.get("/api/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_the_api_answers_when_the_throttle_cache_is_down(client, users):
    broken = mock.Mock(get=mock.Mock(side_effect=ConnectionError("redis down")))
    client.force_login(users.secretary_a1)
    with mock.patch.object(auth, "throttle_cache", return_value=broken):
        assert client.get("/api/").status_code == 200


# --- Production settings ----------------------------------------------------------------------


def test_production_settings_turn_on_secure_cookies_hsts_and_ssl_redirect(monkeypatch):
    for name in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    production = importlib.reload(importlib.import_module("config.settings_production"))
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.SECURE_SSL_REDIRECT
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS and production.SECURE_HSTS_PRELOAD
    assert production.SECURE_CONTENT_TYPE_NOSNIFF
    assert production.X_FRAME_OPTIONS == "DENY"
    assert "config.middleware.ContentSecurityPolicyMiddleware" in production.MIDDLEWARE


def test_manage_py_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "SECRET_KEY": "test-" + "k9Zq3vX7pL2mN8rT4wY6bH1cF5dJ0sGa" * 2,
        "ALLOWED_HOSTS": "portal.example",
    }
    for test_only in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"):
        env.pop(test_only, None)  # set by scripts/test.sh for the browser tests, never in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Uploaded evidence -------------------------------------------------------------------------


def test_evidence_larger_than_the_limit_is_refused_with_a_vietnamese_message(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    validate_evidence_size(ContentFile(b"x" * 1024, name="bien-ban.pdf"))
    with pytest.raises(ValidationError) as error:
        validate_evidence_size(ContentFile(b"x" * 1025, name="bien-ban.pdf"))
    assert "Tệp quá lớn" in str(error.value)


def test_the_default_evidence_limits():
    assert django_settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024
    assert set(django_settings.EVIDENCE_EXTENSIONS) == {"pdf", "jpg", "jpeg", "png", "docx", "xlsx"}


# Files the portal writes itself (not uploads): model label -> field.
GENERATED_FILES = {"recognition.Decision.pdf"}
# Uploads validated by the form that receives them rather than on the model field.
FORM_VALIDATED = {"evaluations.MeetingAttachment.file": ("evaluations.forms", "MeetingForm", "attachment")}


def uploaded_file_fields():
    """(label, validators) of every field through which a user uploads a file."""
    from importlib import import_module

    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField):
                continue
            label = f"{model._meta.label}.{field.name}"
            if label in GENERATED_FILES:
                continue
            if label in FORM_VALIDATED:
                module, form, name = FORM_VALIDATED[label]
                yield label, getattr(import_module(module), form).base_fields[name].validators
            else:
                yield label, field.validators


@pytest.mark.parametrize("label", [label for label, _ in uploaded_file_fields()])
def test_every_upload_refuses_other_file_types_and_oversized_files(label, settings):
    validators = dict(uploaded_file_fields())[label]
    extension_validators = [v for v in validators if isinstance(v, FileExtensionValidator)]
    assert extension_validators, f"{label} has no file-type check"
    assert set(extension_validators[0].allowed_extensions) == set(settings.EVIDENCE_EXTENSIONS)
    assert validate_evidence_size in validators
    for name in ("virus.exe", "trang.html", "script.svg", "bien-ban.pdf.php"):
        with pytest.raises(ValidationError):
            for validator in validators:
                validator(ContentFile(b"x", name=name))
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        for validator in validators:
            validator(ContentFile(b"x" * 11, name="bien-ban.pdf"))
    for validator in validators:
        validator(ContentFile(b"x" * 10, name="bien-ban.pdf"))


def test_the_known_uploads_are_all_checked():
    labels = {label for label, _ in uploaded_file_fields()}
    assert {
        "registry.UnitAttestation.evidence",
        "recognition.Evidence.file",
        "recognition.TransitionAttachment.file",
        "evaluations.MeetingAttachment.file",
    } <= labels


@pytest.mark.django_db
def test_media_files_are_not_served_from_a_public_url(client, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "evidence" / "2025").mkdir(parents=True)
    (tmp_path / "evidence" / "2025" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 secret")
    client.force_login(users.admin)
    for url in ("/media/evidence/2025/bien-ban.pdf", "/evidence/2025/bien-ban.pdf"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_throttled_login_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
