"""Stock and budget change here and only here, in one fixed order: the budget line first, then the
products by ascending id. Each change is a conditional UPDATE (`… WHERE remaining is enough`), so
two buyers racing for the last unit or the last rupiah cannot both win, on PostgreSQL (the row
lock re-checks the condition) or SQLite (one writer at a time); the CHECK constraints on the
tables are the last line of defence."""

from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from katalog.catalogue.models import Product
from katalog.core.errors import Conflict
from katalog.core.money import format_rupiah

from .models import BudgetLine, Order


class BudgetExceeded(Conflict):
    code = "budget_exceeded"


class OutOfStock(Conflict):
    code = "out_of_stock"


def _quantities(order: Order, items=None) -> list[tuple[int, int, str]]:
    """(product id, quantity, name) of the order, summed per product, in ascending id order."""
    totals: dict[int, list] = {}
    for item in items if items is not None else order.items.select_related("version"):
        slot = totals.setdefault(item.product_id, [0, item.version.name])
        slot[0] += item.quantity
    return [(pid, q, name) for pid, (q, name) in sorted(totals.items())]


def reserve(order: Order, amount: Decimal, items=None) -> None:
    """Hold `amount` of the budget line and the order's quantities of stock, or raise. `items`
    (with their versions) may be passed when the caller has them already."""
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
    for product_id, quantity, name in _quantities(order, items):
        taken = Product.objects.filter(pk=product_id, stock__gte=quantity).update(stock=F("stock") - quantity)
        if not taken:
            left = Product.objects.filter(pk=product_id).values_list("stock", flat=True).first() or 0
            raise OutOfStock(
                _("Only %(left)s of “%(name)s” are left in stock; this order needs %(quantity)s.")
                % {"left": left, "name": name, "quantity": quantity}
            )


def release(order: Order) -> None:
    """Give back what `reserve` held (on any cancellation)."""
    amount = order.committed_amount
    if amount:
        BudgetLine.objects.filter(pk=order.budget_line_id).update(committed=F("committed") - amount)
    for product_id, quantity, _name in _quantities(order):
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
