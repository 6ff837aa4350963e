"""Invitations: the Pengelola asks a registry vendor's owner to claim its record by signing in
with the phone on file (a one-time code). One vendor at once (`vendor_invite`), or many by
kecamatan, sector and size class (`vendor_invite_many`), sent by the task worker at most
`KATALOG_INVITES_PER_MINUTE` a minute. A vendor is invited at most once every
`KATALOG_INVITE_INTERVAL_DAYS` days, and never once claimed.

The message goes out through `katalog.messaging.services.send` (WhatsApp or SMS to the phone on
file, else e-mail), after the transaction that marks the vendor invited commits."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core import audit
from katalog.core.errors import Conflict, NotAllowed, ValidationFailed
from katalog.core.models import AuditLog, Katalog
from katalog.core.permissions import Permission

from .models import Vendor, VendorSource

# Who may invite: the Dinas desk, which registers owners (the Pengelola Katalog).
INVITE_PERMISSION = Permission.VENDOR_REGISTER_ASSISTED
BULK_CHUNK = 500
ENQUEUE_IN_REQUEST = 200  # a bulk run of more vendors is queued by the worker


def interval() -> timedelta:
    return timedelta(days=int(getattr(settings, "KATALOG_INVITE_INTERVAL_DAYS", 7)))


def per_minute() -> int:
    return max(1, int(getattr(settings, "KATALOG_INVITES_PER_MINUTE", 30)))


def mask_phone(phone: str) -> str:
    """`081234567890` or `+6281234567890` → `0812****890`: enough for the owner to recognise
    their number, too little to call it. Empty for an empty or too short number."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        digits = "0" + digits
    if len(digits) < 8:
        return ""
    return f"{digits[:4]}****{digits[-3:]}"


def sign_in_path() -> str:
    """The page where an owner signs in with a code sent to the phone (and so claims its record)."""
    try:
        return reverse("accounts:login_phone")
    except NoReverseMatch:
        return reverse("accounts:login") + "?phone=1"


def invitation_link(katalog: Katalog, site_url: str = "") -> str:
    from katalog.accounts.services import site_base

    return site_base(katalog, site_url) + sign_in_path()


def is_claimed(vendor: Vendor) -> bool:
    return vendor.claimed_at is not None or vendor.users.exists()


def _may_invite(actor: Actor, katalog_id: int | None = None) -> bool:
    if actor.katalog is None or not actor.can(INVITE_PERMISSION):
        return False
    return katalog_id is None or katalog_id == actor.katalog.pk


def check_invitable(vendor: Vendor, *, now=None) -> None:
    """Raise `Conflict` (claimed, invited recently) or `ValidationFailed` (no contact) with the reason a vendor cannot be invited now."""
    now = now or timezone.now()
    if is_claimed(vendor):
        raise Conflict(
            _("%(name)s already has an account: the owner signs in, no invitation is needed.") % {"name": vendor.name},
            code="already_claimed",
        )
    if not vendor.phone and not vendor.email:
        raise ValidationFailed(
            _("%(name)s has no phone number or e-mail on file; add one first.") % {"name": vendor.name},
            code="no_contact",
        )
    if vendor.invited_at and vendor.invited_at > now - interval():
        again = timezone.localtime(vendor.invited_at + interval())
        raise Conflict(
            _("%(name)s was invited on %(date)s; a vendor is invited at most once a week (again from %(again)s).")
            % {
                "name": vendor.name,
                "date": date_format(timezone.localtime(vendor.invited_at), "j F Y"),
                "again": date_format(again, "j F Y"),
            },
            code="invited_recently",
        )


def _message(vendor: Vendor, link: str) -> tuple[str, str]:
    katalog = vendor.katalog
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Invitation to %(catalogue)s") % {"catalogue": katalog.name}
        text = _(
            "%(name)s is in the UMKM registry of the Dinas. Sell to the offices of %(government)s through "
            "%(catalogue)s: sign in with this phone number, type the code we send you, check your data and "
            "add your first product. %(link)s"
        ) % {
            "name": vendor.name,
            "government": katalog.government_name,
            "catalogue": katalog.name,
            "link": "",  # the messaging backends append the link (`link=`): once is enough
        }
    return subject, text.strip()


def deliver(vendor: Vendor, link: str) -> None:
    """Send the invitation message to the phone on file (WhatsApp or SMS), else to the e-mail.
    The messaging service sends it after the current transaction commits."""
    from katalog.messaging.services import send

    subject, text = _message(vendor, link)
    send(
        katalog=vendor.katalog,
        subject=subject,
        text=text,
        link=link,
        phone=vendor.phone,
        email="" if vendor.phone else vendor.email,
        kind="vendor.invitation",
    )


@transaction.atomic
def vendor_invite(*, actor: Actor, vendor: Vendor, site_url: str = "") -> Vendor:
    """Invite one vendor's owner now: refused if the vendor is claimed, has no phone or e-mail, or
    was invited within the interval. Sets `invited_at`, audits, and sends the message."""
    if not _may_invite(actor, vendor.katalog_id):
        raise NotAllowed()
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    check_invitable(vendor)
    vendor.invited_at = timezone.now()
    vendor.save(update_fields=["invited_at", "updated_at"])
    audit.record(
        actor=actor.user,
        action="vendor.invite",
        obj=vendor,
        katalog=vendor.katalog,
        channel="phone" if vendor.phone else "email",
    )
    deliver(vendor, invitation_link(vendor.katalog, site_url))
    return vendor


