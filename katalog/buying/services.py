"""Every write of e-purchasing. Each transition is one service: it loads the order under lock,
asks the workflow table whether this party may do it now, does the work in one transaction,
writes the audit entry, and notifies the next person after commit."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Membership
from katalog.accounts.selectors import Actor
from katalog.catalogue.models import Product, ProductStatus
from katalog.core import audit
from katalog.core.calendar import add_working_days
from katalog.core.errors import Conflict, NotAllowed, ValidationFailed
from katalog.core.money import format_rupiah, whole_rupiah
from katalog.core.permissions import Role
from katalog.vendors.models import Vendor, VendorStatus

from . import documents, locks, notifications, taxes, workflow
from .models import (
    BudgetLine,
    CartItem,
    Delivery,
    DeliveryAddress,
    DeliveryLine,
    DocumentKind,
    Invoice,
    Notification,
    Offer,
    OfferSide,
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentMethod,
    Rating,
    ReceiptCheck,
    Refusal,
    RefusalMode,
)

S = OrderStatus
logger = logging.getLogger(__name__)


def parties_of(actor: Actor, order: Order) -> frozenset[str]:
    """How the actor stands to this order (see workflow.py)."""
    parties: set[str] = set()
    if actor.katalog is None or order.katalog_id != actor.katalog.pk:
        return frozenset()
    same_office = actor.office is not None and actor.office.pk == order.office_id
    if same_office and actor.roles & {Role.PP, Role.PPK}:
        parties.add(workflow.BUYER)
    if same_office and Role.PPK in actor.roles:
        parties.add(workflow.PPK)
    if same_office and Role.TREASURER in actor.roles:
        parties.add(workflow.TREASURER)
    if Role.VENDOR in actor.roles and actor.is_authenticated and order.vendor.users.filter(pk=actor.user.pk).exists():
        parties.add(workflow.VENDOR)
    return frozenset(parties)


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("vendor", "office", "budget_line", "katalog", "approver")
        .get(pk=order.pk)
    )


def _move(*, actor: Actor | None, order: Order, action: str, parties: frozenset[str]) -> tuple[Order, str]:
    """Check the table and return the locked order with its old status."""
    order = _lock(order)
    target = workflow.check(status=order.status, action=action, parties=parties)
    old = order.status
    if target is not None:
        order.status = target
    return order, old


def _done(*, actor: Actor | None, order: Order, old: str, action: str, **data) -> Order:
    order.save()
    audit.record(
        actor=actor.user if actor else None,
        action=f"order.{action}",
        obj=order,
        katalog=order.katalog,
        old=old,
        new=order.status,
        **data,
    )
    return order


def _tax(order: Order, dpp: Decimal) -> taxes.Vat:
    return taxes.vat_of(dpp, pkp=order.vendor.is_vat_registered)


def amount_to_commit(order: Order, items=None) -> Decimal:
    """What the order will cost the budget: items and shipping (the DPP), plus PPN when the
    vendor is a PKP (buying/taxes.py), whole rupiah."""
    dpp = sum((i.line_total for i in (items if items is not None else order.items.all())), Decimal(0))
    return _tax(order, dpp).total


def _recompute_total(order: Order, items=None) -> None:
    """The order's DPP and PPN from its lines (whole rupiah)."""
    vat = _tax(order, sum((i.line_total for i in (items if items is not None else order.items.all())), Decimal(0)))
    order.total, order.vat = vat.dpp, vat.vat


def _bounded_total(total: Decimal) -> None:
    if total > settings.KATALOG_MAX_MONEY:
        raise ValidationFailed(
            _("An order may not exceed %(max)s.") % {"max": format_rupiah(settings.KATALOG_MAX_MONEY)},
            code="too_large",
            fields={"quantity": [_("The order is too large.")]},
        )


def _quantity(value, field: str = "quantity") -> int:
    """A quantity as every input bounds it: a whole number from 1 to KATALOG_MAX_QUANTITY."""
    try:
        quantity = int(value)
    except (TypeError, ValueError, OverflowError):
        quantity = 0
    if (
        isinstance(value, bool)
        or not 1 <= quantity <= settings.KATALOG_MAX_QUANTITY
        or str(value).strip() != str(quantity)
    ):
        message = _("The quantity must be a whole number from 1 to %(max)s.") % {
            "max": f"{settings.KATALOG_MAX_QUANTITY:,}".replace(",", ".")
        }
        raise ValidationFailed(message, code="invalid", fields={field: [message]})
    return quantity


