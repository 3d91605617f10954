"""Registry pages. Views only check access and call selectors; rules live elsewhere."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .models import Organization


@login_required
def home(request):
    organizations = Organization.objects.visible_to(request.user).filter(
        pk__in=request.user.appointments.values("organization")
    )
    return render(request, "registry/home.html", {"organizations": organizations})


def _broker_status():
    from django.conf import settings

    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "down"


@never_cache
def healthz(request):
    """Database and broker status for load balancers and operators."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any database error means "not healthy", whatever its class
        database = "down"
    broker = _broker_status()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse({"database": database, "broker": broker}, status=200 if healthy else 503)
