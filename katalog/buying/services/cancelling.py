"""Cancellation (with a reason, releasing stock and budget), the vendor's request to cancel and the
PPK's answer, and expiry of orders that waited too long (by the task worker only)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core.errors import ValidationFailed

from .. import documents, locks, notifications, workflow
from ..after_commit import queue_task
from ..models import (
    DocumentKind,
    Order,
    OrderStatus,
)
from .base import _done, _lock, _move, _reason, parties_of

S = OrderStatus

# --- Cancellation and expiry --------------------------------------------------------------------------


def _rerender_purchase_order(order: Order) -> None:
    """A cancelled order's Surat Pesanan is printed again with "DIBATALKAN", its date and reason."""
    sp = order.documents.filter(kind=DocumentKind.PURCHASE_ORDER).first()
    if sp is not None:
        documents.rerender(sp)


def _notify_cancelled(order: Order, text: str) -> None:
    """The buyer and the PPK hear of a cancellation; the vendor only of an order it has seen (a
    buyer's draft was never its business)."""

    notifications.tell(
        order, text, user_ids=[order.created_by_id, order.approver_id], vendor=order.sent_to_vendor_at is not None
    )


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
    if order.items.filter(delivered_quantity__gt=0).exists():
        raise ValidationFailed(
            _("Part of this order was delivered; it can no longer be cancelled."), code="already_delivered"
        )
    if order.cancel_requested_at is not None:
        raise ValidationFailed(_("A cancellation request already waits for the PPK."), code="already_requested")
    order.cancel_requested_at = timezone.now()
    order.cancel_request_reason = reason
    text = _("Order #%(n)s: the vendor asks to cancel: ") + reason
    notifications.tell(order, text, user_ids=[order.approver_id])
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
    notifications.tell(order, text, vendor=True)
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
    from ..tasks import expire_order

    queue_task(expire_order.using(run_after=order.deadline_at), order.pk)
