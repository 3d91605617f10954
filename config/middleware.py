"""Content-Security-Policy on every response, no-store for signed-in users, and a Vietnamese 503
when the database is away (DatabaseUnavailableMiddleware, at the end).

The portal's pages load scripts, styles, images and fonts from its own origin only;
no inline script or style runs unless the template marks it with the per-request
nonce: `<script nonce="{{ request.csp_nonce }}">`. The nonce is generated only when a
template reads it, and the header names it only then, so a page without inline code
gets the strict policy unchanged.

The API documentation pages of drf-spectacular (Swagger UI, Redoc) load their
bundles from a CDN with inline bootstrap code; they get their own, wider policy.
"""

import logging
import secrets
import sys

from django import db
from django.core.signals import got_request_exception
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# drf-spectacular's Swagger UI and Redoc pages (CDN bundles, inline bootstrap).
API_DOCS_PREFIXES = ("/api/docs/", "/api/redoc/")
API_DOCS_POLICY = {
    **STRICT_POLICY,
    "script-src": ["'self'", "'unsafe-inline'", "https://cdn.jsdelivr.net"],
    "style-src": ["'self'", "'unsafe-inline'", "https://cdn.jsdelivr.net", "https://fonts.googleapis.com"],
    "font-src": ["'self'", "https://fonts.gstatic.com"],
    "img-src": ["'self'", "data:", "https://cdn.jsdelivr.net", "https://cdn.redoc.ly"],
    "worker-src": ["'self'", "blob:"],
}


def render_policy(policy, nonce=None):
    parts = []
    for directive, sources in policy.items():
        if nonce and directive in ("script-src", "style-src") and "'unsafe-inline'" not in sources:
            sources = [*sources, f"'nonce-{nonce}'"]
        parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header and exposes `request.csp_nonce`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        used = []

        def make_nonce():
            used.append(secrets.token_urlsafe(16))
            return used[0]

        request.csp_nonce = SimpleLazyObject(make_nonce)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = API_DOCS_POLICY if request.path.startswith(API_DOCS_PREFIXES) else STRICT_POLICY
            response["Content-Security-Policy"] = render_policy(policy, used[0] if used else None)
        return response


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user or an API client.

    Member pages, exports and API answers hold personal data (names, card numbers,
    ratings); no browser, proxy or shared computer's cache may keep them. Static files
    (served by whitenoise before this runs) and the anonymous login page are not concerned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


# --- The database away (issue 13) ----------------------------------------------------------------

DATABASE_ERRORS = (db.OperationalError, db.InterfaceError)


def database_unavailable(request):
    """503 for a request that met PostgreSQL down or restarting: a Vietnamese page (JSON under /api/).

    Rendered without the request (no context processors, hence no query), like 500.html. The
    wording is honest about a write that may have been committed just before the error."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("Cơ sở dữ liệu tạm thời không trả lời. Vui lòng thử lại sau ít phút.")})
        response.status_code = 503
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store, private"
    return response


def _mark_database_errors(sender, request=None, **kwargs):
    """got_request_exception: remember that the uncaught exception was the database's, so that
    DatabaseUnavailableMiddleware can answer 503 even when it was raised outside the view (in a
    middleware's response phase, e.g. loading the session for NoStoreForSignedInMiddleware)."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request.database_unavailable = True


got_request_exception.connect(_mark_database_errors, dispatch_uid="config.middleware.database_errors")


class DatabaseUnavailableMiddleware:
    """django.db.OperationalError / InterfaceError become a 503 page in Vietnamese, never a 500.

    Raised by a view: `process_exception` answers at once. Raised by a middleware inside this
    one: Django has already turned it into its 500 page; the signal above marked the request,
    and the 500 is replaced here, keeping the headers the inner middleware set (CSP, ...).
    The broken connection is dropped by Django at the end of the request, and with
    CONN_HEALTH_CHECKS the next request opens a fresh one: the portal answers again as soon
    as PostgreSQL does, without restarting gunicorn."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            replacement = database_unavailable(request)
            for header, value in response.items():
                if header.lower() not in ("content-type", "content-length", "cache-control"):
                    replacement.setdefault(header, value)
            return replacement
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
            return database_unavailable(request)
        return None
