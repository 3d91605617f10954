"""Compute every reader's dashboard into the shared cache: after a deployment (scripts/stack.sh),
a restore or a cache flush, so nobody's first view computes five years in the request (issue 12)."""

import time

from django.core.management.base import BaseCommand

from criteria import indicators


class Command(BaseCommand):
    help = "Tính trước bảng chỉ tiêu của mọi người xem (Ban Thường vụ, các ban, đảng ủy cơ sở) vào bộ nhớ đệm."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Năm của bảng chỉ tiêu (mặc định: năm đang xem mặc định).")

    def handle(self, *args, year=None, **options):
        started = time.monotonic()
        done = indicators.warm_dashboards(year)
        self.stdout.write(f"Đã tính trước {done} bảng chỉ tiêu ({time.monotonic() - started:.1f} giây).")
