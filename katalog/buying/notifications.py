"""Telling the next person about an order: a row on their notifications page (`Notification`)
and a message on their channel (WhatsApp, SMS or e-mail, `katalog.messaging.services`), with the
link to the order.

The purchasing services call `tell`: ONE task (`tasks.notify`) with the step's recipients and text
is queued for the task worker (its row written in the step's transaction on the database queue, else
after the commit: `after_commit.queue_task`), and the worker, once the step committed, writes the
rows and the messages (and queues their sending). The request writes one row of the task queue
instead of the notifications, the recipients' profiles, the message rows and the daily cap's count.
`user`, `vendor`, `office_role` and `everyone` write at once (the worker's side, and callers outside
a step)."""

from django.contrib.auth import get_user_model

from katalog.accounts.models import Membership
from katalog.messaging.services import link_to, send_outside

from .after_commit import queue_task
from .models import Notification, Order
from .tasks import notify


def tell(order: Order, text, *, user_ids=(), vendor: bool = False, role: str = "") -> None:
    """Queue one `tasks.notify` for the order, run by the task worker once the current transaction
    committed: to the users of `user_ids`, the vendor's people (`vendor`) and the members holding
    `role` in the order's office. The worker writes the notifications and the messages; a step
    rolled back tells no one."""
    user_ids = list(dict.fromkeys(pk for pk in user_ids if pk is not None))
    text = str(text)
    queue_task(
        notify, order_id=order.pk, text=text, user_ids=user_ids, vendor=vendor, role=role, kind=f"order.{order.status}"
    )


def deliver(*, order_id: int, text: str, user_ids: list[int], vendor: bool, role: str, kind: str) -> int:
    """The worker's side of `tell`: the recipients as they stand now, their rows and messages.
    Returns how many were told."""
    order = Order.objects.select_related("katalog").filter(pk=order_id).first()
    if order is None:
        return 0
    users = list(get_user_model().objects.filter(pk__in=user_ids)) if user_ids else []
    if vendor:
        users += order.vendor.users.all()
    if role:
        users += [
            m.user for m in Membership.objects.filter(office_id=order.office_id, role=role).select_related("user")
        ]
    return _send(order, users, text, kind=kind)


def _send(order: Order, users, text, *, kind: str = "") -> int:
    message = str(text).replace("%(n)s", str(order.pk))  # texts may carry a user's reason: no %-formatting
    link = link_to(order.katalog, "buying:order", order.pk)
    recipients = {u.pk: u for u in users if u is not None}.values()
    for user in recipients:
        Notification.objects.create(katalog_id=order.katalog_id, user=user, order=order, text=message[:300])
        # The in-app copy is the row above: messaging adds only the WhatsApp / SMS / e-mail one.
        send_outside(
            katalog=order.katalog,
            user=user,
            subject=f"{order.katalog.name}: {message[:80]}",
            text=message,
            link=link,
            kind=kind or f"order.{order.status}",
        )
    return len(recipients)


def user(order: Order, someone, text) -> None:
    _send(order, [someone], text)


def vendor(order: Order, text) -> None:
    _send(order, list(order.vendor.users.all()), text)


def office_role(order: Order, role: str, text) -> None:
    members = Membership.objects.filter(office=order.office, role=role).select_related("user")
    _send(order, [m.user for m in members], text)


def everyone(order: Order, text) -> None:
    _send(order, [order.created_by, order.approver, *order.vendor.users.all()], text)
