"""The figures of the public page /transparansi/ (issue 9, docs/decisions.md "Open data (OCDS)").

Small queries of their own (the internal dashboards have theirs in spending.py), on the same rules:

- an order counts as spending once submitted and while not cancelled; its value is what the budget
  pays, DPP + PPN (`total + vat`), in whole rupiah;
- UMK are the micro and small vendors (`size_class.is_umk`, the class now); the 40% target of Perpres
  12/2021 Pasal 65 is over that value;
- a "UMKM selling" is a vendor of a micro, small or medium class with at least one such order;
- a completed purchase is a paid order (paid or completed).

Every list adds up to its total: the offices and the size classes exactly; the categories (over the
order lines, before PPN) with a last line for the PPN. Only what is public is read: office and vendor
names, items, amounts and dates; never a person, a phone number, an address, an e-mail or a document.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.utils.translation import gettext as _

from katalog.buying.models import Order, OrderItem, OrderStatus
from katalog.catalogue.models import Category
from katalog.core.models import Katalog
from katalog.vendors.size_class import ORDER, SizeClass, is_umk

TARGET = Decimal("0.4")
_MONEY = DecimalField(max_digits=20, decimal_places=2)
UMKM_CLASSES = (SizeClass.MIKRO, SizeClass.KECIL, SizeClass.MENENGAH)
PAGE_SIZE = 25


def committed(katalog: Katalog):
    return Order.objects.filter(katalog=katalog, submitted_at__isnull=False).exclude(status=OrderStatus.CANCELLED)


def _value():
    return ExpressionWrapper(F("total") + F("vat"), output_field=_MONEY)


def _whole(value) -> int:
    return int(Decimal(value or 0))


def by_office(katalog: Katalog) -> list[dict]:
    rows = (
        committed(katalog)
        .values("office__code", "office__name")
        .annotate(total=Sum(_value()), count=Count("pk"))
        .order_by("office__code")
    )
    out = [
        {"code": r["office__code"], "name": r["office__name"], "total": _whole(r["total"]), "count": r["count"]}
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r["total"], r["code"]))


def by_size_class(katalog: Katalog) -> list[dict]:
    rows = {
        r["vendor__size_class"]: r
        for r in committed(katalog).values("vendor__size_class").annotate(total=Sum(_value()), count=Count("pk"))
    }
    return [
        {
            "size_class": size.value,
            "label": str(size.label),
            "total": _whole(rows.get(size, {}).get("total")),
            "count": rows.get(size, {}).get("count", 0),
            "umk": is_umk(size),
        }
        for size in ORDER
    ]


def by_category(katalog: Katalog, total: int) -> list[dict]:
    """Spending by top-level category, over the order lines (goods and shipping, before PPN), then a
    line for the PPN (and any rounding) so that the lines add up to `total`."""
    parents = dict(Category.objects.filter(katalog=katalog).values_list("pk", "parent_id"))
    names = dict(Category.objects.filter(katalog=katalog).values_list("pk", "name"))

    def root(pk):
        seen = 0
        while parents.get(pk) and seen < 5:
            pk, seen = parents[pk], seen + 1
        return pk

    lines = (
        OrderItem.objects.filter(order__in=committed(katalog))
        .values("version__category")
        .annotate(
            value=Sum(ExpressionWrapper(F("unit_price") * F("quantity") + F("shipping_cost"), output_field=_MONEY))
        )
    )
    sums: dict[int, int] = {}
    for row in lines:
        key = root(row["version__category"])
        sums[key] = sums.get(key, 0) + _whole(row["value"])
    out = [{"name": names.get(k, "?"), "total": v} for k, v in sums.items()]
    out.sort(key=lambda r: (-r["total"], r["name"]))
    rest = total - sum(r["total"] for r in out)
    if rest:
        out.append({"name": _("VAT (PPN)"), "total": rest, "is_tax": True})
    return out


def umkm_selling(katalog: Katalog) -> int:
    return committed(katalog).filter(vendor__size_class__in=UMKM_CLASSES).values("vendor_id").distinct().count()


def figures(katalog: Katalog) -> dict:
    offices = by_office(katalog)
    sizes = by_size_class(katalog)
    total = sum(s["total"] for s in sizes)
    umk_total = sum(s["total"] for s in sizes if s["umk"])
    share = umk_total / total if total else 0.0
    return {
        "total": total,
        "count": sum(s["count"] for s in sizes),
        "umk_total": umk_total,
        "umk_share": share,
        "umk_percent": round(share * 100, 1),
        "target_percent": int(TARGET * 100),
        "meets_target": total > 0 and Decimal(umk_total) >= TARGET * total,
        "by_office": offices,
        "by_size_class": sizes,
        "by_category": by_category(katalog, total),
        "umkm_selling": umkm_selling(katalog),
    }


def completed_purchases(katalog: Katalog):
    """The paid orders, newest payment first (a queryset for a paginator)."""
    return (
        Order.objects.filter(katalog=katalog, status__in=(OrderStatus.PAID, OrderStatus.COMPLETED))
        .select_related("office", "vendor")
        .prefetch_related("items__version")
        .order_by("-paid_at", "-pk")
    )


def purchase_row(order: Order) -> dict:
    return {
        "number": order.pk,
        "office": order.office.name,
        "vendor": order.vendor.name,
        "size_class": order.vendor.get_size_class_display(),
        "items": [
            {"name": i.version.name, "quantity": i.quantity, "unit": i.version.unit, "unit_price": i.unit_price}
            for i in sorted(order.items.all(), key=lambda i: i.pk)
            if i.quantity
        ],
        "amount": _whole(Decimal(order.total or 0) + Decimal(order.vat or 0)),
        "ordered_on": order.approved_at or order.submitted_at,
        "paid_on": order.paid_at,
    }
