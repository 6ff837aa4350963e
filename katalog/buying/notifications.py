"""Telling the next person about an order: a row on their notifications page (`Notification`)
and a message on their channel (WhatsApp, SMS or e-mail, `katalog.messaging.services`), with the
link to the order. Called inside the service's transaction or after it commits: the message is
queued when the transaction commits and sent by the task worker, retried, never in the request."""

from katalog.accounts.models import Membership
from katalog.messaging.services import link_to, send_outside

from .models import Notification, Order


def _send(order: Order, users, text) -> None:
    message = str(text).replace("%(n)s", str(order.pk))  # texts may carry a user's reason: no %-formatting
    link = link_to(order.katalog, "buying:order", order.pk)
    for user in {u.pk: u for u in users if u is not None}.values():
        Notification.objects.create(katalog_id=order.katalog_id, user=user, order=order, text=message[:300])
        # The in-app copy is the row above: messaging adds only the WhatsApp / SMS / e-mail one.
        send_outside(
            katalog=order.katalog,
            user=user,
            subject=f"{order.katalog.name}: {message[:80]}",
            text=message,
            link=link,
            kind=f"order.{order.status}",
        )


def user(order: Order, someone, text) -> None:
    _send(order, [someone], text)


def vendor(order: Order, text) -> None:
    _send(order, list(order.vendor.users.all()), text)


def office_role(order: Order, role: str, text) -> None:
    members = Membership.objects.filter(office=order.office, role=role).select_related("user")
    _send(order, [m.user for m in members], text)


def everyone(order: Order, text) -> None:
    _send(order, [order.created_by, order.approver, *order.vendor.users.all()], text)
