"""Spending through the catalogue and the 40% UMK target (issue 9, docs/decisions.md "Spending
figures and the 40% UMK target").

Every figure is computed from the orders when asked, in a few grouped queries, and every total is
the sum of its parts: the totals, the lines by office, month, size class and kecamatan are all
added up in Python from the same grouped rows; the lines by category add up to the total with a
last line for the PPN (and any rounding) that belongs to no category.

- An order counts ("committed") once it was submitted (`submitted_at`) and while it is not
  cancelled: the Surat Pesanan path, as `onboarding._sales` counts a sale. Drafts and
  negotiations are nobody's spending yet; a cancelled order is nobody's any more.
- Its value is what the budget pays: DPP + PPN (`total + vat`), whole rupiah.
- It is "realised" once paid (`paid_at` set: paid or completed); realised is a part of committed.
- It falls in the month (city time) of its submission, and the year is that month's year.
- UMK are the micro and small vendors (`size_class.is_umk`); the vendor's class now, not at the
  time of the order (the size-class history is kept elsewhere; a later slice may use it).
- The domestic-product figures are over the order lines (DPP of the goods and their shipping,
  without PPN), using the product version each line bought (a snapshot that never changes).
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Office
from katalog.buying.models import Order, OrderItem, OrderStatus
from katalog.catalogue.models import Category
from katalog.core.errors import NotAllowed, NotFound
from katalog.core.models import Katalog, Region
from katalog.core.permissions import Permission, Role
from katalog.vendors.size_class import ORDER, SizeClass, is_umk

TARGET = Decimal("0.4")  # Perpres 12/2021 Pasal 65: at least 40% to micro and small enterprises and cooperatives
TKDN_LEVELS = (25, 40)
_MONEY = DecimalField(max_digits=20, decimal_places=2)


def committed_orders(katalog: Katalog, *, office: Office | None = None, start=None, end=None):
    """The orders that count as spending ("committed"): submitted and not cancelled, of one tenant,
    optionally of one office and submitted in [start, end) (aware datetimes). Reusable by any page
    that reports spending (the public transparency page uses the same definition)."""
    qs = Order.objects.filter(katalog=katalog, submitted_at__isnull=False).exclude(status=OrderStatus.CANCELLED)
    if office is not None:
        qs = qs.filter(office=office)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lt=end)
    return qs


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of `year` to 1 January of the next, in the city's time."""
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min)),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min)),
    )


def share(part: int, whole: int) -> float:
    """A fraction 0–1; 0 when there is nothing to divide."""
    return part / whole if whole else 0.0


def meets_target(umk: int, total: int, target: Decimal = TARGET) -> bool:
    """Whether umk / total reaches the target (compared exactly, without floating point)."""
    return total > 0 and Decimal(umk) >= target * total


def needed_for_target(umk: int, total: int, target: Decimal = TARGET) -> int:
    """The extra UMK value x (whole rupiah, rounded up) with (umk + x) / (total + x) >= target,
    the other spending staying as it is; 0 when the target is met."""
    x = (target * total - umk) / (1 - target)
    return int(max(Decimal(0), Decimal(x).quantize(Decimal(1), rounding=ROUND_CEILING)))


@dataclass
class Figures:
    """Value and count, committed and realised, and the UMK part of the value."""

    total: int = 0
    count: int = 0
    umk_total: int = 0
    umk_count: int = 0
    realised: int = 0
    realised_count: int = 0

    def add(self, other: "Figures") -> None:
        for name in ("total", "count", "umk_total", "umk_count", "realised", "realised_count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def umk_share(self) -> float:
        return share(self.umk_total, self.total)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "count": self.count,
            "umk_total": self.umk_total,
            "umk_count": self.umk_count,
            "umk_share": self.umk_share,
            "realised": self.realised,
            "realised_count": self.realised_count,
        }


@dataclass
class Line:
    code: str
    name: str
    figures: Figures = field(default_factory=Figures)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, **self.figures.as_dict()}


def _rows(orders) -> list[dict]:
    """One row per (office, month, vendor size class, kecamatan): value, count, realised."""
    value = ExpressionWrapper(F("total") + F("vat"), output_field=_MONEY)
    paid = Q(paid_at__isnull=False)
    return list(
        orders.annotate(month=TruncMonth("submitted_at"))
        .values("office_id", "month", size=F("vendor__size_class"), district=F("vendor__district_id"))
        .annotate(
            value=Sum(value),
            n=Count("pk"),
            realised=Sum(value, filter=paid),
            realised_n=Count("pk", filter=paid),
        )
        .order_by()
    )