def _money(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount as every input bounds it: whole rupiah, above zero (or zero where allowed), at most
    KATALOG_MAX_MONEY."""
    try:
        amount = Decimal(str(value).strip())
        valid = amount.is_finite() and amount == amount.to_integral_value()
    except (ArithmeticError, ValueError, TypeError):
        valid = False
    if valid and (amount > 0 or (allow_zero and amount == 0)) and amount <= settings.KATALOG_MAX_MONEY:
        return whole_rupiah(amount)
    message = _("Write a whole amount in rupiah from %(min)s to %(max)s.") % {
        "min": "Rp0" if allow_zero else "Rp1",
        "max": format_rupiah(settings.KATALOG_MAX_MONEY),
    }
    raise ValidationFailed(message, code="invalid", fields={field: [message]})


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        message = _("At most %(n)s characters.") % {"n": limit}
        raise ValidationFailed(message, code="invalid", fields={field: [message]})
    return value


def _reason(value: str) -> str:
    reason = _text(value, "reason", 1000)
    if not reason:
        raise ValidationFailed(
            _("Please write the reason."), code="reason_required", fields={"reason": [_("This field is required.")]}
        )
    return reason


def _check_date(day: date, *, field: str, after: date | None, after_label, today: date | None = None) -> date:
    """A date no earlier than `after` (the order's own history) and no later than today (WIB)."""
    today = today or timezone.localdate()
    if day > today:
        message = _("This date is in the future; today is %(today)s.") % {"today": today.strftime("%d-%m-%Y")}
        raise ValidationFailed(message, code="date_in_future", fields={field: [message]})
    if after is not None and day < after:
        message = _("This date is before %(what)s (%(day)s).") % {
            "what": after_label,
            "day": after.strftime("%d-%m-%Y"),
        }
        raise ValidationFailed(message, code="date_too_early", fields={field: [message]})
    return day


def _unit_price(version) -> Decimal:
    """A listed price as an order carries it: whole rupiah, never above the ceiling."""
    return whole_rupiah(version.price, down=True)


# --- Creating an order -------------------------------------------------------------------------------


@dataclass
class ItemRequest:
    product_id: int
    quantity: int


def _office_ppk(order_office) -> object | None:
    m = Membership.objects.filter(office=order_office, role=Role.PPK).select_related("user").order_by("pk").first()
    return m.user if m else None


@transaction.atomic
def order_create(
    *, actor: Actor, budget_line: BudgetLine, items: list[ItemRequest], addresses: list[str], note: str = ""
) -> Order:
    """A draft order from one vendor's listed products. Drafts reserve nothing; the vendor does not
    see them. One transaction: a refusal saves nothing."""
    if actor.office is None or not actor.roles & {Role.PP, Role.PPK}:
        raise NotAllowed(_("Only a PP or PPK of an office can buy."))
    if budget_line.office_id != actor.office.pk:
        raise NotAllowed(_("This budget line belongs to another office."))
    if not items:
        raise ValidationFailed(_("Add at least one product."), fields={"items": [_("Add at least one product.")]})
    if len(items) > 100:
        raise ValidationFailed(_("An order holds at most 100 lines."), fields={"items": [_("At most 100 lines.")]})
    wanted: dict[int, int] = {}
    for i in items:
        wanted[i.product_id] = wanted.get(i.product_id, 0) + _quantity(i.quantity)
    for quantity in wanted.values():
        _quantity(quantity)
    note = _text(note, "note", 1000)
    addresses = [a.strip() for a in addresses if a and a.strip()]
    if not addresses:
        raise ValidationFailed(
            _("Give a delivery address."), code="invalid", fields={"delivery_address": [_("This field is required.")]}
        )
    if len(addresses) > 20 or any(len(a) > 300 for a in addresses):
        message = _("At most 20 addresses of at most 300 characters each.")
        raise ValidationFailed(message, code="invalid", fields={"delivery_address": [message]})
    products = {
        p.pk: p
        for p in Product.objects.filter(
            pk__in=list(wanted),
            katalog=actor.katalog,
            status=ProductStatus.LISTED,
            vendor__status=VendorStatus.VERIFIED,
        ).select_related("listed_version", "vendor")
    }
    missing = [pid for pid in wanted if pid not in products]
    if missing:
        raise ValidationFailed(
            _("These products are not on sale: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="product_unavailable",
        )
    vendors = {p.vendor_id for p in products.values()}
    if len(vendors) != 1:
        raise ValidationFailed(_("One order holds the products of one vendor."), code="several_vendors")
    for product_id, quantity in wanted.items():
        product = products[product_id]
        version = product.listed_version
        if quantity < version.min_order:
            raise ValidationFailed(
                _("The minimum order of “%(name)s” is %(n)s %(unit)s.")
                % {"name": version.name, "n": version.min_order, "unit": version.unit},
                code="below_minimum",
                fields={"quantity": [_("Below the minimum order.")]},
            )
        if quantity > product.available:
            message = _("Only %(left)s of “%(name)s” are available; this order needs %(quantity)s.") % {
                "left": product.available,
                "name": version.name,
                "quantity": quantity,
            }
            raise ValidationFailed(message, code="out_of_stock", fields={"quantity": [message]})
    vendor = next(iter(products.values())).vendor
    approver = actor.user if Role.PPK in actor.roles else _office_ppk(actor.office)
    lines = [
        OrderItem(
            product_id=pid,
            version=products[pid].listed_version,
            quantity=quantity,
            unit_price=_unit_price(products[pid].listed_version),
        )
        for pid, quantity in wanted.items()
    ]
    dpp = sum((line.line_total for line in lines), Decimal(0))
    _bounded_total(dpp)
    vat = taxes.vat_of(dpp, pkp=vendor.is_vat_registered)
    order = Order.objects.create(
        katalog=actor.katalog,
        office=actor.office,
        vendor=vendor,
        budget_line=budget_line,
        created_by=actor.user,
        approver=approver,
        note=note,
        total=vat.dpp,
        vat=vat.vat,
        lead_time_days=max(p.listed_version.lead_time_days for p in products.values()),
    )
    for line in lines:
        line.order = order
    OrderItem.objects.bulk_create(lines)
    DeliveryAddress.objects.bulk_create([DeliveryAddress(order=order, address=a) for a in addresses])
    audit.record(actor=actor.user, action="order.create", obj=order, katalog=order.katalog, total=order.total)
    return order


@transaction.atomic
def order_from_cart(
    *, actor: Actor, vendor_id: int, budget_line: BudgetLine, addresses: list[str], note: str = ""
) -> Order:
    """Checkout: the cart lines of one vendor become a draft order, and leave the cart."""
    lines = list(CartItem.objects.filter(buyer=actor.user, katalog=actor.katalog, product__vendor_id=vendor_id))
    order = order_create(
        actor=actor,
        budget_line=budget_line,
        addresses=addresses,
        note=note,
        items=[ItemRequest(line.product_id, line.quantity) for line in lines],
    )
    CartItem.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return order


@transaction.atomic
def cart_add(*, actor: Actor, product: Product, quantity: int) -> CartItem:
    if actor.office is None or not actor.roles & {Role.PP, Role.PPK}:
        raise NotAllowed(_("Only a PP or PPK of an office can buy."))
    quantity = _quantity(quantity)
    item, created = CartItem.objects.get_or_create(
        buyer=actor.user, product=product, defaults={"katalog": actor.katalog, "quantity": quantity}
    )
    if not created:
        item.quantity = quantity
        item.save(update_fields=["quantity"])
    return item


def cart_remove(*, actor: Actor, item: CartItem) -> None:
    """A cart line is the buyer's scratch pad: it reserves nothing and is not audited."""
    if not actor.is_authenticated or item.buyer_id != actor.user.pk:
        raise NotAllowed()
    item.delete()


def notifications_mark_read(*, actor: Actor) -> int:
    """Mark the actor's own notifications read (reading is not a decision: not audited)."""
    if not actor.is_authenticated:
        return 0
    return Notification.objects.filter(user=actor.user, read_at__isnull=True).update(read_at=timezone.now())


# --- Negotiation --------------------------------------------------------------------------------------


def _clean_lines(order: Order, lines: list[dict]) -> list[dict]:
    """Check offered figures: a price may only be at or below the listed ceiling; every figure is
    bounded as the forms bound it."""
    items = {i.pk: i for i in order.items.select_related("version")}
    clean = []
    if not isinstance(lines, list) or len(lines) > len(items):
        raise ValidationFailed(_("An offer has one line per item of the order."), code="invalid")
    for line in lines:
        if not isinstance(line, dict):
            raise ValidationFailed(_("Offer figures must be numbers."), code="invalid")
        try:
            item = items.get(int(line.get("item", 0)))
        except (TypeError, ValueError, OverflowError):
            item = None
        if item is None:
            raise ValidationFailed(_("An offer line names an item that is not in this order."), code="unknown_item")
        price = _money(line.get("unit_price", item.unit_price), f"price_{item.pk}")
        quantity = _quantity(line.get("quantity", item.quantity), f"quantity_{item.pk}")
        shipping = _money(line.get("shipping_cost", item.shipping_cost), f"shipping_{item.pk}", allow_zero=True)
        if price > item.version.price:
            message = _("The price of “%(name)s” may not exceed the listed %(ceiling)s.") % {
                "name": item.version.name,
                "ceiling": format_rupiah(item.version.price),
            }
            raise ValidationFailed(message, code="above_listed_price", fields={f"price_{item.pk}": [message]})
        if quantity < item.version.min_order:
            message = _("The minimum order of “%(name)s” is %(n)s %(unit)s.") % {
                "name": item.version.name,
                "n": item.version.min_order,
                "unit": item.version.unit,
            }
            raise ValidationFailed(message, code="below_minimum", fields={f"quantity_{item.pk}": [message]})
        clean.append({"item": item.pk, "unit_price": str(price), "quantity": quantity, "shipping_cost": str(shipping)})
    if not clean:
        raise ValidationFailed(_("An offer needs at least one line."), code="invalid")
    _bounded_total(
        sum((Decimal(c["unit_price"]) * c["quantity"] + Decimal(c["shipping_cost"]) for c in clean), Decimal(0))
    )
    return clean


def _side(parties: frozenset[str]) -> str:
    return OfferSide.VENDOR if workflow.VENDOR in parties else OfferSide.BUYER


def _sent_to_vendor(order: Order) -> None:
    if order.sent_to_vendor_at is None:
        order.sent_to_vendor_at = timezone.now()


@transaction.atomic
def order_propose(*, actor: Actor, order: Order, lines: list[dict], message: str = "") -> Order:
    """The buyer opens a negotiation with figures per item: the vendor sees the order from now on."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.PROPOSE, parties=parties)
    Offer.objects.create(
        order=order,
        side=OfferSide.BUYER,
        made_by=actor.user,
        lines=_clean_lines(order, lines),
        message=_text(message, "message", 1000),
    )
    _sent_to_vendor(order)
    transaction.on_commit(lambda: notifications.vendor(order, _("Order #%(n)s: the buyer proposes new figures.")))
    return _done(actor=actor, order=order, old=old, action="propose")


@transaction.atomic
def order_counter(*, actor: Actor, order: Order, lines: list[dict], message: str = "") -> Order:
    """The side that did not make the last offer answers with its own figures."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.COUNTER, parties=parties)
    last = order.offers.last()
    side = _side(parties)
    if last and last.side == side:
        raise ValidationFailed(_("Wait for the other side to answer your offer."), code="not_your_turn")
    Offer.objects.create(
        order=order,
        side=side,
        made_by=actor.user,
        lines=_clean_lines(order, lines),
        message=_text(message, "message", 1000),
    )
    _notify_other_side(order, side, _("Order #%(n)s: a counter-offer waits for you."))
    return _done(actor=actor, order=order, old=old, action="counter")


@transaction.atomic
def order_accept(*, actor: Actor, order: Order) -> Order:
    """The side that did not make the last offer accepts it: its figures become the order."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.ACCEPT, parties=parties)
    last = order.offers.last()
    side = _side(parties)
    if last is None or last.side == side:
        raise ValidationFailed(_("Only the other side can accept this offer."), code="not_your_turn")
    for line in last.lines:
        OrderItem.objects.filter(pk=line["item"], order=order).update(
            unit_price=Decimal(line["unit_price"]),
            quantity=line["quantity"],
            shipping_cost=Decimal(line["shipping_cost"]),
        )
    Offer.objects.filter(pk=last.pk).update(accepted=True)
    _recompute_total(order)
    _notify_other_side(order, side, _("Order #%(n)s: your offer was accepted."))
    return _done(actor=actor, order=order, old=old, action="accept", offer=last.pk)


def _notify_other_side(order: Order, side: str, text) -> None:
    if side == OfferSide.BUYER:
        transaction.on_commit(lambda: notifications.vendor(order, text))
    else:
        transaction.on_commit(lambda: notifications.user(order, order.created_by, text))


def changed_items(order: Order, items=None) -> list[OrderItem]:
    """The items whose product's listed version is no longer the one the order holds (a price or
    specification change approved since the draft). A read."""
    items = items if items is not None else list(order.items.select_related("version", "product__listed_version"))
    return [i for i in items if i.product.listed_version_id not in (None, i.version_id)]


@transaction.atomic
def order_reprice(*, actor: Actor, order: Order) -> Order:
    """The buyer takes the current listed version of every changed product (its price replaces the
    old one, also a negotiated one), so the draft may be submitted again."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.REPRICE, parties=parties)
    items = list(order.items.select_related("version", "product__listed_version", "product__vendor"))
    _check_on_sale(order, items, allow_changed=True)
    changed = changed_items(order, items)
    for item in changed:
        item.version = item.product.listed_version
        item.unit_price = _unit_price(item.version)
        OrderItem.objects.filter(pk=item.pk).update(version=item.version, unit_price=item.unit_price)
    order.lead_time_days = max(i.version.lead_time_days for i in items)
    _recompute_total(order, items)
    return _done(actor=actor, order=order, old=old, action="reprice", items=[i.pk for i in changed])


# --- Submission, approval, confirmation ---------------------------------------------------------------


class NotOnSale(Conflict):
    code = "product_unavailable"


class VersionChanged(Conflict):
    code = "version_changed"


def _check_on_sale(order: Order, items: list[OrderItem], *, allow_changed: bool = False) -> None:
    """Under the order's lock: every product still listed, its vendor still verified, and (unless
    `allow_changed`) the listed version still the one ordered. Refused with a 409 and the reason."""
    vendor = Vendor.objects.only("status", "status_reason").get(pk=order.vendor_id)
    if vendor.status != VendorStatus.VERIFIED:
        raise NotOnSale(
            _("The vendor %(vendor)s is no longer verified: its products cannot be bought.")
            % {"vendor": order.vendor.name}
        )
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=[i.product_id for i in items]).only(
            "status", "status_reason", "listed_version_id"
        )
    }
    for item in items:
        product = products[item.product_id]
        if product.status != ProductStatus.LISTED or product.listed_version_id is None:
            reason = product.status_reason.strip()
            raise NotOnSale(
                _("“%(name)s” is no longer on sale (%(status)s)%(reason)s.")
                % {
                    "name": item.version.name,
                    "status": ProductStatus(product.status).label,
                    "reason": f": {reason}" if reason else "",
                }
            )
        if not allow_changed and product.listed_version_id != item.version_id:
            raise VersionChanged(
                _(
                    "“%(name)s” changed since this order was drafted (price or specification). Take the current "
                    "version and check the price before sending again."
                )
                % {"name": item.version.name}
            )


