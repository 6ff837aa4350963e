"""An order's stock and budget change here, in one fixed order: the budget line first, then the
products by ascending id. The budget is a conditional UPDATE (`… WHERE remaining is enough`); the
stock goes through `catalogue/stock.py` (the only module that changes stock). Two buyers racing for
the last unit or the last rupiah cannot both win, on PostgreSQL (the row lock re-checks the
condition) or SQLite (one writer at a time); the CHECK constraints are the last line of defence.
Money changes only here."""

from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from katalog.catalogue import stock
from katalog.catalogue.stock import OutOfStock  # noqa: F401  (re-exported: callers catch it from here)
from katalog.core import tenant_cache
from katalog.core.errors import Conflict
from katalog.core.money import format_rupiah

from .models import BudgetLine, Order


class BudgetExceeded(Conflict):
    code = "budget_exceeded"


def _outstanding(order: Order, items=None) -> list[tuple[int, int, str]]:
    """(product id, undelivered quantity, name) of the order, summed per product, ascending id."""
    totals: dict[int, list] = {}
    for item in items if items is not None else order.items.select_related("version"):
        slot = totals.setdefault(item.product_id, [0, item.version.name])
        slot[0] += item.quantity - item.delivered_quantity
    return [(pid, q, name) for pid, (q, name) in sorted(totals.items()) if q > 0]


def _take_budget(order: Order, amount: Decimal) -> None:
    if amount <= 0:
        return
    updated = BudgetLine.objects.filter(pk=order.budget_line_id, committed__lte=F("ceiling") - amount).update(
        committed=F("committed") + amount
    )
    if not updated:
        line = BudgetLine.objects.get(pk=order.budget_line_id)
        raise BudgetExceeded(
            _("The budget line %(code)s has %(remaining)s left of %(ceiling)s; this order needs %(amount)s.")
            % {
                "code": line.kode_rup,
                "remaining": format_rupiah(line.remaining),
                "ceiling": format_rupiah(line.ceiling),
                "amount": format_rupiah(amount),
            }
        )


def _give_budget(order: Order, amount: Decimal) -> None:
    if amount > 0:
        BudgetLine.objects.filter(pk=order.budget_line_id).update(committed=F("committed") - amount)


def reserve(order: Order, amount: Decimal, items=None) -> None:
    """Hold `amount` of the budget line and the order's quantities of stock, or raise. `items`
    (with their versions) may be passed when the caller has them already."""
    _take_budget(order, amount)
    tenant_cache.forget_catalogue(order.katalog_id)  # what visitors' pages show of stock
    for product_id, quantity, name in _outstanding(order, items):
        stock.reserve(product_id, quantity, name)


def release(order: Order) -> None:
    """Give back what the order still holds (on any cancellation): its committed amount and its
    undelivered quantities."""
    _give_budget(order, order.committed_amount)
    tenant_cache.forget_catalogue(order.katalog_id)  # what visitors' pages show of stock
    for product_id, quantity, _name in _outstanding(order):
        stock.release(product_id, quantity)


def deliver(order: Order, lines: list[tuple[int, int]]) -> None:
    """A delivery: each (product id, quantity) leaves on hand and reserved."""
    tenant_cache.forget_catalogue(order.katalog_id)  # what visitors' pages show of stock
    for product_id, quantity in sorted(lines):
        stock.deliver(product_id, quantity)


def refuse(order: Order, lines: list[tuple[int, int]], *, replace: bool, release_amount: Decimal) -> None:
    """Refused goods go back to the vendor: held again when it replaces them; otherwise the order is
    reduced and `release_amount` of the budget line is given back."""
    _give_budget(order, release_amount)
    tenant_cache.forget_catalogue(order.katalog_id)  # what visitors' pages show of stock
    for product_id, quantity in sorted(lines):
        stock.take_back(product_id, quantity, still_owed=replace)
