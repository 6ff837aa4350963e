"""What the registry import does to be fast keeps its results (issue 12, docs/performance.md
"Importing the Dinas registry"): the COPY text it writes itself, the array literals of its lookups,
the garbage collector held back during a load, the indexes built after a bulk load on SQLite, and
a start-up of the command without the order services and the PDF library."""

import gc
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction

from katalog.core import collector
from katalog.vendors import imports
from katalog.vendors.models import SizeClassChange, Vendor
from katalog.vendors.size_class import SizeClass

ROOT = Path(__file__).resolve().parents[2]
AWKWARD = ["tab\there", "line\nbreak", "cr\rreturn", "back\\slash", '"quoted"', "NULL", "", "\\N", "{a,b}", "é ١٢"]


def test_insert_rows_writes_every_kind_of_value_back_as_given(medan):
    vendor = Vendor.objects.create(katalog=medan, name="Kedai", nib="9120000000001", size_class="mikro")
    when = datetime(2026, 11, 30, 21, 5, 7, 123456, tzinfo=UTC)
    rows = [
        {
            "vendor_id": vendor.pk,
            "changed_on": date(2026, 1, n + 1),
            "new_class": "kecil",
            "reason": text,
            "evidence": text[::-1],
            "capital": Decimal("1500000.50") if n % 2 else n * 1_000_000,
            "annual_sales": None,
            "recorded_at": when,
        }
        for n, text in enumerate(AWKWARD)
    ]
    rows[3]["capital"] = 3_000_000.0  # a float: this row alone goes through the driver, amid the COPY text
    imports.insert_rows(SizeClassChange, rows, common={"katalog_id": medan.pk, "old_class": "mikro"})
    got = list(SizeClassChange.objects.filter(vendor=vendor, old_class="mikro").order_by("changed_on"))
    assert [(r.reason, r.evidence, r.capital, r.annual_sales, r.recorded_at) for r in got] == [
        (row["reason"], row["evidence"], Decimal(row["capital"]), None, when) for row in rows
    ]


def test_copy_chunks_leave_a_value_they_do_not_know_to_the_driver():
    def values(row, tail=()):
        return [row["a"], None, True, 7]

    rows = [{"a": "a\tb"}, {"a": 1.5}, {"a": SizeClass.KECIL}]
    # a float (no such column in the loads): that row alone goes to psycopg's write_row; a choice
    # is written as its text (the demo's size classes)
    assert list(imports._copy_chunks(rows, values, [False], chunk=5)) == [
        "a\\tb\t\\N\tt\t7\tf\n",
        [1.5, None, True, 7],
        "kecil\t\\N\tt\t7\tf\n",
    ]
    assert list(imports._copy_chunks(rows[:1] * 3, values, [], chunk=2)) == [
        "a\\tb\t\\N\tt\t7\n" * 2,
        "a\\tb\t\\N\tt\t7\n",
    ]


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres") is False, reason="PostgreSQL only")
def test_an_array_literal_reads_back_as_the_values(db):
    values = AWKWARD + ["9120000000001", "007"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [imports._pg_array(values)])
        assert cursor.fetchone()[0] == values
        cursor.execute("SELECT %s::bigint[]", [imports._pg_array([1, 22, 333])])
        assert cursor.fetchone()[0] == [1, 22, 333]


def test_lookups_by_nib_find_the_vendors_whatever_the_text(medan):
    Vendor.objects.create(katalog=medan, name="A", nib="9120000000001", size_class="mikro")
    Vendor.objects.create(katalog=medan, name="B", nib="9120000000002", size_class="mikro")
    found = imports._by_nib(Vendor, "name", medan, ["9120000000002", "NULL", 'x"y', "", "9120000000001"])
    assert sorted(found) == [("9120000000001", "A"), ("9120000000002", "B")]
    # a whole registry in one batch: more values than SQLite binds parameters (32,766)
    many = [f"{n:013d}" for n in range(40_000)] + ["9120000000001"]
    assert imports._by_nib(Vendor, "name", medan, many) == [("9120000000001", "A")]


