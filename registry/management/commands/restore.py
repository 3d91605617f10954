"""`manage.py restore PATH`: a backup of `manage.py backup` into an empty instance, checked against its manifest."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry import backups


class Command(BaseCommand):
    @property
    def help(self):  # read when the parser is built, after translations are set up
        return _(
            "Khôi phục một bản sao lưu (thư mục portal-backup-…) vào cơ sở dữ liệu và thư mục tệp đính kèm "
            "đang cấu hình, rồi đối chiếu số dòng từng bảng và mã sha256 từng tệp với manifest.json. "
            "Từ chối cơ sở dữ liệu đích đã có dữ liệu, trừ khi có --force."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Thư mục bản sao lưu (chứa manifest.json)."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Ghi đè cả khi cơ sở dữ liệu đích hoặc thư mục tệp đính kèm đã có dữ liệu."),
        )
        parser.add_argument(
            "--database-name",
            help=_(
                "Khôi phục vào cơ sở dữ liệu tên này trên cùng máy chủ (đã tạo bằng createdb), "
                "thay cho cơ sở dữ liệu đang cấu hình: để diễn tập hoặc tra cứu."
            ),
        )
        parser.add_argument("--media-root", help=_("Khôi phục tệp đính kèm vào thư mục này thay cho MEDIA_ROOT."))
        parser.add_argument("--database", default="default", help=_("Bí danh cơ sở dữ liệu (mặc định: default)."))

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            manifest = backups.restore_backup(
                options["path"],
                using=options["database"],
                database_name=options["database_name"],
                media_root=options["media_root"],
                force=options["force"],
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Đã khôi phục bản sao lưu lúc %(created)s trong %(seconds).1f giây: %(tables)s bảng, "
                "%(rows)s dòng, %(files)s tệp đính kèm, đều khớp manifest.json."
            )
            % {
                "created": manifest["created_at"],
                "seconds": time.monotonic() - started,
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["media"]["files"]),
            }
        )
        self.stdout.write(_("Hãy chạy `manage.py migrate` nếu mã nguồn mới hơn bản sao lưu, rồi sao lưu lại."))