def _rollup_rows(katalog: Katalog, *, year: int, office: Office | None) -> list[dict]:
    """The rows of `_rows` read from the spending rollup (insights/rollups.py), kept exact as the
    orders change: a few hundred rows a year instead of every order."""
    from .models import SpendingRollup

    rows = SpendingRollup.objects.filter(katalog=katalog, year=year).exclude(count=0)
    if office is not None:
        rows = rows.filter(office=office)
    return [
        {
            "office_id": r["office_id"],
            "month": date(year, r["month"], 1),
            "size": r["size_class"] or None,
            "district": r["district"] or None,
            "value": r["value"],
            "n": r["count"],
            "realised": r["realised"],
            "realised_n": r["realised_count"],
        }
        for r in rows.values(
            "office_id", "month", "size_class", "district", "value", "count", "realised", "realised_count"
        )
    ]


def _figures(row: dict) -> Figures:
    value = int(row["value"] or 0)
    umk = is_umk(row["size"])
    return Figures(
        total=value,
        count=row["n"],
        umk_total=value if umk else 0,
        umk_count=row["n"] if umk else 0,
        realised=int(row["realised"] or 0),
        realised_count=row["realised_n"],
    )


def _month_key(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year:04d}-{value.month:02d}"


def _category_rollup(katalog: Katalog, *, year: int, office: Office | None):
    """The category rollup's rows of the year (insights/rollups.py): what `_categories` and
    `_domestic` would compute from the order lines, already summed."""
    from .models import CategoryRollup

    rows = CategoryRollup.objects.filter(katalog=katalog, year=year).exclude(orders=0)
    if office is not None:
        rows = rows.filter(office=office)
    return rows


def _categories(katalog: Katalog, orders, total: int, rollup=None) -> list[dict]:
    """The order lines' value (DPP) by top-level category, and a last line for the PPN and rounding,
    so the lines add up to `total`. `orders` counts the orders with a line in the category (an
    order with lines in two categories counts in both). Read from `rollup` when given."""
    line_value = ExpressionWrapper(F("unit_price") * F("quantity") + F("shipping_cost"), output_field=_MONEY)
    if rollup is not None:
        rows = rollup.values("category").annotate(value=Sum("value"), orders=Sum("orders")).order_by()
    else:
        rows = (
            OrderItem.objects.filter(order__in=orders)
            .values(category=F("version__category_id"))
            .annotate(value=Sum(line_value), orders=Count("order_id", distinct=True))
            .order_by()
        )
    tree = {c.pk: c for c in Category.objects.filter(katalog=katalog)}

    def root(pk):
        node = tree.get(pk)
        while node is not None and node.parent_id is not None and node.parent_id in tree:
            node = tree[node.parent_id]
        return node

    by_root: dict[int | None, dict] = {}
    order_sets: dict[int | None, int] = {}
    for row in rows:
        node = root(row["category"])
        key = node.pk if node else None
        entry = by_root.setdefault(
            key, {"code": node.code if node else "", "name": node.name if node else "?", "value": Decimal(0)}
        )
        entry["value"] += row["value"] or 0
        order_sets[key] = order_sets.get(key, 0) + row["orders"]
    lines = []
    for key, entry in sorted(by_root.items(), key=lambda kv: (-kv[1]["value"], kv[1]["name"])):
        value = int(entry["value"].quantize(Decimal(1), rounding=ROUND_HALF_UP))
        lines.append({"code": entry["code"], "name": entry["name"], "total": value, "orders": order_sets[key]})
    rest = total - sum(line["total"] for line in lines)
    lines.append({"code": "", "name": _("PPN (VAT) and rounding"), "total": rest, "orders": None, "tax": True})
    return lines


