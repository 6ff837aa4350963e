"""Figures for dashboards. Every total is computed from the records in the database; none is
stored (PRODUCT.md: the news report's hand-typed total did not add up)."""

from collections import OrderedDict

from django.db.models import Count
from django.db.models.functions import TruncMonth

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.vendors.models import SizeClassChange, Vendor, VendorStatus
from katalog.vendors.size_class import ORDER, SizeClass


def umkm_counts(katalog: Katalog) -> dict:
    """Verified vendors by size class, and by district and class, in one grouped query."""
    rows = (
        Vendor.objects.filter(katalog=katalog, status=VendorStatus.VERIFIED)
        .values("district_id", "size_class")
        .annotate(n=Count("id"))
    )
    districts = OrderedDict(
        (r.code, {"code": r.code, "name": r.name, "counts": dict.fromkeys(ORDER, 0), "total": 0})
        for r in Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT)
    )
    unknown = {"code": "", "name": None, "counts": dict.fromkeys(ORDER, 0), "total": 0}
    by_class = dict.fromkeys(ORDER, 0)
    for row in rows:
        slot = districts.get(row["district_id"], unknown)
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
    """Per month: how many vendors moved up a class (naik kelas) and how many moved down."""
    rows = (
        SizeClassChange.objects.filter(katalog=katalog)
        .exclude(old_class="")
        .annotate(month=TruncMonth("changed_on"))
        .values("month", "old_class", "new_class")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    per_month: OrderedDict = OrderedDict()
    for row in rows:
        slot = per_month.setdefault(row["month"], {"month": row["month"], "up": 0, "down": 0})
        up = ORDER.index(row["new_class"]) > ORDER.index(row["old_class"])
        slot["up" if up else "down"] += row["n"]
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