@transaction.atomic
def order_submit(*, actor: Actor, order: Order) -> Order:
    """Send the draft to the PPK: stock and budget are reserved now (drafts reserve nothing), and
    the vendor sees the order."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.SUBMIT, parties=parties)
    items = list(order.items.select_related("version"))
    _check_on_sale(order, items)
    _recompute_total(order, items)
    amount = order.total + order.vat
    limit = Decimal(settings.KATALOG_PP_LIMIT)
    if amount > limit and workflow.PPK not in parties:
        raise NotAllowed(
            _("Orders above %(limit)s are carried by a PPK; this one is %(amount)s.")
            % {"limit": format_rupiah(limit), "amount": format_rupiah(amount)}
        )
    if order.approver is None:
        raise ValidationFailed(_("The office has no PPK to approve this order."), code="no_ppk")
    locks.reserve(order, amount, items)
    now = timezone.now()
    order.committed_amount = amount
    order.submitted_at = now
    _sent_to_vendor(order)
    order.deadline_at = add_working_days(now, settings.KATALOG_WAIT_WORKING_DAYS, katalog=order.katalog)
    _schedule_expiry(order)
    transaction.on_commit(lambda: notifications.user(order, order.approver, _("Order #%(n)s waits for your approval.")))
    return _done(actor=actor, order=order, old=old, action="submit", committed=str(amount))


@transaction.atomic
def order_approve(*, actor: Actor, order: Order) -> Order:
    """The PPK approves: the Surat Pesanan is issued with its delivery deadline (the agreed lead time
    in working days from today), and the vendor has 3 working days to confirm."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.APPROVE, parties=parties)
    if order.approver_id and order.approver_id != actor.user.pk:
        raise NotAllowed(_("Another PPK is assigned to approve this order."))
    _check_on_sale(order, list(order.items.select_related("version")))
    now = timezone.now()
    order.approver = actor.user
    order.approved_at = now
    order.delivery_deadline = add_working_days(now, order.lead_time_days, katalog=order.katalog).date()
    order.deadline_at = add_working_days(now, settings.KATALOG_WAIT_WORKING_DAYS, katalog=order.katalog)
    _schedule_expiry(order)
    order.save()
    documents.issue(order=order, kind=DocumentKind.PURCHASE_ORDER)
    transaction.on_commit(
        lambda: notifications.vendor(order, _("Order #%(n)s: a Surat Pesanan waits for your confirmation."))
    )
    return _done(actor=actor, order=order, old=old, action="approve")


