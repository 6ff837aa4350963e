"""Creating an order, negotiating it, and sending it on: submit (stock and budget reserved),
approve (the Surat Pesanan) and confirm."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Membership
from katalog.accounts.selectors import Actor
from katalog.catalogue.models import Product, ProductStatus
from katalog.core import audit, prepared
from katalog.core.errors import Conflict, NotAllowed, ValidationFailed
from katalog.core.money import format_rupiah
from katalog.core.permissions import Role
from katalog.vendors.models import Vendor, VendorStatus

from .. import documents, locks, notifications, taxes, workflow
from ..models import (
    BudgetLine,
    CartItem,
    DeliveryAddress,
    DocumentKind,
    Notification,
    Offer,
    OfferSide,
    Order,
    OrderItem,
    OrderStatus,
)
from .base import (
    PartyConflict,
    _bounded_total,
    _done,
    _lock,
    _money,
    _move,
    _moved,
    _quantity,
    _recompute_total,
    _text,
    _unit_price,
    check_not_own_business,
    check_shipping,
    items_of,
    parties_of,
    pp_may_approve,
    raise_own_business,
    working_days_after,
    works_for,
    works_for_order,
    works_for_vendor_sql,
)
from .cancelling import _schedule_expiry

S = OrderStatus

# --- Creating an order -------------------------------------------------------------------------------


@dataclass
class ItemRequest:
    product_id: int
    quantity: int


def _office_ppk_sql(office_id: int, user_id: int) -> RawSQL:
    """The user id of the office's first PPK other than the actor (the approver), as a column of the
    products' statement (a plain subquery: cheaper to build than the ORM's)."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    return RawSQL(  # noqa: S611 (names from the models, values as parameters)
        f"SELECT {table}.user_id FROM {table} WHERE {table}.office_id = %s AND {table}.role = %s"  # noqa: S608
        f" AND {table}.user_id <> %s ORDER BY {table}.id LIMIT 1",
        (office_id, Role.PPK.value, user_id),
        output_field=Membership._meta.get_field("user").target_field,
    )


def _products_on_sale(count: int, katalog_id: int, user_id: int, office_id: int, *product_ids: int):
    """One statement: the products on sale among `product_ids` with their listed versions and vendor,
    whether the user works for that vendor, and the office's first PPK other than the user (the
    approver, see `order_create`)."""
    return (
        Product.objects.filter(
            pk__in=product_ids,
            katalog_id=katalog_id,
            status=ProductStatus.LISTED,
            vendor__status=VendorStatus.VERIFIED,
        )
        .select_related("listed_version", "vendor")
        .annotate(
            actor_works_for=works_for_vendor_sql(Product, user_id), office_ppk=_office_ppk_sql(office_id, user_id)
        )
    )


def _check_buyer_in(actor: Actor, office) -> None:
    """The actor holds a buyer role (PP or PPK) in `office`, the office of the budget line charged."""
    if not actor.offices_with(Role.PP, Role.PPK):
        raise NotAllowed(_("Only a PP or PPK of an office can buy."))
    if not actor.roles_in(office) & {Role.PP, Role.PPK}:
        raise NotAllowed(_("This budget line belongs to another office."))


