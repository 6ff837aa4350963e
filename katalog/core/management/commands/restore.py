"""`katalog restore DIR [--force]`: put back what `katalog backup --out DIR` wrote.

Refuses when a file does not match the manifest, when the backup is of another database vendor, and
when the database (or MEDIA_ROOT) already holds data, unless `--force` (which replaces it). Afterwards
it checks the rows of every table against the manifest and runs `verify_audit`."""

import json
import shutil
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from .backup import MANIFEST, MEDIA_DIR, holds_data, media_root, pg_command, sha256_of, table_counts


class Command(BaseCommand):
    help = "Restore a backup made by `katalog backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory, force, database, **options):
        source = Path(directory)
        manifest = self.read_manifest(source)
        connection = connections[database]
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise CommandError(f"this backup is of a {vendor} database, not {connection.vendor}")
        media = media_root()
        if not force:
            if holds_data(connection):
                raise CommandError("the database is not empty: restore into an empty database, or use --force")
            if media.is_dir() and any(media.iterdir()):
                raise CommandError(f"{media} (MEDIA_ROOT) is not empty: use --force to replace it")
        db_file = source / manifest["database"]["file"]
        if vendor == "sqlite":
            self.restore_sqlite(connection, db_file)
        else:
            self.restore_postgresql(connection, db_file)
        if media.is_dir():
            for child in media.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        shutil.copytree(source / MEDIA_DIR, media, dirs_exist_ok=True)
        counts = table_counts(connection)
        wrong = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
        if wrong:
            details = ", ".join(f"{t}: {n} expected, {got} found" for t, (n, got) in sorted(wrong.items()))
            raise CommandError(f"the restored database does not match the manifest ({details})")
        audit = StringIO()
        call_command("verify_audit", database=database, stdout=audit)
        rows = sum(counts.values())
        self.stdout.write(f"restored {rows} rows and {len(manifest['files']) - 1} files from {source}")
        self.stdout.write(f"audit log: {audit.getvalue().strip()}")

    @staticmethod
    def read_manifest(source: Path) -> dict:
        try:
            manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{source} holds no readable {MANIFEST}: {exc}") from exc
        for name, digest in manifest["files"].items():
            path = source / name
            if not path.is_file():
                raise CommandError(f"{name} is missing from the backup")
            if sha256_of(path) != digest:
                raise CommandError(f"{name} does not match the manifest's SHA-256: the backup is damaged")
        listed = set(manifest["files"])
        extra = [
            p.relative_to(source).as_posix()
            for p in (source / MEDIA_DIR).rglob("*")
            if p.is_file() and p.relative_to(source).as_posix() not in listed
        ]
        if extra:
            raise CommandError(f"{extra[0]} is in the backup but not in its manifest")
        return manifest

    @staticmethod
    def restore_sqlite(connection, db_file: Path) -> None:
        connection.ensure_connection()
        src = sqlite3.connect(db_file)
        try:
            src.backup(connection.connection)
        finally:
            src.close()

    @staticmethod
    def restore_postgresql(connection, db_file: Path) -> None:
        settings_dict = connection.settings_dict
        connection.close()
        args, env = pg_command("pg_restore", settings_dict)
        args += ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]
        args += ["--dbname", settings_dict["NAME"], str(db_file)]
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CommandError(f"pg_restore failed: {done.stderr.strip()}")
