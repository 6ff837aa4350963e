"""The onboarding funnel as files: one XLSX workbook (a sheet per table) and CSV (the funnel lines
in one long table, and the weekly trend). Every text cell goes through `safe_cell`, so a sector
typed as `=HYPERLINK(…)` stays text in a spreadsheet."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from katalog.core.tabular import safe_cell

from . import onboarding
from .onboarding import STEPS, TREND_KEYS


def _step_headers() -> list[str]:
    return [str(onboarding.STEP_LABELS[s]) for s in STEPS]


def _trend_headers() -> list[str]:
    return [_("ISO week"), _("Week starts")] + [str(onboarding.TREND_LABELS[k]) for k in TREND_KEYS]


def funnel_rows(data: dict) -> list[list]:
    """The long table: dimension, value, label, then the six steps; the totals first, the line
    outside the registry last (its "invited" is empty: nobody is invited outside the registry)."""
    rows: list[list] = [[_("Dimension"), _("Code"), _("Label"), *_step_headers()]]
    rows.append(["total", "", _("All registry vendors"), *[data["totals"][s] for s in STEPS]])
    for dimension in ("by_kecamatan", "by_sector", "by_size_class"):
        key = dimension.removeprefix("by_")
        rows.extend([key, line.value, line.label, *[line.counts[s] for s in STEPS]] for line in data[dimension])
    outside = data["outside"]
    rows.append(
        [
            "outside_registry",
            "",
            _("Registered outside the registry"),
            outside["registered"],
            "",
            *[outside[s] for s in STEPS[2:]],
        ]
    )
    return rows


def trend_rows(weeks: list[dict]) -> list[list]:
    rows: list[list] = [_trend_headers()]
    rows.extend([w["week"], w["monday"].isoformat(), *[w[k] for k in TREND_KEYS]] for w in weeks)
    return rows


def _safe(row: list) -> list:
    """Numbers (and dates) stay numbers; everything else is text, escaped against formulas."""
    return [v if v is None or isinstance(v, (int, float, Decimal, date)) else safe_cell(v) for v in row]


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(_safe(row))
    # With a BOM, a spreadsheet opens the UTF-8 names of kecamatan and sectors correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(data: dict, weeks: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Funnel")[:31]
    sheet.append(_safe([_("Step"), _("Vendors"), _("Share of the registry"), _("Share of the step before")]))
    for row in onboarding.shares(data["totals"]):
        sheet.append(_safe([str(row["label"]), row["count"], row["of_registry"], row["of_previous"]]))
        for cell in sheet[sheet.max_row][2:4]:
            cell.number_format = "0.0%"
    outside = data["outside"]
    sheet.append([])
    sheet.append(_safe([_("Registered outside the registry"), outside["registered"]]))
    for step in STEPS[2:]:
        sheet.append(_safe([str(onboarding.STEP_LABELS[step]), outside[step]]))
    for dimension, title in (
        ("by_kecamatan", _("Kecamatan")),
        ("by_sector", _("Sector")),
        ("by_size_class", _("Size class")),
    ):
        ws = book.create_sheet(title[:31])
        ws.append(_safe([_("Code"), title, *_step_headers()]))
        for line in data[dimension]:
            ws.append(_safe([line.value, line.label, *[line.counts[s] for s in STEPS]]))
        ws.append(_safe(["", _("Total"), *[data["totals"][s] for s in STEPS]]))
    ws = book.create_sheet(_("Weekly")[:31])
    for row in trend_rows(weeks):
        ws.append(_safe(row))
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
