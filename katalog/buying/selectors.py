"""Reads of orders and budget lines, scoped to the acting user. An order another office or
another vendor may not see is a 404. Reads never write: an overdue order is shown as expiring
and the task worker cancels it (services.expire_overdue)."""

from statistics import mean, median

from django.conf import settings
from django.db.models import Avg, Count, F, QuerySet
from django.http import Http404
from django.utils import timezone

from katalog.accounts.selectors import Actor
from katalog.core import prepared
from katalog.core.models import LocalDayOff
from katalog.core.permissions import Permission, Role

from . import services, workflow
from .models import BudgetLine, CartItem, Notification, OfferSide, Order, OrderItem, OrderStatus, Rating
from .services import changed_items, parties_of

S = OrderStatus


def _visibility(actor: Actor) -> tuple[bool, bool, list[int]] | None:
    """What decides which orders the actor sees: (every order of the tenant, the vendor's orders,
    the ids of the offices whose orders), or None for none."""
    if not actor.is_authenticated or actor.katalog is None:
        return None
    if actor.can(Permission.ORDER_VIEW_ALL):
        return True, False, []
    if not actor.can(Permission.ORDER_VIEW):
        return None
    # The orders of every office where the user holds an office role (actions stay per office).
    offices = [o.pk for o in actor.offices_with(Role.PP, Role.PPK, Role.TREASURER, Role.BUDGET_OWNER)]
    vendor = Role.VENDOR in actor.roles
    if not offices and not vendor:
        return None
    return False, vendor, offices


def _visible(katalog_id: int, user_id: int, every: bool, vendor: bool, offices: list[int]) -> QuerySet[Order]:
    qs = Order.objects.filter(katalog_id=katalog_id)
    if every:
        return qs
    # A vendor sees an order once it was sent to it (an offer or the submission), never a draft.
    vendor_orders = qs.filter(vendor__users=user_id, sent_to_vendor_at__isnull=False)
    if offices:
        office_orders = qs.filter(office_id__in=offices)
        return office_orders | vendor_orders if vendor else office_orders
    return vendor_orders


def orders_visible_to(actor: Actor) -> QuerySet[Order]:
    scope = _visibility(actor)
    if scope is None:
        return Order.objects.none()
    return _visible(actor.katalog.pk, actor.user.pk, *scope)


def _order_by_pk(shape: tuple, katalog_id: int, user_id: int, pk: int, *offices: int) -> QuerySet[Order]:
    every, vendor, _count = shape
    return _visible(katalog_id, user_id, every, vendor, list(offices)).filter(pk=pk).order_by()[:1]


