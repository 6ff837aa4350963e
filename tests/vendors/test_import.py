"""The Dinas registry import: good rows kept, bad rows reported, idempotent, formulas harmless."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from katalog.vendors.imports import read_table, run_import, safe_cell
from katalog.vendors.models import SizeClassChange, Vendor
from tests import factories as f

HEADER = [
    "No",
    "Nama Usaha",
    "NAMA_PEMILIK",
    "nib",
    "npwp",
    "kbli",
    "alamat",
    "kode_wilayah",
    "telepon",
    "email",
    "modal_usaha",
    "omzet_tahunan",
    "pkp",
    "sektor",
]


def good_row(i, **over):
    row = {
        "No": str(i),
        "Nama Usaha": f"Kedai Horas {i}",
        "NAMA_PEMILIK": "Tiur Manurung",
        "nib": f"{9120000000000 + i}",
        "npwp": f.VALID_NPWP,
        "kbli": "56103",
        "alamat": f"Jl. Gaharu {i}",
        "kode_wilayah": "12.71.03.1001",
        "telepon": "0812 3456 7890",
        "email": f"kedai{i}@example.id",
        "modal_usaha": "Rp 1.500.000",
        "omzet_tahunan": "25.000.000",
        "pkp": "tidak",
        "sektor": "Makanan",
    }
    row.update(over)
    return row


def csv_bytes(rows, delimiter=";"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[h] for h in HEADER])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


MIXED = [
    good_row(1),
    good_row(2, nib="12345"),  # line 3: bad NIB
    good_row(3, kode_wilayah="12.72.01"),  # line 4: not Medan
    good_row(4, modal_usaha="sejuta", omzet_tahunan=""),  # line 5: bad amount
    good_row(5, modal_usaha="1.000.000.001", omzet_tahunan=""),  # small, one rupiah over micro
    good_row(6, nib=f"{9120000000000 + 1}"),  # line 7: NIB already on line 2
    good_row(7, **{"Nama Usaha": ""}),  # line 8: empty name
    good_row(8, kode_wilayah="12.71.21", npwp="", kbli="", telepon="", email=""),  # optional fields empty
]


def test_good_rows_are_imported_and_every_bad_row_is_reported(medan):
    outcome = run_import(katalog=medan, table=read_table(csv_bytes(MIXED), "daftar.csv"), source_name="daftar.csv")
    assert outcome.summary() == "imported 3, updated 0, unchanged 0, rejected 5"
    assert sorted((line, col) for line, col, _r in outcome.rejections) == [
        (3, "nib"),
        (4, "kode_wilayah"),
        (5, "modal_usaha"),
        (7, "nib"),
        (8, "nama_usaha"),
    ]
    reasons = {line: reason for line, _c, reason in outcome.rejections}
    assert "line 2" in reasons[7] or "baris 2" in reasons[7]
    imported = {v.nib: v for v in Vendor.objects.filter(katalog=medan)}
    assert set(imported) == {"9120000000001", "9120000000005", "9120000000008"}
    small = imported["9120000000005"]
    assert (small.size_class, small.status, small.source) == ("kecil", "verified", "import")
    assert small.district_id == "12.71.03" and small.region_id == "12.71.03.1001"
    assert imported["9120000000001"].capital == 1500000
    assert imported["9120000000001"].phone == "081234567890"
    assert SizeClassChange.objects.filter(vendor__katalog=medan, old_class="").count() == 3


def test_importing_the_same_file_twice_changes_nothing(medan):
    data = csv_bytes(MIXED)
    run_import(katalog=medan, table=read_table(data, "a.csv"), source_name="a.csv")
    before = list(Vendor.objects.order_by("pk").values())
    again = run_import(katalog=medan, table=read_table(data, "a.csv"), source_name="a.csv")
    assert again.summary() == "imported 0, updated 0, unchanged 3, rejected 5"
    assert list(Vendor.objects.order_by("pk").values()) == before


def test_a_changed_row_updates_the_vendor_and_records_the_class_change(medan):
    run_import(katalog=medan, table=read_table(csv_bytes([good_row(1)]), "a.csv"), source_name="a.csv")
    grown = good_row(1, modal_usaha="2.000.000.000")
    outcome = run_import(katalog=medan, table=read_table(csv_bytes([grown]), "b.csv"), source_name="b.csv")
    assert outcome.summary() == "imported 0, updated 1, unchanged 0, rejected 0"
    vendor = Vendor.objects.get(nib="9120000000001")
    assert vendor.size_class == "kecil"
    change = SizeClassChange.objects.filter(vendor=vendor).exclude(old_class="").get()
    assert (change.old_class, change.new_class) == ("mikro", "kecil")
    assert "b.csv" in change.reason


def test_xlsx_and_comma_csv_read_the_same(medan):
    rows = [good_row(1), good_row(2)]
    a = read_table(xlsx_bytes(rows), "r.xlsx")
    b = read_table(csv_bytes(rows, delimiter=","), "r.csv")
    assert a.rows == b.rows
    assert [line for line, _v in a.rows] == [2, 3]


def test_a_dry_run_writes_nothing(medan):
    outcome = run_import(katalog=medan, table=read_table(csv_bytes(MIXED), "a.csv"), source_name="a.csv", dry_run=True)
    assert outcome.imported == 3
    assert not Vendor.objects.exists()


def test_formula_cells_are_stored_as_text_and_escaped_in_the_report(medan, tmp_path):
    evil = good_row(1, **{"Nama Usaha": '=HYPERLINK("http://x","klik")', "alamat": "+62 Jl. Uji"})
    bad = good_row(2, kbli="=1+1")
    src = tmp_path / "evil.csv"
    src.write_bytes(csv_bytes([evil, bad]))
    report = tmp_path / "report.csv"
    call_command("import_umkm", str(src), "--katalog", "12.71", "--report", str(report), stdout=io.StringIO())
    vendor = Vendor.objects.get(nib="9120000000001")
    assert vendor.name == '=HYPERLINK("http://x","klik")'
    assert safe_cell(vendor.name).startswith("'=")
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0][:3] == ["baris", "kolom", "alasan"]
    assert rows[1][:2] == ["3", "kbli"] and "'=1+1" in rows[1]  # the rejected row's own data, escaped
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_command_prints_one_summary_line_and_writes_the_report(medan, tmp_path):
    src = tmp_path / "daftar.csv"
    src.write_bytes(csv_bytes(MIXED))
    report = tmp_path / "laporan.csv"
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--report", str(report), stdout=out)
    assert out.getvalue().strip() == "imported 3, updated 0, unchanged 0, rejected 5"
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["baris"], r["kolom"]) for r in rows] == [
        ("3", "nib"),
        ("4", "kode_wilayah"),
        ("5", "modal_usaha"),
        ("7", "nib"),
        ("8", "nama_usaha"),
    ]
    assert all(r["alasan"] for r in rows)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"nama;alamat\nA;B\n", "nib"), (b"\xff\xfe\x00bad", "UTF-8"), (b"", "empty|kosong")],
)
def test_the_command_fails_when_the_file_cannot_be_read(medan, tmp_path, content, message):
    src = tmp_path / "x.csv"
    src.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_umkm", str(src), "--katalog", "12.71", stdout=io.StringIO())


def test_the_command_fails_for_a_missing_file_or_tenant(medan, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_umkm", str(tmp_path / "nope.csv"), "--katalog", "12.71", stdout=io.StringIO())
    src = tmp_path / "a.csv"
    src.write_bytes(csv_bytes([good_row(1)]))
    with pytest.raises(CommandError, match="99.99"):
        call_command("import_umkm", str(src), "--katalog", "99.99", stdout=io.StringIO())


def test_import_into_one_tenant_does_not_touch_another(medan, binjai):
    f.make_vendor(binjai, nib="9120000000001", name="Binjai's own")
    run_import(katalog=medan, table=read_table(csv_bytes([good_row(1)]), "a.csv"), source_name="a.csv")
    assert Vendor.objects.get(katalog=binjai).name == "Binjai's own"
    assert Vendor.objects.get(katalog=medan).name == "Kedai Horas 1"


# --- Issue 8: a registry import a clerk can trust -------------------------------------------


def _run(medan, rows, name="a.csv", **kw):
    return run_import(katalog=medan, table=read_table(csv_bytes(rows), name), source_name=name, **kw)


def test_a_reimport_never_overwrites_a_verified_vendors_name_owner_and_district(medan, tmp_path):
    # The bug: another row's data under a verified vendor's NIB replaced its name, owner and
    # district, reported only as "updated 1".
    vendor = f.make_vendor(
        medan,
        nib="9120000000001",
        name="Kedai Asli",
        owner_name="Rosma Sitorus",
        region_id="12.71.01",
        district_id="12.71.01",
    )
    wrong = good_row(1, **{"Nama Usaha": "Toko Lain", "NAMA_PEMILIK": "Orang Lain"})  # district 12.71.03
    src = tmp_path / "daftar.csv"
    src.write_bytes(csv_bytes([wrong]))
    report = tmp_path / "laporan.csv"
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--report", str(report), stdout=out)
    assert out.getvalue().strip() == "imported 0, updated 0, unchanged 0, rejected 0, conflicts 1"
    vendor.refresh_from_db()
    assert (vendor.name, vendor.owner_name, vendor.district_id) == ("Kedai Asli", "Rosma Sitorus", "12.71.01")
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert {r["kolom"] for r in rows} == {"nama_usaha", "nama_pemilik", "kode_wilayah", "kecamatan"}
    assert all(r["baris"] == "2" and r["nama_usaha"] == "Toko Lain" for r in rows)
    assert any("Kedai Asli → Toko Lain" in r["alasan"] for r in rows)


def test_a_conflict_is_applied_only_when_its_row_is_chosen(medan):
    vendor = f.make_vendor(medan, nib="9120000000001", name="Kedai Asli")
    outcome = _run(medan, [good_row(1)], chosen={2})
    assert outcome.summary() == "imported 0, updated 1, unchanged 0, rejected 0"
    vendor.refresh_from_db()
    assert vendor.name == "Kedai Horas 1"


def test_other_fields_of_a_verified_vendor_still_update(medan):
    _run(medan, [good_row(1)])
    outcome = _run(medan, [good_row(1, alamat="Jl. Baru 9", modal_usaha="2.000.000.000")])
    assert outcome.summary() == "imported 0, updated 1, unchanged 0, rejected 0"
    assert Vendor.objects.get().address == "Jl. Baru 9"


def test_what_the_owner_entered_after_claiming_is_never_overwritten(medan):
    from django.utils import timezone

    _run(medan, [good_row(1)])
    Vendor.objects.update(claimed_at=timezone.now(), phone="081399998888", address="Jl. Milik Sendiri")
    outcome = _run(medan, [good_row(1, modal_usaha="2.000.000.000")])
    assert outcome.summary() == "imported 0, updated 0, unchanged 0, rejected 0, conflicts 1"
    assert {col for _l, col, _r in outcome.conflicts} >= {"telepon", "alamat", "modal_usaha"}
    vendor = Vendor.objects.get()
    assert (vendor.phone, vendor.address, vendor.size_class) == ("081399998888", "Jl. Milik Sendiri", "mikro")


def test_a_row_with_two_errors_is_one_rejected_row_with_two_reasons_and_its_data(medan, tmp_path):
    src = tmp_path / "daftar.csv"
    src.write_bytes(csv_bytes([good_row(1), good_row(2, nib="123", pkp="mungkin")]))
    report = tmp_path / "laporan.csv"
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--report", str(report), stdout=out)
    assert out.getvalue().strip() == "imported 1, updated 0, unchanged 0, rejected 1"
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["baris"], r["kolom"]) for r in rows] == [("3", "nib"), ("3", "pkp")]
    assert all(r["nama_usaha"] == "Kedai Horas 2" and r["nib"] == "123" and r["pkp"] == "mungkin" for r in rows)


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("Medan Johor", "12.71.11"),
        ("kecamatan  medan johor", "12.71.11"),
        ("Gedung Johor", "12.71.11.1005"),
        ("Sei Mati, Medan Maimun", "12.71.15.1005"),
        ("12.71.03.1001", "12.71.03.1001"),
    ],
)
def test_kode_wilayah_accepts_a_code_or_an_unambiguous_name(medan, written, region):
    outcome = _run(medan, [good_row(1, kode_wilayah=written)])
    assert outcome.summary() == "imported 1, updated 0, unchanged 0, rejected 0"
    vendor = Vendor.objects.get()
    assert vendor.region_id == region and vendor.district_id == region[:8]


def test_an_ambiguous_region_name_is_refused_with_the_candidates(medan):
    outcome = _run(medan, [good_row(1, kode_wilayah="Sei Mati"), good_row(2, kode_wilayah="Binjai Kota")])
    assert outcome.summary() == "imported 0, updated 0, unchanged 0, rejected 2"
    reasons = {line: reason for line, col, reason in outcome.rejections if col == "kode_wilayah"}
    assert "12.71.13.1002" in reasons[2] and "12.71.15.1005" in reasons[2] and "Medan Maimun" in reasons[2]
    assert "Binjai Kota" in reasons[3]


def test_a_dry_run_gives_the_preview_counts_and_writes_nothing(medan, tmp_path):
    f.make_vendor(medan, nib="9120000000001", name="Kedai Asli")
    f.make_vendor(medan, nib="9120000000002", name="Kedai Horas 2", status="submitted")
    src = tmp_path / "daftar.csv"
    src.write_bytes(csv_bytes([good_row(1), good_row(2), good_row(3), good_row(4, nib="1")]))
    before = list(Vendor.objects.order_by("pk").values())
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "imported 1, updated 1, unchanged 0, rejected 1, conflicts 1"
    assert list(Vendor.objects.order_by("pk").values()) == before