@transaction.atomic
def order_confirm(*, actor: Actor, order: Order) -> Order:
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.CONFIRM, parties=parties)
    order.confirmed_at = timezone.now()
    order.deadline_at = None
    transaction.on_commit(
        lambda: notifications.user(order, order.created_by, _("Order #%(n)s was confirmed by the vendor."))
    )
    return _done(actor=actor, order=order, old=old, action="confirm")


# --- Delivery, refusal, receipt -----------------------------------------------------------------------


def _photo(photo):
    if not photo:
        return None
    from katalog.catalogue.photos import process_photo

    try:
        image, _thumb, _w, _h = process_photo(photo)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="bad_image", fields={"photo": exc.messages}) from exc
    return image


def _item_quantities(items: dict[int, OrderItem], lines: dict, field: str) -> dict[int, int]:
    """{item id: quantity > 0} of a request, every key an item of the order and every value bounded."""
    wanted: dict[int, int] = {}
    if not isinstance(lines, dict) or len(lines) > len(items):
        raise ValidationFailed(
            _("Give a quantity per item of the order."), code="invalid", fields={field: [_("Invalid.")]}
        )
    for key, value in lines.items():
        try:
            item_id, quantity = int(key), int(value)
        except (TypeError, ValueError, OverflowError):
            raise ValidationFailed(
                _("Quantities must be whole numbers."), code="invalid", fields={field: [_("Invalid.")]}
            ) from None
        if item_id not in items:
            raise ValidationFailed(
                _("An item that is not in this order."), code="unknown_item", fields={field: [_("Invalid.")]}
            )
        if quantity < 0 or quantity > settings.KATALOG_MAX_QUANTITY:
            raise ValidationFailed(
                _("Quantities must be whole numbers."), code="invalid", fields={field: [_("Invalid.")]}
            )
        if quantity:
            wanted[item_id] = quantity
    return wanted


