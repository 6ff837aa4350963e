"""Every write of e-purchasing. Each transition is one service: it loads the order under lock,
asks the workflow table whether this party may do it now, does the work in one transaction,
writes the audit entry, and notifies the next person after commit."""

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
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.money import format_rupiah, round_money
from katalog.core.permissions import Role
from katalog.vendors.models import VendorStatus

from . import documents, locks, notifications, workflow
from .models import (
    BudgetLine,
    CartItem,
    Delivery,
    DeliveryAddress,
    DeliveryLine,
    DocumentKind,
    Invoice,
    Offer,
    OfferSide,
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    Rating,
    ReceiptCheck,
)

S = OrderStatus


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


def amount_to_commit(order: Order, items=None) -> Decimal:
    """What the order will cost the budget: items and shipping, plus PPN when the vendor is a PKP."""
    total = sum((i.line_total for i in (items if items is not None else order.items.all())), Decimal(0))
    if order.vendor.is_vat_registered:
        total += round_money(total * Decimal(settings.KATALOG_VAT_PERCENT) / 100)
    return round_money(total)


def _recompute_total(order: Order) -> None:
    order.total = round_money(sum((i.line_total for i in order.items.all()), Decimal(0)))


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
    """A draft order from one vendor's listed products. Drafts reserve nothing."""
    if actor.office is None or not actor.roles & {Role.PP, Role.PPK}:
        raise NotAllowed(_("Only a PP or PPK of an office can buy."))
    if budget_line.office_id != actor.office.pk:
        raise NotAllowed(_("This budget line belongs to another office."))
    if not items:
        raise ValidationFailed(_("Add at least one product."), fields={"items": [_("Add at least one product.")]})
    addresses = [a.strip() for a in addresses if a and a.strip()]
    if not addresses:
        raise ValidationFailed(
            _("Give a delivery address."), fields={"delivery_address": [_("This field is required.")]}
        )
    products = {
        p.pk: p
        for p in Product.objects.filter(
            pk__in=[i.product_id for i in items],
            katalog=actor.katalog,
            status=ProductStatus.LISTED,
            vendor__status=VendorStatus.VERIFIED,
        ).select_related("listed_version", "vendor")
    }
    missing = [i.product_id for i in items if i.product_id not in products]
    if missing:
        raise ValidationFailed(
            _("These products are not on sale: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="product_unavailable",
        )
    vendors = {p.vendor_id for p in products.values()}
    if len(vendors) != 1:
        raise ValidationFailed(_("One order holds the products of one vendor."), code="several_vendors")
    for item in items:
        version = products[item.product_id].listed_version
        if item.quantity < version.min_order:
            raise ValidationFailed(
                _("The minimum order of “%(name)s” is %(n)s %(unit)s.")
                % {"name": version.name, "n": version.min_order, "unit": version.unit},
                code="below_minimum",
                fields={"quantity": [_("Below the minimum order.")]},
            )
    vendor = next(iter(products.values())).vendor
    approver = actor.user if Role.PPK in actor.roles else _office_ppk(actor.office)
    lines = [
        OrderItem(
            product_id=i.product_id,
            version=products[i.product_id].listed_version,
            quantity=i.quantity,
            unit_price=products[i.product_id].listed_version.price,
        )
        for i in items
    ]
    # The total from the lines in hand: no re-read of the items and no second UPDATE of the order.
    total = round_money(sum((line.line_total for line in lines), Decimal(0)))
    order = Order.objects.create(
        katalog=actor.katalog,
        office=actor.office,
        vendor=vendor,
        budget_line=budget_line,
        created_by=actor.user,
        approver=approver,
        note=note,
        total=total,
    )
    for line in lines:
        line.order = order
    OrderItem.objects.bulk_create(lines)
    DeliveryAddress.objects.bulk_create([DeliveryAddress(order=order, address=a[:300]) for a in addresses])
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
    if quantity < 1:
        raise ValidationFailed(_("The quantity must be at least 1."), fields={"quantity": [_("At least 1.")]})
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
    from .models import Notification

    if not actor.is_authenticated:
        return 0
    return Notification.objects.filter(user=actor.user, read_at__isnull=True).update(read_at=timezone.now())


# --- Negotiation --------------------------------------------------------------------------------------


def _clean_lines(order: Order, lines: list[dict]) -> list[dict]:
    """Check offered figures: a price may only be at or below the listed ceiling."""
    items = {i.pk: i for i in order.items.select_related("version")}
    clean = []
    for line in lines:
        item = items.get(int(line.get("item", 0)))
        if item is None:
            raise ValidationFailed(_("An offer line names an item that is not in this order."), code="unknown_item")
        try:
            price = round_money(Decimal(str(line.get("unit_price", item.unit_price))))
            quantity = int(line.get("quantity", item.quantity))
            shipping = round_money(Decimal(str(line.get("shipping_cost", item.shipping_cost))))
        except (ArithmeticError, ValueError, TypeError):
            raise ValidationFailed(_("Offer figures must be numbers."), code="invalid") from None
        if price <= 0 or price > item.version.price:
            raise ValidationFailed(
                _("The price of “%(name)s” may not exceed the listed %(ceiling)s.")
                % {"name": item.version.name, "ceiling": format_rupiah(item.version.price)},
                code="above_listed_price",
            )
        if quantity < item.version.min_order or shipping < 0:
            raise ValidationFailed(_("Quantity below the minimum order, or a negative shipping cost."), code="invalid")
        clean.append({"item": item.pk, "unit_price": str(price), "quantity": quantity, "shipping_cost": str(shipping)})
    if not clean:
        raise ValidationFailed(_("An offer needs at least one line."), code="invalid")
    return clean


def _side(parties: frozenset[str]) -> str:
    return OfferSide.VENDOR if workflow.VENDOR in parties else OfferSide.BUYER


@transaction.atomic
def order_propose(*, actor: Actor, order: Order, lines: list[dict], message: str = "") -> Order:
    """The buyer opens a negotiation with figures per item."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.PROPOSE, parties=parties)
    Offer.objects.create(
        order=order, side=OfferSide.BUYER, made_by=actor.user, lines=_clean_lines(order, lines), message=message
    )
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
    Offer.objects.create(order=order, side=side, made_by=actor.user, lines=_clean_lines(order, lines), message=message)
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


# --- Submission, approval, confirmation ---------------------------------------------------------------


@transaction.atomic
def order_submit(*, actor: Actor, order: Order) -> Order:
    """Send the draft to the PPK: stock and budget are reserved now (drafts reserve nothing)."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.SUBMIT, parties=parties)
    items = list(order.items.select_related("version"))
    amount = amount_to_commit(order, items)
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
    order.deadline_at = add_working_days(now, settings.KATALOG_WAIT_WORKING_DAYS, katalog=order.katalog)
    _schedule_expiry(order)
    transaction.on_commit(lambda: notifications.user(order, order.approver, _("Order #%(n)s waits for your approval.")))
    return _done(actor=actor, order=order, old=old, action="submit", committed=str(amount))


@transaction.atomic
def order_approve(*, actor: Actor, order: Order) -> Order:
    """The PPK approves: the Surat Pesanan is issued and the vendor has 3 working days to confirm."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.APPROVE, parties=parties)
    if order.approver_id and order.approver_id != actor.user.pk:
        raise NotAllowed(_("Another PPK is assigned to approve this order."))
    now = timezone.now()
    order.approver = actor.user
    order.approved_at = now
    order.deadline_at = add_working_days(now, settings.KATALOG_WAIT_WORKING_DAYS, katalog=order.katalog)
    _schedule_expiry(order)
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


# --- Delivery, receipt, invoice, payment, rating ------------------------------------------------------


@transaction.atomic
def order_deliver(
    *, actor: Actor, order: Order, address_id: int, lines: dict[int, int], delivered_on: date | None = None, photo=None
) -> Delivery:
    """Record one (possibly partial) delivery to one of the order's addresses."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.DELIVER, parties=parties)
    address = order.addresses.filter(pk=address_id).first()
    if address is None:
        raise ValidationFailed(_("Choose one of the order's delivery addresses."), code="unknown_address")
    items = {i.pk: i for i in order.items.select_for_update()}
    wanted = {int(k): int(v) for k, v in lines.items() if int(v) > 0}
    if not wanted:
        raise ValidationFailed(_("Give the quantity delivered of at least one item."), code="invalid")
    for item_id, quantity in wanted.items():
        item = items.get(item_id)
        if item is None or item.delivered_quantity + quantity > item.quantity:
            raise ValidationFailed(_("More than was ordered cannot be delivered."), code="over_delivery")
    if photo:
        from katalog.catalogue.photos import process_photo

        try:
            image, _thumb, _w, _h = process_photo(photo)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], code="bad_image") from exc
        photo = image
    delivery = Delivery(
        order=order, address=address, delivered_on=delivered_on or timezone.localdate(), recorded_by=actor.user
    )
    if photo:
        delivery.photo.save(f"delivery-{order.pk}.jpg", photo, save=False)
    delivery.save()
    for item_id, quantity in wanted.items():
        DeliveryLine.objects.create(delivery=delivery, item_id=item_id, quantity=quantity)
        OrderItem.objects.filter(pk=item_id).update(delivered_quantity=F("delivered_quantity") + quantity)
    complete = not OrderItem.objects.filter(order=order, delivered_quantity__lt=F("quantity")).exists()
    order.status = S.DELIVERED if complete else S.IN_PROGRESS
    if complete:
        transaction.on_commit(
            lambda: notifications.user(order, order.approver, _("Order #%(n)s is delivered: check the receipt."))
        )
    _done(actor=actor, order=order, old=old, action="deliver", delivery=delivery.pk, complete=complete)
    return delivery