def test_few_collections_holds_the_collector_back_and_gives_it_back():
    before = gc.get_threshold()
    with collector.few_collections():
        assert gc.get_threshold()[0] == 50_000
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _secondary_indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('vendors_vendor', 'vendors_sizeclasschange') ORDER BY name"
        )
        return cursor.fetchall()


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite only")
def test_indexes_rebuilt_drops_them_for_a_bulk_load_and_builds_them_again(medan):
    indexes = _secondary_indexes()
    assert len(indexes) > 5
    with transaction.atomic():
        with imports.indexes_rebuilt(Vendor, SizeClassChange, rows=1000):
            left = _secondary_indexes()
            assert left and all(sql.startswith("CREATE UNIQUE") for _n, sql in left)
        assert _secondary_indexes() == indexes
    # a failure inside: the transaction's rollback gives the indexes back
    with pytest.raises(RuntimeError), transaction.atomic():
        with imports.indexes_rebuilt(Vendor, SizeClassChange, rows=1000):
            raise RuntimeError
    assert _secondary_indexes() == indexes


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite only")
def test_indexes_rebuilt_keeps_them_when_the_tables_hold_more_than_the_load(medan):
    for n in range(3):
        Vendor.objects.create(katalog=medan, name=f"V{n}", nib=f"912000000000{n}", size_class="mikro")
    with transaction.atomic(), imports.indexes_rebuilt(Vendor, SizeClassChange, rows=1):
        assert len(_secondary_indexes()) > 5


def test_the_import_command_starts_without_the_order_services_and_the_pdf_library():
    """`django.setup()` and the command's module: the buying app's stock hook imports its selectors
    (hence the order services and reportlab) on first use, not at every `katalog` start-up."""
    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'katalog.settings');"
        "import django; django.setup();"
        "import katalog.vendors.management.commands.import_umkm;"
        "print(sorted(m for m in ('reportlab', 'katalog.buying.services', 'katalog.buying.selectors') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_stock_hook_still_names_the_orders_holding_stock(db):
    from katalog.buying import selectors
    from katalog.catalogue import stock

    assert stock.holders_of(0) == selectors.stock_holders(0) == []


@pytest.mark.parametrize(
    "module", ["katalog.vendors.management.commands.import_umkm", "katalog.demo.management.commands.demo"]
)
def test_a_bulk_command_run_from_the_command_line_leaves_the_objects_frozen_for_the_exit(module, monkeypatch):
    """The process ends after it: the interpreter's closing collection then has little to walk."""
    import importlib

    from django.core.management.base import BaseCommand

    command = importlib.import_module(module).Command()
    ran = []
    monkeypatch.setattr(BaseCommand, "run_from_argv", lambda self, argv: ran.append(argv) or sys.exit(1))
    try:
        with pytest.raises(SystemExit):  # a failing command too
            command.run_from_argv(["katalog", "x"])
        assert ran == [["katalog", "x"]] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite only")
def test_the_command_path_into_an_empty_tenant_sets_the_indexes_aside_and_builds_them_again(medan, monkeypatch):
    from tests.vendors.test_import import MIXED, csv_bytes

    indexes = _secondary_indexes()
    dropped = []
    original = imports.indexes_rebuilt

    def spy(*models, rows):
        dropped.append(rows)
        return original(*models, rows=rows)

    monkeypatch.setattr(imports, "indexes_rebuilt", spy)
    table = imports.read_table(csv_bytes(MIXED), "a.csv")
    outcome = imports.run_import(katalog=medan, table=table, source_name="a.csv")
    assert outcome.summary() == "imported 3, updated 0, unchanged 0, rejected 5"
    assert dropped == [3] and _secondary_indexes() == indexes
    assert Vendor.objects.filter(katalog=medan).count() == SizeClassChange.objects.filter(katalog=medan).count() == 3


@pytest.mark.parametrize(
    "text",
    [
        "nama_usaha;nib;kode_wilayah\n Kedai A ;9120000000001; 12.71.01 \nKedai B;9120000000002\nC;3;4;extra\n",
        "No;nama_usaha;nib;kode_wilayah\n1; Kedai A ;9120000000001; 12.71.01 \n2;Kedai B\n",
        "nib;x;nama_usaha;kode_wilayah\n 1 ;y; A ;12.71\n;;;\n",
    ],
)
def test_a_csv_reads_as_the_cell_by_cell_reading_did(text):
    """The CSV reading's shortcuts (all text; the first columns in order) give the rows `_cell` gave."""
    from katalog.core import tabular

    table = imports.read_table(text.encode(), "a.csv")
    lines = [line.split(";") for line in text.splitlines()]
    cell_by_cell = tabular._rows_from(iter(lines), imports.COLUMNS, imports.REQUIRED_COLUMNS)
    assert table == cell_by_cell and table.rows


