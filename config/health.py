"""/healthz: for load balancers (the status code) and operators (the body); no login.

The status code depends on the database and the broker only: a stale backup or a queue of stale
verdicts is for the operator to act on, never a reason to take a web process out of rotation.

    {"database": "ok"|"down", "broker": "ok"|"down"|"eager",
     "backup": {"status": "ok"|"stale", "last_at", "age_seconds", "max_age_hours"} | null,
     "oldest_stale_verdict_age_seconds": int | null}

It lives in config, the top layer, because it reads registry (backups) and criteria (stored verdicts).
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from criteria import verdicts
from registry import backups


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # any database error means "not healthy", whatever its class
        return "down"


def _broker_status():
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "down"


def _backup_status():
    try:
        return backups.backup_health()
    except Exception:  # e.g. the backup table not migrated yet: unknown, not a failed health check
        return None


def _oldest_stale_verdict_age():
    """Seconds the oldest stale stored verdict has waited (criteria.verdicts), None if none or unknown."""
    try:
        age = verdicts.oldest_stale_age()
    except Exception:  # e.g. the verdict table not migrated yet: unknown, not a failed health check
        return None
    return None if age is None else int(age.total_seconds())


@never_cache
def healthz(request):
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok" and broker in ("ok", "eager")
    body = {"database": database, "broker": broker, "backup": None, "oldest_stale_verdict_age_seconds": None}
    if database == "ok":
        body["backup"] = _backup_status()
        body["oldest_stale_verdict_age_seconds"] = _oldest_stale_verdict_age()
    return JsonResponse(body, status=200 if healthy else 503)
