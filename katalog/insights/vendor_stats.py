"""The vendor's own dashboard (issue 9, "Dashboards"): for the business the signed-in Penyedia acts
for (`vendors.selectors.own_vendor`), its sales by month, its orders by state, its ratings, how
long it waited for its money and its size-class history (docs/decisions.md "Budget-line, payment
and vendor dashboards").

- Sales are the spending dashboard's "committed" orders (submitted, not cancelled; DPP + PPN, whole
  rupiah) by month of submission in the year asked; "realised" the part paid.
- Orders by state: every order sent to the vendor (as the vendor sees them in its list), whatever
  the year, by the state it is in now; drafts the buyer never sent are not the vendor's business.
- Ratings: the average of the four scores (quality, timeliness, service, price), each also apart.
- Days to payment: BAST to first payment (`payment_stats.paid_days`), every year.
"""

from collections import OrderedDict

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from katalog.buying.models import Order, OrderStatus, Rating
from katalog.vendors.models import SizeClassChange, Vendor
from katalog.vendors.size_class import SizeClass

from .payment_stats import paid_days, summary
from .spending import _month_key, committed_orders, year_bounds

_MONEY = DecimalField(max_digits=20, decimal_places=2)
SCORES = ("quality", "timeliness", "service", "price")


def _label(size: str) -> str:
    return str(SizeClass(size).label) if size in SizeClass.values else size


def vendor_figures(vendor: Vendor, *, year: int) -> dict:
    start, end = year_bounds(year)
    orders = committed_orders(vendor.katalog, start=start, end=end).filter(vendor=vendor)
    value = ExpressionWrapper(F("total") + F("vat"), output_field=_MONEY)
    months = OrderedDict(
        (f"{year:04d}-{m:02d}", {"month": f"{year:04d}-{m:02d}", "total": 0, "count": 0, "realised": 0})
        for m in range(1, 13)
    )
    rows = (
        orders.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(value=Sum(value), n=Count("pk"), realised=Sum(value, filter=Q(paid_at__isnull=False)))
        .order_by()
    )
    for row in rows:
        slot = months[_month_key(row["month"])]
        slot["total"] += int(row["value"] or 0)
        slot["count"] += row["n"]
        slot["realised"] += int(row["realised"] or 0)
    by_month = list(months.values())

    counts = dict(
        Order.objects.filter(vendor=vendor, sent_to_vendor_at__isnull=False)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_state = [
        {"state": s.value, "label": str(s.label), "count": counts.get(s.value, 0)}
        for s in OrderStatus
        if s not in (OrderStatus.DRAFT,)
    ]

    agg = Rating.objects.filter(vendor=vendor).aggregate(
        count=Count("pk"),
        average=Avg((F("quality") + F("timeliness") + F("service") + F("price")) / 4.0),
        **{s: Avg(s) for s in SCORES},
    )
    ratings = {
        "count": agg["count"],
        "average": round(float(agg["average"]), 2) if agg["average"] is not None else None,
        **{s: round(float(agg[s]), 2) if agg[s] is not None else None for s in SCORES},
    }

    days = [r["days"] for r in paid_days(Order.objects.filter(vendor=vendor))]
    history = [
        {
            "changed_on": c.changed_on.isoformat(),
            "old_class": c.old_class,
            "old_label": _label(c.old_class) if c.old_class else "",
            "new_class": c.new_class,
            "new_label": _label(c.new_class),
            "reason": c.reason,
        }
        for c in SizeClassChange.objects.filter(vendor=vendor).order_by("changed_on", "id")
    ]
    return {
        "year": year,
        "vendor": {"id": vendor.pk, "name": vendor.name, "size_class": vendor.size_class},
        "total": sum(m["total"] for m in by_month),
        "count": sum(m["count"] for m in by_month),
        "realised": sum(m["realised"] for m in by_month),
        "by_month": by_month,
        "by_state": by_state,
        "ratings": ratings,
        "payment_days": summary(days),
        "size_history": history,
    }


def tables(data: dict) -> list[tuple[str, str, list[list]]]:
    months = [[_("Month"), _("Sales (committed)"), _("Orders"), _("Realised (paid)")]]
    months += [[m["month"], m["total"], m["count"], m["realised"]] for m in data["by_month"]]
    months.append([_("Total"), data["total"], data["count"], data["realised"]])
    states = [[_("State"), _("Label"), _("Orders")]]
    states += [[s["state"], s["label"], s["count"]] for s in data["by_state"]]
    r, p = data["ratings"], data["payment_days"]
    summary_rows = [
        [_("Measure"), _("Value")],
        [_("Ratings"), r["count"]],
        [_("Average score (1–5)"), r["average"]],
        [_("Quality"), r["quality"]],
        [_("Timeliness"), r["timeliness"]],
        [_("Service"), r["service"]],
        [_("Price"), r["price"]],
        [_("Orders paid"), p["orders"]],
        [_("Median days from BAST to payment"), p["median"]],
        [_("Longest"), p["worst"]],
    ]
    history = [[_("Date"), _("From"), _("To"), _("Reason")]]
    history += [[h["changed_on"], h["old_label"], h["new_label"], h["reason"]] for h in data["size_history"]]
    return [
        ("months", _("Sales by month"), months),
        ("states", _("Orders by state"), states),
        ("summary", _("Ratings and payment"), summary_rows),
        ("size_history", _("Size class history"), history),
    ]


TABLE_KEYS = ("months", "states", "summary", "size_history")
