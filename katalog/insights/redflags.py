"""Red flags for the auditor (issue 9; docs/decisions.md "Red flags").

Each finder reads the records of one tenant and returns the flags it finds, each with a key (what
it is about, stable from run to run) and its evidence: the numbers that tripped it and the records
(orders, products, vendors) to open. `find(katalog)` stores the new ones; a flag found again is the
same row (unique per tenant, kind and key), so running it twice adds nothing. Flags are found by
`katalog find_flags` and by the worker's sweep (`sweep_if_due`), never on a page view.

The orders that count are the committed ones (submitted, not cancelled: spending.committed_orders);
an order's value is what the budget pays (total + PPN); days are calendar days in the city's time.
The thresholds are settings (KATALOG_FLAG_*; README, "Settings").
"""

import bisect
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from katalog.buying.models import Invoice, Order, OrderItem, OrderStatus
from katalog.catalogue.models import ProductVersion
from katalog.core.models import Katalog
from katalog.vendors.size_class import is_umk

from .models import RedFlag, RedFlagKind
from .spending import committed_orders

logger = logging.getLogger(__name__)


@dataclass
class Found:
    kind: str
    key: str
    numbers: dict = field(default_factory=dict)
    records: list = field(default_factory=list)

    @property
    def evidence(self) -> dict:
        return {"numbers": self.numbers, "records": self.records}


def _money(value) -> int:
    return int(Decimal(value or 0))


def _order_rec(order_id: int) -> dict:
    return {"type": "order", "id": order_id}


def _product_rec(product_id: int, name: str = "") -> dict:
    return {"type": "product", "id": product_id, "name": name}


def _vendor_rec(vendor_id: int, name: str = "") -> dict:
    return {"type": "vendor", "id": vendor_id, "name": name}


def _day(moment):
    return timezone.localdate(moment)


# --- 1. Listed (or raised) and bought at once --------------------------------------------------------


def listed_and_bought(katalog: Katalog, *, days: int | None = None) -> list[Found]:
    """A product bought (order submitted) within `days` calendar days after its first approval
    (its listing) or after a new approved version at a higher price."""
    days = settings.KATALOG_FLAG_LISTING_DAYS if days is None else days
    items = list(
        OrderItem.objects.filter(order__in=committed_orders(katalog))
        .values("id", "order_id", "product_id", "product__name", "order__submitted_at", "order__vendor_id")
        .order_by("order_id", "id")
    )
    if not items:
        return []
    # Each product's approved versions, oldest first: the listing and each price raise are events.
    events: dict[int, list[tuple]] = defaultdict(list)
    previous: dict[int, Decimal] = {}
    for v in (
        ProductVersion.objects.filter(product_id__in={i["product_id"] for i in items}, approved_at__isnull=False)
        .order_by("product_id", "approved_at", "number")
        .values("id", "product_id", "number", "price", "approved_at")
    ):
        before = previous.get(v["product_id"])
        if before is None:
            events[v["product_id"]].append((v["approved_at"], "listed", None, v))
        elif v["price"] > before:
            events[v["product_id"]].append((v["approved_at"], "price_raised", before, v))
        previous[v["product_id"]] = v["price"]
    found, seen = [], set()
    for item in items:
        submitted = item["order__submitted_at"]
        for approved_at, event, before, v in events.get(item["product_id"], ()):
            if approved_at > submitted:
                continue
            gap = (_day(submitted) - _day(approved_at)).days
            if gap > days:
                continue
            key = f"order:{item['order_id']}:product:{item['product_id']}:version:{v['number']}"
            if key in seen:
                continue
            seen.add(key)
            numbers = {
                "event": event,
                "approved_at": timezone.localtime(approved_at).isoformat(timespec="minutes"),
                "submitted_at": timezone.localtime(submitted).isoformat(timespec="minutes"),
                "days": gap,
                "window_days": days,
                "version": v["number"],
                "price": _money(v["price"]),
            }
            if before is not None:
                numbers["previous_price"] = _money(before)
            found.append(
                Found(
                    RedFlagKind.LISTED_AND_BOUGHT,
                    key,
                    numbers,
                    [
                        _order_rec(item["order_id"]),
                        _product_rec(item["product_id"], item["product__name"]),
                        _vendor_rec(item["order__vendor_id"]),
                    ],
                )
            )
    return found


# --- 2. Package split under the PP limit ---------------------------------------------------------------


