"""Budget lines (issue 9, "Dashboards"): for each office, each RUP line's ceiling (pagu), what the
orders committed and realised on it, what remains, and the lines with no purchase yet
(docs/decisions.md "Budget-line, payment and vendor dashboards").

- The lines are those of the fiscal year asked (`BudgetLine.fiscal_year`), whatever the month the
  orders charged to them were submitted.
- Committed and realised are recomputed from the orders with the spending dashboard's definition
  (`spending.committed_orders`: submitted and not cancelled; value DPP + PPN, whole rupiah;
  realised = paid), so both dashboards agree; remaining = ceiling − committed.
- Every office total is the sum of its lines, and the grand total the sum of the offices.
"""

from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _

from katalog.accounts.models import Office
from katalog.buying.models import BudgetLine
from katalog.core.models import Katalog

from .spending import committed_orders

_MONEY = DecimalField(max_digits=20, decimal_places=2)
FIELDS = ("ceiling", "committed", "realised", "remaining", "orders")


def _rupiah(value) -> int:
    return int(Decimal(value or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def budget_lines(katalog: Katalog, *, year: int, office: Office | None = None) -> dict:
    """Every line of the year for the tenant or one office, grouped by office, with totals."""
    lines = BudgetLine.objects.filter(katalog=katalog, fiscal_year=year).select_related("office")
    orders = committed_orders(katalog, office=office).filter(budget_line__fiscal_year=year)
    if office is not None:
        lines = lines.filter(office=office)
    value = ExpressionWrapper(F("total") + F("vat"), output_field=_MONEY)
    sums = {
        row["budget_line_id"]: row
        for row in orders.values("budget_line_id")
        .annotate(value=Sum(value), realised=Sum(value, filter=Q(paid_at__isnull=False)), n=Count("pk"))
        .order_by()
    }
    offices = Office.objects.filter(katalog=katalog).order_by("code")
    if office is not None:
        offices = offices.filter(pk=office.pk)
    by_office = OrderedDict(
        (o.pk, {"code": o.code, "name": o.name, "lines": [], **dict.fromkeys(FIELDS, 0), "unused": 0}) for o in offices
    )
    totals = {**dict.fromkeys(FIELDS, 0), "unused": 0, "lines": 0}
    for line in lines.order_by("office__code", "kode_rup"):
        row = sums.get(line.pk, {})
        committed = _rupiah(row.get("value"))
        item = {
            "kode_rup": line.kode_rup,
            "name": line.name,
            "funding_source": line.funding_source,
            "ceiling": _rupiah(line.ceiling),
            "committed": committed,
            "realised": _rupiah(row.get("realised")),
            "remaining": _rupiah(line.ceiling) - committed,
            "orders": row.get("n", 0),
        }
        item["unused"] = item["orders"] == 0
        slot = by_office[line.office_id]
        slot["lines"].append(item)
        for key in FIELDS:
            slot[key] += item[key]
            totals[key] += item[key]
        slot["unused"] += item["unused"]
        totals["unused"] += item["unused"]
        totals["lines"] += 1
    office_list = list(by_office.values())
    return {
        "year": year,
        "office": {"code": office.code, "name": office.name} if office is not None else None,
        **{k: totals[k] for k in FIELDS},
        "lines": totals["lines"],
        "unused": totals["unused"],
        "by_office": office_list,
        "unused_lines": [{"office": o["code"], **line} for o in office_list for line in o["lines"] if line["unused"]],
    }


def tables(data: dict) -> list[tuple[str, str, list[list]]]:
    """The page's tables for download (money in whole rupiah)."""
    head = [_("Office code"), _("Office"), _("RUP code"), _("Package"), _("Ceiling (pagu)"), _("Committed")]
    head += [_("Realised (paid)"), _("Remaining"), _("Orders")]
    lines = [head]
    offices = [[_("Code"), _("Office"), _("Ceiling (pagu)"), _("Committed"), _("Realised (paid)"), _("Remaining")]]
    offices[0] += [_("Orders"), _("Lines with no purchase")]
    for o in data["by_office"]:
        for line in o["lines"]:
            lines.append([o["code"], o["name"], line["kode_rup"], line["name"], *[line[k] for k in FIELDS]])
        lines.append([o["code"], _("Total"), "", "", *[o[k] for k in FIELDS]])
        offices.append([o["code"], o["name"], *[o[k] for k in FIELDS], o["unused"]])
    offices.append(["", _("Total"), *[data[k] for k in FIELDS], data["unused"]])
    unused = [[_("Office code"), _("RUP code"), _("Package"), _("Ceiling (pagu)")]]
    unused += [[u["office"], u["kode_rup"], u["name"], u["ceiling"]] for u in data["unused_lines"]]
    return [
        ("offices", _("By office"), offices),
        ("lines", _("Budget lines"), lines),
        ("unused", _("No purchase yet"), unused),
    ]


TABLE_KEYS = ("offices", "lines", "unused")
