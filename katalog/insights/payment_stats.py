"""Payment timeliness (issue 9, "Dashboards"): days from the BAST to payment by office (median,
worst, mean) and the invoices unpaid past the payment term (docs/decisions.md "Budget-line, payment
and vendor dashboards").

- Days are calendar days from the BAST (`received_at`, city time) to the invoice's first payment,
  as `buying.selectors.days_from_bast_to_payment` counts them; an order counts in the year of that
  first payment.
- The payment term is `KATALOG_UNPAID_FLAG_DAYS` (the one the Surat Pesanan prints and the worklist
  flags): an invoice still unpaid (state "invoiced") after more days than that is overdue. The
  overdue list is today's, whatever the year asked.
- Who reads what: the orders the actor may see (`orders_visible_to`); the Pengelola, the auditor
  and the administrator pick any office of the tenant; an office user (PA/KPA, PP, PPK, treasurer)
  only their own offices, and a PA/KPA is held to their office as on the spending page.
"""

from datetime import date
from statistics import mean, median

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Office
from katalog.buying.models import OrderStatus
from katalog.buying.selectors import orders_visible_to
from katalog.core.errors import NotAllowed, NotFound
from katalog.core.permissions import Permission, Role

from .spending import TENANT_ROLES

OFFICE_ROLES = (Role.BUDGET_OWNER, Role.PP, Role.PPK, Role.TREASURER)


def payment_term() -> int:
    return int(settings.KATALOG_UNPAID_FLAG_DAYS)


def scope_for(actor, office_code: str = "") -> Office | None:
    """The office the actor reads (None: every order they may see), from the code asked for; an
    unknown code is a NotFound for those who read the tenant, another office's a NotAllowed."""
    if actor.katalog is None or not actor.can(Permission.ORDER_VIEW):
        raise NotAllowed()
    code = (office_code or "").strip()
    if actor.roles & TENANT_ROLES or actor.can(Permission.ORDER_VIEW_ALL):
        if not code:
            return None
        office = Office.objects.filter(katalog=actor.katalog, code=code).first()
        if office is None:
            raise NotFound(_("No such office."))
        return office
    own = actor.offices_with(*OFFICE_ROLES)
    if code:
        for office in own:
            if office.code == code:
                return office
        raise NotAllowed(_("You may only read the figures of your own office."))
    heads = actor.offices_with(Role.BUDGET_OWNER)
    if heads:
        return next((o for o in heads if actor.office is not None and o.pk == actor.office.pk), heads[0])
    return None


def office_choices(actor) -> tuple[list[Office], bool]:
    """The offices the filter offers, and whether the office is forced (a PA/KPA)."""
    if actor.roles & TENANT_ROLES or actor.can(Permission.ORDER_VIEW_ALL):
        return list(Office.objects.filter(katalog=actor.katalog).order_by("code")), False
    if actor.offices_with(Role.BUDGET_OWNER):
        return actor.offices_with(Role.BUDGET_OWNER), True
    return actor.offices_with(*OFFICE_ROLES), False


def paid_days(orders, *, year: int | None = None) -> list[dict]:
    """(order id, office id, vendor id, days) of the paid orders with a BAST and a payment, the
    first payment in `year` when given; in one query."""
    qs = (
        orders.filter(status__in=[OrderStatus.PAID, OrderStatus.COMPLETED], received_at__isnull=False)
        .annotate(first_paid=Min("invoice__payments__paid_on"))
        .filter(first_paid__isnull=False)
    )
    if year is not None:
        qs = qs.filter(first_paid__gte=date(year, 1, 1), first_paid__lt=date(year + 1, 1, 1))
    rows = qs.values("pk", "office_id", "vendor_id", "received_at", "first_paid").order_by()
    return [
        {
            "order": r["pk"],
            "office_id": r["office_id"],
            "vendor_id": r["vendor_id"],
            "days": (r["first_paid"] - timezone.localdate(r["received_at"])).days,
        }
        for r in rows
    ]


def summary(days: list[int]) -> dict:
    return {
        "orders": len(days),
        "median": float(median(days)) if days else None,
        "mean": round(mean(days), 1) if days else None,
        "worst": max(days) if days else None,
    }


def timeliness(actor, *, year: int, office: Office | None = None, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    orders = orders_visible_to(actor)
    if office is not None:
        orders = orders.filter(office=office)
    rows = paid_days(orders, year=year)
    per_office: dict[int, list[int]] = {}
    for row in rows:
        per_office.setdefault(row["office_id"], []).append(row["days"])
    names = {o.pk: o for o in Office.objects.filter(pk__in=per_office)}
    by_office = [
        {"code": names[pk].code, "name": names[pk].name, **summary(days)}
        for pk, days in sorted(per_office.items(), key=lambda kv: names[kv[0]].code)
    ]
    term = payment_term()
    overdue = []
    invoiced = orders.filter(status=OrderStatus.INVOICED, invoice__isnull=False).select_related(
        "office", "vendor", "invoice"
    )
    for order in invoiced:
        waited = (today - timezone.localdate(order.invoice.issued_at)).days
        if waited > term:
            overdue.append(
                {
                    "order": order.pk,
                    "office": order.office.code,
                    "office_name": order.office.name,
                    "vendor": order.vendor.name,
                    "amount": int(order.invoice.total),
                    "issued_on": timezone.localdate(order.invoice.issued_at).isoformat(),
                    "days_waiting": waited,
                    "days_past_term": waited - term,
                }
            )
    overdue.sort(key=lambda r: (-r["days_waiting"], r["order"]))
    return {
        "year": year,
        "office": {"code": office.code, "name": office.name} if office is not None else None,
        "payment_term_days": term,
        **summary([r["days"] for r in rows]),
        "by_office": by_office,
        "overdue_count": len(overdue),
        "overdue_total": sum(r["amount"] for r in overdue),
        "overdue": overdue,
    }


def tables(data: dict) -> list[tuple[str, str, list[list]]]:
    offices = [[_("Code"), _("Office"), _("Orders paid"), _("Median days"), _("Average days"), _("Longest")]]
    for o in data["by_office"]:
        offices.append([o["code"], o["name"], o["orders"], o["median"], o["mean"], o["worst"]])
    offices.append(["", _("Total"), data["orders"], data["median"], data["mean"], data["worst"]])
    overdue = [[_("Order"), _("Office code"), _("Office"), _("Vendor"), _("Amount"), _("Invoice date")]]
    overdue[0] += [_("Days waiting"), _("Days past the term")]
    for r in data["overdue"]:
        overdue.append(
            [
                r["order"],
                r["office"],
                r["office_name"],
                r["vendor"],
                r["amount"],
                r["issued_on"],
                r["days_waiting"],
                r["days_past_term"],
            ]
        )
    return [("offices", _("Days to payment"), offices), ("overdue", _("Overdue invoices"), overdue)]


TABLE_KEYS = ("offices", "overdue")
