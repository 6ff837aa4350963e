"""The one way the code tells someone something: `send`.

It writes one `OutgoingMessage` row per channel in the caller's transaction and queues the
sending for after the commit, so a rolled-back change sends nothing and a slow provider never
turns a committed change into an error page. The worker (`tasks.deliver`) sends and retries.

Who gets what (docs/messages.md):
- a user: an in-app row (their notifications page) and, on their channel, one more row. Their
  channel is `profile.preferred_channel` when they can be reached on it, else WhatsApp for a
  vendor's person with a phone, else e-mail when they have one, else in-app only;
- a bare phone: WhatsApp, or SMS with `channel="sms"`; a bare e-mail address: e-mail.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Channel, Profile
from katalog.accounts.phones import phone_or_none
from katalog.accounts.services import site_base
from katalog.core.models import Katalog

from .models import MessageStatus, OutgoingMessage
from .tasks import schedule

logger = logging.getLogger(__name__)


def link_to(katalog: Katalog, viewname: str, *args) -> str:
    """The absolute address of a page of this tenant (its domain, else KATALOG_SITE_URL)."""
    return site_base(katalog) + reverse(viewname, args=args)


def channel_of(user) -> tuple[str, str]:
    """(channel, address) on which `user` is reached besides the notifications page."""
    profile, _created = Profile.objects.get_or_create(user=user)
    addresses = {Channel.WHATSAPP: profile.phone, Channel.SMS: profile.phone, Channel.EMAIL: user.email}
    preferred = profile.preferred_channel
    if preferred == Channel.IN_APP:
        return Channel.IN_APP, ""
    if preferred and addresses.get(preferred):
        return preferred, addresses[preferred]
    if profile.phone and user.vendors.exists():
        return Channel.WHATSAPP, profile.phone
    if user.email:
        return Channel.EMAIL, user.email
    return Channel.IN_APP, ""


def send(
    *,
    katalog: Katalog,
    subject: str,
    text: str,
    link: str = "",
    user=None,
    phone: str = "",
    email: str = "",
    kind: str = "",
    channel: str | None = None,
) -> list[OutgoingMessage]:
    """Queue a message to `user`, or to a bare `phone` / `email`; returns the rows written.
    Sent by the worker once the current transaction commits (at once outside one)."""
    return _send(
        katalog=katalog,
        subject=subject,
        text=text,
        link=link,
        user=user,
        phone=phone,
        email=email,
        kind=kind,
        channel=channel,
        in_app=True,
    )


def send_outside(
    *, katalog: Katalog, user, subject: str, text: str, link: str = "", kind: str = ""
) -> list[OutgoingMessage]:
    """Like `send` to a user, without the in-app row: for callers that keep their own (the order
    notifications of `buying`, shown on the same page)."""
    return _send(
        katalog=katalog,
        subject=subject,
        text=text,
        link=link,
        user=user,
        phone="",
        email="",
        kind=kind,
        channel=None,
        in_app=False,
    )


def send_to_vendor(*, vendor, subject: str, text: str, link: str = "", kind: str = "") -> list[OutgoingMessage]:
    """Tell a vendor: each of its people (see `send`); a vendor without an account yet (a registry
    record) on the phone it registered, else its e-mail address."""
    rows: list[OutgoingMessage] = []
    people = list(vendor.users.all())
    for person in people:
        rows += send(katalog=vendor.katalog, subject=subject, text=text, link=link, user=person, kind=kind)
    if not people and (vendor.phone or vendor.email):
        rows += send(
            katalog=vendor.katalog,
            subject=subject,
            text=text,
            link=link,
            phone=vendor.phone,
            email="" if vendor.phone else vendor.email,
            kind=kind,
        )
    return rows


def _send(*, katalog, subject, text, link, user, phone, email, kind, channel, in_app) -> list[OutgoingMessage]:
    common = {
        "katalog": katalog,
        "subject": " ".join(str(subject).split())[:200],
        "text": str(text),
        "link": link[:500],
        "kind": kind[:50],
    }
    rows: list[OutgoingMessage] = []
    if user is not None:
        if in_app:
            rows.append(
                OutgoingMessage.objects.create(
                    user=user, channel=Channel.IN_APP, status=MessageStatus.DELIVERED, **common
                )
            )
        if channel and channel != Channel.IN_APP:
            profile, _created = Profile.objects.get_or_create(user=user)
            to = user.email if channel == Channel.EMAIL else profile.phone
        else:
            channel, to = channel_of(user) if channel is None else (Channel.IN_APP, "")
        if channel != Channel.IN_APP and to:
            rows.append(OutgoingMessage.objects.create(user=user, channel=channel, to=to, **common))
    elif phone:
        chosen = Channel.SMS if channel == Channel.SMS else Channel.WHATSAPP
        # A registry record keeps the number as typed there ("0812-9876-5432"): send to E.164.
        rows.append(OutgoingMessage.objects.create(channel=chosen, to=phone_or_none(phone) or phone, **common))
    elif email:
        rows.append(OutgoingMessage.objects.create(channel=Channel.EMAIL, to=email, **common))
    for row in rows:
        if row.status == MessageStatus.QUEUED and _over_daily_cap(row):
            row.status = MessageStatus.HELD
            row.last_error = _("daily limit: %(n)s messages a day to one recipient") % {"n": daily_cap()}
            row.save(update_fields=["status", "last_error"])
        if row.status == MessageStatus.QUEUED:
            transaction.on_commit(partial(schedule, message_id=row.pk))
    return rows


# Sign-in codes have their own limits (accounts/otp.py: per number and per address), and an owner
# who asks for a code must get it: they neither count towards the cap nor are held by it.
UNCAPPED_KINDS = {"login_code"}


def daily_cap() -> int:
    return max(0, int(getattr(settings, "KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY", 20)))


def _over_daily_cap(row: OutgoingMessage) -> bool:
    """Whether `row` (just written, an outgoing one) is past its recipient's cap for today (the
    tenant's calendar day): more than `daily_cap()` WhatsApp, SMS and e-mail messages to the same
    address, counting those written today and not held themselves, sign-in codes left out."""
    if row.channel == Channel.IN_APP or row.kind in UNCAPPED_KINDS or not row.to:
        return False
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    earlier = (
        OutgoingMessage.objects.filter(to=row.to, created_at__gte=midnight)
        .exclude(channel=Channel.IN_APP)
        .exclude(kind__in=UNCAPPED_KINDS)
        .exclude(status=MessageStatus.HELD)
        .exclude(pk=row.pk)
    )
    return earlier.count() >= daily_cap()


# WhatsApp reports what became of a message by webhook: `sent`, `delivered`, `read` or `failed`.
_PROVIDER_STATUS = {
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "failed": MessageStatus.FAILED,
}


@transaction.atomic
def record_provider_status(*, channel: str, provider_id: str, status: str, reason: str = "") -> int:
    """Apply a provider's delivery report to the message it names; returns how many rows changed.
    Looked up by the provider's id across tenants (unscoped on purpose: the provider does not know
    tenants, and its ids are unique). A delivered message never goes back to failed."""
    new = _PROVIDER_STATUS.get(status)
    if new is None or not provider_id:
        return 0
    rows = OutgoingMessage.objects.filter(channel=channel, provider_id=provider_id).exclude(
        status=MessageStatus.DELIVERED
    )
    if new == MessageStatus.FAILED:
        return rows.update(status=new, last_error=reason[:500], updated_at=timezone.now())
    return rows.update(status=new, updated_at=timezone.now())


def channels_for(user) -> list[tuple[str, str, str]]:
    """The channels `user` may choose for messages: (channel, label, address), the notifications
    page always, WhatsApp and SMS only with a phone on their profile, e-mail only with an address."""
    profile, _created = Profile.objects.get_or_create(user=user)
    found = [(Channel.IN_APP, Channel.IN_APP.label, "")]
    if user.email:
        found.append((Channel.EMAIL, Channel.EMAIL.label, user.email))
    if profile.phone:
        found += [
            (Channel.WHATSAPP, Channel.WHATSAPP.label, profile.phone),
            (Channel.SMS, Channel.SMS.label, profile.phone),
        ]
    return found


@transaction.atomic
def set_preferred_channel(*, user, katalog: Katalog | None, channel: str) -> Profile:
    """Keep the channel `user` chose for messages (one of `channels_for`); audited."""
    from katalog.core import audit
    from katalog.core.errors import ValidationFailed

    if channel not in {c for c, _label, _to in channels_for(user)}:
        raise ValidationFailed(_("You cannot be reached on this channel."), code="channel_unavailable")
    profile = Profile.objects.select_for_update().get(user=user)
    before = profile.preferred_channel
    profile.preferred_channel = channel
    profile.save(update_fields=["preferred_channel"])
    audit.record(
        actor=user, action="profile.preferred_channel", obj=profile, katalog=katalog, before=before, after=channel
    )
    return profile
