"""Reads of messages, scoped by the acting user."""

from django.db.models import QuerySet

from katalog.accounts.models import Channel
from katalog.accounts.selectors import Actor
from katalog.core.permissions import Permission

from .models import OutgoingMessage


def messages_of_tenant(actor: Actor, *, status: str = "") -> QuerySet[OutgoingMessage]:
    """Every message of the actor's tenant, newest first; nothing for one who may not see vendors'
    contact data (the recipients are phone numbers and e-mail addresses)."""
    if actor.katalog is None or not actor.can(Permission.VENDOR_VIEW_ALL):
        return OutgoingMessage.objects.none()
    rows = OutgoingMessage.objects.filter(katalog=actor.katalog).select_related("user")
    return rows.filter(status=status) if status else rows


def in_app_of(actor: Actor) -> QuerySet[OutgoingMessage]:
    """The actor's own in-app messages (account and product news; orders have their own rows)."""
    if not actor.is_authenticated or actor.katalog is None:
        return OutgoingMessage.objects.none()
    return OutgoingMessage.objects.filter(user=actor.user, katalog=actor.katalog, channel=Channel.IN_APP)
