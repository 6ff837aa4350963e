"""`katalog backup --out DIR` and `katalog restore DIR`: a populated database and its uploaded files
are backed up, restored by the real command (another process) into an empty database, and every row
of every table and every file comes back the same; the audit chain still verifies. On SQLite in the
normal suite; on PostgreSQL (pg_dump / pg_restore, into a second database made for the test) when
DATABASE_URL is PostgreSQL."""

import importlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from katalog.accounts.selectors import system_actor
from katalog.catalogue import services as catalogue
from katalog.core import audit
from katalog.core.models import AuditLog, Katalog
from tests import factories as f
from tests.conftest import pdf_bytes, png_bytes

ROOT = Path(__file__).resolve().parents[2]


def ensure_regions() -> None:
    """A transactional test starts after another's flush: put back the regions a migration loads."""
    from katalog.core.models import Region

    if not Region.objects.exists():
        importlib.import_module("katalog.core.migrations.0002_load_regions").load(apps, None)


def populate() -> None:
    """Two tenants with offices, people, vendors, listed products with photos, a logo, a vendor
    document and audit entries of both tenants and of none (all committed)."""
    ensure_regions()
    medan = f.make_katalog("12.71", "Katalog Lokal Kota Medan")
    binjai = f.make_katalog("12.75", "Katalog Lokal Kota Binjai")
    medan.logo.save("pemko.png", ContentFile(png_bytes()))
    for tenant in (medan, binjai):
        office = f.make_office(tenant, "1.01.01")
        for role in f.ALL_ROLES:
            f.make_user(tenant, role, username=f"{tenant.region_id}-{role}", office=office)
        vendor = f.make_vendor(tenant, users=[f.make_user(tenant, "penyedia")])
        for n in range(3):
            product = f.make_product(vendor, name=f"Kopi Sidikalang {n}", stock=5 + n)
            catalogue.product_add_photo(
                actor=system_actor(tenant),
                product=product,
                upload=SimpleUploadedFile("kopi.png", png_bytes(), content_type="image/png"),
            )
    from katalog.vendors.models import DocumentKind, VendorDocument

    pdf = pdf_bytes()
    document = VendorDocument(
        vendor=f.make_vendor(medan),
        kind=DocumentKind.values[0],
        token="a1b2c3",
        extension="pdf",
        content_type="application/pdf",
        size=len(pdf),
        original_name="nib.pdf",
    )
    document.file.save("nib.pdf", ContentFile(pdf))
    audit.record(actor=None, action="test.platform", obj=medan, katalog=None)


def model_tables() -> dict[str, str]:
    """Every model table (with many-to-many tables) and its primary key column."""
    return {
        m._meta.db_table: m._meta.pk.column
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }


def rows_of(cursor, quote) -> dict[str, list[tuple]]:
    rows = {}
    for table, pk in sorted(model_tables().items()):
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608
        rows[table] = [tuple(r) for r in cursor.fetchall()]
    return rows


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def katalog(*args, database_url: str, media: Path) -> subprocess.CompletedProcess:
    """Run the real `katalog` command in another process, on another database and media root."""
    env = {**os.environ, "DATABASE_URL": database_url, "KATALOG_MEDIA_ROOT": str(media)}
    env.pop("DATABASE_REPLICA_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "katalog.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


class Target:
    """An empty database of the session's engine, and how to read it."""

    def __init__(self, tmp_path: Path):
        self.media = tmp_path / "restored-media"
        if connection.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            params = connection.settings_dict
            self.name = f"{params['NAME']}_restored"
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                cursor.execute(f'CREATE DATABASE "{self.name}"')
            password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
            self.url = f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT'] or 5432}/{self.name}"

    def rows(self) -> dict[str, list[tuple]]:
        if connection.vendor == "sqlite":
            # Read as Django reads it (its converters, e.g. for datetimes).
            db = sqlite3.connect(self.path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
            try:
                return rows_of(db.cursor(), lambda n: f'"{n}"')
            finally:
                db.close()
        return postgresql_rows(self.name)

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def postgresql_rows(name: str) -> dict[str, list[tuple]]:
    """Every row of a PostgreSQL database, read by a plain psycopg connection (as on both sides)."""
    import psycopg

    p = connection.settings_dict
    params = dict(host=p["HOST"], port=p["PORT"] or 5432, user=p["USER"], password=p.get("PASSWORD") or None)
    with psycopg.connect(**params, dbname=name) as db:
        return rows_of(db.cursor(), lambda n: f'"{n}"')


def source_rows() -> dict[str, list[tuple]]:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return rows_of(connection.connection.cursor(), connection.ops.quote_name)
    return postgresql_rows(connection.settings_dict["NAME"])


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_every_file_into_an_empty_database(tmp_path):
    populate()
    out = tmp_path / "backup"
    call_command("backup", out=str(out))

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["core_auditlog"] == AuditLog.objects.count() > 10
    assert manifest["counts"]["core_katalog"] == 2
    media = Path(settings.MEDIA_ROOT)
    uploaded = files_under(media)
    assert len(uploaded) >= 14  # 6 photos × 2 sizes, a logo, a document
    assert set(files_under(out / "media")) == set(uploaded)
    assert {name for name in manifest["files"] if name.startswith("media/")} == {f"media/{n}" for n in uploaded}

    target = Target(tmp_path)
    try:
        restored = katalog("restore", str(out), database_url=target.url, media=target.media)
        assert restored.returncode == 0, restored.stderr
        assert "ok" in restored.stdout

        verified = katalog("verify_audit", database_url=target.url, media=target.media)
        assert verified.returncode == 0, verified.stderr
        assert verified.stdout.strip() == f"ok {AuditLog.objects.count()} entries"

        # Every record of every table, and every file, as they were.
        expected = source_rows()
        got = target.rows()
        assert set(got) == set(expected)
        for table in expected:
            assert got[table] == expected[table], table
        assert files_under(target.media) == uploaded

        # A database that holds data is not overwritten without --force.
        again = katalog("restore", str(out), database_url=target.url, media=target.media)
        assert again.returncode != 0 and "not empty" in again.stderr
        forced = katalog("restore", str(out), "--force", database_url=target.url, media=target.media)
        assert forced.returncode == 0, forced.stderr

    finally:
        target.drop()

    # A damaged backup is refused before anything is touched.
    photo = next(p for p in (out / "media").rglob("*.jpg"))
    photo.write_bytes(b"not the photo")
    with pytest.raises(CommandError, match="does not match"):
        call_command("restore", str(out), "--force")
    assert AuditLog.objects.count() == manifest["counts"]["core_auditlog"]
    ensure_regions()


@pytest.mark.django_db(transaction=True)
def test_a_backup_goes_only_into_a_new_directory(tmp_path):
    ensure_regions()
    Katalog.objects.create(region_id="12.71", name="Medan", government_name="Pemko Medan")
    out = tmp_path / "backup"
    out.mkdir()
    (out / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", out=str(out))
