"""Rebuild the stored verdicts of a subtree (issue 12): after a deployment, a restore or a bulk load."""

import time

from django.core.management.base import BaseCommand, CommandError

from criteria import verdicts
from registry.models import Organization


class Command(BaseCommand):
    help = "Tính lại và lưu kết quả đối chiếu tiêu chí của một nhánh tổ chức (mặc định: toàn bộ), 5 năm gần nhất."

    def add_arguments(self, parser):
        parser.add_argument("--org", type=int, help="Mã tổ chức gốc của nhánh cần tính lại.")
        parser.add_argument("--years", help="Khoảng năm, ví dụ 2021-2025.")
        parser.add_argument("--stale-only", action="store_true", help="Chỉ tính lại các kết quả đã cũ.")

    def handle(self, *args, org=None, years=None, stale_only=False, **options):
        started = time.monotonic()
        if stale_only:
            done = verdicts.refresh()
            self.stdout.write(f"Đã tính lại {done} kết quả ({time.monotonic() - started:.1f} giây).")
            return
        root = None
        if org is not None:
            root = Organization.objects.filter(pk=org).first()
            if root is None:
                raise CommandError(f"Không có tổ chức mã {org}.")
        span = None
        if years:
            try:
                first, last = (int(part) for part in years.split("-"))
            except ValueError as error:
                raise CommandError("Khoảng năm không hợp lệ, cần dạng 2021-2025.") from error
            span = range(first, last + 1)

        def progress(scheme, year, total):
            self.stdout.write(f"  {year} {scheme}: {total} kết quả, {time.monotonic() - started:.1f} giây")

        done = verdicts.rebuild(root, span, progress=progress)
        self.stdout.write(f"Đã lưu {done} kết quả đối chiếu ({time.monotonic() - started:.1f} giây).")
