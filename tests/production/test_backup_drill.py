"""Backup drill (issue 13 "Nothing lost"): `manage.py backup`, then `manage.py restore` into a fresh database.

Against the real PostgreSQL of the test command (DATABASE_URL): a world of every kind of object
(tests/production/world.py) with its evidence files, meeting attachment and decision PDF is backed
up; the backup is restored into a new, empty database created on the same server and into a new
media folder, and the restored instance is compared with the source, table by table and file by
file, with counts and checksums computed here (not by registry.backups). The data must be committed
for pg_dump to see it, hence `transaction=True`.
"""

import hashlib
import json
import subprocess
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from registry import backups
from registry.models import BackupRecord

from .world import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill runs against PostgreSQL"),
]


def connect(name):
    sd = connection.settings_dict
    return psycopg2.connect(
        dbname=name, host=sd["HOST"], port=sd["PORT"], user=sd["USER"], password=sd["PASSWORD"] or None
    )


def row_counts(name):
    """{table: rows} of every table in the public schema of database `name`."""
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def checksums(root):
    root = Path(root)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards."""
    name = f"drill_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:  # autocommit: transaction=True tests run outside a transaction
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def test_backup_then_restore_into_an_empty_database_gives_back_every_row_and_file(
    tree, users, media, tmp_path, fresh_database, client, settings, capsys
):
    from recognition.models import Decision

    build_world(tree, users)
    decision = Decision.objects.filter(pdf="").first()
    if decision is not None:  # its PDF not rendered (yet): give it one, so a decision PDF is on disk
        decision.pdf.save("quyet-dinh.pdf", ContentFile(b"%PDF-1.4 quyet dinh"), save=True)
    source_name = connection.settings_dict["NAME"]
    before = row_counts(source_name)
    files = checksums(media)
    assert any(path.startswith("recognition/decisions/") for path in files), files
    assert len(files) >= 3  # evidence, meeting attachment, decision PDF (of each side of the world)
    assert sum(before.values()) > 100

    started = time.monotonic()
    call_command("backup", dest=str(tmp_path / "backups"))
    backup_seconds = time.monotonic() - started
    (path,) = (tmp_path / "backups").iterdir()
    assert path.name.startswith("portal-backup-") and path.name.endswith("Z")
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["tables"] == before
    assert {name: entry["sha256"] for name, entry in manifest["media"]["files"].items()} == files
    assert manifest["database"]["sha256"] == hashlib.sha256((path / "database.dump").read_bytes()).hexdigest()

    # The backup is recorded where /healthz reads it.
    record = BackupRecord.objects.get()
    assert record.path == str(path) and record.media_files == len(files)
    health = client.get("/healthz").json()["backup"]
    assert health["status"] == "ok" and 0 <= health["age_seconds"] < 60

    restored_media = tmp_path / "restored-media"
    started = time.monotonic()
    call_command("restore", str(path), database_name=fresh_database, media_root=str(restored_media))
    restore_seconds = time.monotonic() - started

    assert row_counts(fresh_database) == before
    assert checksums(restored_media) == files
    assert backup_seconds + restore_seconds < 60
    with capsys.disabled():
        print(
            f"\nbackup drill: {sum(before.values())} rows in {len(before)} tables, {len(files)} media files; "
            f"dump {manifest['database']['bytes']} B, media {manifest['media']['bytes']} B; "
            f"backup {backup_seconds:.2f} s, restore {restore_seconds:.2f} s"
        )

    # The restored database now holds data: a second restore into it is refused and changes nothing.
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(path), database_name=fresh_database, media_root=str(tmp_path / "other-media"))
    assert row_counts(fresh_database) == before


def test_restore_refuses_a_database_with_data_and_a_damaged_backup(tree, media, tmp_path, fresh_database):
    (media / "evidence").mkdir()
    (media / "evidence" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 minh chung")
    call_command("backup", dest=str(tmp_path / "backups"))
    (path,) = (tmp_path / "backups").iterdir()

    # The configured database (the source, with the tree in it) holds data: refused, left as it was.
    source_name = connection.settings_dict["NAME"]
    before = row_counts(source_name)
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("restore", str(path), media_root=str(tmp_path / "restored-media"))
    assert row_counts(source_name) == before

    # A media folder holding files is refused too, even with an empty database.
    with pytest.raises(CommandError, match="không trống"):
        call_command("restore", str(path), database_name=fresh_database, media_root=str(media))

    # One byte changed in the archive: refused before anything is written.
    archive = path / "media.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="sha256"):
        call_command("restore", str(path), database_name=fresh_database, media_root=str(tmp_path / "m2"))
    assert row_counts(fresh_database) == {}


def test_restore_into_a_migrated_but_unused_instance(tree, media, tmp_path, fresh_database):
    """What `scripts/install.sh` leaves (tables, migrations, content types, permissions; no data) is empty."""
    (media / "recognition" / "decisions" / "2025").mkdir(parents=True)
    (media / "recognition" / "decisions" / "2025" / "qd-01.pdf").write_bytes(b"%PDF-1.4 quyet dinh")
    source_name = connection.settings_dict["NAME"]
    before = row_counts(source_name)
    call_command("backup", dest=str(tmp_path / "backups"))
    (path,) = (tmp_path / "backups").iterdir()

    # The migrated instance: the source's schema and its bookkeeping rows, copied with pg_dump | psql.
    sd = connection.settings_dict
    bin_dir = Path(backups._pg_bin("pg_dump")).parent
    env = backups._pg_env(sd)
    bookkeeping = ["-t", "django_migrations", "-t", "django_content_type", "-t", "auth_permission"]
    for dump_args in (["--schema-only"], ["--data-only", *bookkeeping]):
        sql = subprocess.run([bin_dir / "pg_dump", *dump_args, source_name], env=env, check=True, capture_output=True)
        subprocess.run(
            [bin_dir / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", fresh_database],
            input=sql.stdout, env=env, check=True, capture_output=True,
        )  # fmt: skip
    migrated = row_counts(fresh_database)
    assert migrated["django_migrations"] > 0 and migrated["auth_permission"] > 0
    assert migrated["registry_organization"] == 0

    call_command("restore", str(path), database_name=fresh_database, media_root=str(tmp_path / "restored-media"))
    assert row_counts(fresh_database) == before
    assert checksums(tmp_path / "restored-media") == checksums(media)


def test_the_demo_backed_up_and_restored_elsewhere_has_the_same_rows_and_files(media, tmp_path, fresh_database):
    """The drill on the demo itself (its smallest size, with its decision PDFs rendered into MEDIA_ROOT)."""
    call_command("demo_block", size="tiny", seed=7)
    source_name = connection.settings_dict["NAME"]
    before = row_counts(source_name)
    files = checksums(media)
    assert before["registry_member"] > 0 and before["evaluations_meeting"] > 0 and before["recognition_decision"] > 0
    assert any(path.startswith("recognition/decisions/") for path in files), "the demo's decision PDFs are on disk"

    call_command("backup", dest=str(tmp_path / "backups"))
    (path,) = (tmp_path / "backups").iterdir()
    call_command("restore", str(path), database_name=fresh_database, media_root=str(tmp_path / "restored-media"))

    assert row_counts(fresh_database) == before
    assert checksums(tmp_path / "restored-media") == files
