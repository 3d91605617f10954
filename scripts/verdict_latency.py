#!/usr/bin/env python
"""How soon a cell's stored verdicts are fresh after a write, on the production path (issue 12).

    DATABASE_URL=postgres://…/bench .venv/bin/python scripts/verdict_latency.py [--writes 20]

Starts its own Redis (loopback, a free port) and one Celery worker (`celery -A config worker`,
concurrency 1), then, `--writes` times, changes one cell's rating in a transaction, as the
ratings page does, and polls until none of that cell's stored verdicts is stale: the write
marks them stale, the commit sends `criteria.refresh_verdicts` through the outbox to Redis,
the worker recomputes them. Prints the median and the worst time from the commit to fresh.
Needs a database with stored verdicts (scripts/bench.py builds and rebuilds them). Not a test.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("verdict_latency.py needs DATABASE_URL of a PostgreSQL database with stored verdicts")
    workdir = Path(tempfile.mkdtemp(prefix="verdict-latency-"))
    port = free_port()
    subprocess.run(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
         "--pidfile", str(workdir / "redis.pid"), "--dir", str(workdir)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "CELERY_TASK_ALWAYS_EAGER": "0"}
    os.environ.update(env)
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.db import transaction

        from criteria.models import Scheme, Verdict
        from registry.models import Rating

        time.sleep(3)  # the worker connects
        year = Verdict.objects.filter(scheme=Scheme.MODEL_CELL).order_by("-year").values_list("year", flat=True)[0]
        cells = list(
            Verdict.objects.filter(scheme=Scheme.MODEL_CELL, year=year)
            .order_by("organization_id")
            .values_list("organization_id", flat=True)[: args.writes]
        )
        times = []
        for cell in cells:
            rating = Rating.objects.filter(organization_id=cell, year=year).first()
            if rating is None:
                continue
            rating.level = "EXCELLENT" if rating.level != "EXCELLENT" else "GOOD"
            with transaction.atomic():
                rating.save()
            committed = time.perf_counter()
            deadline = committed + 30
            while Verdict.objects.filter(organization_id=cell, stale_since__isnull=False).exists():
                if time.perf_counter() > deadline:
                    sys.exit(f"cell {cell}: still stale after 30 s (is the worker running?)")
                time.sleep(0.01)
            times.append(time.perf_counter() - committed)
        print(
            f"{len(times)} writes: commit -> the cell's verdicts fresh: median {statistics.median(times):.3f} s, "
            f"worst {max(times):.3f} s (target < 1 s; poll every 10 ms, worker concurrency 1)"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        pid = (workdir / "redis.pid").read_text().strip() if (workdir / "redis.pid").exists() else None
        if pid:
            os.kill(int(pid), 15)


if __name__ == "__main__":
    main()