def split_package(katalog: Katalog, *, days: int | None = None, limit: Decimal | None = None) -> list[Found]:
    """Orders of one office to one vendor, each at most the PP limit, whose sum within `days`
    days (from the first one's submission) passes it. The orders are walked oldest first; a group
    that trips the flag is not reused, so a cluster gives one flag keyed by its first order."""
    days = settings.KATALOG_FLAG_SPLIT_DAYS if days is None else days
    limit = Decimal(settings.KATALOG_PP_LIMIT) if limit is None else limit
    rows = (
        committed_orders(katalog)
        .annotate(value=F("total") + F("vat"))
        .filter(value__lte=limit)
        .values("id", "office_id", "vendor_id", "submitted_at", "value")
        .order_by("office_id", "vendor_id", "submitted_at", "id")
    )
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["office_id"], row["vendor_id"])].append(row)
    found = []
    for (office_id, vendor_id), orders in groups.items():
        i = 0
        while i < len(orders):
            start = _day(orders[i]["submitted_at"])
            j, total = i, Decimal(0)
            while j < len(orders) and (_day(orders[j]["submitted_at"]) - start).days <= days:
                total += orders[j]["value"]
                j += 1
            if total > limit and j - i > 1:
                group = orders[i:j]
                found.append(
                    Found(
                        RedFlagKind.SPLIT_PACKAGE,
                        f"office:{office_id}:vendor:{vendor_id}:from:{group[0]['id']}",
                        {
                            "orders": len(group),
                            "sum": _money(total),
                            "limit": _money(limit),
                            "largest": _money(max(o["value"] for o in group)),
                            "window_days": days,
                            "first_day": start.isoformat(),
                            "last_day": _day(group[-1]["submitted_at"]).isoformat(),
                            "office_id": office_id,
                        },
                        [_vendor_rec(vendor_id)] + [_order_rec(o["id"]) for o in group],
                    )
                )
                i = j
            else:
                i += 1
    return found


# --- 3. Concentration ----------------------------------------------------------------------------------


