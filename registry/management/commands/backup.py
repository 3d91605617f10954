"""`manage.py backup [--dest DIR]`: database and media files in one timestamped directory (registry.backups)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry import backups


def megabytes(size):
    return f"{size / (1024 * 1024):.2f} MB"


class Command(BaseCommand):
    @property
    def help(self):  # read when the parser is built, after translations are set up
        return _(
            "Sao lưu nhất quán cơ sở dữ liệu và thư mục tệp đính kèm (minh chứng, quyết định PDF) vào "
            "DEST/portal-backup-YYYYmmddTHHMMSSZ/ kèm manifest.json (số dòng từng bảng, mã sha256 từng tệp)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dest",
            help=_("Thư mục chứa bản sao lưu (mặc định: BACKUP_DIR trong cấu hình)."),
        )
        parser.add_argument("--database", default="default", help=_("Bí danh cơ sở dữ liệu (mặc định: default)."))

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = backups.create_backup(options["dest"], using=options["database"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            _("Đã sao lưu vào %(path)s trong %(seconds).1f giây.")
            % {"path": result.path, "seconds": time.monotonic() - started}
        )
        self.stdout.write(
            _("Cơ sở dữ liệu: %(tables)s bảng, %(rows)s dòng, %(size)s.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "size": megabytes(manifest["database"]["bytes"]),
            }
        )
        self.stdout.write(
            _("Tệp đính kèm: %(files)s tệp, %(size)s.")
            % {"files": len(manifest["media"]["files"]), "size": megabytes(manifest["media"]["bytes"])}
        )
