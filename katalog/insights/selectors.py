"""Figures for dashboards. Every total is computed from the records in the database (PRODUCT.md:
the news report's hand-typed total did not add up); the UMKM counts through rollups that database
triggers keep equal to the records (katalog/insights/vendor_rollups.py)."""

from collections import OrderedDict

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.vendors.size_class import ORDER, SizeClass


def umkm_counts(katalog: Katalog) -> dict:
    """Verified vendors by size class, and by district and class, from the vendor rollup (kept by
    triggers, katalog/insights/vendor_rollups.py): a few hundred rows whatever the registry's size."""
    from django.db.models import Sum

    from .models import VendorRollup

    rows = (
        VendorRollup.objects.filter(katalog=katalog, verified__gt=0)
        .values("district", "size_class")
        .annotate(n=Sum("verified"))
        .order_by()
    )
    districts = OrderedDict(
        (r.code, {"code": r.code, "name": r.name, "counts": dict.fromkeys(ORDER, 0), "total": 0})
        for r in Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT)
    )
    unknown = {"code": "", "name": None, "counts": dict.fromkeys(ORDER, 0), "total": 0}
    by_class = dict.fromkeys(ORDER, 0)
    for row in rows:
        slot = districts.get(row["district"], unknown)
        slot["counts"][row["size_class"]] += row["n"]
        slot["total"] += row["n"]
        by_class[row["size_class"]] += row["n"]
    district_list = list(districts.values()) + ([unknown] if unknown["total"] else [])
    return {
        "by_class": [{"size_class": c, "label": SizeClass(c).label, "count": by_class[c]} for c in ORDER],
        "total": sum(by_class.values()),
        "umk": by_class[SizeClass.MIKRO] + by_class[SizeClass.KECIL],
        "by_district": district_list,
    }


def class_changes(katalog: Katalog, *, months: int = 24) -> list[dict]:
    """Per month: how many vendors moved up a class (naik kelas) and how many moved down (from the
    size-change rollup, kept by triggers on the history)."""
    from .models import SizeChangeRollup

    rows = (
        SizeChangeRollup.objects.filter(katalog=katalog)
        .exclude(count=0)
        .values("month", "old_class", "new_class", "count")
        .order_by("month")
    )
    per_month: OrderedDict = OrderedDict()
    for row in rows:
        slot = per_month.setdefault(row["month"], {"month": row["month"], "up": 0, "down": 0})
        up = ORDER.index(row["new_class"]) > ORDER.index(row["old_class"])
        slot["up" if up else "down"] += row["count"]
    return list(per_month.values())[-months:]


def audit_entries(katalog: Katalog, *, action: str = "", object_type: str = "", limit: int = 200):
    """The tenant's audit log, newest first (the auditor and the administrator read it)."""
    from katalog.core.models import AuditLog

    qs = AuditLog.objects.filter(katalog=katalog).select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return list(qs.order_by("-at", "-id")[:limit])


def price_jump_flags(katalog: Katalog, *, limit: int = 200):
    """Prices raised more than the allowed jump within the window (a KPK red flag), newest first."""
    from katalog.catalogue.models import ProductFlag

    return list(
        ProductFlag.objects.filter(katalog=katalog)
        .select_related("product__vendor", "version")
        .order_by("-created_at")[:limit]
    )
