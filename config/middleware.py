"""Content-Security-Policy on every response.

The portal's pages load scripts, styles, images and fonts from its own origin only;
no inline script or style runs unless the template marks it with the per-request
nonce: `<script nonce="{{ request.csp_nonce }}">`. The nonce is generated only when a
template reads it, and the header names it only then, so a page without inline code
gets the strict policy unchanged.

The API documentation pages of drf-spectacular (Swagger UI, Redoc) load their
bundles from a CDN with inline bootstrap code; they get their own, wider policy.
"""

import secrets

from django.utils.functional import SimpleLazyObject

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
