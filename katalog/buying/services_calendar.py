"""Writes of the tenant's own days off (the working-day calendar adds them to the national
holidays). Each is one transaction with its audit entry."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core import audit
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import LocalDayOff
from katalog.core.permissions import Permission


def _check(actor: Actor) -> None:
    if actor.katalog is None or not actor.can(Permission.DAYS_OFF_MANAGE):
        raise NotAllowed()


@transaction.atomic
def day_off_add(*, actor: Actor, day: date, name: str) -> LocalDayOff:
    """A local day off: orders waiting for the PPK or the vendor do not count it."""
    _check(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the day a name."), fields={"name": [_("This field is required.")]})
    try:
        with transaction.atomic():  # the unique constraint decides, even for two clicks at once
            day_off = LocalDayOff.objects.create(katalog=actor.katalog, date=day, name=name[:120])
    except IntegrityError:
        raise ValidationFailed(
            _("%(day)s is already a day off.") % {"day": day.strftime("%d-%m-%Y")},
            code="duplicate",
            fields={"date": [_("Already a day off.")]},
        ) from None
    audit.record(
        actor=actor.db_user,
        action="calendar.day_off_add",
        obj=day_off,
        katalog=actor.katalog,
        date=day.isoformat(),
        name=day_off.name,
    )
    return day_off


@transaction.atomic
def day_off_remove(*, actor: Actor, day_off: LocalDayOff) -> None:
    """Deadlines already computed keep their date; only new ones see the change."""
    _check(actor)
    if day_off.katalog_id != actor.katalog.pk:
        raise NotAllowed()
    audit.record(
        actor=actor.db_user,
        action="calendar.day_off_remove",
        obj=day_off,
        katalog=actor.katalog,
        date=day_off.date.isoformat(),
        name=day_off.name,
    )
    day_off.delete()
