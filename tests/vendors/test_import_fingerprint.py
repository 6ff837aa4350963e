"""A re-import skips the rows it already applied (issue 12): a row the registry sent before, cell for
cell, to a vendor that still holds what it gave is unchanged without being checked again; once the
vendor changes (by any path, even plain SQL) the row is checked and compared again, as before."""

from django.db import connection

from katalog.vendors import imports
from katalog.vendors.imports import read_table, run_import
from katalog.vendors.models import Vendor
from tests.vendors.test_import import MIXED, csv_bytes, good_row


def _import(medan, rows, name="a.csv"):
    return run_import(katalog=medan, table=read_table(csv_bytes(rows), name), source_name=name)


def test_an_unchanged_reimport_checks_no_row_again(medan, monkeypatch):
    assert _import(medan, MIXED).summary() == "imported 3, updated 0, unchanged 0, rejected 5"
    checked = []
    original = imports.RowChecker.check
    monkeypatch.setattr(imports.RowChecker, "check", lambda self, v: checked.append(v["nib"]) or original(self, v))
    again = _import(medan, MIXED)
    assert again.summary() == "imported 0, updated 0, unchanged 3, rejected 5"
    # only the rejected rows are checked again (their reasons are reported again); the NIB already
    # on an earlier line is refused before any check
    assert sorted(checked) == sorted(r["nib"] for r in MIXED[1:5] if r["nib"] != "9120000000005") + [MIXED[6]["nib"]]
    assert sorted(line for line, _c, _r in again.rejections) == [3, 4, 5, 7, 8]


def test_a_vendor_changed_after_the_import_is_compared_again(medan):
    _import(medan, [good_row(1), good_row(2)])
    Vendor.objects.filter(nib="9120000000001").update(phone="081100000000")  # a queryset update
    with connection.cursor() as cursor:  # and plain SQL, past every Python hook
        cursor.execute("UPDATE vendors_vendor SET address = 'Jl. Lain' WHERE nib = '9120000000002'")
    outcome = _import(medan, [good_row(1), good_row(2)])
    assert outcome.summary() == "imported 0, updated 2, unchanged 0, rejected 0"
    assert Vendor.objects.get(nib="9120000000001").phone == "081234567890"
    assert Vendor.objects.get(nib="9120000000002").address == "Jl. Gaharu 2"


def test_the_same_data_written_otherwise_is_unchanged_and_remembered(medan, monkeypatch):
    _import(medan, [good_row(1)])
    written_otherwise = [good_row(1, modal_usaha="1500000", telepon="+62 812-3456-7890")]
    assert _import(medan, written_otherwise, "b.csv").summary() == "imported 0, updated 0, unchanged 1, rejected 0"
    monkeypatch.setattr(imports.RowChecker, "check", lambda self, values: (_ for _ in ()).throw(AssertionError))
    assert _import(medan, written_otherwise, "c.csv").summary() == "imported 0, updated 0, unchanged 1, rejected 0"


def test_a_dry_run_of_a_reimport_counts_the_same(medan):
    _import(medan, MIXED)
    table = read_table(csv_bytes(MIXED), "a.csv")
    outcome = run_import(katalog=medan, table=table, source_name="a.csv", dry_run=True)
    assert outcome.summary() == "imported 0, updated 0, unchanged 3, rejected 5"


def test_the_command_path_in_several_batches_writes_each_new_vendor_its_entry_and_fingerprint(medan, monkeypatch):
    from katalog.insights.models import RegistryFingerprint
    from katalog.vendors.models import SizeClassChange

    # given: the command's batches of three rows (a file of eight, rejected rows in each batch)
    monkeypatch.setattr(imports, "COMMAND_BATCH", 3)
    # when
    outcome = _import(medan, MIXED)
    # then: the same outcome as in one batch, and every new vendor has its first size-class entry
    # (the row's class and amounts, the file in the reason) and the fingerprint of its own row
    assert outcome.summary() == "imported 3, updated 0, unchanged 0, rejected 5"
    assert sorted(line for line, _c, _r in outcome.rejections) == [3, 4, 5, 7, 8]
    checker = imports.RowChecker(medan)
    imported = [MIXED[0], MIXED[4], MIXED[7]]  # lines 2, 6 and 9 (line 7 repeats line 2's NIB)
    lines = {r["nib"]: r for r in imported}
    for vendor in Vendor.objects.filter(katalog=medan):
        entry = SizeClassChange.objects.get(vendor=vendor)
        assert (entry.katalog_id, entry.old_class, entry.new_class) == (medan.pk, "", vendor.size_class)
        assert (entry.capital, entry.annual_sales) == (vendor.capital, vendor.annual_sales)
        assert entry.reason.endswith("(a.csv)") and entry.evidence == ""
        printed = RegistryFingerprint.objects.get(vendor=vendor)
        values = imports.read_table(csv_bytes([lines[vendor.nib]]), "x.csv").rows[0][1]
        assert (printed.katalog_id, printed.nib, printed.row_hash) == (medan.pk, vendor.nib, checker.row_hash(values))
    assert RegistryFingerprint.objects.count() == 3


def test_insert_rows_takes_common_values_and_each_rows_own(medan):
    from katalog.vendors.models import SizeClassChange

    vendor = Vendor.objects.create(katalog=medan, name="Kedai", nib="9120000000001", size_class="mikro")
    # given: one row that gives its own reason, one that leaves it to `common`; no row gives evidence
    imports.insert_rows(
        SizeClassChange,
        [
            {"vendor_id": vendor.pk, "changed_on": "2026-01-02", "new_class": "kecil", "reason": "own"},
            {"vendor_id": vendor.pk, "changed_on": "2026-01-03", "new_class": "kecil"},
        ],
        common={"katalog_id": medan.pk, "reason": "shared", "old_class": "mikro"},
    )
    rows = SizeClassChange.objects.filter(vendor=vendor, old_class="mikro").order_by("changed_on")
    assert [(r.reason, r.evidence, r.katalog_id, r.capital) for r in rows] == [
        ("own", "", medan.pk, None),
        ("shared", "", medan.pk, None),
    ]
    assert all(r.recorded_at is not None for r in rows)  # auto_now_add: the load's time
