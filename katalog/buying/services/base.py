"""What every purchasing service shares: how an actor stands to an order, the locked move through
the workflow table with its audit entry, and the bounds every input meets."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core import audit
from katalog.core.errors import Conflict, ValidationFailed
from katalog.core.money import format_rupiah, whole_rupiah
from katalog.core.permissions import Role
from katalog.core.workflow import require_reason
from katalog.insights import rollups

from .. import taxes, workflow
from ..models import (
    Order,
    OrderStatus,
)

S = OrderStatus


def parties_of(actor: Actor, order: Order) -> frozenset[str]:
    """How the actor stands to this order (see workflow.py). Only the roles held in the order's
    office count (a PPK of another office is no PPK here). Whoever works for the order's vendor is
    not a buyer-side party of it, and whoever created it is not its vendor party (the parties of one
    order are different people; the services refuse with the reason, see `check_not_own_business`)."""
    parties: set[str] = set()
    if actor.katalog is None or order.katalog_id != actor.katalog.pk:
        return frozenset()
    here = actor.roles_in(order.office_id)
    staff = (
        Role.VENDOR in actor.roles and actor.is_authenticated and order.vendor.users.filter(pk=actor.user.pk).exists()
    )
    if not staff:
        if here & {Role.PP, Role.PPK}:
            parties.add(workflow.BUYER)
        if Role.PPK in here:
            parties.add(workflow.PPK)
        if Role.TREASURER in here:
            parties.add(workflow.TREASURER)
    elif actor.user.pk not in (order.created_by_id, order.approver_id):
        parties.add(workflow.VENDOR)
    return frozenset(parties)


class PartyConflict(Conflict):
    """The same person would stand on two sides of one order."""

    code = "same_person"


def works_for(actor: Actor, vendor) -> bool:
    """Whether the actor is an owner or staff member of `vendor`."""
    return actor.is_authenticated and vendor.users.filter(pk=actor.user.pk).exists()


def check_not_own_business(actor: Actor, vendor) -> None:
    """A buyer may not buy from a business he works for (refused, 409)."""
    if works_for(actor, vendor):
        raise PartyConflict(
            _("You work for %(vendor)s: you may not buy from your own business.") % {"vendor": vendor.name},
            code="own_business",
        )


def pp_may_approve() -> bool:
    """Whether the person who created an order may approve it as its PPK (KATALOG_ALLOW_PP_AS_PPK)."""
    return bool(getattr(settings, "KATALOG_ALLOW_PP_AS_PPK", False))


def shipping_share() -> Decimal:
    """KATALOG_SHIPPING_MAX_SHARE as a Decimal share of the goods' value (0.10 = 10%)."""
    return Decimal(str(getattr(settings, "KATALOG_SHIPPING_MAX_SHARE", "0.10")))


def check_shipping(*, name: str, goods: Decimal, shipping: Decimal, field: str) -> None:
    """Shipping of one line at most KATALOG_SHIPPING_MAX_SHARE of its goods' value (as agreed): with
    the listed price as a ceiling on the unit price, a line never costs more than its listed value
    plus that share."""
    cap = whole_rupiah(goods * shipping_share(), down=True)
    if shipping > cap:
        message = _(
            "The shipping cost of “%(name)s” may be at most %(share)s%% of the goods' value, i.e. %(cap)s; "
            "%(shipping)s was offered."
        ) % {
            "name": name,
            "share": f"{shipping_share() * 100:.2f}".rstrip("0").rstrip(".").replace(".", ","),
            "cap": format_rupiah(cap),
            "shipping": format_rupiah(shipping),
        }
        raise ValidationFailed(message, code="shipping_above_cap", fields={field: [message]})


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("vendor", "office", "budget_line", "katalog", "approver")
        .get(pk=order.pk)
    )


def _move(*, actor: Actor | None, order: Order, action: str, parties: frozenset[str]) -> tuple[Order, str]:
    """Check the table and return the locked order with its old status."""
    order = _lock(order)
    target = workflow.check(status=order.status, action=action, parties=parties)
    old = order.status
    order._rollup_before = rollups.contribution(order)  # what the order adds to the spending rollup now
    if target is not None:
        order.status = target
    return order, old


