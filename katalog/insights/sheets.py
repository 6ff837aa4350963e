"""Tables for download: one XLSX workbook with a sheet per table, or one table as CSV (issue 9,
"every table downloads as XLSX and CSV"). A table is (key, title, rows with a header first); text
goes through `safe_cell` (never a formula), whole numbers with thousands, other numbers (days, a
median, an average score) with one decimal."""

import io

from .exports import to_csv  # noqa: F401  (one table as CSV)


def to_xlsx(tables: list[tuple[str, str, list[list]]], *, fractions: str = "0.0") -> bytes:
    """`fractions`: the number format of the other numbers ("0.0%" where every float is a share)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from katalog.core.tabular import safe_cell

    book = Workbook()
    book.remove(book.active)
    for _key, title, rows in tables:
        sheet = book.create_sheet(str(title)[:31])
        for row in rows:
            sheet.append([v if v is None or isinstance(v, (int, float)) else safe_cell(str(v)) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, bool):
                    continue
                if isinstance(cell.value, float):
                    cell.number_format = fractions
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pick(tables: list[tuple[str, str, list[list]]], key: str) -> list[list] | None:
    """The rows of the table `key`, or None."""
    return next((rows for k, _title, rows in tables if k == key), None)