def get_order(actor: Actor, pk: int) -> Order:
    order = (
        orders_visible_to(actor)
        .select_related("vendor", "office", "budget_line", "created_by", "approver", "katalog")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


def order_to_act_on(actor: Actor, pk: int) -> Order:
    """The order a transition is asked for: the same visibility as `get_order` (another office's or
    another vendor's order is a 404), but the order's row alone. The service locks it and reads what
    it needs with the lock (`services.base._lock`); the relations the actor already holds are attached
    here so they are neither joined nor read again: the tenant (the lookup is scoped to it), the
    office when it is one of the actor's, the creator when it is the actor."""
    scope = _visibility(actor)
    if scope is None:
        raise Http404
    every, vendor, offices = scope
    shape = (every, vendor, len(offices))
    found = prepared.fetch(Order, _order_by_pk, actor.katalog.pk, actor.user.pk, pk, *offices, shape=shape)
    order = found[0] if found else None
    if order is None:
        raise Http404
    Order.katalog.field.set_cached_value(order, actor.katalog)
    office = next((o for o, _role in actor.office_roles if o.pk == order.office_id), None)
    if office is not None:
        Order.office.field.set_cached_value(order, office)
    if order.created_by_id == actor.user.pk:
        Order.created_by.field.set_cached_value(order, actor.user)
    return order


def stock_holders(product_id: int) -> list[str]:
    """The orders holding a product's reserved stock, as "#12 (30)", for the vendor's message."""
    rows = (
        OrderItem.objects.filter(
            product_id=product_id,
            order__status__in=[
                OrderStatus.AWAITING_APPROVAL,
                OrderStatus.AWAITING_CONFIRMATION,
                OrderStatus.IN_PROGRESS,
            ],
        )
        .order_by("order_id")
        .values_list("order_id", "quantity", "delivered_quantity")
    )
    return [f"#{order_id} ({quantity - delivered})" for order_id, quantity, delivered in rows if quantity > delivered]


def _budget_offices(actor: Actor) -> list[int] | None:
    """The offices whose budget lines the actor sees (None: every line of the tenant)."""
    if actor.can(Permission.BUDGET_MANAGE) or actor.can(Permission.ORDER_VIEW_ALL):
        return None
    return [o.pk for o in actor.offices_with(Role.PP, Role.PPK, Role.BUDGET_OWNER, Role.TREASURER)]


def budget_lines_for(actor: Actor) -> QuerySet[BudgetLine]:
    """The lines this user may see: those of every office where they hold an office role; every line
    for those who manage them. Which of them a buyer may charge is `buyable_lines_for`."""
    if actor.katalog is None:
        return BudgetLine.objects.none()
    qs = BudgetLine.objects.filter(katalog=actor.katalog).select_related("office")
    offices = _budget_offices(actor)
    if offices is None:
        return qs
    return qs.filter(office_id__in=offices) if offices else BudgetLine.objects.none()


def buying_office(actor: Actor):
    """The office this user buys for now: the acting office when they hold a buyer role there (PP or
    PPK), else the first office where they do; None for a user who buys nowhere."""
    offices = actor.offices_with(Role.PP, Role.PPK)
    if actor.office is not None and any(o.pk == actor.office.pk for o in offices):
        return actor.office
    return offices[0] if offices else None


def buyable_lines_for(actor: Actor) -> QuerySet[BudgetLine]:
    """The budget lines a buyer may charge from the pages: those of the office they act for."""
    office = buying_office(actor)
    if actor.katalog is None or office is None:
        return BudgetLine.objects.none()
    return BudgetLine.objects.filter(katalog=actor.katalog, office=office).select_related("office")


def _line_by_code(shape: int, katalog_id: int, kode_rup: str, *offices: int) -> QuerySet[BudgetLine]:
    """`budget_lines_for`'s line by its code: of every office (shape -1) or of `offices`."""
    qs = BudgetLine.objects.filter(katalog_id=katalog_id, kode_rup=kode_rup)
    return (qs if shape < 0 else qs.filter(office_id__in=offices)).order_by()[:1]


def get_budget_line(actor: Actor, kode_rup: str) -> BudgetLine:
    """A line this user may see (`budget_lines_for`) by its code (unique in the tenant), else a 404.
    Its office is one of the actor's for whoever may buy on it: taken from the actor, not joined
    (another office is read when asked for)."""
    offices = _budget_offices(actor) if actor.katalog is not None else []
    if offices == []:
        raise Http404
    shape = -1 if offices is None else len(offices)
    found = prepared.fetch(BudgetLine, _line_by_code, actor.katalog.pk, kode_rup, *(offices or ()), shape=shape)
    line = found[0] if found else None
    if line is None:
        raise Http404
    office = next((o for o, _role in actor.office_roles if o.pk == line.office_id), None)
    if office is not None:
        BudgetLine.office.field.set_cached_value(line, office)
    return line


def cart_of(actor: Actor) -> QuerySet[CartItem]:
    if not actor.is_authenticated or actor.katalog is None:
        return CartItem.objects.none()
    return CartItem.objects.filter(buyer=actor.user, katalog=actor.katalog).select_related(
        "product__listed_version", "product__vendor"
    )


def notifications_of(actor: Actor) -> QuerySet[Notification]:
    if not actor.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=actor.user)


def unread_count(actor: Actor) -> int:
    return notifications_of(actor).filter(read_at__isnull=True).count()


def _items_with_products(order: Order) -> list[OrderItem] | None:
    """The items the service has just read with their products (`order.loaded_items`), or None."""
    loaded = getattr(order, "loaded_items", None)
    if loaded is not None and all(OrderItem.product.is_cached(i) for i in loaded):
        return loaded
    return None


