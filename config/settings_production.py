"""Production settings: the base settings with every security switch on.

`DJANGO_SETTINGS_MODULE=config.settings_production manage.py check --deploy` is clean
when SECRET_KEY is set to a long random value.
"""

from .settings import *  # noqa: F403
from .settings import envbool, envint

DEBUG = False
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Secure cookies are the default; only scripts/stack.sh turns them off for plain HTTP on loopback.
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind nginx: how many proxies append to X-Forwarded-For (the login and API throttles key on the client).
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0)
