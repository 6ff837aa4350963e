"""Load the Kepmendagri region codes from katalog/core/data/wilayah.csv (see WILAYAH-NOTICE.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "wilayah.csv"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # Parents come before their children in the file's order (by code), but insert by level to be sure.
    order = {"provinsi": 0, "kabupaten_kota": 1, "kecamatan": 2, "desa_kelurahan": 3}
    rows.sort(key=lambda r: (order[r["tingkat"]], r["kode"]))
    Region.objects.bulk_create(
        [Region(code=r["kode"], name=r["nama"], level=r["tingkat"], parent_id=r["induk"] or None) for r in rows],
        batch_size=2000,
    )


def unload(apps, schema_editor):
    apps.get_model("core", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
