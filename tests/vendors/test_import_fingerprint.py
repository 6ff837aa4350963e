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