@transaction.atomic
def order_deliver(
    *, actor: Actor, order: Order, address_id: int, lines: dict[int, int], delivered_on: date | None = None, photo=None
) -> Delivery:
    """Record one (possibly partial) delivery to one of the order's addresses, dated between the
    vendor's confirmation and today. The goods leave the vendor's stock on hand and reserved."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.DELIVER, parties=parties)
    address = order.addresses.filter(pk=address_id).first()
    if address is None:
        raise ValidationFailed(
            _("Choose one of the order's delivery addresses."),
            code="unknown_address",
            fields={"address": [_("Invalid.")]},
        )
    confirmed = timezone.localdate(order.confirmed_at) if order.confirmed_at else None
    delivered_on = _check_date(
        delivered_on or timezone.localdate(),
        field="delivered_on",
        after=confirmed,
        after_label=_("the vendor's confirmation"),
    )
    items = {i.pk: i for i in order.items.select_for_update()}
    wanted = _item_quantities(items, lines, "lines")
    if not wanted:
        raise ValidationFailed(_("Give the quantity delivered of at least one item."), code="invalid")
    for item_id, quantity in wanted.items():
        item = items[item_id]
        if item.delivered_quantity + quantity > item.quantity:
            raise ValidationFailed(_("More than was ordered cannot be delivered."), code="over_delivery")
    photo = _photo(photo)
    delivery = Delivery(order=order, address=address, delivered_on=delivered_on, recorded_by=actor.user)
    if photo:
        delivery.photo.save(f"delivery-{order.pk}.jpg", photo, save=False)
    delivery.save()
    DeliveryLine.objects.bulk_create(
        [DeliveryLine(delivery=delivery, item_id=i, quantity=q) for i, q in wanted.items()]
    )
    for item_id, quantity in wanted.items():
        OrderItem.objects.filter(pk=item_id).update(delivered_quantity=F("delivered_quantity") + quantity)
    locks.deliver(order, [(items[i].product_id, q) for i, q in wanted.items()])
    complete = not OrderItem.objects.filter(order=order, delivered_quantity__lt=F("quantity")).exists()
    order.status = S.DELIVERED if complete else S.IN_PROGRESS
    if complete:
        transaction.on_commit(
            lambda: notifications.user(order, order.approver, _("Order #%(n)s is delivered: check the receipt."))
        )
    _done(actor=actor, order=order, old=old, action="deliver", delivery=delivery.pk, complete=complete)
    return delivery


@transaction.atomic
def order_refuse(
    *, actor: Actor, order: Order, lines: dict[int, int], mode: str, reason: str, photo=None
) -> list[Refusal]:
    """The PPK refuses delivered goods that fail the receipt check, in part or whole, with a reason
    (and a photo). The goods go back to the vendor (its stock on hand again). `replace`: the vendor
    delivers them again (the order holds them again). `reduce`: they leave the order, whose DPP, PPN
    and commitment shrink and whose budget is released; an order reduced to nothing is cancelled."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.REFUSE, parties=parties)
    if mode not in RefusalMode.values:
        raise ValidationFailed(
            _("Choose whether the vendor replaces the goods or the order is reduced."),
            code="invalid",
            fields={"mode": [_("Invalid.")]},
        )
    reason = _reason(reason)
    items = {i.pk: i for i in order.items.select_for_update().select_related("version")}
    wanted = _item_quantities(items, lines, "lines")
    if not wanted:
        raise ValidationFailed(
            _("Give the quantity refused of at least one item."), code="invalid", fields={"lines": [_("Invalid.")]}
        )
    for item_id, quantity in wanted.items():
        if quantity > items[item_id].delivered_quantity:
            raise ValidationFailed(
                _("Only what was delivered can be refused: %(n)s of “%(name)s”.")
                % {"n": items[item_id].delivered_quantity, "name": items[item_id].version.name},
                code="over_refusal",
                fields={"lines": [_("Invalid.")]},
            )
    image = _photo(photo)
    replace = mode == RefusalMode.REPLACE
    today = timezone.localdate()
    refusals = []
    for item_id, quantity in wanted.items():
        item = items[item_id]
        item.delivered_quantity -= quantity
        if not replace:
            item.quantity -= quantity
            item.reduced_quantity += quantity
        item.save(update_fields=["delivered_quantity", "quantity", "reduced_quantity"])
        refusal = Refusal(
            order=order, item=item, quantity=quantity, mode=mode, reason=reason, refused_by=actor.user, refused_on=today
        )
        if image:
            refusal.photo.save(f"refusal-{order.pk}-{item.pk}.jpg", image, save=False)
        refusal.save()
        refusals.append(refusal)
    release = Decimal(0)
    if not replace:
        _recompute_total(order, list(items.values()))
        release = order.committed_amount - (order.total + order.vat)
        order.committed_amount = order.total + order.vat
    locks.refuse(order, [(items[i].product_id, q) for i, q in wanted.items()], replace=replace, release_amount=release)
    if not any(i.quantity for i in items.values()):
        # Nothing left to buy: the order ends here, its budget (all of it now) released above.
        order.status = S.CANCELLED
        order.cancel_reason = reason
        order.cancelled_at = timezone.now()
        order.committed_amount = Decimal("0.00")
        _rerender_purchase_order(order)
        _notify_cancelled(order, _("Order #%(n)s was cancelled: ") + reason)
    elif all(i.delivered_quantity >= i.quantity for i in items.values()):
        order.status = S.DELIVERED
    else:
        order.status = S.IN_PROGRESS
    text = _("Order #%(n)s: goods were refused at receipt: ") + reason
    transaction.on_commit(lambda: notifications.vendor(order, text))
    _done(actor=actor, order=order, old=old, action="refuse", mode=mode, lines={str(k): v for k, v in wanted.items()})
    return refusals


