"""Generate the demo block (or a province for benchmarks) deterministically from a seed, and
store the verdicts of its cells and committees for the demo's years (issue 12)."""

import io
import random
import time
from importlib import import_module

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from registry.demo import SIZES, build_block
from registry.models import Organization

# Apps that add their own demo records, in dependency order; each has demo.populate(...).
DEMO_STEPS = ("criteria", "criteria.demo_plans", "criteria.demo_facts", "evaluations", "recognition")
# The years the demo's facts cover (meetings, yearly facts, attestations): their verdicts are stored.
VERDICT_YEARS = "2021-2025"


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: một Đảng bộ Khối với khoảng 250 chi bộ và 3.000 đảng viên (hoặc quy mô tỉnh)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--size", choices=sorted(SIZES), default="block")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when organizations already exist.")
        parser.add_argument("--registry-only", action="store_true", help="Skip meetings, plans and registrations.")

    def handle(self, *args, seed, size, if_empty, registry_only, **options):
        if if_empty and Organization.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        with transaction.atomic():
            block = build_block(seed=seed, size=size)
            _analyze()
            self.stdout.write(f"registry: {time.monotonic() - started:.1f}s")
            if not registry_only:
                rng = random.Random(seed + 1)
                cells = list(Organization.objects.under([block]).cells().order_by("pk"))
                for app in DEMO_STEPS:
                    step_started = time.monotonic()
                    populate = getattr(_demo_module(app), "populate", None)
                    if populate is None:
                        continue
                    if app in ("evaluations", "criteria.demo_facts"):
                        populate(cells, rng)
                    elif app == "criteria.demo_plans":
                        populate(block, rng)  # the block's own plan per scheme, before any record cites one
                    elif app == "recognition":
                        if size != "block" and size != "tiny":
                            continue  # decisions and PDFs are for people to look at, not for benchmarks
                        populate(block, rng)
                    else:
                        populate()
                    _analyze()
                    self.stdout.write(f"{app}: {time.monotonic() - step_started:.1f}s")
                # Stored verdicts (issue 12): the demo's pages read them at once, not on a first view.
                # Through the command by name: registry is below criteria in the layers.
                step_started = time.monotonic()
                call_command("rebuild_verdicts", org=block.pk, years=VERDICT_YEARS, stdout=io.StringIO())
                self.stdout.write(f"verdicts: {time.monotonic() - step_started:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo {size} ready: {Organization.objects.under([block]).cells().count()} chi bộ "
                f"in {time.monotonic() - started:.1f}s."
            )
        )


def _analyze():
    """Fresh planner statistics after each step: the tables were empty a moment ago, and on stale
    statistics PostgreSQL read thousands of members and attestations by nested loops (minutes
    instead of seconds, seen in the test command)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _demo_module(app):
    try:
        return import_module(app if "." in app else f"{app}.demo")
    except ModuleNotFoundError:
        return None