def _stored(nibs: list[str]) -> list[tuple]:
    fields = [f.attname for f in Vendor._meta.concrete_fields if f.attname not in ("id", "nib")]
    return [tuple(v) for v in Vendor.objects.filter(nib__in=nibs).order_by("nib").values_list(*fields)]


def test_insert_columns_stores_what_insert_rows_stores(medan):
    """The same vendors given row by row and column by column are stored alike (text with a tab or
    a backslash, a KBLI list, a size class, amounts, None, booleans, common values and defaults)."""
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    rows = [
        {"name": "Kedai\tA\\B", "owner_name": "Siti", "kbli": ["10792", "56103"], "size_class": SizeClass.KECIL,
         "capital": 1_500_000_000, "annual_sales": None, "is_vat_registered": True, "region_id": "12.71.01"},
        {"name": "Toko B", "owner_name": "", "kbli": [], "size_class": "mikro",
         "capital": Decimal("5000000.50"), "annual_sales": 7, "is_vat_registered": False, "region_id": None},
    ]  # fmt: skip
    common = {"katalog_id": medan.pk, "created_at": now, "updated_at": now, "status": "verified"}
    imports.insert_rows(Vendor, [dict(r, nib=f"912000000000{n}") for n, r in enumerate(rows)], common=common)
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    imports.insert_columns(Vendor, {**columns, "nib": ["9130000000000", "9130000000001"]}, common=common)
    assert _stored(["9120000000000", "9120000000001"]) == _stored(["9130000000000", "9130000000001"])
    assert Vendor.objects.get(nib="9130000000000").name == "Kedai\tA\\B"
    with pytest.raises(ValueError):
        imports.insert_columns(Vendor, {"nib": ["1", "2"], "name": ["A"]}, common=common)


def _foreign_keys() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid IN ('vendors_vendor'::regclass, 'vendors_sizeclasschange'::regclass) "
            "ORDER BY 1, 2"
        )
        return cursor.fetchall()


KEYS = {Vendor: ["katalog", "region", "district"], SizeClassChange: ["katalog", "vendor"]}


def _bad_vendor(nib: str, katalog) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO vendors_vendor (katalog_id, nib, name, owner_name, npwp, kbli, phone, email, address, "
            "sector, region_id, district_id, is_vat_registered, size_class, pp55_certificate, bank_name, "
            "bank_account_number, bank_account_name, status, source, status_reason, created_at, updated_at) "
            "VALUES (%s, %s, 'X', '', '', '[]', '', '', '', '', '99.99', NULL, false, 'mikro', '', '', '', '', "
            "'verified', 'import', '', now(), now())",
            [katalog.pk, nib],
        )


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_foreign_keys_checked_after_a_bulk_load_come_back_as_they_were_and_still_check(medan):
    from django.db import IntegrityError

    keys = _foreign_keys()
    with transaction.atomic():
        with imports.foreign_keys_checked_after(KEYS, rows=1000):
            dropped = _foreign_keys()
            imports.insert_rows(Vendor, [{"nib": "9120000000001", "name": "A", "katalog_id": medan.pk}])
        assert _foreign_keys() == keys
        assert [name for _t, name, _d in dropped] == ["vendors_vendor_verified_by_id_790fc278_fk_auth_user_id"]
        # deferred again: a broken key is found at the commit (here: when the checks are asked for)
        with pytest.raises(IntegrityError), transaction.atomic():
            _bad_vendor("9120000000002", medan)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # a row that breaks a key fails the load, and the rollback gives the keys back
    with pytest.raises(IntegrityError), transaction.atomic():
        with imports.foreign_keys_checked_after(KEYS, rows=1000):
            _bad_vendor("9120000000003", medan)
    assert _foreign_keys() == keys
    assert not Vendor.objects.filter(nib__in=["9120000000002", "9120000000003"]).exists()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_foreign_keys_stay_when_the_tables_hold_more_than_the_load(medan):
    for n in range(3):
        Vendor.objects.create(katalog=medan, name=f"V{n}", nib=f"912000000000{n}", size_class="mikro")
    with transaction.atomic(), imports.foreign_keys_checked_after(KEYS, rows=1):
        assert len(_foreign_keys()) == 6
    with transaction.atomic(), imports.foreign_keys_checked_after({Vendor: ["region"]}, rows=1000):
        assert [name for _t, name, _d in _foreign_keys() if "_region_id_" in name] == []
        assert len(_foreign_keys()) == 5