def order_actions(actor: Actor, order: Order) -> list[str]:
    """The actions to offer this actor on this order: what the workflow table allows this party
    now, less what the service would refuse anyway (an offer the actor made itself waits for the
    other side; another PPK is assigned; a partly delivered order cannot be cancelled), plus the
    vendor's one reply to a rating. A pure read: the services still decide."""

    parties = parties_of(actor, order)
    actions = workflow.actions_for(status=order.status, parties=parties)
    if order.status == S.NEGOTIATING:
        last = order.offers.last()
        side = OfferSide.VENDOR if workflow.VENDOR in parties else OfferSide.BUYER
        if last is not None and last.side == side:
            actions = [a for a in actions if a not in (workflow.COUNTER, workflow.ACCEPT)]
    if order.status == S.AWAITING_APPROVAL and order.approver_id and order.approver_id != actor.user.pk:
        actions = [a for a in actions if a != workflow.APPROVE]
    if order.created_by_id == actor.user.pk and not services.pp_may_approve():  # PP and PPK: two people
        actions = [a for a in actions if a != workflow.APPROVE]
    if order.status == S.IN_PROGRESS and order.items.filter(delivered_quantity__gt=0).exists():
        actions = [a for a in actions if a not in (workflow.CANCEL, workflow.REQUEST_CANCEL)]
    if workflow.REFUSE in actions and not order.items.filter(delivered_quantity__gt=0).exists():
        actions = [a for a in actions if a != workflow.REFUSE]
    requested = order.cancel_requested_at is not None
    actions = [
        a
        for a in actions
        if not (a == workflow.REQUEST_CANCEL and requested) and not (a == workflow.DECLINE_CANCEL and not requested)
    ]
    if workflow.REPRICE in actions and not changed_items(order, _items_with_products(order)):
        actions = [a for a in actions if a != workflow.REPRICE]
    if services.is_overdue(order):  # the worker cancels it any moment: nothing more to do here
        actions = [a for a in actions if a == workflow.CANCEL]
    rating = getattr(order, "rating", None) if order.status == S.COMPLETED else None
    if rating is not None and rating.replied_at is None and workflow.VENDOR in parties:
        actions.append("reply")
    return actions


def days_from_bast_to_payment(order: Order) -> int | None:
    """Calendar days from the BAST to the first payment (how long a UMKM waited for its money)."""
    if order.received_at is None or not hasattr(order, "invoice"):
        return None
    first = order.invoice.payments.order_by("paid_on").first()
    if first is None:
        return None
    return (first.paid_on - timezone.localdate(order.received_at)).days


def days_off_of(actor: Actor):
    """The tenant's own days off (those who manage the calendar)."""
    if actor.katalog is None or not actor.can(Permission.DAYS_OFF_MANAGE):
        return LocalDayOff.objects.none()
    return LocalDayOff.objects.filter(katalog=actor.katalog)


def unpaid_overdue(order: Order, *, today=None) -> int | None:
    """Days an invoice has waited beyond KATALOG_UNPAID_FLAG_DAYS, or None when it is not overdue
    (slow payment drives micro vendors away: PRODUCT.md)."""
    if order.status != S.INVOICED or not hasattr(order, "invoice"):
        return None
    waited = ((today or timezone.localdate()) - timezone.localdate(order.invoice.issued_at)).days
    return waited if waited > settings.KATALOG_UNPAID_FLAG_DAYS else None


def payment_report(actor: Actor, *, today=None) -> dict:
    """Days from BAST to payment of the paid orders this actor may see, per office, and the
    invoices unpaid past the limit. Computed from the orders and payments, never stored."""
    today = today or timezone.localdate()
    qs = orders_visible_to(actor).select_related("office", "vendor", "invoice")
    paid = qs.filter(status__in=[S.PAID, S.COMPLETED], received_at__isnull=False).prefetch_related("invoice__payments")
    per_office: dict[str, dict] = {}
    for order in paid:
        days = days_from_bast_to_payment(order)
        if days is None:
            continue
        slot = per_office.setdefault(order.office.code, {"office": order.office, "days": []})
        slot["days"].append(days)
    offices = [
        {
            "office": s["office"],
            "orders": len(s["days"]),
            "mean": round(mean(s["days"]), 1),
            "median": median(s["days"]),
            "max": max(s["days"]),
        }
        for _code, s in sorted(per_office.items())
    ]
    overdue = []
    for order in qs.filter(status=S.INVOICED):
        waited = unpaid_overdue(order, today=today)
        if waited is not None:
            overdue.append({"order": order, "days": waited})
    overdue.sort(key=lambda row: -row["days"])
    return {"offices": offices, "overdue": overdue}


def vendor_rating_summary(vendor) -> dict:
    """The vendor's average score (the mean of quality, timeliness, service and price), how many
    ratings, and the latest ones with the vendor's replies: for its storefront."""
    ratings = Rating.objects.filter(vendor=vendor)
    summary = ratings.aggregate(
        count=Count("id"), average=Avg((F("quality") + F("timeliness") + F("service") + F("price")) / 4.0)
    )
    average = summary["average"]
    return {
        "count": summary["count"],
        "average": round(float(average), 1) if average is not None else None,
        "latest": list(ratings.order_by("-created_at")[:5]),
    }
