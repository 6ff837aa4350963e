"""Reading spreadsheets people send (CSV or XLSX) and writing the report of what was refused.

Every import of the product (the UMKM registry, a vendor's products, budget lines) reads through
`read_table` and reports through `write_report`, so they all behave alike: headers matched without
regard to case, spaces and underscores, a leading `No` column ignored, line numbers counted with
the header as line 1, and cells that a spreadsheet would run as formulas escaped on the way out
(at their start and after every `;` or `,`: see `safe_cell`)."""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, missing columns)."""


def norm_header(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, header row = 1; values)
    columns: list[str]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _map_header(header: list[Any], columns: Sequence[str], required: Sequence[str]) -> dict[int, str]:
    wanted = {norm_header(c): c for c in columns}
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        key = norm_header(name)
        if index == 0 and key in {"no", "nomor", "nourut"}:
            continue
        if key in wanted:
            mapping[index] = wanted[key]
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise ImportFileError(_("The header row lacks the columns: %(cols)s.") % {"cols": ", ".join(missing)})
    return mapping


def _rows_from(
    records: Iterable[Sequence[Any]], columns: Sequence[str], required: Sequence[str], *, text: bool = False
) -> Table:
    """`text`: every cell is a str (a CSV), so `_cell` is `strip` (called per cell, it was most of
    the reading of a 30,000-row registry)."""
    records = iter(records)
    for header in records:
        if any(_cell(c) for c in header):
            break
    else:
        raise ImportFileError(_("The file is empty."))
    mapping = _map_header(list(header), columns, required)
    items = list(mapping.items())
    width = max(mapping, default=-1) + 1  # a record this long has every mapped cell
    names = list(mapping.values()) if list(mapping) == list(range(width)) else None  # the first columns, in order
    strip = str.strip
    rows = []
    line = 1
    for record in records:
        line += 1
        if text and len(record) >= width:
            if names is not None:
                values = dict(zip(names, map(strip, record), strict=False))  # extra cells ignored
            else:
                values = {name: record[i].strip() for i, name in items}
        else:
            values = {name: _cell(record[i]) if i < len(record) else "" for i, name in items}
        if any(values.values()):
            rows.append((line, values))
    return Table(rows=rows, columns=list(mapping.values()))


def read_table(data: bytes, filename: str, *, columns: Sequence[str], required: Sequence[str]) -> Table:
    """Parse a CSV (UTF-8, `,` or `;`) or XLSX file into rows keyed by column name."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise ImportFileError(_("This XLSX file cannot be opened.")) from exc
        sheet = book.worksheets[0]
        return _rows_from(sheet.iter_rows(values_only=True), columns, required)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8”.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return _rows_from(csv.reader(io.StringIO(text), delimiter=delimiter), columns, required, text=True)


def read_path(path: str | Path, *, columns: Sequence[str], required: Sequence[str]) -> Table:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImportFileError(_("Cannot read %(path)s: %(err)s") % {"path": p.name, "err": exc.strerror}) from exc
    return read_table(data, p.name, columns=columns, required=required)


@dataclass
class Outcome:
    """What an import did: the counts of its one-line summary and every refused (line, column, reason)."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({line for line, _c, _r in self.rejections})

    def add(self, other: "Outcome") -> None:
        self.imported += other.imported
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejections.extend(other.rejections)

    def summary(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}"


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# A part of a cell that a spreadsheet may read as a formula: after a `;` or `,` (Indonesian Excel
# splits a CSV on `;`, others on `,`), a tab or a line break, and any spaces, a `=` or `@`, or a
# `+`/`-` followed by something ("Rp10.000,-" stays as written).
_FORMULA_PART = re.compile(r"([;,\t\r\n][ \u00a0]*)(?=[=@]|[+\-]\S)")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will show as text, never run as a formula: a `'` goes before the cell
    when it starts like a formula, and before every `;`-, `,`-, tab- or line-separated part of it
    that does (`x;=cmd|' /C calc'!A0` → `x;'=cmd|' /C calc'!A0`). Numbers are not passed here:
    a writer keeps a number a number."""
    text = _FORMULA_PART.sub(r"\1'", str(value))
    return "'" + text if text.lstrip(" \u00a0").startswith(_FORMULA) else text


def write_report(rejections: Iterable[tuple[int, str, str]], out) -> None:
    """The rejection report: CSV with `baris, kolom, alasan`, one line per problem."""
    writer = csv.writer(out)
    writer.writerow(["baris", "kolom", "alasan"])
    for line, column, reason in sorted(rejections, key=lambda r: (r[0], r[1])):
        writer.writerow([line if isinstance(line, int) else safe_cell(line), safe_cell(column), safe_cell(reason)])