@transaction.atomic
def order_create(
    *, actor: Actor, budget_line: BudgetLine, items: list[ItemRequest], addresses: list[str], note: str = ""
) -> Order:
    """A draft order from one vendor's listed products. Drafts reserve nothing; the vendor does not
    see them. One transaction: a refusal saves nothing."""
    # The budget line's office is the buying office: only the roles held there count.
    if budget_line.katalog_id != getattr(actor.katalog, "pk", None):
        raise NotAllowed(_("This budget line belongs to another office."))
    _check_buyer_in(actor, budget_line.office)
    if not items:
        raise ValidationFailed(_("Add at least one product."), fields={"items": [_("Add at least one product.")]})
    if len(items) > 100:
        raise ValidationFailed(_("An order holds at most 100 lines."), fields={"items": [_("At most 100 lines.")]})
    wanted: dict[int, int] = {}
    for i in items:
        wanted[i.product_id] = wanted.get(i.product_id, 0) + _quantity(i.quantity)
    for quantity in wanted.values():
        _quantity(quantity)
    note = _text(note, "note", 1000)
    addresses = [a.strip() for a in addresses if a and a.strip()]
    if not addresses:
        raise ValidationFailed(
            _("Give a delivery address."), code="invalid", fields={"delivery_address": [_("This field is required.")]}
        )
    if len(addresses) > 20 or any(len(a) > 300 for a in addresses):
        message = _("At most 20 addresses of at most 300 characters each.")
        raise ValidationFailed(message, code="invalid", fields={"delivery_address": [message]})
    office = budget_line.office
    # One statement: the products with their listed versions and vendor, whether the actor works for
    # that vendor, and the office's first PPK other than the actor (the approver, see below).
    found = prepared.fetch(
        Product, _products_on_sale, actor.katalog.pk, actor.user.pk, office.pk, *wanted, shape=len(wanted)
    )
    products = {p.pk: p for p in found}
    missing = [pid for pid in wanted if pid not in products]
    if missing:
        raise ValidationFailed(
            _("These products are not on sale: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="product_unavailable",
        )
    vendors = {p.vendor_id for p in products.values()}
    if len(vendors) != 1:
        raise ValidationFailed(_("One order holds the products of one vendor."), code="several_vendors")
    for product_id, quantity in wanted.items():
        product = products[product_id]
        version = product.listed_version
        if quantity < version.min_order:
            raise ValidationFailed(
                _("The minimum order of “%(name)s” is %(n)s %(unit)s.")
                % {"name": version.name, "n": version.min_order, "unit": version.unit},
                code="below_minimum",
                fields={"quantity": [_("Below the minimum order.")]},
            )
        if quantity > product.available:
            message = _("Only %(left)s of “%(name)s” are available; this order needs %(quantity)s.") % {
                "left": product.available,
                "name": version.name,
                "quantity": quantity,
            }
            raise ValidationFailed(message, code="out_of_stock", fields={"quantity": [message]})
    first = next(iter(products.values()))
    vendor = first.vendor
    if first.actor_works_for:
        raise_own_business(vendor)
    # The PPK who will approve: the creator himself only where KATALOG_ALLOW_PP_AS_PPK allows it.
    if Role.PPK in actor.roles_in(office) and pp_may_approve():
        approver_id = actor.user.pk
    else:
        approver_id = first.office_ppk
    lines = [
        OrderItem(
            product=products[pid],
            version=products[pid].listed_version,
            quantity=quantity,
            unit_price=_unit_price(products[pid].listed_version),
        )
        for pid, quantity in wanted.items()
    ]
    dpp = sum((line.line_total for line in lines), Decimal(0))
    _bounded_total(dpp)
    vat = taxes.vat_of(dpp, pkp=vendor.is_vat_registered)
    order = Order.objects.create(
        katalog=actor.katalog,
        office=office,
        vendor=vendor,
        budget_line=budget_line,
        created_by=actor.user,
        approver_id=approver_id,
        note=note,
        total=vat.dpp,
        vat=vat.vat,
        lead_time_days=max(p.listed_version.lead_time_days for p in products.values()),
    )
    for line in lines:
        line.order = order
    OrderItem.objects.bulk_create(lines)
    order.loaded_addresses = DeliveryAddress.objects.bulk_create(
        [DeliveryAddress(order=order, address=a) for a in addresses]
    )
    audit.record(actor=actor.user, action="order.create", obj=order, katalog=order.katalog, total=order.total)
    order.loaded_items = lines  # with their products and versions: the API shows them without reading again
    return order


@transaction.atomic
def order_from_cart(
    *, actor: Actor, vendor_id: int, budget_line: BudgetLine, addresses: list[str], note: str = ""
) -> Order:
    """Checkout: the cart lines of one vendor become a draft order, and leave the cart. The lines are
    locked first (PostgreSQL: `FOR UPDATE`), so a second checkout of the same cart at the same moment
    waits, then finds them gone and creates nothing."""
    lines = list(
        CartItem.objects.select_for_update(of=("self",))
        .filter(buyer=actor.user, katalog=actor.katalog, product__vendor_id=vendor_id)
        .order_by("pk")
    )
    if not lines:
        raise Conflict(_("These cart lines were already checked out."), code="cart_checked_out")
    order = order_create(
        actor=actor,
        budget_line=budget_line,
        addresses=addresses,
        note=note,
        items=[ItemRequest(line.product_id, line.quantity) for line in lines],
    )
    CartItem.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return order


@transaction.atomic
def cart_add(*, actor: Actor, product: Product, quantity: int) -> CartItem:
    if not actor.offices_with(Role.PP, Role.PPK):
        raise NotAllowed(_("Only a PP or PPK of an office can buy."))
    check_not_own_business(actor, product.vendor)
    quantity = _quantity(quantity)
    item, created = CartItem.objects.get_or_create(
        buyer=actor.user, product=product, defaults={"katalog": actor.katalog, "quantity": quantity}
    )
    if not created:
        item.quantity = quantity
        item.save(update_fields=["quantity"])
    return item


def cart_remove(*, actor: Actor, item: CartItem) -> None:
    """A cart line is the buyer's scratch pad: it reserves nothing and is not audited."""
    if not actor.is_authenticated or item.buyer_id != actor.user.pk:
        raise NotAllowed()
    item.delete()


def notifications_mark_read(*, actor: Actor) -> int:
    """Mark the actor's own notifications read (reading is not a decision: not audited)."""
    if not actor.is_authenticated:
        return 0
    return Notification.objects.filter(user=actor.user, read_at__isnull=True).update(read_at=timezone.now())


# --- Negotiation --------------------------------------------------------------------------------------


def _clean_lines(order: Order, lines: list[dict]) -> list[dict]:
    """Check offered figures: a price may only be at or below the listed ceiling; every figure is
    bounded as the forms bound it."""
    items = {i.pk: i for i in order.items.select_related("version")}
    clean = []
    if not isinstance(lines, list) or len(lines) > len(items):
        raise ValidationFailed(_("An offer has one line per item of the order."), code="invalid")
    for line in lines:
        if not isinstance(line, dict):
            raise ValidationFailed(_("Offer figures must be numbers."), code="invalid")
        try:
            item = items.get(int(line.get("item", 0)))
        except (TypeError, ValueError, OverflowError):
            item = None
        if item is None:
            raise ValidationFailed(_("An offer line names an item that is not in this order."), code="unknown_item")
        price = _money(line.get("unit_price", item.unit_price), f"price_{item.pk}")
        quantity = _quantity(line.get("quantity", item.quantity), f"quantity_{item.pk}")
        shipping = _money(line.get("shipping_cost", item.shipping_cost), f"shipping_{item.pk}", allow_zero=True)
        if price > item.version.price:
            message = _("The price of “%(name)s” may not exceed the listed %(ceiling)s.") % {
                "name": item.version.name,
                "ceiling": format_rupiah(item.version.price),
            }
            raise ValidationFailed(message, code="above_listed_price", fields={f"price_{item.pk}": [message]})
        if quantity < item.version.min_order:
            message = _("The minimum order of “%(name)s” is %(n)s %(unit)s.") % {
                "name": item.version.name,
                "n": item.version.min_order,
                "unit": item.version.unit,
            }
            raise ValidationFailed(message, code="below_minimum", fields={f"quantity_{item.pk}": [message]})
        check_shipping(name=item.version.name, goods=price * quantity, shipping=shipping, field=f"shipping_{item.pk}")
        clean.append({"item": item.pk, "unit_price": str(price), "quantity": quantity, "shipping_cost": str(shipping)})
    if not clean:
        raise ValidationFailed(_("An offer needs at least one line."), code="invalid")
    _bounded_total(
        sum((Decimal(c["unit_price"]) * c["quantity"] + Decimal(c["shipping_cost"]) for c in clean), Decimal(0))
    )
    return clean


def _side(parties: frozenset[str]) -> str:
    return OfferSide.VENDOR if workflow.VENDOR in parties else OfferSide.BUYER


def _sent_to_vendor(order: Order) -> None:
    if order.sent_to_vendor_at is None:
        order.sent_to_vendor_at = timezone.now()


@transaction.atomic
def order_propose(*, actor: Actor, order: Order, lines: list[dict], message: str = "") -> Order:
    """The buyer opens a negotiation with figures per item: the vendor sees the order from now on."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.PROPOSE, parties=parties)
    Offer.objects.create(
        order=order,
        side=OfferSide.BUYER,
        made_by=actor.user,
        lines=_clean_lines(order, lines),
        message=_text(message, "message", 1000),
    )
    _sent_to_vendor(order)
    notifications.tell(order, _("Order #%(n)s: the buyer proposes new figures."), vendor=True)
    return _done(actor=actor, order=order, old=old, action="propose")


@transaction.atomic
def order_counter(*, actor: Actor, order: Order, lines: list[dict], message: str = "") -> Order:
    """The side that did not make the last offer answers with its own figures."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.COUNTER, parties=parties)
    last = order.offers.last()
    side = _side(parties)
    if last and last.side == side:
        raise ValidationFailed(_("Wait for the other side to answer your offer."), code="not_your_turn")
    Offer.objects.create(
        order=order,
        side=side,
        made_by=actor.user,
        lines=_clean_lines(order, lines),
        message=_text(message, "message", 1000),
    )
    _notify_other_side(order, side, _("Order #%(n)s: a counter-offer waits for you."))
    return _done(actor=actor, order=order, old=old, action="counter")


@transaction.atomic
def order_accept(*, actor: Actor, order: Order) -> Order:
    """The side that did not make the last offer accepts it: its figures become the order."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.ACCEPT, parties=parties)
    last = order.offers.last()
    side = _side(parties)
    if last is None or last.side == side:
        raise ValidationFailed(_("Only the other side can accept this offer."), code="not_your_turn")
    names = {i.pk: i.version.name for i in order.items.select_related("version")}
    for line in last.lines:  # an offer stored before the cap existed is checked again
        check_shipping(
            name=names.get(line["item"], ""),
            goods=Decimal(line["unit_price"]) * line["quantity"],
            shipping=Decimal(line["shipping_cost"]),
            field=f"shipping_{line['item']}",
        )
    for line in last.lines:
        OrderItem.objects.filter(pk=line["item"], order=order).update(
            unit_price=Decimal(line["unit_price"]),
            quantity=line["quantity"],
            shipping_cost=Decimal(line["shipping_cost"]),
        )
    Offer.objects.filter(pk=last.pk).update(accepted=True)
    _recompute_total(order)
    _notify_other_side(order, side, _("Order #%(n)s: your offer was accepted."))
    return _done(actor=actor, order=order, old=old, action="accept", offer=last.pk)


def _notify_other_side(order: Order, side: str, text) -> None:
    if side == OfferSide.BUYER:
        notifications.tell(order, text, vendor=True)
    else:
        notifications.tell(order, text, user_ids=[order.created_by_id])


def changed_items(order: Order, items=None) -> list[OrderItem]:
    """The items whose product's listed version is no longer the one the order holds (a price or
    specification change approved since the draft). A read."""
    items = items if items is not None else list(order.items.select_related("version", "product__listed_version"))
    return [i for i in items if i.product.listed_version_id not in (None, i.version_id)]


@transaction.atomic
def order_reprice(*, actor: Actor, order: Order) -> Order:
    """The buyer takes the current listed version of every changed product (its price replaces the
    old one, also a negotiated one), so the draft may be submitted again."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.REPRICE, parties=parties)
    items = list(order.items.select_related("version", "product__listed_version", "product__vendor"))
    _check_on_sale(order, items, allow_changed=True)
    changed = changed_items(order, items)
    for item in changed:
        item.version = item.product.listed_version
        item.unit_price = _unit_price(item.version)
        OrderItem.objects.filter(pk=item.pk).update(version=item.version, unit_price=item.unit_price)
    order.lead_time_days = max(i.version.lead_time_days for i in items)
    _recompute_total(order, items)
    return _done(actor=actor, order=order, old=old, action="reprice", items=[i.pk for i in changed])