@transaction.atomic
def order_receive(
    *, actor: Actor, order: Order, quantity_ok: bool, condition_ok: bool, on_time: bool, notes: str = ""
) -> Order:
    """The PPK checks what arrived and signs the BAST."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.RECEIVE, parties=parties)
    if not (quantity_ok and condition_ok):
        raise ValidationFailed(
            _("The BAST is signed only when quantity and condition are right. Settle it with the vendor first."),
            code="receipt_not_ok",
        )
    ReceiptCheck.objects.create(
        order=order,
        checked_by=actor.user,
        quantity_ok=quantity_ok,
        condition_ok=condition_ok,
        on_time=on_time,
        notes=notes,
    )
    order.received_at = timezone.now()
    check = ["jumlah sesuai", "kondisi baik", "tepat waktu" if on_time else "terlambat"]
    extra = [["Pemeriksaan", "; ".join(check)]] + ([["Catatan", notes.strip()]] if notes.strip() else [])
    documents.issue(order=order, kind=DocumentKind.BAST, extra=extra)
    transaction.on_commit(
        lambda: notifications.vendor(order, _("Order #%(n)s: the BAST is signed; send your invoice."))
    )
    return _done(actor=actor, order=order, old=old, action="receive")


@transaction.atomic
def order_invoice(*, actor: Actor, order: Order) -> Invoice:
    """The vendor's invoice: PPN only when the vendor is a PKP."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.INVOICE, parties=parties)
    subtotal = order.total
    rate = Decimal(settings.KATALOG_VAT_PERCENT) if order.vendor.is_vat_registered else Decimal(0)
    vat = round_money(subtotal * rate / 100)
    invoice = Invoice.objects.create(
        order=order,
        number=f"INV/{order.pk}/{timezone.localdate().year}",
        subtotal=subtotal,
        vat_rate=rate,
        vat=vat,
        total=subtotal + vat,
    )
    transaction.on_commit(
        lambda: notifications.office_role(order, Role.TREASURER, _("Order #%(n)s: an invoice waits for payment."))
    )
    _done(actor=actor, order=order, old=old, action="invoice", total=str(invoice.total))
    return invoice


