"""Stock changes here and only here. A product holds two numbers: `stock` (on hand: what the vendor
says it holds) and `reserved` (what submitted, undelivered orders hold). Available = on hand −
reserved. Each change is one conditional UPDATE, so two writers racing cannot both win (PostgreSQL
re-checks the condition under the row lock; SQLite has one writer at a time), and the CHECK
constraints on the table (reserved ≥ 0, reserved ≤ on hand) are the last line of defence.

Orders take their stock through `buying/locks.py`, which holds the lock order (the budget line
first, then products by ascending id); a vendor's edit of its on-hand figure locks only its product.
See docs/stock.md."""

from collections.abc import Callable

from django.db.models import F
from django.utils.translation import gettext as _

from katalog.core import tenant_cache
from katalog.core.errors import Conflict, ValidationFailed

from .models import Product


class OutOfStock(Conflict):
    code = "out_of_stock"


class BelowReserved(ValidationFailed):
    code = "below_reserved"


# Who holds a product's reservation ("#12 (30)", …): buying registers this when it loads (catalogue
# does not know orders), so the vendor's message can say which orders hold the stock.
holders_of: Callable[[int], list[str]] = lambda product_id: []  # noqa: E731


def set_on_hand(product: Product, on_hand: int) -> None:
    """The vendor's own figure: changes on hand only, never below what orders hold."""
    if on_hand < 0:
        raise ValidationFailed(_("Stock cannot be negative."), fields={"stock": [_("Stock cannot be negative.")]})
    if Product.objects.filter(pk=product.pk, reserved__lte=on_hand).update(stock=on_hand):
        product.stock = on_hand
        tenant_cache.forget_catalogue(product.katalog_id)  # what visitors' pages show (core/page_cache.py)
        return
    reserved = Product.objects.filter(pk=product.pk).values_list("reserved", flat=True).first() or 0
    holders = ", ".join(holders_of(product.pk))
    message = _(
        "%(reserved)s of this product are reserved by orders (%(orders)s): the stock on hand cannot be "
        "less than %(reserved)s."
    ) % {"reserved": reserved, "orders": holders or "-"}
    raise BelowReserved(message, fields={"stock": [message]})


def reserve(product_id: int, quantity: int, name: str) -> None:
    """Hold `quantity` for an order, within what is available, or raise OutOfStock."""
    if Product.objects.filter(pk=product_id, stock__gte=F("reserved") + quantity).update(
        reserved=F("reserved") + quantity
    ):
        return
    row = Product.objects.filter(pk=product_id).values("stock", "reserved").first() or {"stock": 0, "reserved": 0}
    left = max(row["stock"] - row["reserved"], 0)
    raise OutOfStock(
        _("Only %(left)s of “%(name)s” are available; this order needs %(quantity)s.")
        % {"left": left, "name": name, "quantity": quantity}
    )


def release(product_id: int, quantity: int) -> None:
    """Give back a reservation (a cancelled order, a reduced quantity)."""
    if quantity > 0:
        Product.objects.filter(pk=product_id).update(reserved=F("reserved") - quantity)


def deliver(product_id: int, quantity: int) -> None:
    """Goods left the vendor for an order: off on hand and off reserved alike."""
    if quantity > 0:
        Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity, reserved=F("reserved") - quantity)


def take_back(product_id: int, quantity: int, *, still_owed: bool) -> None:
    """Refused goods are back in the vendor's hands (on hand again). When the vendor is to replace
    them, the order holds them again as well (available does not change)."""
    if quantity <= 0:
        return
    if still_owed:
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity, reserved=F("reserved") + quantity)
    else:
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