# --- Submission, approval, confirmation ---------------------------------------------------------------


class NotOnSale(Conflict):
    code = "product_unavailable"


class VersionChanged(Conflict):
    code = "version_changed"


def _check_on_sale(order: Order, items: list[OrderItem], *, allow_changed: bool = False) -> None:
    """Under the order's lock: every product still listed, its vendor still verified, and (unless
    `allow_changed`) the listed version still the one ordered. Refused with a 409 and the reason."""
    # The vendor as read with the order's lock (`_lock`), else read now.
    vendor = order.vendor if Order.vendor.is_cached(order) else Vendor.objects.only("status").get(pk=order.vendor_id)
    if vendor.status != VendorStatus.VERIFIED:
        raise NotOnSale(
            _("The vendor %(vendor)s is no longer verified: its products cannot be bought.")
            % {"vendor": order.vendor.name}
        )
    if all(OrderItem.product.is_cached(i) for i in items):  # read with the items, under the lock
        products = {i.product_id: i.product for i in items}
    else:
        products = {
            p.pk: p
            for p in Product.objects.filter(pk__in=[i.product_id for i in items]).only(
                "status", "status_reason", "listed_version_id"
            )
        }
    for item in items:
        product = products[item.product_id]
        if product.status != ProductStatus.LISTED or product.listed_version_id is None:
            reason = product.status_reason.strip()
            raise NotOnSale(
                _("“%(name)s” is no longer on sale (%(status)s)%(reason)s.")
                % {
                    "name": item.version.name,
                    "status": ProductStatus(product.status).label,
                    "reason": f": {reason}" if reason else "",
                }
            )
        if not allow_changed and product.listed_version_id != item.version_id:
            raise VersionChanged(
                _(
                    "“%(name)s” changed since this order was drafted (price or specification). Take the current "
                    "version and check the price before sending again."
                )
                % {"name": item.version.name}
            )


