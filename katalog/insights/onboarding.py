"""The onboarding funnel: from the Dinas registry to a first sale (issue 8, docs/decisions.md
"Onboarding funnel"). Every figure is counted from the records when asked, in a few grouped
queries (never one per vendor), and every total is the sum of its parts: the totals, the lines
by kecamatan, by sector and by size class are all added up from the same grouped rows.

The steps, each a subset of the one before, for the vendors of the tenant that came from the
registry import (`source = import`):

- registry: every such vendor;
- invited: sent an invitation (`invited_at`) or already claimed (a vendor that got in by itself,
  e.g. by signing in with the phone on file, was reached all the same);
- claimed: has at least one user (the owner has an account);
- verified: claimed and its status is verified (an import alone marks a vendor verified without
  an account: that is "in the registry", never "verified UMKM");
- listed: verified and has at least one product listed now;
- sold: listed and has at least one sale (an order submitted and not cancelled).

The vendors that registered themselves or at the Dinas desk are a separate line, "registered
outside the registry", counted with the same steps from claimed on, so no total mixes the two.
"""

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from katalog.buying.models import Order, OrderStatus
from katalog.catalogue.models import Product, ProductStatus, ProductVersion
from katalog.core.models import Katalog, Region, RegionLevel
from katalog.core.permissions import Permission
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from katalog.vendors.size_class import ORDER, SizeClass

# Who reads the funnel: the Pengelola, the auditor and the administrator of the tenant. It is the
# UMKM dashboard's right together with seeing every vendor, which exactly those three roles hold
# (a head of office reads the UMKM dashboard but not the onboarding of individual vendors).
PERMISSIONS = (Permission.DASHBOARD_UMKM, Permission.VENDOR_VIEW_ALL)

STEPS = ("registry", "invited", "claimed", "verified", "listed", "sold")
STEP_LABELS = {
    "registry": gettext_lazy("In the Dinas registry"),
    "invited": gettext_lazy("Invited"),
    "claimed": gettext_lazy("Claimed (has an account)"),
    "verified": gettext_lazy("Verified, with an account"),
    "listed": gettext_lazy("At least one listed product"),
    "sold": gettext_lazy("At least one sale"),
}
OUTSIDE_STEPS = ("registered", "claimed", "verified", "listed", "sold")
TREND_KEYS = ("invited", "claimed", "first_listing", "first_sale")
TREND_LABELS = {
    "invited": gettext_lazy("Invited"),
    "claimed": gettext_lazy("Claimed"),
    "first_listing": gettext_lazy("First listing"),
    "first_sale": gettext_lazy("First sale"),
}
WEEKS = 12


def _zero() -> dict[str, int]:
    return dict.fromkeys(STEPS, 0)


def _add(into: dict[str, int], row: dict) -> None:
    for step in STEPS:
        into[step] += row[step]


def _sales():
    """A sale: an order submitted to the vendor's side and not cancelled."""
    return Order.objects.filter(submitted_at__isnull=False).exclude(status=OrderStatus.CANCELLED)


GROUP = ("source", "district_id", "sector", "size_class")


def _grouped_rows(katalog: Katalog) -> list[dict]:
    """The six counts per (source, kecamatan, sector, size class), from two grouped queries:

    1. every vendor of the tenant: how many, how many invited, read from the vendor rollup that
       triggers keep equal to the vendors (katalog/insights/vendor_rollups.py), so the cost does not
       grow with the registry;
    2. only the vendors with an account, found from the accounts' side (the vendors with a user,
       by primary key): the later steps, whose subqueries (a listed product, a sale) then run for
       those few vendors, not for the whole registry; and those claimed without an invitation, who
       count as invited.

    The rows of both are merged on the group, so every figure is a sum of the same rows."""
    from .models import VendorRollup

    verified = Q(status=VendorStatus.VERIFIED)
    listed = verified & Q(Exists(Product.objects.filter(vendor_id=OuterRef("pk"), status=ProductStatus.LISTED)))
    sold = listed & Q(Exists(_sales().filter(vendor_id=OuterRef("pk"))))
    with_account = Vendor.users.through.objects.values("vendor_id")
    claimed = (
        Vendor.objects.filter(katalog=katalog, pk__in=with_account)
        .values(*GROUP)
        .annotate(
            uninvited=Count("pk", filter=Q(invited_at__isnull=True)),
            claimed=Count("pk"),
            verified=Count("pk", filter=verified),
            listed=Count("pk", filter=listed),
            sold=Count("pk", filter=sold),
        )
    )
    rows: dict[tuple, dict] = {}
    everyone = VendorRollup.objects.filter(katalog=katalog).exclude(vendors=0).order_by()
    for r in everyone.values("source", "district", "sector", "size_class", "vendors", "invited"):
        key = (r["source"], r["district"], r["sector"], r["size_class"])
        rows[key] = {
            "source": r["source"],
            "district_id": r["district"],
            "sector": r["sector"],
            "size_class": r["size_class"],
            "registry": r["vendors"],
            "invited": r["invited"],
            "claimed": 0,
            "verified": 0,
            "listed": 0,
            "sold": 0,
        }
    for row in claimed.order_by():
        merged = rows[(row["source"], row["district_id"] or "", row["sector"], row["size_class"])]
        merged["invited"] += row["uninvited"]  # got in by itself: reached all the same
        for step in STEPS[2:]:
            merged[step] = row[step]
    return list(rows.values())


