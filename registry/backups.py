"""Backups of the database and the media files, and their restore (issue 13 "Nothing lost").

`create_backup()` writes one directory, DEST/portal-backup-YYYYmmddTHHMMSSZ/ (UTC), holding

    database.dump     PostgreSQL: `pg_dump --format=custom`; SQLite: database.sqlite3, a copy
                      made with sqlite3's online backup API
    media.tar.gz      every file under MEDIA_ROOT (evidence, meeting attachments, decision PDFs)
    manifest.json     row counts per table, sha256 of the dump, of the archive and of every media file

Consistency: on PostgreSQL one REPEATABLE READ transaction exports its snapshot, `pg_dump --snapshot`
dumps exactly that snapshot and the row counts of the manifest are read in it too, so the counts
describe the dump whatever is written meanwhile. The media files are archived after the snapshot:
a file the dumped database names was uploaded before it, so it is in the archive (files are added,
never rewritten in place; a decision PDF is written once). The directory is written under a hidden
".partial" name and renamed when complete: a directory with the final name is a finished backup.

`restore_backup()` checks the checksums first, refuses a target database holding data (or a
non-empty media folder) unless forced, restores both and compares the result with the manifest.

The commands (registry/management/commands/backup.py, restore.py) only parse options and print.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT = 1
PREFIX = "portal-backup-"
# Tables a freshly migrated, never used instance already fills: they do not make a target "non-empty".
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission", "django_site"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Vietnamese)."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict


# --- helpers ---------------------------------------------------------------------------------


def _engine(settings_dict):
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(_("Không hỗ trợ sao lưu cơ sở dữ liệu loại %(engine)s.") % {"engine": engine})


def _pg_bin(name):
    """The newest PostgreSQL client (pg_dump must not be older than the server), else PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.parent.name.split(".")],
    )
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(_("Không tìm thấy chương trình %(name)s của PostgreSQL.") % {"name": name})


def _pg_env(settings_dict):
    """libpq reads the connection from the environment: the password never shows in `ps`."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def _run(command, settings_dict):
    result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s thất bại (mã %(code)s): %(error)s")
            % {"program": Path(command[0]).name, "code": result.returncode, "error": result.stderr.strip()}
        )
    return result


def _wrapper(settings_dict, alias="backup"):
    """A database connection of its own, apart from Django's connection of this thread."""
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(dict(settings_dict), alias)