# The vendor's columns a submission uses (its status and name for the sale check, its tax status, and
# what the spending rollup reads) and those an approval uses (the same and what the SP prints).
_SUBMIT_VENDOR = ("katalog", "name", "status", "is_vat_registered", "size_class", "district")
_APPROVE_VENDOR = (
    *_SUBMIT_VENDOR,
    "owner_name",
    "nib",
    "npwp",
    "address",
    "phone",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
)


@transaction.atomic
def order_submit(*, actor: Actor, order: Order) -> Order:
    """Send the draft to the PPK: stock and budget are reserved now (drafts reserve nothing), and
    the vendor sees the order."""
    order = _lock(order, actor=actor, vendor_fields=_SUBMIT_VENDOR)
    if actor.roles_in(order.office_id) & {Role.PP, Role.PPK} and works_for_order(actor, order):
        raise_own_business(order.vendor)
    parties = parties_of(actor, order)
    order, old = _moved(order, action=workflow.SUBMIT, parties=parties)
    items = items_of(order)
    _check_on_sale(order, items)
    _recompute_total(order, items)
    amount = order.total + order.vat
    limit = Decimal(settings.KATALOG_PP_LIMIT)
    if amount > limit and workflow.PPK not in parties:
        raise NotAllowed(
            _("Orders above %(limit)s are carried by a PPK; this one is %(amount)s.")
            % {"limit": format_rupiah(limit), "amount": format_rupiah(amount)}
        )
    if order.approver_id is None:
        if Role.PPK in actor.roles_in(order.office_id) and not pp_may_approve():
            raise ValidationFailed(_("The office has no other PPK to approve an order you created."), code="no_ppk")
        raise ValidationFailed(_("The office has no PPK to approve this order."), code="no_ppk")
    locks.reserve(order, amount, items)
    now = timezone.now()
    order.committed_amount = amount
    order.submitted_at = now
    _sent_to_vendor(order)
    (order.deadline_at,) = working_days_after(now, settings.KATALOG_WAIT_WORKING_DAYS, katalog=order.katalog)
    _schedule_expiry(order)
    notifications.tell(order, _("Order #%(n)s waits for your approval."), user_ids=[order.approver_id])
    order.rollup_items = items  # read with their versions under the lock: the rollup needs no second read
    order = _done(actor=actor, order=order, old=old, action="submit", committed=str(amount))
    order.loaded_items = items
    return order