@dataclass
class Line:
    value: str
    label: str
    counts: dict[str, int]

    def as_dict(self) -> dict:
        return {"value": self.value, "label": self.label, **self.counts}


def funnel(katalog: Katalog) -> dict:
    """The funnel of the tenant: totals, the line outside the registry, and the registry's funnel by
    kecamatan, sector and size class. Two grouped queries over the vendors, one for the names of
    the kecamatan."""
    rows = _grouped_rows(katalog)
    totals, outside = _zero(), _zero()
    by_district: dict[str, dict] = {}
    by_sector: dict[str, dict] = {}
    by_class: dict[str, dict] = {c: _zero() for c in ORDER}
    for row in rows:
        if row["source"] != VendorSource.IMPORT:
            _add(outside, row)
            continue
        _add(totals, row)
        _add(by_district.setdefault(row["district_id"] or "", _zero()), row)
        _add(by_sector.setdefault((row["sector"] or "").strip(), _zero()), row)
        _add(by_class.setdefault(row["size_class"], _zero()), row)

    districts = OrderedDict(
        (r.code, r.name)
        for r in Region.objects.filter(
            Q(parent_id=katalog.region_id, level=RegionLevel.DISTRICT) | Q(code__in=[c for c in by_district if c])
        ).order_by("code")
    )
    district_lines = [Line(code, name, by_district.get(code, _zero())) for code, name in districts.items()]
    if "" in by_district:
        district_lines.append(Line("", _("No kecamatan recorded"), by_district[""]))
    sector_lines = [
        Line(s, s or _("No sector recorded"), by_sector[s])
        for s in sorted(by_sector, key=lambda s: (s == "", -by_sector[s]["registry"], s.lower()))
    ]
    class_lines = [
        Line(str(c), str(SizeClass(c).label) if c in SizeClass.values else str(c), by_class[c]) for c in by_class
    ]
    # Outside the registry there is nobody to invite: the line starts with the vendors registered.
    outside_line = {"registered": outside["registry"], **{s: outside[s] for s in OUTSIDE_STEPS[1:]}}
    return {
        "totals": totals,
        "outside": outside_line,
        "by_kecamatan": district_lines,
        "by_sector": sector_lines,
        "by_size_class": class_lines,
    }


def shares(counts: dict[str, int]) -> list[dict]:
    """Each step with its count, its share of the registry and of the step before (None: nothing to divide by)."""
    out = []
    base = counts["registry"]
    previous = None
    for step in STEPS:
        n = counts[step]
        out.append(
            {
                "step": step,
                "label": STEP_LABELS[step],
                "count": n,
                "of_registry": (n / base) if base else None,
                "of_previous": (n / counts[previous]) if previous and counts[previous] else None,
            }
        )
        previous = step
    return out


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def trend(katalog: Katalog, *, weeks: int = WEEKS, today: date | None = None) -> list[dict]:
    """Per ISO week (Monday to Sunday in the city's time), the last `weeks` weeks, this one included,
    for the registry vendors: how many were invited (their latest invitation), claimed, listed their
    first product (the first approval of any of their products), made their first sale.

    Three queries: one counts invitations and claims per week with conditional counts over date
    ranges (the indexed columns, no date function per row); two group the approvals and the sales
    by vendor to find each vendor's first, kept only when it falls in the window."""
    today = today or timezone.localdate()
    first_monday = week_start(today) - timedelta(weeks=weeks - 1)
    mondays = [first_monday + timedelta(weeks=i) for i in range(weeks + 1)]
    bounds = [timezone.make_aware(datetime.combine(d, time.min)) for d in mondays]
    since = bounds[0]
    registry = Vendor.objects.filter(katalog=katalog, source=VendorSource.IMPORT)

    slots = []
    for monday in mondays[:-1]:
        year, number, _day = monday.isocalendar()
        slots.append({"week": f"{year}-W{number:02d}", "monday": monday, **dict.fromkeys(TREND_KEYS, 0)})

    counts = {}
    for key, column in (("invited", "invited_at"), ("claimed", "claimed_at")):
        for i in range(weeks):
            window = Q(**{f"{column}__gte": bounds[i], f"{column}__lt": bounds[i + 1]})
            counts[f"{key}_{i}"] = Count("pk", filter=window)
    totals = registry.filter(Q(invited_at__gte=since) | Q(claimed_at__gte=since)).aggregate(**counts)
    for i, slot in enumerate(slots):
        slot["invited"] = totals[f"invited_{i}"]
        slot["claimed"] = totals[f"claimed_{i}"]

    firsts = {
        "first_listing": ProductVersion.objects.filter(
            approved_at__isnull=False, product__vendor__katalog=katalog, product__vendor__source=VendorSource.IMPORT
        )
        .values(vendor=F("product__vendor_id"))
        .annotate(first=Min("approved_at")),
        "first_sale": _sales()
        .filter(katalog=katalog, vendor__source=VendorSource.IMPORT)
        .values("vendor")
        .annotate(first=Min("submitted_at")),
    }
    for key, qs in firsts.items():
        for first in qs.filter(first__gte=since).order_by().values_list("first", flat=True):
            i = bisect_right(bounds, first) - 1
            if 0 <= i < weeks:
                slots[i][key] += 1
    return slots
