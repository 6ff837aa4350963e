"""What every purchasing service shares: how an actor stands to an order, the locked move through
the workflow table with its audit entry, and the bounds every input meets."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core import audit, calendar, prepared, tenant_cache
from katalog.core.errors import Conflict, ValidationFailed
from katalog.core.models import LocalDayOff
from katalog.core.money import format_rupiah, whole_rupiah
from katalog.core.permissions import Role
from katalog.core.workflow import require_reason
from katalog.insights import rollups
from katalog.vendors.models import Vendor

from .. import taxes, workflow
from ..models import (
    Order,
    OrderItem,
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
    staff = Role.VENDOR in actor.roles and works_for_order(actor, order)
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


def works_for_vendor_sql(model, user_id: int) -> RawSQL:
    """Whether the user works for the vendor of `model`'s row (its `vendor_id`), as a column of the
    same statement: a plain `EXISTS` (the ORM's `Exists` cost more to build and compile than the
    statement took to run)."""
    quote = connection.ops.quote_name
    staff = Vendor.users.through._meta
    table, vendor, user = (
        quote(staff.db_table),
        quote(staff.get_field("vendor").column),
        quote(staff.get_field("user").column),
    )
    outer = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field('vendor').column)}"
    return RawSQL(  # noqa: S611 (names from the models, values as parameters)
        f"EXISTS (SELECT 1 FROM {table} WHERE {table}.{vendor} = {outer} AND {table}.{user} = %s)",  # noqa: S608
        (user_id,),
        output_field=BooleanField(),
    )


def works_for_order(actor: Actor, order: Order) -> bool:
    """Whether the actor works for the order's vendor; read with the order's lock when `_lock` was
    given the actor."""
    if not actor.is_authenticated:
        return False
    known = getattr(order, "vendor_staff", {})
    if actor.user.pk not in known:
        known = {**known, actor.user.pk: order.vendor.users.filter(pk=actor.user.pk).exists()}
        order.vendor_staff = known
    return known[actor.user.pk]


def _days_off_scope(katalog_id: int) -> str:
    return f"days-off-{katalog_id}"


@receiver(post_save, sender=LocalDayOff, dispatch_uid="buying-days-off-saved")
@receiver(post_delete, sender=LocalDayOff, dispatch_uid="buying-days-off-deleted")
def _day_off_changed(sender, instance, **kwargs) -> None:
    tenant_cache.forget(_days_off_scope(instance.katalog_id))  # every process sees the change at once


def _local_days_off(katalog, start: date, end: date) -> frozenset[date]:
    """The tenant's own days off from `start` to `end`, kept between steps (`core.tenant_cache`: its
    stamp moves when a day off is added or removed)."""
    if katalog is None:
        return frozenset()
    return tenant_cache.cached(
        _days_off_scope(katalog.pk), f"{start}:{end}", lambda: calendar.local_days_off(katalog, start, end)
    )


def working_days_after(moment, *counts: int, katalog) -> list:
    """`core.calendar.add_working_days(moment, n)` for each n, with the tenant's days off read once
    (and kept while none is added or removed)."""
    current = timezone.localtime(moment)
    local = _local_days_off(katalog, current.date(), current.date() + timedelta(days=max(counts) * 3 + 30))
    results = []
    for count in counts:
        day, remaining = current, count
        while remaining > 0:
            day += timedelta(days=1)
            if calendar.is_working_day(day.date(), local):
                remaining -= 1
        results.append(day)
    return results


def check_not_own_business(actor: Actor, vendor) -> None:
    """A buyer may not buy from a business he works for (refused, 409)."""
    if works_for(actor, vendor):
        raise_own_business(vendor)


def raise_own_business(vendor) -> None:
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


# Relations of an order that never change once it exists: a caller's already loaded copies are
# carried over to the locked row instead of being joined again. The vendor is always read afresh
# (its status and tax registration are checked under the lock).
_FIXED_RELATIONS = ("katalog", "office", "budget_line", "created_by")
_ORDER_FIELDS = [f.attname for f in Order._meta.concrete_fields if not f.primary_key]


_ORDER_FIELD_NAMES = [f.name for f in Order._meta.concrete_fields]


def _items_query(order_id: int):
    return OrderItem.objects.filter(order_id=order_id).select_related("version", "product")


def items_of(order: Order) -> list[OrderItem]:
    """The order's items with their versions and products, each knowing its order: the statement of
    `order.items.select_related("version", "product")`, compiled once per process."""
    items = prepared.fetch(OrderItem, _items_query, order.pk)
    for item in items:
        OrderItem.order.field.set_cached_value(item, order)
    return items


def _lock_query(shape: tuple, pk: int, user_id: int):
    """`_lock`'s statement: the order's row locked, with its vendor and `missing` relations, whether
    the user works for its vendor (`with_actor`), the vendor's `vendor_fields` alone (None: all)."""
    missing, with_actor, vendor_fields = shape
    qs = Order.objects.select_for_update(of=("self",)).select_related("vendor", *missing)
    if with_actor:
        qs = qs.annotate(actor_works_for=works_for_vendor_sql(Order, user_id))
    if vendor_fields is not None:
        qs = qs.only(*_ORDER_FIELD_NAMES, *(f"vendor__{name}" for name in vendor_fields))
    return qs.filter(pk=pk)