def _domestic(orders, rollup=None) -> dict:
    """The order lines' value (DPP) and how much of it is a domestic product (PDN), or has a TKDN
    of at least 25% and 40%, as recorded on the product version bought. Read from `rollup` when given."""
    line_value = ExpressionWrapper(F("unit_price") * F("quantity") + F("shipping_cost"), output_field=_MONEY)
    if rollup is not None:
        raw = rollup.aggregate(
            goods_total=Sum("value"),
            pdn_total=Sum("pdn"),
            tkdn_recorded_total=Sum("tkdn_recorded"),
            tkdn25_total=Sum("tkdn25"),
            tkdn40_total=Sum("tkdn40"),
        )
    else:
        sums = {
            "goods_total": Sum(line_value),
            "pdn_total": Sum(line_value, filter=Q(version__is_domestic=True)),
            "tkdn_recorded_total": Sum(line_value, filter=Q(version__tkdn_percent__isnull=False)),
        }
        for level in TKDN_LEVELS:
            sums[f"tkdn{level}_total"] = Sum(line_value, filter=Q(version__tkdn_percent__gte=level))
        raw = OrderItem.objects.filter(order__in=orders).aggregate(**sums)
    out = {k: int((v or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for k, v in raw.items()}
    goods = out["goods_total"]
    out["pdn_share"] = share(out["pdn_total"], goods)
    for level in TKDN_LEVELS:
        out[f"tkdn{level}_share"] = share(out[f"tkdn{level}_total"], goods)
    return out


def month_bounds(year: int, first: int, last: int) -> tuple[datetime, datetime]:
    """The first day of month `first` to the first day after month `last` of `year`, city time."""
    after = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return (
        timezone.make_aware(datetime.combine(date(year, first, 1), time.min)),
        timezone.make_aware(datetime.combine(after, time.min)),
    )


def spending(katalog: Katalog, *, year: int, office: Office | None = None, months: tuple[int, int] = (1, 12)) -> dict:
    """Every figure of the spending dashboard for one year, or the months `first..last` of it, for the
    tenant or one office. The period is reckoned in months of the fiscal year (docs/decisions.md)."""
    first, last = months
    start, end = month_bounds(year, first, last)
    orders = committed_orders(katalog, office=office, start=start, end=end)
    # = _rows(orders), from the rollup (kept by month)
    rows = [r for r in _rollup_rows(katalog, year=year, office=office) if first <= r["month"].month <= last]
    # The category rollup is kept by year: a part of a year reads its order lines instead.
    category_rollup = _category_rollup(katalog, year=year, office=office) if (first, last) == (1, 12) else None

    totals = Figures()
    offices = Office.objects.filter(katalog=katalog).order_by("code")
    if office is not None:
        offices = offices.filter(pk=office.pk)
    by_office = OrderedDict((o.pk, Line(o.code, o.name)) for o in offices)
    by_month = OrderedDict((f"{year:04d}-{m:02d}", Line(f"{year:04d}-{m:02d}", "")) for m in range(first, last + 1))
    by_class = OrderedDict((str(c), Line(str(c), str(SizeClass(c).label))) for c in ORDER)
    by_district: dict[str, Line] = {}
    for row in rows:
        figures = _figures(row)
        totals.add(figures)
        by_office[row["office_id"]].figures.add(figures)
        by_month.setdefault(_month_key(row["month"]), Line(_month_key(row["month"]), "")).figures.add(figures)
        size = row["size"] or ""
        by_class.setdefault(size, Line(size, size)).figures.add(figures)
        district = row["district"] or ""
        by_district.setdefault(district, Line(district, "")).figures.add(figures)

    names = dict(Region.objects.filter(code__in=[c for c in by_district if c]).values_list("code", "name"))
    district_lines = sorted(by_district.values(), key=lambda line: (line.code == "", -line.figures.total, line.code))
    for line in district_lines:
        line.name = names.get(line.code, line.code) if line.code else _("No kecamatan recorded")

    # The trend of the UMK share: month by month, and cumulated since January.
    running = Figures()
    months = []
    for line in by_month.values():
        running.add(line.figures)
        months.append({**line.as_dict(), "month": line.code, "cumulative_umk_share": running.umk_share})

    office_lines = []
    for line in by_office.values():
        item = line.as_dict()
        item["meets_target"] = meets_target(line.figures.umk_total, line.figures.total)
        item["needed_for_target"] = needed_for_target(line.figures.umk_total, line.figures.total)
        office_lines.append(item)

    class_lines = []
    for line in by_class.values():
        class_lines.append({**line.as_dict(), "umk": is_umk(line.code)})

    return {
        "year": year,
        "month_from": first,
        "month_to": last,
        "office": {"code": office.code, "name": office.name} if office is not None else None,
        **totals.as_dict(),
        "target": float(TARGET),
        "meets_target": meets_target(totals.umk_total, totals.total),
        "needed_for_target": needed_for_target(totals.umk_total, totals.total),
        "by_office": office_lines,
        "by_month": months,
        "by_category": _categories(katalog, orders, totals.total, rollup=category_rollup),
        "by_size_class": class_lines,
        "by_kecamatan": [line.as_dict() for line in district_lines],
        "domestic": _domestic(orders, rollup=category_rollup),
    }


# The roles that read the whole tenant's spending; a PA/KPA reads only the offices where they are one.
TENANT_ROLES = frozenset({Role.CATALOGUE_MANAGER, Role.AUDITOR, Role.ADMIN})


def scope_for(actor, office_code: str = "") -> Office | None:
    """The office whose spending the actor reads (None: the whole tenant), from the code asked for.
    The Pengelola, the auditor and the administrator read any office or the tenant (an unknown code
    is a NotFound); a PA/KPA reads their own office, forced when none is asked for, and another
    office's code is a NotAllowed; anybody else is a NotAllowed."""
    if actor.katalog is None or not actor.can(Permission.DASHBOARD_SPENDING):
        raise NotAllowed()
    code = (office_code or "").strip()
    if actor.roles & TENANT_ROLES:
        if not code:
            return None
        office = Office.objects.filter(katalog=actor.katalog, code=code).first()
        if office is None:
            raise NotFound(_("No such office."))
        return office
    own = actor.offices_with(Role.BUDGET_OWNER)
    if not own:
        raise NotAllowed()
    if not code:
        return next((o for o in own if actor.office is not None and o.pk == actor.office.pk), own[0])
    for office in own:
        if office.code == code:
            return office
    raise NotAllowed(_("You may only read the spending of your own office."))


def tables(data: dict) -> list[tuple[str, str, list[list]]]:
    """The dashboard's tables for download, each (key, title, rows with a header first): the same
    numbers as the page and the JSON. Shares are fractions (0–1); money in whole rupiah."""
    offices = [
        [
            _("Code"),
            _("Office"),
            _("Total"),
            _("UMK total"),
            _("UMK share"),
            _("Target"),
            _("Meets target"),
            _("UMK value needed for the target"),
            _("Orders"),
            _("Realised (paid)"),
            _("Paid orders"),
        ]
    ]
    for o in data["by_office"]:
        offices.append(
            [
                o["code"],
                o["name"],
                o["total"],
                o["umk_total"],
                o["umk_share"],
                data["target"],
                _("Yes") if o["meets_target"] else _("No"),
                o["needed_for_target"],
                o["count"],
                o["realised"],
                o["realised_count"],
            ]
        )
    offices.append(
        [
            "",
            _("Total"),
            data["total"],
            data["umk_total"],
            data["umk_share"],
            data["target"],
            _("Yes") if data["meets_target"] else _("No"),
            data["needed_for_target"],
            data["count"],
            data["realised"],
            data["realised_count"],
        ]
    )
    months = [
        [
            _("Month"),
            _("Total"),
            _("Orders"),
            _("UMK total"),
            _("UMK share"),
            _("UMK share since January"),
            _("Realised (paid)"),
        ]
    ]
    for m in data["by_month"]:
        months.append(
            [
                m["month"],
                m["total"],
                m["count"],
                m["umk_total"],
                m["umk_share"],
                m["cumulative_umk_share"],
                m["realised"],
            ]
        )
    months.append(
        [
            _("Total"),
            data["total"],
            data["count"],
            data["umk_total"],
            data["umk_share"],
            data["umk_share"],
            data["realised"],
        ]
    )
    categories = [[_("Code"), _("Category"), _("Total"), _("Orders with this category")]]
    for c in data["by_category"]:
        categories.append([c["code"], c["name"], c["total"], c["orders"]])
    categories.append(["", _("Total"), data["total"], data["count"]])
    classes = [[_("Code"), _("Size class"), _("Counts for the 40%"), _("Total"), _("Orders"), _("Realised (paid)")]]
    for c in data["by_size_class"]:
        classes.append([c["code"], c["name"], _("Yes") if c["umk"] else _("No"), c["total"], c["count"], c["realised"]])
    classes.append(["", _("Total"), "", data["total"], data["count"], data["realised"]])
    districts = [[_("Code"), _("Kecamatan"), _("Total"), _("UMK total"), _("Orders"), _("Realised (paid)")]]
    for d in data["by_kecamatan"]:
        districts.append([d["code"], d["name"], d["total"], d["umk_total"], d["count"], d["realised"]])
    districts.append(["", _("Total"), data["total"], data["umk_total"], data["count"], data["realised"]])
    dom = data["domestic"]
    domestic = [
        [_("Measure"), _("Value"), _("Share of the goods")],
        [_("Goods (order lines, before PPN)"), dom["goods_total"], 1.0 if dom["goods_total"] else 0.0],
        [_("Domestic products (PDN)"), dom["pdn_total"], dom["pdn_share"]],
        [_("TKDN at least 25%"), dom["tkdn25_total"], dom["tkdn25_share"]],
        [_("TKDN at least 40%"), dom["tkdn40_total"], dom["tkdn40_share"]],
    ]
    return [
        ("offices", _("By office"), offices),
        ("months", _("By month"), months),
        ("categories", _("By category"), categories),
        ("size_classes", _("By size class"), classes),
        ("kecamatan", _("By kecamatan"), districts),
        ("domestic", _("Domestic products"), domestic),
    ]


TABLE_KEYS = ("offices", "months", "categories", "size_classes", "kecamatan", "domestic")


def to_xlsx(data: dict) -> bytes:
    """Every table in one workbook, a sheet each (insights/sheets.py); every float here is a share,
    formatted as a percentage."""
    from .sheets import to_xlsx as workbook

    return workbook(tables(data), fractions="0.0%")