def target_settings(using="default", database_name=None):
    settings_dict = dict(connections[using].settings_dict)
    if database_name:
        settings_dict["NAME"] = database_name
    return settings_dict


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count_rows(wrapper, cursor):
    """{table: rows} for every table Django's introspection sees on this connection."""
    counts = {}
    for table in sorted(wrapper.introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {wrapper.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts(settings_dict):
    wrapper = _wrapper(settings_dict, "backup-count")
    try:
        with wrapper.cursor() as cursor:
            return _count_rows(wrapper, cursor)
    finally:
        wrapper.close()


# --- database ------------------------------------------------------------------------------------


def _dump_postgresql(settings_dict, target):
    wrapper = _wrapper(settings_dict)
    try:
        wrapper.ensure_connection()
        with wrapper.cursor() as cursor:
            # Django's connection is in autocommit mode: BEGIN opens the transaction by hand.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [_pg_bin("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={target}"],
                settings_dict,
            )
            counts = _count_rows(wrapper, cursor)
            cursor.execute("COMMIT")
        return counts
    finally:
        wrapper.close()


def _sqlite_path(settings_dict):
    name = str(settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(_("Không thể sao lưu cơ sở dữ liệu SQLite trong bộ nhớ."))
    return name


def _dump_sqlite(settings_dict, target):
    source = sqlite3.connect(_sqlite_path(settings_dict))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # the online backup API: a consistent copy while the portal runs
    finally:
        source.close()
        copy.close()
    # The counts are read from the copy itself, so they describe it exactly.
    return table_counts({**settings_dict, "NAME": str(target)})


# --- media ---------------------------------------------------------------------------------------


class _HashingReader:
    """Hands a file to tarfile while hashing the very bytes that go into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _media_files(root):
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _archive_media(media_root, target):
    """Write media.tar.gz; {relative path: {"sha256", "bytes"}} of what was archived."""
    files = {}
    with tarfile.open(target, "w:gz") as archive:
        for path in _media_files(media_root):
            relative = path.relative_to(media_root).as_posix()
            with open(path, "rb") as handle:
                info = archive.gettarinfo(fileobj=handle, arcname=relative)
                reader = _HashingReader(handle)
                archive.addfile(info, reader)
            files[relative] = {"sha256": reader.digest.hexdigest(), "bytes": info.size}
    return files


def media_checksums(media_root):
    """{relative path: sha256} of every file under media_root (the drill compares with it too)."""
    return {p.relative_to(media_root).as_posix(): sha256_file(p) for p in _media_files(media_root)}


# --- backup --------------------------------------------------------------------------------------


def create_backup(dest=None, *, using="default", now=None):
    """Take a backup into DEST (default BACKUP_DIR); record it for /healthz; return its path and manifest."""
    from .models import BackupRecord

    settings_dict = target_settings(using)
    engine = _engine(settings_dict)
    started = now or timezone.now()
    dest = Path(dest or settings.BACKUP_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{started.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"
    final = dest / name
    if final.exists():
        raise BackupError(_("Bản sao lưu %(path)s đã có; chờ một giây rồi chạy lại.") % {"path": final})
    work = dest / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        dump_name = PG_DUMP if engine == "postgresql" else SQLITE_COPY
        dump = work / dump_name
        counts = _dump_postgresql(settings_dict, dump) if engine == "postgresql" else _dump_sqlite(settings_dict, dump)
        media_root = Path(settings.MEDIA_ROOT)
        files = _archive_media(media_root, work / MEDIA_ARCHIVE)
        manifest = {
            "format": FORMAT,
            "created_at": started.astimezone(datetime.UTC).isoformat(),
            "engine": engine,
            "database": {
                "name": str(settings_dict["NAME"]),
                "file": dump_name,
                "sha256": sha256_file(dump),
                "bytes": dump.stat().st_size,
            },
            "tables": counts,
            "media": {
                "root": str(media_root),
                "file": MEDIA_ARCHIVE,
                "sha256": sha256_file(work / MEDIA_ARCHIVE),
                "bytes": (work / MEDIA_ARCHIVE).stat().st_size,
                "files": files,
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    # Written after the snapshot, so a backup never holds its own record (a restored database
    # shows the backup before the one restored: take a fresh backup after a restore).
    BackupRecord.objects.using(using).create(
        created_at=started,
        path=str(final),
        database_bytes=manifest["database"]["bytes"],
        media_bytes=manifest["media"]["bytes"],
        media_files=len(files),
    )
    return BackupResult(final, manifest)


# --- restore -------------------------------------------------------------------------------------


def read_manifest(path):
    """The manifest of the backup at `path`, after checking the dump and the archive against it."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(_("Không thấy %(file)s trong %(path)s.") % {"file": MANIFEST, "path": path}) from error
    except ValueError as error:
        raise BackupError(_("Tệp %(file)s hỏng: %(error)s") % {"file": MANIFEST, "error": error}) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("Định dạng bản sao lưu không được hỗ trợ: %(format)s.") % {"format": manifest.get("format")}
        )
    for part in (manifest["database"], manifest["media"]):
        file = path / part["file"]
        if not file.is_file():
            raise BackupError(_("Thiếu tệp %(file)s trong bản sao lưu.") % {"file": part["file"]})
        if sha256_file(file) != part["sha256"]:
            raise BackupError(
                _("Tệp %(file)s không khớp mã kiểm tra sha256: bản sao lưu hỏng.") % {"file": part["file"]}
            )
    return manifest


def tables_with_data(settings_dict):
    """Tables of the target holding rows, apart from what `migrate` alone writes."""
    if _engine(settings_dict) == "sqlite" and not Path(_sqlite_path(settings_dict)).exists():
        return []
    return sorted(t for t, n in table_counts(settings_dict).items() if n and t not in BOOKKEEPING_TABLES)


def _restore_postgresql(settings_dict, dump):
    # --clean --if-exists: also into a migrated, still empty instance (its tables are replaced);
    # --single-transaction: a failure leaves the target as it was.
    _run(
        [_pg_bin("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
         "--exit-on-error", "--no-password", f"--dbname={settings_dict['NAME']}", str(dump)],
        settings_dict,
    )  # fmt: skip


def _restore_sqlite(settings_dict, copy):
    source = sqlite3.connect(copy)
    target = sqlite3.connect(_sqlite_path(settings_dict))
    try:
        source.backup(target)  # replaces the whole target database
    finally:
        source.close()
        target.close()


def _extract_media(archive_path, media_root):
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(media_root, filter="data")  # no absolute paths, no "..", no devices


def verify_restore(manifest, settings_dict, media_root):
    """Differences between the restored instance and the manifest, as Vietnamese lines (empty: none)."""
    problems = []
    counts = table_counts(settings_dict)
    for table, expected in sorted(manifest["tables"].items()):
        found = counts.get(table)
        if found != expected:
            problems.append(
                _("Bảng %(table)s: %(found)s dòng, bản sao lưu có %(expected)s.")
                % {"table": table, "found": "—" if found is None else found, "expected": expected}
            )
    for relative, entry in sorted(manifest["media"]["files"].items()):
        file = Path(media_root) / relative
        if not file.is_file():
            problems.append(_("Thiếu tệp %(file)s.") % {"file": relative})
        elif sha256_file(file) != entry["sha256"]:
            problems.append(_("Tệp %(file)s không khớp mã kiểm tra sha256.") % {"file": relative})
    return problems


def restore_backup(path, *, using="default", database_name=None, media_root=None, force=False):
    """Restore the backup at `path` into the configured (or named) database and MEDIA_ROOT; verify it.

    Refuses a target database holding data, or a media folder holding files, unless `force`.
    Returns the manifest; raises BackupError on refusal or on any difference after the restore.
    """
    path = Path(path)
    manifest = read_manifest(path)
    settings_dict = target_settings(using, database_name)
    engine = _engine(settings_dict)
    if engine != manifest["engine"]:
        raise BackupError(
            _("Bản sao lưu của %(source)s không khôi phục được vào %(target)s.")
            % {"source": manifest["engine"], "target": engine}
        )
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not force:
        try:
            occupied = tables_with_data(settings_dict)
        except DatabaseError as error:
            raise BackupError(
                _("Không kết nối được cơ sở dữ liệu đích %(name)s (tạo nó trước bằng createdb): %(error)s")
                % {"name": settings_dict["NAME"], "error": error}
            ) from error
        if occupied:
            raise BackupError(
                _(
                    "Cơ sở dữ liệu đích %(name)s đã có dữ liệu (%(count)s bảng, ví dụ %(tables)s). "
                    "Khôi phục sẽ ghi đè; chỉ làm vậy khi chắc chắn, với tuỳ chọn --force."
                )
                % {"name": settings_dict["NAME"], "count": len(occupied), "tables": ", ".join(occupied[:3])}
            )
        if _media_files(media_root):
            raise BackupError(
                _("Thư mục tệp đính kèm %(path)s không trống. Dùng --force để ghi đè.") % {"path": media_root}
            )
    if not database_name:
        connections[using].close()  # the restore replaces what this connection may have open
    dump = path / manifest["database"]["file"]
    if engine == "postgresql":
        _restore_postgresql(settings_dict, dump)
    else:
        _restore_sqlite(settings_dict, dump)
    _extract_media(path / manifest["media"]["file"], media_root)
    problems = verify_restore(manifest, settings_dict, media_root)
    if problems:
        raise BackupError(_("Khôi phục xong nhưng không khớp bản sao lưu:") + "\n" + "\n".join(problems))
    return manifest


# --- health --------------------------------------------------------------------------------------


def backup_health(now=None, using="default"):
    """The newest recorded backup for /healthz: {"status": "ok"|"stale", "last_at", "age_seconds", ...}.

    "stale" also when no backup was ever recorded (then last_at and age_seconds are None).
    """
    from .models import BackupRecord

    max_age = datetime.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    last = BackupRecord.objects.using(using).order_by("-created_at").values_list("created_at", flat=True).first()
    if last is None:
        return {"status": "stale", "last_at": None, "age_seconds": None, "max_age_hours": settings.BACKUP_MAX_AGE_HOURS}
    age = (now or timezone.now()) - last
    return {
        "status": "ok" if age <= max_age else "stale",
        "last_at": last.isoformat(),
        "age_seconds": int(age.total_seconds()),
        "max_age_hours": settings.BACKUP_MAX_AGE_HOURS,
    }
