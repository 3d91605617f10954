"""Login throttling and API throttles.

Login: after LOGIN_THROTTLE_ATTEMPTS failed attempts for one user name from one
address within LOGIN_THROTTLE_WINDOW seconds, the login page refuses further tries
(HTTP 429, a Vietnamese message) until the window has passed; a successful login
clears the count. The API token view (config/tokens.py) counts and refuses through
the same counters, so a user locked out of the form gets no token either. API: DRF's user/anon rate throttles on the same cache.

Counters live in the "throttle" cache (Redis when REDIS_URL is set, so every
gunicorn worker sees the same count). If that cache is unreachable the throttles
let requests through and log it: a Redis outage must not lock everyone out.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from rest_framework import throttling

logger = logging.getLogger(__name__)

LOGIN_THROTTLE_ATTEMPTS = 5
LOGIN_THROTTLE_WINDOW = 15 * 60


def throttle_cache():
    try:
        return caches["throttle"]
    except InvalidCacheBackendError:
        return caches["default"]


def client_ip(request):
    """The client's address; with TRUSTED_PROXIES = n, the n-th address from the right of X-Forwarded-For."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def _login_key(request):
    # A DRF request (the token view) carries the user name in .data, JSON or form alike.
    data = getattr(request, "data", None) or request.POST
    username = str(data.get("username") or "").strip().lower()
    digest = hashlib.sha256(f"{username}|{client_ip(request)}".encode()).hexdigest()
    return f"login-fail:{digest}"


def failed_attempts(request):
    try:
        return throttle_cache().get(_login_key(request), 0)
    except Exception:  # cache backend down (redis.ConnectionError, ...): fail open
        logger.warning("Login throttle cache unavailable; not throttling", exc_info=True)
        return 0


def record_failure(request):
    cache = throttle_cache()
    key = _login_key(request)
    try:
        if not cache.add(key, 1, LOGIN_THROTTLE_WINDOW):
            cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOGIN_THROTTLE_WINDOW)
    except Exception:
        logger.warning("Login throttle cache unavailable; failure not counted", exc_info=True)


def clear_failures(request):
    try:
        throttle_cache().delete(_login_key(request))
    except Exception:
        logger.warning("Login throttle cache unavailable", exc_info=True)


class ThrottledLoginView(auth_views.LoginView):
    """Django's login view, refusing further tries after too many failures."""

    def post(self, request, *args, **kwargs):
        if failed_attempts(request) >= LOGIN_THROTTLE_ATTEMPTS:
            form = self.get_form()
            # Do not validate (that would check the password): an error list with only the refusal.
            form.cleaned_data, form._errors = {}, ErrorDict()
            form.add_error(
                None,
                _("Bạn đã đăng nhập sai quá %(count)d lần. Vui lòng thử lại sau %(minutes)d phút.")
                % {"count": LOGIN_THROTTLE_ATTEMPTS, "minutes": LOGIN_THROTTLE_WINDOW // 60},
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        clear_failures(self.request)
        return super().form_valid(form)


class _FailOpen:
    """Mixin for DRF throttles: use the shared throttle cache, let requests through when it is down."""

    @property
    def cache(self):
        return throttle_cache()

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("API throttle cache unavailable; not throttling", exc_info=True)
            return True


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass
