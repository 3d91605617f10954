"""Figures computed from many stored verdicts, served from the cache and refreshed behind the page.

A province's dashboard reads every cell's stored verdict and the members' ratings for five years:
about a second of work, while one write anywhere changes the verdicts' version (criteria.verdicts
.version()). Recomputing on the first view after every write would make the busy province's
dashboard slow nearly always. So the figures are kept under a key without the version, with the
version they were computed from (stale-while-revalidate):

- same version: served as they are;
- older version: served at once, marked `refreshing`, and one recomputation is scheduled (a cache
  lock lets one request of all processes schedule it; Celery's worker recomputes and stores); on
  the embedded default, where tasks run eagerly, the recomputation runs in the request;
- nothing cached (the first view after a deployment, or after the cache was emptied): computed in
  the request.

The page says when the figures were computed and that newer ones are on the way (issue 12:
"Pages show when a verdict was computed and say when it is being recomputed").
"""

import hashlib
import logging

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

TTL = 24 * 60 * 60  # seconds: the nightly full refresh changes every version anyway
LOCK_TTL = 120  # seconds: one scheduled recomputation per key at a time
_COMPUTERS = {}


def register(name, compute):
    """`compute(**arguments)` returns the figures of `name`; arguments must be JSON-serializable."""
    _COMPUTERS[name] = compute


def _key(name, arguments, language):
    raw = f"{name}|{sorted(arguments.items())}|{language}"
    return "criteria-figures:" + hashlib.sha256(raw.encode()).hexdigest()


def get(name, arguments, version, language, identity=None):
    """(figures, computed_at, refreshing) for `name` with these arguments at the verdicts' `version`.

    `identity`: what the figures depend on, when less than the arguments (the scope of a user
    rather than the user: everyone who sees the same subtree shares one entry)."""
    identity = arguments if identity is None else identity
    key = _key(name, identity, language)
    entry = cache.get(key)
    if entry is not None and entry["version"] == version:
        return entry["figures"], entry["computed_at"], False
    if entry is None:
        return _store(key, name, arguments, version)
    if cache.add(key + ":lock", 1, LOCK_TTL):
        if _schedule(name, arguments, version, language, identity):
            fresh = cache.get(key)  # ran eagerly, in this request
            if fresh is not None and fresh["version"] == version:
                return fresh["figures"], fresh["computed_at"], False
    return entry["figures"], entry["computed_at"], True


def _store(key, name, arguments, version):
    figures = _COMPUTERS[name](**arguments)
    computed_at = timezone.now()
    cache.set(key, {"version": version, "figures": figures, "computed_at": computed_at}, TTL)
    return figures, computed_at, False


def _schedule(name, arguments, version, language, identity):
    """Send the recomputation; True when it already ran (eager). A broker away only logs: the
    figures stay one version behind until the next view schedules them again."""
    from .tasks import refresh_figures

    try:
        result = refresh_figures.delay(name, arguments, version, language, identity)
    except Exception as error:  # kombu's OperationalError and friends: never fail the page for it
        logger.warning("Figures %s not rescheduled (broker unavailable): %s", name, error)
        cache.delete(_key(name, identity, language) + ":lock")
        return False
    return bool(getattr(result, "ready", lambda: False)())


def recompute(name, arguments, version, language, identity=None):
    """The task's body: compute and store under `language`, then let the next change schedule again."""
    from django.utils import translation

    key = _key(name, arguments if identity is None else identity, language)
    try:
        with translation.override(language):
            _store(key, name, arguments, version)
    finally:
        cache.delete(key + ":lock")