def _lock(
    order: Order,
    *,
    actor: Actor | None = None,
    annotations: dict | None = None,
    vendor_fields: tuple[str, ...] | None = None,
) -> Order:
    """The order's row, locked (`FOR UPDATE` of the order alone) with its vendor, and the relations
    the caller has not loaded. With `actor`, the same statement tells whether the actor works for
    the order's vendor (`order.actor_works_for`); `annotations` are read with it too. `vendor_fields`:
    the vendor's columns the step uses (the others are left unread; the ORM compiles fewer columns)."""
    # Joined only when the caller has not loaded them: a lean statement on the hot path, and no lazy
    # read later inside the transaction otherwise (the worker's sweep, a bare order).
    missing = [name for name in _FIXED_RELATIONS if not Order._meta.get_field(name).is_cached(order)]
    if not Order.approver.is_cached(order):
        missing.append("approver")
    with_actor = actor is not None and actor.is_authenticated
    shape = (tuple(missing), with_actor, vendor_fields)
    user_id = actor.user.pk if with_actor else 0
    if annotations:  # the caller's own expressions: compiled each time
        found = list(_lock_query(shape, order.pk, user_id).annotate(**annotations))
    else:
        found = prepared.fetch(Order, _lock_query, order.pk, user_id, shape=shape, for_write=True)
    if not found:
        raise Order.DoesNotExist(f"order {order.pk}")
    (locked,) = found
    if with_actor:
        locked.vendor_staff = {actor.user.pk: locked.actor_works_for}
    for name in _FIXED_RELATIONS:
        field = Order._meta.get_field(name)
        if field.is_cached(order) and getattr(order, field.attname) == getattr(locked, field.attname):
            field.set_cached_value(locked, field.get_cached_value(order))
    if Order.approver.field.is_cached(order) and order.approver_id == locked.approver_id:
        Order.approver.field.set_cached_value(locked, order.approver)
    # The delivery addresses are written with the order and never change: a caller's copy is kept.
    if getattr(order, "loaded_addresses", None) is not None and order.pk == locked.pk:
        locked.loaded_addresses = order.loaded_addresses
    locked._as_locked = {name: getattr(locked, name) for name in _ORDER_FIELDS}
    return locked


def _move(
    *, actor: Actor | None, order: Order, action: str, parties: frozenset[str], rollup: bool = True
) -> tuple[Order, str]:
    """Check the table and return the locked order with its old status. `rollup=False` for a step
    that changes nothing the spending rollup reads (checked in `_done`)."""
    order = _lock(order)
    return _moved(order, action=action, parties=parties, rollup=rollup)


def _moved(order: Order, *, action: str, parties: frozenset[str], rollup: bool = True) -> tuple[Order, str]:
    """`_move` for an order the caller has locked itself (`_lock`)."""
    target = workflow.check(status=order.status, action=action, parties=parties)
    old = order.status
    # What the order adds to the spending rollup now (a step that changes none of it skips the reads).
    order._rollup_before = rollups.contribution(order) if rollup else _UNCHANGED
    if target is not None:
        order.status = target
    return order, old


_UNCHANGED = object()
# What `rollups.contribution` reads of the order row (besides its items and vendor).
_ROLLUP_FIELDS = ("submitted_at", "total", "vat", "paid_at", "office_id", "vendor_id", "katalog_id")


def _changed_fields(order: Order) -> list[str]:
    before = getattr(order, "_as_locked", None)
    if before is None:
        return []
    return [name for name in _ORDER_FIELDS if getattr(order, name) != before[name]]


def _done(*, actor: Actor | None, order: Order, old: str, action: str, **data) -> Order:
    before = getattr(order, "_as_locked", None)
    if before is None:
        order.save()
    else:  # only the columns this step changed (and updated_at)
        changed = _changed_fields(order)
        order.save(update_fields=[Order._meta.get_field(n).name for n in changed] + ["updated_at"])
        order._as_locked = {name: getattr(order, name) for name in _ORDER_FIELDS}
    rollup_before = getattr(order, "_rollup_before", None)
    if rollup_before is _UNCHANGED:
        moved = [n for n in _ROLLUP_FIELDS if before is not None and getattr(order, n) != before[n]]
        if before is None or moved or order.status == OrderStatus.CANCELLED:
            raise RuntimeError(f"order.{action} changed what the spending rollup reads: {moved}")
    else:
        # The items the step has just read under the lock, when it gave them (else read again).
        rollups.apply(order, rollup_before, rollups.contribution(order, order.__dict__.pop("rollup_items", None)))
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
