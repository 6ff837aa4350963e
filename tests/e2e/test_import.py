"""Journey 4: the Pengelola uploads the Dinas registry (CSV or XLSX) with good and bad rows, checks
the preview (a conflict with a verified vendor held back), applies it, comes back to the progress,
and downloads the report of rejected rows and conflicts."""

import csv
import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from tests import factories as f
from tests.e2e.conftest import assert_scripts_loaded, login, screenshot

pytestmark = pytest.mark.e2e

# The Dinas registry's header, as the issue gives it.
HEADER = (
    "No;nama_usaha;nama_pemilik;nib;npwp;kbli;alamat;kode_wilayah;telepon;email;modal_usaha;omzet_tahunan;pkp;sektor"
).split(";")


def _row(n, name, nib, region="12.71.01.1001", capital="Rp 1.500.000", sales="Rp 24.000.000", pkp="tidak"):
    values = {
        "No": str(n),
        "nama_usaha": name,
        "nama_pemilik": f"Pemilik {n}",
        "nib": nib,
        "npwp": f.VALID_NPWP,
        "kbli": "10792",
        "alamat": f"Jl. Impor No. {n}",
        "kode_wilayah": region,
        "telepon": "081234567890",
        "email": f"impor{n}@example.id",
        "modal_usaha": capital,
        "omzet_tahunan": sales,
        "pkp": pkp,
        "sektor": "Kue",
    }
    return [values[column] for column in HEADER]


# File line 1 is the header, so the row numbered n sits on line n + 1.
ROWS = [
    _row(1, "Keripik Sambal Lado", "8120000900001"),
    _row(2, "Bolu Meranti Mini", "8120000900002", region="12.71.02"),
    _row(3, "Sepatu Kulit Cibaduyut Medan", "12345"),  # line 4: NIB too short
    _row(4, "Konveksi Seragam Sekolah", "8120000900004", capital="Rp 2.000.000.000", sales="", pkp="ya"),
    _row(5, "Toko ATK Sumber Rezeki", "8120000900005", region="12.72.01"),  # line 6: Binjai, not Medan
    _row(6, "Souvenir Danau Toba", "8120000900006", region="Medan Johor"),  # a kecamatan by name
    _row(7, "Kopi Sidikalang Pak Ucok", "8120000900007"),
    _row(8, "Ulos Tenun Ibu Rosma", "8120000900008", capital="satu juta", pkp="entah"),  # line 9: 2 errors
]
GOOD_NIBS = ["8120000900001", "8120000900002", "8120000900004", "8120000900006"]
CONFLICT_NIB = "8120000900007"  # already in the catalogue, verified, under another name


def _csv(path):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(ROWS)


def _xlsx(path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        # A clerk's spreadsheet: the row number and a 13-digit NIB typed as numbers.
        cells = list(row)
        cells[0] = int(cells[0])
        if len(cells[3]) == 13:
            cells[3] = int(cells[3])
        sheet.append(cells)
    book.save(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_with_good_and_bad_rows_reports_each_rejection(page, medan, manager, tmp_path, kind, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    kopi = f.make_vendor(medan, nib=CONFLICT_NIB, name="Kopi Pak Ucok Asli")
    upload = tmp_path / f"registry-umkm-medan.{kind}"
    (_csv if kind == "csv" else _xlsx)(upload)

    login(page, manager.username)
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/penyedia/kelola/impor/")
    assert_scripts_loaded(page)
    screenshot(page, "40-import-upload")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r"/penyedia/kelola/impor/\d+/$"))

    # The preview: counts of rows, the conflict with its difference, nothing written yet.
    counts = page.get_by_test_id("import-preview-counts")
    expect(counts).to_be_visible()
    text = " ".join(counts.inner_text().split())
    assert text == "New 4, changed 0, unchanged 0, rejected 3, conflicts 1.", text
    conflicts = page.get_by_test_id("preview-conflicts")
    expect(conflicts).to_contain_text("Kopi Pak Ucok Asli")
    expect(conflicts).to_contain_text("Kopi Sidikalang Pak Ucok")
    assert not Vendor.objects.filter(source=VendorSource.IMPORT).exists()
    screenshot(page, f"41-import-preview-{kind}")
    page.get_by_role("button", name="Apply the import").click()

    # The worker applies it; the clerk may leave and come back to the job's page.
    page.wait_for_url(re.compile(r"/penyedia/kelola/impor/\d+/$"))
    job_url = page.url
    page.get_by_role("link", name="Imports").click()
    page.goto(job_url)
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_be_visible()
    text = " ".join(summary.inner_text().split())
    assert re.search(r"\bImported 4\b", text), text
    assert re.search(r"\brejected 3\b", text), text
    assert re.search(r"\bConflicts held back: 1\b", text), text
    expect(page.get_by_text("8 of 8 rows read (100%).")).to_be_visible()
    screenshot(page, f"42-import-summary-{kind}")

    # The report, downloaded as a person would: each problem with the row's own data.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the rejection report (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    report = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert report[0][:4] == ["baris", "kolom", "alasan", "nama_usaha"]
    assert [(r[0], r[1]) for r in report[1:5]] == [
        ("4", "nib"),
        ("6", "kode_wilayah"),
        ("9", "modal_usaha"),
        ("9", "pkp"),
    ]
    reasons = {r[0]: r[2] for r in report[1:5]}
    assert "13" in reasons["4"]  # the NIB rule: exactly 13 digits
    assert "12.72.01" in reasons["6"]
    assert report[3][3] == "Ulos Tenun Ibu Rosma"  # the rejected row's own data
    assert {r[0] for r in report[5:]} == {"8"} and "nama_usaha" in {r[1] for r in report[5:]}

    # Only the good rows are in the catalogue, verified and classified; the verified vendor kept its name.
    imported = Vendor.objects.filter(source=VendorSource.IMPORT)
    assert sorted(imported.values_list("nib", flat=True)) == GOOD_NIBS
    assert set(imported.values_list("status", flat=True)) == {VendorStatus.VERIFIED}
    konveksi = imported.get(nib="8120000900004")
    assert (konveksi.size_class, konveksi.is_vat_registered) == ("kecil", True)
    assert imported.get(nib="8120000900002").district_id == "12.71.02"
    assert imported.get(nib="8120000900006").district_id == "12.71.11"
    kopi.refresh_from_db()
    assert kopi.name == "Kopi Pak Ucok Asli"