def concentration(katalog: Katalog, *, share: Decimal | None = None, min_total: Decimal | None = None) -> list[Found]:
    """One vendor taking more than `share` of an office's committed spending in a calendar year,
    for an office that spent at least `min_total` that year."""
    share = Decimal(settings.KATALOG_FLAG_CONCENTRATION_SHARE) if share is None else Decimal(share)
    min_total = Decimal(settings.KATALOG_FLAG_CONCENTRATION_MIN_TOTAL) if min_total is None else Decimal(min_total)
    per_vendor: dict[tuple, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    names: dict[int, str] = {}
    for row in (
        committed_orders(katalog)
        .annotate(year=ExtractYear("submitted_at"))
        .values("office_id", "year", "vendor_id", "vendor__name")
        .annotate(value=Sum(F("total") + F("vat")))
        .order_by()
    ):
        per_vendor[(row["office_id"], row["year"])][row["vendor_id"]] += row["value"] or 0
        names[row["vendor_id"]] = row["vendor__name"]
    found = []
    for (office_id, year), vendors in sorted(per_vendor.items()):
        total = sum(vendors.values(), Decimal(0))
        if total <= 0 or total < min_total:
            continue
        for vendor_id, value in vendors.items():
            if value > share * total:  # compared exactly, without floating point
                found.append(
                    Found(
                        RedFlagKind.CONCENTRATION,
                        f"office:{office_id}:year:{year}:vendor:{vendor_id}",
                        {
                            "year": year,
                            "vendor_total": _money(value),
                            "office_total": _money(total),
                            "share": round(float(value / total), 4),
                            "threshold": float(share),
                            "min_total": _money(min_total),
                            "office_id": office_id,
                        },
                        [_vendor_rec(vendor_id, names[vendor_id])],
                    )
                )
    return found


# --- 4. A non-UMK vendor chosen over a UMK offer at no higher price ------------------------------------


def non_umk_over_umk(katalog: Katalog) -> list[Found]:
    """A line bought from a medium or large vendor (it does not count for the 40%) while a micro
    or small vendor's product in the same category was listed at that moment at a unit price no
    higher than the one paid. The UMK offer is the version of that product in force at the order's
    submission (its latest version approved before it), of a product listed before it."""
    lines = [
        i
        for i in OrderItem.objects.filter(order__in=committed_orders(katalog))
        .select_related("order", "order__vendor", "version")
        .order_by("order_id", "id")
        if not is_umk(i.order.vendor.size_class)
    ]
    if not lines:
        return []
    # The UMK products' approved versions, by product, oldest first; and which products each category has.
    history: dict[int, list[tuple]] = defaultdict(list)
    in_category: dict[int, set[int]] = defaultdict(set)
    info: dict[int, dict] = {}
    for v in (
        ProductVersion.objects.filter(
            product__katalog=katalog,
            approved_at__isnull=False,
            product__listed_at__isnull=False,
            product__vendor__size_class__in=["mikro", "kecil"],
        )
        .order_by("product_id", "approved_at", "number")
        .values(
            "product_id",
            "number",
            "price",
            "category_id",
            "approved_at",
            "product__listed_at",
            "product__name",
            "product__vendor_id",
            "product__vendor__name",
        )
    ):
        history[v["product_id"]].append((v["approved_at"], v))
        in_category[v["category_id"]].add(v["product_id"])
        info[v["product_id"]] = v
    found = []
    for line in lines:
        at = line.order.submitted_at
        best = None
        for product_id in in_category.get(line.version.category_id, ()):
            if info[product_id]["product__listed_at"] > at:
                continue
            versions = history[product_id]
            k = bisect.bisect_right([a for a, _v in versions], at)
            if k == 0:
                continue
            offer = versions[k - 1][1]  # the version in force at the order
            if offer["category_id"] != line.version.category_id or offer["price"] > line.unit_price:
                continue
            if best is None or offer["price"] < best["price"]:
                best = offer
        if best is None:
            continue
        found.append(
            Found(
                RedFlagKind.NON_UMK_OVER_UMK,
                f"order:{line.order_id}:item:{line.pk}",
                {
                    "unit_price": _money(line.unit_price),
                    "quantity": line.quantity,
                    "size_class": line.order.vendor.size_class,
                    "umk_price": _money(best["price"]),
                    "umk_version": best["number"],
                    "category_id": line.version.category_id,
                },
                [
                    _order_rec(line.order_id),
                    _product_rec(line.product_id, line.version.name),
                    _vendor_rec(line.order.vendor_id, line.order.vendor.name),
                    _product_rec(best["product_id"], best["product__name"]),
                    _vendor_rec(best["product__vendor_id"], best["product__vendor__name"]),
                ],
            )
        )
    return found


# --- 5. Price above the listed price; late payment -----------------------------------------------------


def price_above_listed(katalog: Katalog) -> list[Found]:
    """A line of a submitted order at a unit price above the price of the version it bought (the
    ceiling when it was bought). The services refuse it, so on real data this finds nothing: the
    flag shows the guard held."""
    found = []
    for line in (
        OrderItem.objects.filter(order__katalog=katalog, order__submitted_at__isnull=False)
        .filter(unit_price__gt=F("version__price"))
        .select_related("order", "version")
        .order_by("order_id", "id")
    ):
        found.append(
            Found(
                RedFlagKind.PRICE_ABOVE_LISTED,
                f"order:{line.order_id}:item:{line.pk}",
                {
                    "unit_price": _money(line.unit_price),
                    "listed_price": _money(line.version.price),
                    "version": line.version.number,
                    "quantity": line.quantity,
                },
                [
                    _order_rec(line.order_id),
                    _product_rec(line.product_id, line.version.name),
                    _vendor_rec(line.order.vendor_id),
                ],
            )
        )
    return found


def late_payment(katalog: Katalog, *, days: int | None = None, today=None) -> list[Found]:
    """Paid more than `days` calendar days after the BAST (the invoice's date when no BAST date is
    known), or unpaid and already past that. The first payment counts."""
    days = settings.KATALOG_FLAG_PAYMENT_DAYS if days is None else days
    today = today or timezone.localdate()
    found = []
    invoices = (
        Invoice.objects.filter(order__katalog=katalog)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order")
        .prefetch_related("payments")
        .order_by("order_id")
    )
    for invoice in invoices:
        order: Order = invoice.order
        if order.received_at is not None:
            start, since = _day(order.received_at), "bast"
        else:
            start, since = invoice.invoice_date or _day(invoice.issued_at), "invoice"
        payments = sorted(invoice.payments.all(), key=lambda p: p.paid_on)
        paid_on = payments[0].paid_on if payments else None
        waited = ((paid_on or today) - start).days
        if waited <= days:
            continue
        found.append(
            Found(
                RedFlagKind.LATE_PAYMENT,
                f"order:{order.pk}",
                {
                    "since": since,
                    "start": start.isoformat(),
                    "paid_on": paid_on.isoformat() if paid_on else None,
                    "days": waited,
                    "limit_days": days,
                    "amount": _money(order.total + order.vat),
                },
                [_order_rec(order.pk), _vendor_rec(order.vendor_id)],
            )
        )
    return found


FINDERS = {
    RedFlagKind.LISTED_AND_BOUGHT: listed_and_bought,
    RedFlagKind.SPLIT_PACKAGE: split_package,
    RedFlagKind.CONCENTRATION: concentration,
    RedFlagKind.NON_UMK_OVER_UMK: non_umk_over_umk,
    RedFlagKind.PRICE_ABOVE_LISTED: price_above_listed,
    RedFlagKind.LATE_PAYMENT: late_payment,
}


def find_all(katalog: Katalog) -> list[Found]:
    """Every flag of the tenant as the records stand (nothing stored)."""
    return [flag for finder in FINDERS.values() for flag in finder(katalog)]


def find(katalog: Katalog) -> int:
    """Store the flags not found before; return how many are new. A flag already stored (reviewed
    or not) is left as it is."""
    flags = find_all(katalog)
    known = set(RedFlag.objects.filter(katalog=katalog, key__in=[f.key for f in flags]).values_list("kind", "key"))
    new = [
        RedFlag(katalog=katalog, kind=f.kind, key=f.key, evidence=f.evidence)
        for f in flags
        if (str(f.kind), f.key) not in known
    ]
    RedFlag.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent run adds nothing twice
    return len(new)


_last_sweep: float | None = None


def sweep_if_due(*, now: float | None = None) -> int:
    """The worker's call: look for flags in every tenant at most every KATALOG_FLAG_SWEEP_HOURS."""
    global _last_sweep
    now = time.monotonic() if now is None else now
    if _last_sweep is not None and now - _last_sweep < settings.KATALOG_FLAG_SWEEP_HOURS * 3600:
        return 0
    _last_sweep = now
    new = 0
    for katalog in Katalog.objects.all():
        new += find(katalog)
    if new:
        logger.warning("found %s new red flag(s)", new)
    return new
