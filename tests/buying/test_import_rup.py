"""Importing budget lines (RUP packages): the `import_rup` command and the upload page."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from katalog.buying.models import BudgetLine
from katalog.core.models import AuditLog
from tests import factories as f

GOOD = """No;Kode RUP;Nama Paket;KODE_OPD;Pagu;Tahun Anggaran;Sumber Dana
1;RUP-001;Pakaian dinas guru;1.01.01;Rp 1.500.000;2026;APBD
2;RUP-002;ATK sekolah;1.01.01;25.000.000;2026;
3;RUP-003;Makan minum rapat;9.99.99;1.000.000;2026;APBD
4;;Tanpa kode;1.01.01;1.000.000;2026;APBD
5;RUP-004;Pagu salah;1.01.01;sejuta;20xx;APBD
6;RUP-001;Dobel;1.01.01;2.000.000;2026;APBD
"""


def write(tmp_path, text: str, name="rup.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_rup", path, "--katalog", "12.71", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def report_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_the_command_keeps_good_rows_and_reports_every_bad_one(tmp_path, medan, office):
    report = tmp_path / "laporan.csv"
    assert run(write(tmp_path, GOOD), "--report", str(report)) == "imported 2, updated 0, unchanged 0, rejected 4"
    lines = {b.kode_rup: b for b in BudgetLine.objects.all()}
    assert sorted(lines) == ["RUP-001", "RUP-002"]
    assert (
        lines["RUP-001"].ceiling,
        lines["RUP-001"].office,
        lines["RUP-001"].fiscal_year,
        lines["RUP-001"].name,
    ) == (Decimal("1500000"), office, 2026, "Pakaian dinas guru")
    assert (lines["RUP-002"].ceiling, lines["RUP-002"].funding_source) == (Decimal("25000000"), "APBD")
    rows = report_rows(report)
    assert rows[0] == ["baris", "kolom", "alasan"]
    assert [r[:2] for r in rows[1:]] == [
        ["4", "kode_opd"],
        ["5", "kode_rup"],
        ["6", "pagu"],
        ["6", "tahun_anggaran"],
        ["7", "kode_rup"],
    ]
    assert "9.99.99" in rows[1][2]
    assert rows[5][2].endswith(" 2")  # the duplicate names the line it repeats
    assert AuditLog.objects.filter(action="budget.import", actor=None).count() == 1


def test_a_second_import_is_idempotent_and_a_change_is_an_update(tmp_path, medan, office):
    path = write(tmp_path, GOOD)
    run(path)
    assert run(path) == "imported 0, updated 0, unchanged 2, rejected 4"
    changed = GOOD.replace("Rp 1.500.000", "Rp 1.750.000")
    assert run(write(tmp_path, changed, "rup2.csv")) == "imported 0, updated 1, unchanged 1, rejected 4"
    assert BudgetLine.objects.get(kode_rup="RUP-001").ceiling == Decimal("1750000")


def test_a_ceiling_below_what_is_committed_is_rejected_with_the_figures(tmp_path, medan, office):
    BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-001",
        name="Pakaian dinas guru",
        fiscal_year=2026,
        ceiling=Decimal("5000000"),
        committed=Decimal("2400000"),
    )
    report = tmp_path / "laporan.csv"
    text = "kode_rup,nama_paket,kode_opd,pagu,tahun_anggaran\n"
    text += "RUP-001,Pakaian dinas guru,1.01.01,2.000.000,2026\n"
    assert run(write(tmp_path, text), "--report", str(report)) == "imported 0, updated 0, unchanged 0, rejected 1"
    (_header, (line, column, reason)) = report_rows(report)
    assert (line, column) == ("2", "pagu")
    assert "Rp2.000.000" in reason and "Rp2.400.000" in reason and "Rp5.000.000" in reason
    assert BudgetLine.objects.get().ceiling == Decimal("5000000")
    # Down to exactly what is committed is fine.
    exact = text.replace("2.000.000", "2.400.000")
    assert run(write(tmp_path, exact, "b.csv")) == "imported 0, updated 1, unchanged 0, rejected 0"


def test_a_dry_run_counts_and_writes_nothing(tmp_path, medan, office):
    assert run(write(tmp_path, GOOD), "--dry-run") == "imported 2, updated 0, unchanged 0, rejected 4"
    assert BudgetLine.objects.count() == 0


def test_xlsx_works_the_same(tmp_path, medan, office):
    book = Workbook()
    sheet = book.active
    sheet.append(["KODE RUP", "nama paket", "kode opd", "PAGU", "tahun anggaran"])
    sheet.append(["RUP-X1", "Seragam sekolah", "1.01.01", 12500000, 2026])
    sheet.append(["RUP-X2", "Seragam", "1.01.01", "Rp 3.000.000", "2026"])
    path = tmp_path / "rup.xlsx"
    book.save(path)
    assert run(str(path)) == "imported 2, updated 0, unchanged 0, rejected 0"
    assert BudgetLine.objects.get(kode_rup="RUP-X1").ceiling == Decimal("12500000")


def test_a_file_that_cannot_be_read_stops_the_command(tmp_path, medan, office):
    with pytest.raises(CommandError):
        run(str(tmp_path / "tidak-ada.csv"))
    with pytest.raises(CommandError, match="pagu"):
        run(write(tmp_path, "kode_rup,nama_paket,kode_opd\nA,B,1.01.01\n"))
    with pytest.raises(CommandError):
        run(write(tmp_path, "x", "rusak.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_rup", write(tmp_path, GOOD), "--katalog", "99.99", stdout=io.StringIO())
    assert BudgetLine.objects.count() == 0


def test_an_office_of_another_tenant_is_unknown(tmp_path, medan, binjai, office):
    f.make_office(binjai, "1.05.01", "Dinas Binjai")
    text = "kode_rup,nama_paket,kode_opd,pagu,tahun_anggaran\nRUP-B,Paket Binjai,1.05.01,1.000.000,2026\n"
    assert run(write(tmp_path, text)) == "imported 0, updated 0, unchanged 0, rejected 1"


# --- The upload page ------------------------------------------------------------------------------


def upload(text: str, name="rup.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_upload_page_shows_the_summary_and_the_rejected_rows(client_as, users, medan):
    client = client_as(users["catalogue_manager"])
    assert client.get("/belanja/anggaran/impor/").status_code == 200
    response = client.post("/belanja/anggaran/impor/", {"file": upload(GOOD)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="import-summary"' in page and 'data-testid="rejections"' in page
    assert "9.99.99" in page
    assert BudgetLine.objects.count() == 2
    report = client.get("/belanja/anggaran/impor/laporan.csv")
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[0] == ["baris", "kolom", "alasan"] and len(rows) == 6
    again = client.post("/belanja/anggaran/impor/", {"file": upload(GOOD)}).content.decode()
    assert BudgetLine.objects.count() == 2
    summary = again[again.index('data-testid="import-summary"') :][:400]
    assert "0" in summary and "2" in summary
    assert AuditLog.objects.filter(action="budget.import", actor=users["catalogue_manager"]).count() == 2


def test_the_upload_page_dry_run_and_bad_files(client_as, users, medan):
    client = client_as(users["catalogue_manager"])
    assert client.post("/belanja/anggaran/impor/", {"file": upload(GOOD), "dry_run": "on"}).status_code == 200
    assert BudgetLine.objects.count() == 0
    bad = client.post("/belanja/anggaran/impor/", {"file": upload("nama,lain\n1,2\n")})
    assert bad.status_code == 422 and "kode_rup" in bad.content.decode()
    assert client.post("/belanja/anggaran/impor/", {}).status_code == 422


@pytest.mark.parametrize("role", ["pp", "ppk", "penyedia", "auditor", "treasurer", "budget_owner"])
def test_only_those_who_manage_budget_lines_may_import(client_as, users, role):
    client = client_as(users[role])
    assert client.get("/belanja/anggaran/impor/").status_code == 403
    assert client.post("/belanja/anggaran/impor/", {"file": upload(GOOD)}).status_code == 403
    assert BudgetLine.objects.count() == 0


def test_a_binjai_manager_imports_into_binjai_only(client_as, binjai, medan, office):
    manager = f.make_user(binjai, "catalogue_manager", username="binjai-manager")
    f.make_office(binjai, "1.01.01", "Dinas Pendidikan Binjai")
    client_as(manager).post("/belanja/anggaran/impor/", {"file": upload(GOOD)})
    assert set(BudgetLine.objects.values_list("katalog__region_id", flat=True)) == {"12.75"}
