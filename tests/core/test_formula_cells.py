"""Every spreadsheet or CSV the system writes neutralises formula characters at the start of any `;`-
or `,`-separated part of a cell (issue 10): Indonesian Excel splits a CSV on `;`, so a reason holding
`x;=cmd|' /C calc'!A0` opened as a formula when only the start of the cell was escaped."""

import csv
import io
import re
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from katalog.core.tabular import safe_cell, write_report
from katalog.insights import exports
from katalog.insights.onboarding import STEPS
from katalog.vendors.imports import COLUMNS, write_import_report

ATTACK = "x;=cmd|' /C calc'!A0"
PAYLOADS = [
    ATTACK,
    'Kategori salah,=HYPERLINK("http://evil.example","klik")',
    "harga; +cmd|' /C calc'!A0",
    "a,-2+3+cmd|' /C calc'!A0",
    "catatan\n@SUM(1+1)*cmd|' /C calc'!A0",
    "catatan\t=1+1",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "  -2+3",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parts(text: str) -> list[str]:
    """What a spreadsheet might read as separate cells: split on `;`, `,`, tab and line breaks."""
    return re.split(r"[;,\t\r\n]", text)


def assert_inert(text: str) -> None:
    assert not text.lstrip(" ").startswith(FORMULA_START), text
    for part in parts(text)[1:]:
        stripped = part.lstrip(" ")
        assert not stripped.startswith(("=", "@")), (text, part)
        assert not re.match(r"[+\-]\S", stripped), (text, part)
    assert ";=" not in text and ",=" not in text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_neutralises_every_part(payload):
    assert_inert(safe_cell(payload))


def test_plain_text_and_rupiah_are_unchanged():
    for text in ["Kertas HVS A4", "Rp10.000,-", "Medan Baru, Sumatera Utara", "NIB 8120000000001; NPWP 01.234"]:
        assert safe_cell(text) == text


def read_csv_every_way(data: str) -> list[str]:
    """Every cell as Indonesian Excel (`;`) and as others (`,`) would split the file."""
    cells = []
    for delimiter in (";", ","):
        for row in csv.reader(io.StringIO(data), delimiter=delimiter):
            cells.extend(row)
    return cells


def test_the_rejection_report_csv_read_back_holds_no_formula():
    out = io.StringIO()
    write_report([(2, "alasan", p) for p in PAYLOADS] + [(3, "=kolom", "ok")], out)
    data = out.getvalue()
    assert ";=" not in data and ",=" not in data
    for cell in read_csv_every_way(data):
        assert_inert(cell.strip('"'))
    # The reason is still readable: the attack's text is there, only made inert.
    assert "x;'=cmd|' /C calc'!A0" in data


def test_the_vendor_import_report_neutralises_the_rows_own_cells():
    out = io.StringIO()
    row = dict.fromkeys(COLUMNS, "") | {"nama_usaha": ATTACK, "nib": "-2+3+cmd|' /C calc'!A0"}
    write_import_report([(2, "nib", "NIB " + ATTACK)], out, data={2: row})
    data = out.getvalue()
    assert ";=" not in data
    for cell in read_csv_every_way(data):
        assert_inert(cell.strip('"'))


def funnel_data(label: str) -> dict:
    counts = dict.fromkeys(STEPS, 3)
    line = SimpleNamespace(value=label, label=label, counts=counts)
    return {
        "totals": counts,
        "by_kecamatan": [line],
        "by_sector": [line],
        "by_size_class": [line],
        "outside": {"registered": 1, "claimed": 1, "verified": 1, "listed": 1, "sold": 1},
    }


def test_the_funnel_csv_and_xlsx_hold_no_formula_and_numbers_stay_numbers():
    data = funnel_data(ATTACK)
    csv_text = exports.to_csv(exports.funnel_rows(data)).decode("utf-8-sig")
    assert ";=" not in csv_text
    for cell in read_csv_every_way(csv_text):
        assert_inert(cell.strip('"'))

    book = load_workbook(io.BytesIO(exports.to_xlsx(data, [])))
    texts, numbers = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                elif isinstance(cell.value, (int, float)):
                    numbers.append(cell.value)
    assert "x;'=cmd|' /C calc'!A0" in texts
    for text in texts:
        assert_inert(text)
    assert 3 in numbers  # the counts are numbers, not text


def test_a_negative_number_written_as_a_number_stays_a_number():
    assert exports._safe([-5, 2.5, "-5", "a;-5x"]) == [-5, 2.5, "'-5", "a;'-5x"]
