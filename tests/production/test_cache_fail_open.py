"""The shared cache fails open (config/cache.py): with Redis away a page computes instead of a 500."""

from django.test import override_settings

from config.cache import FailOpenRedisCache

from .conftest import free_port


def test_with_redis_away_reads_miss_and_writes_are_dropped():
    cache = FailOpenRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    assert cache.get("figures", "missing") == "missing"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("figures", {"value": 1})  # dropped, no error
    assert cache.add("lock", 1) is True  # as on an empty cache: a guard built on add lets the save through
    assert cache.delete("lock") is False


def test_the_dashboard_answers_with_redis_away(client, tree, users):
    away = f"redis://127.0.0.1:{free_port()}/1"
    caches = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": away,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    client.force_login(users.standing)
    with override_settings(CACHES=caches):  # Django resets its cache handlers on this change
        from django.core.cache import caches as handler

        assert isinstance(handler["default"], FailOpenRedisCache)
        response = client.get("/tieu-chi/chi-tieu/", {"org": tree.block.pk})
        tree_page = client.get("/to-chuc/")
    assert response.status_code == 200 and "Chỉ tiêu toàn khối" in response.content.decode()
    assert tree_page.status_code == 200
