"""Fixtures for production-readiness tests: a Redis server of our own, started and stopped at will."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from celery import Celery


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server on a free loopback port; `stop()` kills it by PID, `start()` brings it back."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.pidfile = directory / "redis.pid"
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes",
             "--pidfile", str(self.pidfile), "--dir", str(self.directory), "--save", "", "--appendonly", "no"],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if not self.pidfile.exists():
            return
        pid = int(self.pidfile.read_text().strip())
        subprocess.run(["kill", str(pid)], check=False)
        for _ in range(100):
            if not self.ping():
                break
            time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of our own, NOT started: the test decides when it is up or down."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH")
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def celery_on(settings):
    """Make a fresh Celery app current, configured like config.celery but on the given broker."""
    previous = []

    def configure(broker_url, *, eager=False):
        from celery import current_app

        previous.append(current_app._get_current_object())
        app = Celery("portal-test", set_as_current=True)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.update(
            broker_url=broker_url,
            result_backend=None,
            task_always_eager=eager,
            broker_connection_retry=False,
            broker_connection_retry_on_startup=False,
            broker_connection_max_retries=0,
            broker_transport_options={"socket_connect_timeout": 1, "max_retries": 0},
            task_ignore_result=True,
        )
        app.set_current()
        app.set_default()
        app.finalize()
        return app

    yield configure
    if previous:
        previous[0].set_current()
        previous[0].set_default()


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The API and login throttles count in Redis under scripts/test.sh: start each test from zero."""
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
