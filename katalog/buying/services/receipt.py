"""Delivery, refusal of goods that fail the check, lateness, and the BAST."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core.errors import ValidationFailed

from .. import documents, locks, notifications, taxes, workflow
from ..models import (
    Delivery,
    DeliveryLine,
    DocumentKind,
    Order,
    OrderItem,
    OrderStatus,
    ReceiptCheck,
    Refusal,
    RefusalMode,
)
from .base import _check_date, _done, _move, _reason, _recompute_total, _text, parties_of
from .cancelling import _notify_cancelled, _rerender_purchase_order

S = OrderStatus

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
        notifications.tell(order, _("Order #%(n)s is delivered: check the receipt."), user_ids=[order.approver_id])
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
    notifications.tell(order, text, vendor=True)
    _done(actor=actor, order=order, old=old, action="refuse", mode=mode, lines={str(k): v for k, v in wanted.items()})
    return refusals


def lateness(order: Order) -> tuple[int, Decimal]:
    """(days late of the latest late delivery, penalty). Each delivery dated after the order's deadline
    costs the late-penalty rate of the value of the goods it carried that were kept, for each calendar
    day late. Goods refused at receipt are taken off the deliveries that came before the refusal,
    latest first (they were the goods just checked); a replacement counts from its own date. A read."""
    if order.delivery_deadline is None:
        return 0, Decimal("0.00")
    events: list[tuple] = []  # (moment, kind, item, quantity, delivered_on); deliveries before refusals
    for line in DeliveryLine.objects.filter(delivery__order=order).select_related("delivery", "item"):
        events.append((line.delivery.created_at, 0, line.item, line.quantity, line.delivery.delivered_on))
    for refusal in order.refusals.select_related("item"):
        events.append((refusal.created_at, 1, refusal.item, refusal.quantity, None))
    kept: dict[int, list[list]] = {}  # item id → [[delivered_on, quantity kept], …] in arrival order
    for _moment, kind, item, quantity, delivered_on in sorted(events, key=lambda e: (e[0], e[1])):
        lots = kept.setdefault(item.pk, [])
        if kind == 0:
            lots.append([delivered_on, quantity, item.unit_price])
            continue
        for lot in reversed(lots):  # a refusal takes from the latest goods first
            taken = min(lot[1], quantity)
            lot[1] -= taken
            quantity -= taken
            if not quantity:
                break
    worst, penalty = 0, Decimal("0.00")
    late: dict = {}  # delivered_on → value kept of the goods that came that day
    for lots in kept.values():
        for delivered_on, quantity, unit_price in lots:
            if quantity and delivered_on > order.delivery_deadline:
                late[delivered_on] = late.get(delivered_on, Decimal(0)) + unit_price * quantity
    for delivered_on, value in late.items():
        days = (delivered_on - order.delivery_deadline).days
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
    notifications.tell(order, _("Order #%(n)s: the BAST is signed; send your invoice."), vendor=True)
    return _done(actor=actor, order=order, old=old, action="receive", late_days=late_days, penalty=str(penalty))
