"""Every write of e-purchasing. Each transition is one service: it loads the order under lock,
asks the workflow table whether this party may do it now, does the work in one transaction,
writes the audit entry, and notifies the next person after commit. Stock and budget change only
through `buying/locks.py`.

- `base`: how an actor stands to an order, the locked move, the bounds of every input;
- `ordering`: create, cart, negotiate, reprice, submit, approve, confirm;
- `receipt`: deliver, refuse, lateness, receive (the BAST);
- `payment`: invoice, pay (as the treasurer books it), rate and reply;
- `cancelling`: cancel, the vendor's request and the PPK's answer, expiry by the worker."""

from .base import PartyConflict, amount_to_commit, parties_of, pp_may_approve
from .cancelling import (
    expire_if_overdue,
    expire_overdue,
    is_overdue,
    order_cancel,
    order_decline_cancel,
    order_request_cancel,
)
from .ordering import (
    ItemRequest,
    NotOnSale,
    VersionChanged,
    cart_add,
    cart_remove,
    changed_items,
    notifications_mark_read,
    order_accept,
    order_approve,
    order_confirm,
    order_counter,
    order_create,
    order_from_cart,
    order_propose,
    order_reprice,
    order_submit,
)
from .payment import order_invoice, order_pay, order_rate, rating_reply, settlement_of
from .receipt import lateness, order_deliver, order_receive, order_refuse

__all__ = [
    "ItemRequest",
    "PartyConflict",
    "NotOnSale",
    "VersionChanged",
    "amount_to_commit",
    "cart_add",
    "cart_remove",
    "changed_items",
    "expire_if_overdue",
    "expire_overdue",
    "is_overdue",
    "lateness",
    "notifications_mark_read",
    "order_accept",
    "order_approve",
    "order_cancel",
    "order_confirm",
    "order_counter",
    "order_create",
    "order_decline_cancel",
    "order_deliver",
    "order_from_cart",
    "order_invoice",
    "order_pay",
    "order_propose",
    "order_rate",
    "order_receive",
    "order_refuse",
    "order_reprice",
    "order_request_cancel",
    "order_submit",
    "parties_of",
    "pp_may_approve",
    "rating_reply",
    "settlement_of",
]
