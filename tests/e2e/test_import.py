"""Journey 4: the Pengelola uploads the Dinas registry (CSV or XLSX) with good and bad rows,
watches it import, and downloads the rejection report."""

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
    _row(6, "Souvenir Danau Toba", "8120000900006", region="12.71.02"),
    _row(7, "Kopi Sidikalang Pak Ucok", "8120000900007"),
    _row(8, "Ulos Tenun Ibu Rosma", "8120000900008", capital="satu juta"),  # line 9: not an amount
]
GOOD_NIBS = ["8120000900001", "8120000900002", "8120000900004", "8120000900006", "8120000900007"]


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
def test_import_with_good_and_bad_rows_reports_each_rejection(page, manager, tmp_path, kind):
    upload = tmp_path / f"registry-umkm-medan.{kind}"
    (_csv if kind == "csv" else _xlsx)(upload)

    login(page, manager.username)
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/penyedia/kelola/impor/")
    assert_scripts_loaded(page)
    screenshot(page, "40-import-upload")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/penyedia/kelola/impor/\d+/$"))

    # The page drives the import step by step and ends with a summary.
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_be_visible()
    text = " ".join(summary.inner_text().split())
    assert re.search(r"\bImported 5\b", text), text
    assert re.search(r"\brejected 3\b", text), text
    expect(page.get_by_text("8 of 8 rows read (100%).")).to_be_visible()
    screenshot(page, f"41-import-summary-{kind}")

    # The rejection report, downloaded as a person would.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the rejection report (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    report = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert report[0] == ["baris", "kolom", "alasan"]
    assert [(r[0], r[1]) for r in report[1:]] == [("4", "nib"), ("6", "kode_wilayah"), ("9", "modal_usaha")]
    reasons = {r[0]: r[2] for r in report[1:]}
    assert "13" in reasons["4"]  # the NIB rule: exactly 13 digits
    assert "12.72.01" in reasons["6"]
    assert "satu juta" in reasons["9"]

    # Only the good rows are in the catalogue, verified and classified.
    imported = Vendor.objects.filter(source=VendorSource.IMPORT)
    assert sorted(imported.values_list("nib", flat=True)) == GOOD_NIBS
    assert set(imported.values_list("status", flat=True)) == {VendorStatus.VERIFIED}
    konveksi = imported.get(nib="8120000900004")
    assert (konveksi.size_class, konveksi.is_vat_registered) == ("kecil", True)
    assert imported.get(nib="8120000900002").district_id == "12.71.02"
