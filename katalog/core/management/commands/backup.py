"""`katalog backup --out DIR`: the database and the uploaded files, with a manifest.

- SQLite: a consistent copy through SQLite's online backup API (the site may keep running).
- PostgreSQL: `pg_dump -Fc` (custom format, restored by `pg_restore`), taken in the same snapshot as
  the row counts of the manifest.
- Uploaded files (MEDIA_ROOT) are copied into DIR/media.
- DIR/manifest.json: when, the database vendor, the rows of every table, the SHA-256 of every file.

`katalog restore DIR` puts it back (see restore.py and docs/deployment.md)."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
FORMAT = 1
# Tables `katalog migrate` fills by itself: a database holding only these is empty.
REFERENCE_TABLES = {"django_content_type", "auth_permission", "core_region", "django_migrations"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_tables() -> list[str]:
    """The table of every model (with many-to-many tables), sorted."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def table_counts(connection) -> dict[str, int]:
    """Rows of every model table that exists in this database."""
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in model_tables():
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model table
                counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_file_counts(db_file: Path) -> dict[str, int]:
    """Rows of every model table of an SQLite file."""
    db = sqlite3.connect(db_file)
    try:
        existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - a model table
            for table in model_tables()
            if table in existing
        }
    finally:
        db.close()


def holds_data(connection) -> bool:
    """Whether the database holds anything beyond what `migrate` puts there."""
    return any(n for table, n in table_counts(connection).items() if table not in REFERENCE_TABLES)


def pg_command(binary: str, settings_dict: dict) -> tuple[list[str], dict]:
    """The connection arguments and environment of a PostgreSQL client binary."""
    args = [binary, "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a directory, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the directory to write (new, or empty)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        target = Path(out)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: back up into a new directory")
        target.mkdir(parents=True, exist_ok=True)
        connection = connections[database]
        vendor = connection.vendor
        with self.snapshot(connection) as snapshot_id:
            counts = table_counts(connection)
            if vendor == "sqlite":
                db_file = target / SQLITE_FILE
                self.backup_sqlite(connection, db_file)
                counts = sqlite_file_counts(db_file)  # the copy's own: writes may have gone on meanwhile
            elif vendor == "postgresql":
                db_file = target / PG_FILE
                self.backup_postgresql(connection, db_file, snapshot_id)
            else:
                raise CommandError(f"no backup for the {vendor} database")
        media = media_root()
        if media.is_dir():
            shutil.copytree(media, target / MEDIA_DIR, symlinks=False)
        else:
            (target / MEDIA_DIR).mkdir()
        files = {
            path.relative_to(target).as_posix(): sha256_of(path)
            for path in sorted(target.rglob("*"))
            if path.is_file() and path.name != MANIFEST
        }
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": vendor, "file": db_file.name},
            "counts": counts,
            "files": files,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        rows = sum(counts.values())
        self.stdout.write(f"backed up {rows} rows in {len(counts)} tables and {len(files) - 1} files to {target}")

    @contextmanager
    def snapshot(self, connection):
        """On PostgreSQL, a repeatable-read transaction whose snapshot pg_dump shares, so the counts of
        the manifest are those of the dump. Elsewhere (or inside a transaction already), nothing."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            yield None
            return
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                yield cursor.fetchone()[0]

    @staticmethod
    def backup_sqlite(connection, db_file: Path) -> None:
        connection.ensure_connection()
        dest = sqlite3.connect(db_file)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()

    @staticmethod
    def backup_postgresql(connection, db_file: Path, snapshot_id: str | None) -> None:
        args, env = pg_command("pg_dump", connection.settings_dict)
        args += ["--format=custom", "--no-owner", "--no-acl", "--file", str(db_file)]
        if snapshot_id:
            args += ["--snapshot", snapshot_id]
        args.append(connection.settings_dict["NAME"])
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