def invitable(
    katalog: Katalog, *, kecamatan: str | None = None, sector: str | None = None, size_class: str | None = None
) -> QuerySet[Vendor]:
    """The unclaimed registry vendors of a tenant with a phone or e-mail, not invited within the
    interval, narrowed by kecamatan (its code), sector and size class; oldest record first."""
    since = timezone.now() - interval()
    # No outer join (PostgreSQL cannot lock the nullable side of one): "no account" is a subquery.
    has_account = Exists(Vendor.users.through.objects.filter(vendor_id=OuterRef("pk")))
    qs = Vendor.objects.filter(katalog=katalog, source=VendorSource.IMPORT, claimed_at__isnull=True)
    qs = qs.filter(~has_account).filter(~Q(phone="") | ~Q(email=""))
    qs = qs.filter(Q(invited_at__isnull=True) | Q(invited_at__lte=since))
    if kecamatan:
        qs = qs.filter(district_id=kecamatan)
    if sector:
        qs = qs.filter(sector__iexact=sector.strip())
    if size_class:
        qs = qs.filter(size_class=size_class)
    return qs.order_by("pk")


@dataclass
class BulkInvitation:
    count: int  # how many were (or, in a dry run, would be) invited
    dry_run: bool
    minutes: int  # about how long the worker takes to send them all


def vendor_invite_many(
    *,
    actor: Actor,
    kecamatan: str | None = None,
    sector: str | None = None,
    size_class: str | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    site_url: str = "",
) -> BulkInvitation:
    """Invite every vendor `invitable` chooses (at most `limit`). They are marked invited and
    audited at once; the messages are queued for the worker, spread over time at
    `KATALOG_INVITES_PER_MINUTE`. A dry run only counts."""
    if not _may_invite(actor):
        raise NotAllowed()
    return invite_many(
        katalog=actor.katalog,
        by=actor.db_user,
        kecamatan=kecamatan,
        sector=sector,
        size_class=size_class,
        limit=limit,
        dry_run=dry_run,
        site_url=site_url,
    )


def invite_many(
    *,
    katalog: Katalog,
    by=None,
    kecamatan: str | None = None,
    sector: str | None = None,
    size_class: str | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    site_url: str = "",
) -> BulkInvitation:
    """`vendor_invite_many` without the check of the right: for the console command (`by` None:
    the system, as the audit log records it)."""
    rate = per_minute()
    qs = invitable(katalog, kecamatan=kecamatan, sector=sector, size_class=size_class)
    if dry_run:
        count = qs.count() if limit is None else min(qs.count(), max(0, limit))
        return BulkInvitation(count=count, dry_run=True, minutes=-(-count // rate))
    link = invitation_link(katalog, site_url)
    with transaction.atomic():
        ids_qs = qs.select_for_update().values_list("pk", flat=True)
        ids = list(ids_qs[: max(0, limit)] if limit is not None else ids_qs)
        invite_ids(
            katalog=katalog,
            ids=ids,
            by=by,
            link=link,
            rate=rate,
            kecamatan=kecamatan or "",
            sector=sector or "",
            size_class=size_class or "",
            limit=limit,
        )
    return BulkInvitation(count=len(ids), dry_run=False, minutes=-(-len(ids) // rate))


def invite_ids(*, katalog: Katalog, ids: list[int], by, link: str, rate: int, **about) -> None:
    """Inside the caller's transaction: mark these vendors invited, audit each and the batch (with
    `about`: what chose them), and queue their messages after commit at `rate` a minute."""
    if not ids:
        return
    now = timezone.now()
    for start in range(0, len(ids), BULK_CHUNK):
        chunk = ids[start : start + BULK_CHUNK]
        Vendor.objects.filter(pk__in=chunk).update(invited_at=now, updated_at=now)
        AuditLog.objects.bulk_create(
            [
                AuditLog(
                    katalog=katalog,
                    actor=by,
                    action="vendor.invite",
                    object_type=Vendor._meta.label_lower,
                    object_id=str(pk),
                    data={"bulk": True, **({"import": True} if about.get("source") == "import" else {})},
                )
                for pk in chunk
            ]
        )
    audit.record(actor=by, action="vendor.invite_many", obj=katalog, katalog=katalog, count=len(ids), **about)
    transaction.on_commit(lambda: _enqueue(ids, link=link, rate=rate, start=now))


def _enqueue(ids: list[int], *, link: str, rate: int, start) -> None:
    """Queue one task per vendor, the i-th to run i × (60 / rate) seconds after `start`. A backend
    that cannot defer (the immediate one, in development) sends them at once. A long list is
    queued by the worker itself (`tasks.queue_vendor_invitations`), not by the request."""
    from .tasks import queue_vendor_invitations, send_vendor_invitation

    if len(ids) > ENQUEUE_IN_REQUEST and queue_vendor_invitations.get_backend().supports_defer:
        queue_vendor_invitations.enqueue(ids=ids, link=link, rate=rate, start=start.isoformat())
        return

    defer = send_vendor_invitation.get_backend().supports_defer
    step = 60.0 / rate
    for i, pk in enumerate(ids):
        task = send_vendor_invitation
        if defer:
            task = task.using(run_after=start + timedelta(seconds=i * step))
        task.enqueue(vendor_id=pk, link=link)


def send_queued(vendor_id: int, link: str) -> str:
    """The worker's half of a bulk invitation: send the message unless the owner claimed the
    record meanwhile (or the vendor is gone, or has no contact any more)."""
    vendor = Vendor.objects.select_related("katalog").filter(pk=vendor_id).first()
    if vendor is None:
        return "gone"
    if is_claimed(vendor):
        return "claimed"
    if not vendor.phone and not vendor.email:
        return "no_contact"
    with transaction.atomic():
        deliver(vendor, link)
    return "sent"