def _own_ppk_sql(column: str, actor: Actor) -> RawSQL:
    """`column` of the actor's membership as PPK of the order's office (one at most: the membership is
    unique), as a column of the order's lock (a plain subquery: cheaper to build than the ORM's)."""
    quote = connection.ops.quote_name
    table, order = quote(Membership._meta.db_table), quote(Order._meta.db_table)
    field = quote(Membership._meta.get_field(column).column)
    return RawSQL(  # noqa: S611 (names from the models, values as parameters)
        f"SELECT {table}.{field} FROM {table} WHERE {table}.user_id = %s AND {table}.role = %s"  # noqa: S608
        f" AND {table}.katalog_id = {order}.katalog_id AND {table}.office_id = {order}.office_id LIMIT 1",
        (actor.user.pk, Role.PPK.value),
        output_field=Membership._meta.get_field(column),
    )


@transaction.atomic
def order_approve(*, actor: Actor, order: Order) -> Order:
    """The PPK approves: the Surat Pesanan is issued with its delivery deadline (the agreed lead time
    in working days from today), and the vendor has 3 working days to confirm."""
    # The jabatan and NIP the SP prints for the approving PPK, read with the lock.
    order = _lock(
        order,
        actor=actor,
        vendor_fields=_APPROVE_VENDOR,
        annotations={"ppk_position": _own_ppk_sql("position", actor), "ppk_nip": _own_ppk_sql("nip", actor)},
    )
    if Role.PPK in actor.roles_in(order.office_id):
        if works_for_order(actor, order):
            raise_own_business(order.vendor)
        if order.created_by_id == actor.user.pk and not pp_may_approve():
            raise PartyConflict(
                _(
                    "You created this order: another PPK of the office approves it (the PP and the PPK of one "
                    "order are different people)."
                )
            )
    parties = parties_of(actor, order)
    # Approval changes nothing the spending rollup counts (the order counts from its submission).
    order, old = _moved(order, action=workflow.APPROVE, parties=parties, rollup=False)
    if order.approver_id and order.approver_id != actor.user.pk:
        raise NotAllowed(_("Another PPK is assigned to approve this order."))
    items = items_of(order)
    _check_on_sale(order, items)
    now = timezone.now()
    order.approver = actor.user
    if order.ppk_position is not None:  # the approver's membership as PPK of the office
        order.loaded_officials = {("ppk", actor.user.pk): (order.ppk_position, order.ppk_nip)}
    order.approved_at = now
    delivery, order.deadline_at = working_days_after(
        now, order.lead_time_days, settings.KATALOG_WAIT_WORKING_DAYS, katalog=order.katalog
    )
    order.delivery_deadline = delivery.date()
    _schedule_expiry(order)
    order.loaded_items = items
    documents.issue(order=order, kind=DocumentKind.PURCHASE_ORDER)
    notifications.tell(order, _("Order #%(n)s: a Surat Pesanan waits for your confirmation."), vendor=True)
    return _done(actor=actor, order=order, old=old, action="approve")


@transaction.atomic
def order_confirm(*, actor: Actor, order: Order) -> Order:
    if (
        actor.is_authenticated
        and actor.user.pk in (order.created_by_id, order.approver_id)
        and works_for(actor, order.vendor)
    ):
        raise PartyConflict(
            _("You bought this order for your office: you may not confirm it for the vendor."), code="own_business"
        )
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.CONFIRM, parties=parties)
    order.confirmed_at = timezone.now()
    order.deadline_at = None
    notifications.tell(order, _("Order #%(n)s was confirmed by the vendor."), user_ids=[order.created_by_id])
    return _done(actor=actor, order=order, old=old, action="confirm")