@transaction.atomic
def order_pay(*, actor: Actor, order: Order, method: str, paid_on: date, reference: str) -> Payment:
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.PAY, parties=parties)
    if not reference.strip():
        raise ValidationFailed(_("Give the payment reference (e.g. the SP2D number)."), code="reference_required")
    payment = Payment.objects.create(
        invoice=order.invoice,
        method=method,
        paid_on=paid_on,
        reference=reference.strip(),
        amount=order.invoice.total,
        recorded_by=actor.user,
    )
    order.paid_at = timezone.now()
    transaction.on_commit(lambda: notifications.vendor(order, _("Order #%(n)s is paid.")))
    _done(actor=actor, order=order, old=old, action="pay", method=method, reference=reference)
    return payment


@transaction.atomic
def order_rate(
    *, actor: Actor, order: Order, quality: int, timeliness: int, service: int, price: int, comment: str = ""
) -> Rating:
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.RATE, parties=parties)
    scores = (quality, timeliness, service, price)
    if not all(isinstance(s, int) and 1 <= s <= 5 for s in scores):
        raise ValidationFailed(_("Each score is a whole number from 1 to 5."), code="invalid")
    rating = Rating.objects.create(
        order=order,
        vendor=order.vendor,
        quality=quality,
        timeliness=timeliness,
        service=service,
        price=price,
        comment=comment,
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
    if not reply.strip():
        raise ValidationFailed(_("Write your reply."), code="reply_required")
    rating.reply, rating.replied_at = reply.strip(), timezone.now()
    rating.save(update_fields=["reply", "replied_at"])
    audit.record(actor=actor.user, action="rating.reply", obj=rating, katalog=rating.order.katalog)
    return rating


# --- Cancellation and expiry --------------------------------------------------------------------------


def _cancel(*, actor: Actor | None, order: Order, parties: frozenset[str], reason: str) -> Order:
    order, old = _move(actor=actor, order=order, action=workflow.CANCEL, parties=parties)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Please write the reason."), code="reason_required", fields={"reason": [_("This field is required.")]}
        )
    if old == S.IN_PROGRESS and order.items.filter(delivered_quantity__gt=0).exists():
        raise ValidationFailed(
            _("Part of this order was delivered; it can no longer be cancelled."), code="already_delivered"
        )
    if old in workflow.RESERVING:
        locks.release(order)
        order.budget_line.refresh_from_db()  # the page that cancels shows the released figures
    order.cancel_reason = reason
    order.deadline_at = None
    order.committed_amount = Decimal("0.00")  # as the database gives it back (the API shows "0.00")
    text = _("Order #%(n)s was cancelled: ") + reason
    transaction.on_commit(lambda: notifications.everyone(order, text))
    return _done(actor=actor, order=order, old=old, action="cancel", reason=reason)


@transaction.atomic
def order_cancel(*, actor: Actor, order: Order, reason: str) -> Order:
    return _cancel(actor=actor, order=order, parties=parties_of(actor, order), reason=reason)


def expire_if_overdue(order: Order, *, now=None) -> Order:
    """Cancel an order whose wait for the PPK or the vendor passed its deadline. Called by the
    worker and whenever an order is read, so a stopped worker loses nothing."""
    now = now or timezone.now()
    if order.status not in workflow.WAITING or order.deadline_at is None or order.deadline_at > now:
        return order
    with transaction.atomic():
        fresh = _lock(order)
        if fresh.status not in workflow.WAITING or fresh.deadline_at is None or fresh.deadline_at > now:
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
        except Exception:  # a missing worker backend must not undo the order; reading expires it too
            import logging

            logging.getLogger(__name__).exception("could not schedule expiry of order %s", order.pk)

    transaction.on_commit(enqueue)
