"""Telling the next person: a row on their notifications page and an e-mail. Always called
after the transaction commits (`transaction.on_commit`); the e-mail itself is sent by the task
worker (`katalog.core.mail.send_later`), retried, never inside the request."""

from katalog.accounts.models import Membership
from katalog.core.mail import send_later

from .models import Notification, Order


def _send(order: Order, users, text) -> None:
    message = str(text).replace("%(n)s", str(order.pk))  # texts may carry a user's reason: no %-formatting
    for user in {u.pk: u for u in users if u is not None}.values():
        Notification.objects.create(katalog_id=order.katalog_id, user=user, order=order, text=message[:300])
        if user.email:
            send_later(to=[user.email], subject=f"{order.katalog.name}: {message[:80]}", body=message)


def user(order: Order, someone, text) -> None:
    _send(order, [someone], text)


def vendor(order: Order, text) -> None:
    _send(order, list(order.vendor.users.all()), text)


def office_role(order: Order, role: str, text) -> None:
    members = Membership.objects.filter(office=order.office, role=role).select_related("user")
    _send(order, [m.user for m in members], text)


def everyone(order: Order, text) -> None:
    _send(order, [order.created_by, order.approver, *order.vendor.users.all()], text)
