"""Settings for the party-committee portal.

Everything that differs between machines comes from environment variables read
through the tiny typed helpers below. The defaults give the embedded set-up:
SQLite in the project folder and Celery tasks run eagerly in-process.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default="0"):
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name, default=""):
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = envsecret("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "simple_history",
    "registry",
    "evaluations",
    "criteria",
    "recognition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PostgreSQL away: a Vietnamese 503 page, never a 500 (issue 13); outside the session and user middleware.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.portal_nav",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
        # A kept connection is checked before its first use in each request: after a PostgreSQL
        # restart the next request reconnects instead of failing on the dead socket (issue 13).
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The absences index covers member and status on PostgreSQL (index-only scans for the
    # criteria loader); the embedded SQLite default builds it without them, as intended.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first; English stays available through the translation machinery.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]  # the portal's catalogue for library strings, compiled by scripts/install.sh
# dd/mm/yyyy, 24-hour times, "," decimals and "." thousands (config/formats/vi/formats.py).
# Grouping is asked for where a count is shown (`|intcomma`): a global USE_THOUSAND_SEPARATOR
# would also write years ("2.025") and ids in links and forms with a dot.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence and generated PDFs live outside the web root and are served
# only through views that check the user's scope.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Backups (registry/backups.py; `manage.py backup` and `manage.py restore`): where `backup` writes
# portal-backup-YYYYmmddTHHMMSSZ/ unless told --dest, and how old the newest finished backup may be
# before /healthz calls it "stale" (a nightly run plus two hours of slack).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
BACKUP_MAX_AGE_HOURS = envint("BACKUP_MAX_AGE_HOURS", 26)
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "docx", "xlsx"]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cong-thong-tin@localhost")
# The portal's public address: every link in an e-mail (reminders, password reset) starts with it,
# never with the Host header of whatever request happened to send the mail.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: on Redis when REDIS_URL is set, otherwise eager in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: nobody reads a task's result (pages poll the records the tasks write), and
# with one, every `send_task` by name (the outbox) first subscribes to the task's result channel,
# which, with Redis away, retried 20 times a second apart: a save waited 19 s before the outbox
# could keep its task (measured, celery 5.7). CELERY_TASK_IGNORE_RESULT below says the same per task.
CELERY_RESULT_BACKEND = None
# Tests set CELERY_TASK_ALWAYS_EAGER=1 even with Redis up; the worker round-trip test turns it off.
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "0" if REDIS_URL else "1")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task's return value is read by anyone (progress lives in the database rows the tasks write):
# storing results would only make a task that did its work fail when Redis is away at its end.
CELERY_TASK_IGNORE_RESULT = True
# Redis restarts (issue 13, the restart drill: "the worker takes no more tasks after Redis comes
# back"). Two causes, both around the messages the worker has taken but not started (a task is
# acknowledged when it starts; until then its message is in Redis's "unacked" hash):
# 1. When the connection dropped, the worker tried to put those messages back in the queue, which
#    cannot work while Redis is away, and sometimes died of it (AttributeError ... 'hostname',
#    "Unrecoverable error"): config/celery.py leaves them to the sweep below instead.
# 2. The sweep that puts them back (restore_visible, once older than the visibility timeout) ran
#    every unacked_restore_interval (10 s) x unacked_restore_throttle (10) = 100 s counted from the
#    reconnection: their decisions got a PDF only 100 s after Redis was back.
# So: prefetch disabled (Redis only: a worker takes a message only when one of its processes is
# free, holding none behind running tasks), throttle 1 (the sweep runs every 10 s: a message caught
# in the hash is back in the queue within visibility timeout + 10 s), and a 60 s visibility timeout
# (kombu's default is an hour; no countdown tasks here, and a second delivery finds the PDF made).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_DISABLE_PREFETCH = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60, "unacked_restore_throttle": 1}
CELERY_BEAT_SCHEDULE = {
    "flush-pending-tasks": {"task": "registry.flush_pending_tasks", "schedule": 60.0},
    # recognition: a decision without its PDF a minute after it was recorded gets its render sent again.
    "recognition-resend-missing-pdfs": {"task": "recognition.resend_missing_pdfs", "schedule": 60.0},
    # evaluations: remind secretaries of last month's missing records; idempotent, so repeats cost nothing.
    "evaluations-monthly-reminders": {"task": "evaluations.send_monthly_reminders", "schedule": 6 * 60 * 60.0},
    # criteria: recompute every stored verdict once a night, catching any write no signal reported (issue 12).
    "criteria-refresh-all-verdicts": {"task": "criteria.refresh_all_verdicts", "schedule": crontab(hour=2, minute=30)},
}
# After this day of the month, a missing meeting record or self-assessment of the past month is reminded.
REMINDER_DAY_OF_MONTH = envint("REMINDER_DAY_OF_MONTH", 5)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Generous rates (config/auth.py): a brake on scripts and guessing, never on people or tests.
    "DEFAULT_THROTTLE_CLASSES": ["config.auth.AnonRateThrottle", "config.auth.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "300/min", "user": "3000/min"},
}
# API tokens (config/tokens.py): each expires API_TOKEN_TTL_HOURS after it was issued; revoked at /api/tokens/.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=envint("API_TOKEN_TTL_HOURS", 10)),
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cổng thông tin tổ chức đảng — API",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}


# Login and API throttle counters (config/auth.py): shared by every worker through Redis when present,
# in the next Redis database after the broker's so that clearing the cache never touches the queue.
def _next_redis_db(url):
    parts = urlsplit(url)
    current = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{current + 1}"))


CACHES = {
    # Shared by every web process and the Celery worker (figures recomputed behind the pages,
    # criteria.figure_cache); fails open when Redis is away (config/cache.py).
    "default": (
        {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": _next_redis_db(REDIS_URL),
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _next_redis_db(REDIS_URL) if REDIS_URL else "",
            "KEY_PREFIX": "throttle",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Imports (registry.imports, issue 10 hole 7): a file is refused as a whole, before any row
# is read, when it holds more data rows than IMPORT_MAX_ROWS or unpacks (for an .xlsx, the
# sizes in its zip directory, checked before openpyxl opens it) to more than
# IMPORT_MAX_UNCOMPRESSED_BYTES.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 5000)
IMPORT_MAX_UNCOMPRESSED_BYTES = envint("IMPORT_MAX_UNCOMPRESSED_BYTES", 20 * 1024 * 1024)
# The admin's import-export screens use the portal's formats: every export without formulas,
# with a Vietnamese sheet name and date cells; every import within the bounds above.
# registry.exports imports no models, so it can be named here.
from registry.exports import SafeCSV, SafeXLSX  # noqa: E402

IMPORT_EXPORT_FORMATS = [SafeCSV, SafeXLSX]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
