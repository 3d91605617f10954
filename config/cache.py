"""The shared cache: Redis, failing open.

Figures behind the pages (criteria.figure_cache, chart SVGs, the tree's counts) must be shared by
every gunicorn process and the Celery worker that recomputes them, so the default cache is Redis
when REDIS_URL is set. It is a cache, never a store: when Redis is away a read misses and a write is
dropped, so a page computes what it needs instead of answering 500 (the restart drill stops Redis).
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _warn(operation, error):
    logger.warning("Cache unavailable (%s): %s", operation, error)


class FailOpenRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _warn("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _warn("get_many", error)
            return {}

    def add(self, key, value, timeout=None, version=None):
        """With Redis away nobody else can hold the key: True, as on an empty cache. (False would
        make the meeting form's double-tap guard refuse every save while Redis restarts.)"""
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            _warn("add", error)
            return True

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            _warn("set", error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            _warn("set_many", error)
            return list(data)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            _warn("delete", error)
            return False