def lateness(order: Order, deliveries=None) -> tuple[int, Decimal]:
    """(days late of the latest delivery, penalty): each delivery after the order's deadline costs
    the late-penalty rate of the value it carried for each calendar day late. A read."""
    if order.delivery_deadline is None:
        return 0, Decimal("0.00")
    deliveries = deliveries if deliveries is not None else order.deliveries.prefetch_related("lines__item")
    worst, penalty = 0, Decimal("0.00")
    for delivery in deliveries:
        days = (delivery.delivered_on - order.delivery_deadline).days
        if days <= 0:
            continue
        value = sum((line.item.unit_price * line.quantity for line in delivery.lines.all()), Decimal(0))
        penalty += taxes.late_penalty(late_value=value, days=days)
        worst = max(worst, days)
    return worst, penalty


@transaction.atomic
def order_receive(
    *, actor: Actor, order: Order, quantity_ok: bool, condition_ok: bool, on_time: bool | None = None, notes: str = ""
) -> Order:
    """The PPK checks what arrived and signs the BAST. Lateness and the late penalty are computed
    from the delivery dates and the SP's deadline (`on_time` is accepted and ignored)."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.RECEIVE, parties=parties)
    if not (quantity_ok and condition_ok):
        raise ValidationFailed(
            _(
                "The BAST is signed only when quantity and condition are right: refuse the goods that fail the check first."
            ),
            code="receipt_not_ok",
        )
    notes = _text(notes, "notes", 2000)
    late_days, penalty = lateness(order)
    received_on = timezone.localdate()
    ReceiptCheck.objects.create(
        order=order,
        checked_by=actor.user,
        quantity_ok=quantity_ok,
        condition_ok=condition_ok,
        on_time=late_days == 0,
        late_days=late_days,
        penalty=penalty,
        received_on=received_on,
        notes=notes,
    )
    order.received_at = timezone.now()
    check = ["jumlah sesuai", "kondisi baik", "tepat waktu" if not late_days else f"terlambat {late_days} hari"]
    extra = [["Pemeriksaan", "; ".join(check)]] + ([["Catatan", notes]] if notes else [])
    order.save()
    documents.issue(order=order, kind=DocumentKind.BAST, extra=extra)
    transaction.on_commit(
        lambda: notifications.vendor(order, _("Order #%(n)s: the BAST is signed; send your invoice."))
    )
    return _done(actor=actor, order=order, old=old, action="receive", late_days=late_days, penalty=str(penalty))


# --- Invoice, payment, rating -------------------------------------------------------------------------


@transaction.atomic
def order_invoice(*, actor: Actor, order: Order, invoice_date: date | None = None) -> Invoice:
    """The vendor's invoice, dated between the BAST and today: DPP, PPN only when the vendor is a PKP
    (buying/taxes.py), total, and the late penalty of the BAST taken off what is payable. The invoice
    and its kuitansi are numbered and rendered as documents."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.INVOICE, parties=parties)
    check = order.receipt_check
    invoice_date = _check_date(
        invoice_date or timezone.localdate(), field="invoice_date", after=check.received_on, after_label=_("the BAST")
    )
    vat = _tax(order, order.total)
    invoice = Invoice(
        order=order,
        invoice_date=invoice_date,
        subtotal=vat.dpp,
        vat_rate=vat.rate,
        vat_base=vat.base,
        vat=vat.vat,
        total=vat.total,
        penalty=check.penalty,
    )
    order.save()
    document = documents.issue(order=order, kind=DocumentKind.INVOICE)
    invoice.number = document.number
    invoice.save()
    documents.issue(order=order, kind=DocumentKind.RECEIPT)
    transaction.on_commit(
        lambda: notifications.office_role(order, Role.TREASURER, _("Order #%(n)s: an invoice waits for payment."))
    )
    _done(actor=actor, order=order, old=old, action="invoice", total=str(invoice.total))
    return invoice