def _done(*, actor: Actor | None, order: Order, old: str, action: str, **data) -> Order:
    order.save()
    rollups.apply(order, getattr(order, "_rollup_before", None), rollups.contribution(order))
    audit.record(
        actor=actor.user if actor else None,
        action=f"order.{action}",
        obj=order,
        katalog=order.katalog,
        old=old,
        new=order.status,
        **data,
    )
    return order


def _tax(order: Order, dpp: Decimal) -> taxes.Vat:
    return taxes.vat_of(dpp, pkp=order.vendor.is_vat_registered)


def amount_to_commit(order: Order, items=None) -> Decimal:
    """What the order will cost the budget: items and shipping (the DPP), plus PPN when the
    vendor is a PKP (buying/taxes.py), whole rupiah."""
    dpp = sum((i.line_total for i in (items if items is not None else order.items.all())), Decimal(0))
    return _tax(order, dpp).total


def _recompute_total(order: Order, items=None) -> None:
    """The order's DPP and PPN from its lines (whole rupiah)."""
    vat = _tax(order, sum((i.line_total for i in (items if items is not None else order.items.all())), Decimal(0)))
    order.total, order.vat = vat.dpp, vat.vat


def _bounded_total(total: Decimal) -> None:
    if total > settings.KATALOG_MAX_MONEY:
        raise ValidationFailed(
            _("An order may not exceed %(max)s.") % {"max": format_rupiah(settings.KATALOG_MAX_MONEY)},
            code="too_large",
            fields={"quantity": [_("The order is too large.")]},
        )


def _quantity(value, field: str = "quantity") -> int:
    """A quantity as every input bounds it: a whole number from 1 to KATALOG_MAX_QUANTITY."""
    try:
        quantity = int(value)
    except (TypeError, ValueError, OverflowError):
        quantity = 0
    if (
        isinstance(value, bool)
        or not 1 <= quantity <= settings.KATALOG_MAX_QUANTITY
        or str(value).strip() != str(quantity)
    ):
        message = _("The quantity must be a whole number from 1 to %(max)s.") % {
            "max": f"{settings.KATALOG_MAX_QUANTITY:,}".replace(",", ".")
        }
        raise ValidationFailed(message, code="invalid", fields={field: [message]})
    return quantity


def _money(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount as every input bounds it: whole rupiah, above zero (or zero where allowed), at most
    KATALOG_MAX_MONEY."""
    try:
        amount = Decimal(str(value).strip())
        valid = amount.is_finite() and amount == amount.to_integral_value()
    except (ArithmeticError, ValueError, TypeError):
        valid = False
    if valid and (amount > 0 or (allow_zero and amount == 0)) and amount <= settings.KATALOG_MAX_MONEY:
        return whole_rupiah(amount)
    message = _("Write a whole amount in rupiah from %(min)s to %(max)s.") % {
        "min": "Rp0" if allow_zero else "Rp1",
        "max": format_rupiah(settings.KATALOG_MAX_MONEY),
    }
    raise ValidationFailed(message, code="invalid", fields={field: [message]})


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        message = _("At most %(n)s characters.") % {"n": limit}
        raise ValidationFailed(message, code="invalid", fields={field: [message]})
    return value


def _reason(value: str) -> str:
    return require_reason(value, limit=1000)


def _check_date(day: date, *, field: str, after: date | None, after_label, today: date | None = None) -> date:
    """A date no earlier than `after` (the order's own history) and no later than today (WIB)."""
    today = today or timezone.localdate()
    if day > today:
        message = _("This date is in the future; today is %(today)s.") % {"today": today.strftime("%d-%m-%Y")}
        raise ValidationFailed(message, code="date_in_future", fields={field: [message]})
    if after is not None and day < after:
        message = _("This date is before %(what)s (%(day)s).") % {
            "what": after_label,
            "day": after.strftime("%d-%m-%Y"),
        }
        raise ValidationFailed(message, code="date_too_early", fields={field: [message]})
    return day


def _unit_price(version) -> Decimal:
    """A listed price as an order carries it: whole rupiah, never above the ceiling."""
    return whole_rupiah(version.price, down=True)