def settlement_of(order: Order) -> taxes.Settlement:
    """What the treasurer will collect, withhold and pay on the order's invoice. A read."""
    invoice = order.invoice
    vendor = order.vendor
    return taxes.settlement(
        dpp=invoice.subtotal,
        vat=invoice.vat,
        penalty=invoice.penalty,
        pp55=bool(vendor.pp55_certificate.strip()),
        has_npwp=bool(vendor.npwp.strip()),
    )


@transaction.atomic
def order_pay(*, actor: Actor, order: Order, method: str, paid_on: date, reference: str) -> Payment:
    """The treasurer records the payment as it is booked: dated between the invoice (itself after the
    BAST) and today, with the PPN collected, the PPh withheld, the penalty, and the net paid."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.PAY, parties=parties)
    if method not in PaymentMethod.values:
        raise ValidationFailed(fields={"method": [", ".join(PaymentMethod.values)]})
    reference = _text(reference, "reference", 100)
    if not reference:
        raise ValidationFailed(
            _("Give the payment reference (e.g. the SP2D number)."),
            code="reference_required",
            fields={"reference": [_("This field is required.")]},
        )
    invoice = order.invoice
    after, label = invoice.invoice_date or order.receipt_check.received_on, _("the invoice")
    paid_on = _check_date(paid_on, field="paid_on", after=after, after_label=label)
    booked = settlement_of(order)
    payment = Payment.objects.create(
        invoice=invoice,
        method=method,
        paid_on=paid_on,
        reference=reference,
        gross=booked.gross,
        vat_collected=booked.vat_collected,
        income_tax_kind=booked.income_tax_kind,
        income_tax_rate=booked.income_tax_rate,
        income_tax=booked.income_tax,
        penalty=booked.penalty,
        amount=booked.net,
        recorded_by=actor.user,
    )
    order.paid_at = timezone.now()
    transaction.on_commit(lambda: notifications.vendor(order, _("Order #%(n)s is paid.")))
    _done(actor=actor, order=order, old=old, action="pay", method=method, reference=reference, net=str(booked.net))
    return payment


@transaction.atomic
def order_rate(
    *, actor: Actor, order: Order, quality: int, timeliness: int, service: int, price: int, comment: str = ""
) -> Rating:
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.RATE, parties=parties)
    scores = (quality, timeliness, service, price)
    if not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 5 for s in scores):
        raise ValidationFailed(_("Each score is a whole number from 1 to 5."), code="invalid")
    rating = Rating.objects.create(
        order=order,
        vendor=order.vendor,
        quality=quality,
        timeliness=timeliness,
        service=service,
        price=price,
        comment=_text(comment, "comment", 2000),
        created_by=actor.user,
    )
    transaction.on_commit(lambda: notifications.vendor(order, _("Order #%(n)s: you were rated; you may reply once.")))
    _done(actor=actor, order=order, old=old, action="rate")
    return rating


@transaction.atomic
def rating_reply(*, actor: Actor, rating: Rating, reply: str) -> Rating:
    """The vendor's right of reply: once."""
    rating = Rating.objects.select_for_update().select_related("order__vendor").get(pk=rating.pk)
    if workflow.VENDOR not in parties_of(actor, rating.order):
        raise NotAllowed()
    if rating.replied_at is not None:
        raise ValidationFailed(_("You have already replied to this rating."), code="already_replied")
    reply = _text(reply, "reply", 2000)
    if not reply:
        raise ValidationFailed(_("Write your reply."), code="reply_required")
    rating.reply, rating.replied_at = reply, timezone.now()
    rating.save(update_fields=["reply", "replied_at"])
    audit.record(actor=actor.user, action="rating.reply", obj=rating, katalog=rating.order.katalog)
    return rating


# --- Cancellation and expiry --------------------------------------------------------------------------


def _rerender_purchase_order(order: Order) -> None:
    """A cancelled order's Surat Pesanan is printed again with "DIBATALKAN", its date and reason."""
    sp = order.documents.filter(kind=DocumentKind.PURCHASE_ORDER).first()
    if sp is not None:
        documents.rerender(sp)


def _notify_cancelled(order: Order, text: str) -> None:
    """The buyer and the PPK hear of a cancellation; the vendor only of an order it has seen (a
    buyer's draft was never its business)."""

    def send():
        notifications.user(order, order.created_by, text)
        if order.approver_id and order.approver_id != order.created_by_id:
            notifications.user(order, order.approver, text)
        if order.sent_to_vendor_at is not None:
            notifications.vendor(order, text)

    transaction.on_commit(send)


def _cancel(*, actor: Actor | None, order: Order, parties: frozenset[str], reason: str) -> Order:
    order, old = _move(actor=actor, order=order, action=workflow.CANCEL, parties=parties)
    reason = _reason(reason)
    if old == S.IN_PROGRESS and order.items.filter(delivered_quantity__gt=0).exists():
        raise ValidationFailed(
            _("Part of this order was delivered; it can no longer be cancelled."), code="already_delivered"
        )
    if old in workflow.RESERVING:
        locks.release(order)
        order.budget_line.refresh_from_db()  # the page that cancels shows the released figures
    order.cancel_reason = reason
    order.cancelled_at = timezone.now()
    order.deadline_at = None
    order.committed_amount = Decimal("0.00")  # as the database gives it back (the API shows "0.00")
    _rerender_purchase_order(order)
    _notify_cancelled(order, _("Order #%(n)s was cancelled: ") + reason)
    return _done(actor=actor, order=order, old=old, action="cancel", reason=reason)


@transaction.atomic
def order_cancel(*, actor: Actor, order: Order, reason: str) -> Order:
    return _cancel(actor=actor, order=order, parties=parties_of(actor, order), reason=reason)


@transaction.atomic
def order_request_cancel(*, actor: Actor, order: Order, reason: str) -> Order:
    """After the Surat Pesanan the vendor cannot cancel alone: it asks, with a reason, and the PPK
    cancels the order or declines."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.REQUEST_CANCEL, parties=parties)
    reason = _reason(reason)
    if order.cancel_requested_at is not None:
        raise ValidationFailed(_("A cancellation request already waits for the PPK."), code="already_requested")
    order.cancel_requested_at = timezone.now()
    order.cancel_request_reason = reason
    text = _("Order #%(n)s: the vendor asks to cancel: ") + reason
    transaction.on_commit(lambda: notifications.user(order, order.approver, text))
    return _done(actor=actor, order=order, old=old, action="request-cancel", reason=reason)


@transaction.atomic
def order_decline_cancel(*, actor: Actor, order: Order, reason: str) -> Order:
    """The PPK keeps the order the vendor asked to cancel, and says why."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.DECLINE_CANCEL, parties=parties)
    reason = _reason(reason)
    if order.cancel_requested_at is None:
        raise ValidationFailed(_("No cancellation request waits for an answer."), code="no_request")
    order.cancel_requested_at = None
    order.cancel_request_reason = ""
    text = _("Order #%(n)s: the PPK keeps the order: ") + reason
    transaction.on_commit(lambda: notifications.vendor(order, text))
    return _done(actor=actor, order=order, old=old, action="decline-cancel", reason=reason)


def is_overdue(order: Order, *, now=None) -> bool:
    """An order whose wait for the PPK or the vendor passed its deadline: shown as expiring until the
    worker's sweep cancels it. A read."""
    now = now or timezone.now()
    return order.status in workflow.WAITING and order.deadline_at is not None and order.deadline_at <= now


def expire_if_overdue(order: Order, *, now=None) -> Order:
    """Cancel an order whose wait passed its deadline. Called only by the task worker (its deadline
    task and the sweep every minute): reading an order never changes it."""
    now = now or timezone.now()
    if not is_overdue(order, now=now):
        return order
    with transaction.atomic():
        fresh = _lock(order)
        if not is_overdue(fresh, now=now):
            return fresh
        who = _("the PPK's approval") if fresh.status == S.AWAITING_APPROVAL else _("the vendor's confirmation")
        reason = _("Expired: %(who)s did not come within %(n)s working days.") % {
            "who": who,
            "n": settings.KATALOG_WAIT_WORKING_DAYS,
        }
        return _cancel(actor=None, order=fresh, parties=frozenset({workflow.SYSTEM}), reason=reason)


def expire_overdue(*, now=None) -> int:
    """Expire every overdue order (the worker's sweep). Returns how many were cancelled."""
    now = now or timezone.now()
    count = 0
    for order in Order.objects.filter(status__in=workflow.WAITING, deadline_at__lte=now).order_by("pk"):
        if expire_if_overdue(order, now=now).status == S.CANCELLED:
            count += 1
    return count


def _schedule_expiry(order: Order) -> None:
    """Ask the task worker to look at the order when its deadline passes."""
    deadline = order.deadline_at

    def enqueue():
        from .tasks import expire_order

        try:
            expire_order.using(run_after=deadline).enqueue(order.pk)
        except Exception:  # a missing worker backend must not undo the order; the sweep expires it too
            logger.exception("could not schedule expiry of order %s", order.pk)

    transaction.on_commit(enqueue)
