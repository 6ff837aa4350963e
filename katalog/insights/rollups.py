"""The spending rollup (insights.SpendingRollup), kept exact as orders change (issue 9, "Speed";
docs/decisions.md "Rollups").

An order's share of the rollup is its *contribution*: nothing while it is a draft, a negotiation or
cancelled; once submitted, its value (DPP + PPN), one order, and the same again as realised once
paid, in the row of its office, its submission month (city time) and its vendor's size class and
kecamatan. Every change of an order goes through the purchasing services' locked `_move`, which
takes the contribution before, and `_done`, which calls `apply(order, before, after)` in the same
transaction: the old contribution is taken off its row and the new one added, one
`INSERT … ON CONFLICT (key) DO UPDATE SET value = value + excluded.value, …` per rollup table (the row
is created on first use; the database adds under the row's lock, so two orders changing at once never
lose an update). `rebuild()` recomputes the rows from the orders (`katalog rebuild_rollups`),
after bulk loads or a change of a vendor's size class or kecamatan (which moves nothing by itself).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from .models import CategoryRollup, SpendingRollup

_MONEY = DecimalField(max_digits=20, decimal_places=2)
_KEY = ("katalog_id", "office_id", "year", "month", "size_class", "district")
_CATEGORY_KEY = ("katalog_id", "office_id", "year", "category_id")
_LINE_SUMS = ("value", "pdn", "tkdn_recorded", "tkdn25", "tkdn40")


@dataclass(frozen=True)
class Contribution:
    key: tuple
    value: Decimal
    paid: bool
    lines: tuple = ()  # (category id, value, pdn, tkdn recorded, tkdn ≥ 25, tkdn ≥ 40) per category


def _line_sums(order, items=None) -> tuple:
    """Per category of the versions bought: (category id, value, pdn, tkdn recorded, tkdn ≥ 25,
    tkdn ≥ 40). `items`: the order's items with their versions as the caller has just read them
    under the order's lock (else read now)."""
    sums: dict[int, list] = {}
    for item in items if items is not None else order.items.select_related("version"):
        version = item.version
        value = item.unit_price * item.quantity + item.shipping_cost
        slot = sums.setdefault(version.category_id, [Decimal(0)] * 5)
        tkdn = version.tkdn_percent
        for i, counts in enumerate(
            (
                True,
                version.is_domestic,
                tkdn is not None,
                tkdn is not None and tkdn >= 25,
                tkdn is not None and tkdn >= 40,
            )
        ):
            if counts:
                slot[i] += value
    return tuple((cat, *v) for cat, v in sorted(sums.items()))


def contribution(order, items=None) -> Contribution | None:
    """What the order adds to the rollup as it stands now (None: nothing). `items`: its items with
    their versions, when the caller has them in hand (see `_line_sums`)."""
    if order.submitted_at is None or order.status == "cancelled":
        return None
    when = timezone.localtime(order.submitted_at)
    vendor = order.vendor
    key = (
        order.katalog_id,
        order.office_id,
        when.year,
        when.month,
        vendor.size_class or "",
        vendor.district_id or "",
    )
    value = (order.total or Decimal(0)) + (order.vat or Decimal(0))
    return Contribution(key, value, order.paid_at is not None, _line_sums(order, items))


_SPENDING_SUMS = ("value", "count", "realised", "realised_count")
_CATEGORY_SUMS = ("orders", *_LINE_SUMS)


def _upsert(model, key_columns: tuple, sum_columns: tuple, rows: dict) -> None:
    """Add `rows` (key -> the sums' deltas) to `model`'s rows in one statement: a row missing is
    inserted with the deltas, an existing one has them added (the database adds under the row's
    lock, so concurrent changes never lose an update). Rows whose deltas are all zero are left out."""
    rows = {key: sums for key, sums in rows.items() if any(sums)}
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key_columns, *sum_columns]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names, values, key = (
        ", ".join(map(quote, columns)),
        ", ".join([one] * len(rows)),
        ", ".join(map(quote, key_columns)),
    )
    add = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in sum_columns)
    sql = f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT ({key}) DO UPDATE SET {add}"  # noqa: S608
    params = [value for key, sums in rows.items() for value in (*key, *sums)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def apply(order, before: Contribution | None, after: Contribution | None) -> None:
    """Move the order's contribution from `before` to `after` (either may be None), in the caller's
    transaction: at most one statement per rollup table. Called once per order change, by
    buying/services/base.py `_done`."""
    if before == after:
        return
    spending: dict[tuple, list] = {}
    categories: dict[tuple, list] = {}
    for c, sign in ((before, -1), (after, 1)):
        if c is None:
            continue
        paid = 1 if c.paid else 0
        slot = spending.setdefault(c.key, [Decimal(0), 0, Decimal(0), 0])
        for i, delta in enumerate((c.value, 1, c.value * paid, paid)):
            slot[i] += sign * delta
        katalog_id, office_id, year = c.key[:3]
        for category_id, *sums in c.lines:
            slot = categories.setdefault((katalog_id, office_id, year, category_id), [0, *[Decimal(0)] * 5])
            for i, delta in enumerate((1, *sums)):
                slot[i] += sign * delta
    _upsert(SpendingRollup, _KEY, _SPENDING_SUMS, spending)
    _upsert(CategoryRollup, ("katalog_id", "office_id", "year", "category_id"), _CATEGORY_SUMS, categories)


def recompute_categories(katalog=None) -> dict[tuple, tuple]:
    """The category rollup as it should be, from the order lines: (tenant, office, year, category)
    -> (orders, value, pdn, tkdn recorded, tkdn ≥ 25, tkdn ≥ 40)."""
    from katalog.buying.models import OrderItem

    items = OrderItem.objects.filter(order__submitted_at__isnull=False).exclude(order__status="cancelled")
    if katalog is not None:
        items = items.filter(order__katalog=katalog)
    line = ExpressionWrapper(F("unit_price") * F("quantity") + F("shipping_cost"), output_field=_MONEY)
    tz = timezone.get_current_timezone()
    rows = (
        items.annotate(y=ExtractYear("order__submitted_at", tzinfo=tz))
        .values("y", k=F("order__katalog_id"), o=F("order__office_id"), cat=F("version__category_id"))
        .annotate(
            n=Count("order_id", distinct=True),
            value=Sum(line),
            pdn=Sum(line, filter=Q(version__is_domestic=True)),
            tkdn_recorded=Sum(line, filter=Q(version__tkdn_percent__isnull=False)),
            tkdn25=Sum(line, filter=Q(version__tkdn_percent__gte=25)),
            tkdn40=Sum(line, filter=Q(version__tkdn_percent__gte=40)),
        )
        .values("k", "o", "y", "cat", "n", *_LINE_SUMS)
        .order_by()
    )
    return {(r["k"], r["o"], r["y"], r["cat"]): (r["n"], *(r[name] or Decimal(0) for name in _LINE_SUMS)) for r in rows}


def current_categories(katalog=None) -> dict[tuple, tuple]:
    """The category rollup rows as stored, in the shape of `recompute_categories` (zero rows left out)."""
    rows = CategoryRollup.objects.all()
    if katalog is not None:
        rows = rows.filter(katalog=katalog)
    return {
        tuple(getattr(r, f) for f in _CATEGORY_KEY): (r.orders, *(getattr(r, name) for name in _LINE_SUMS))
        for r in rows
        if r.orders or any(getattr(r, name) for name in _LINE_SUMS)
    }


def recompute(katalog=None) -> dict[tuple, tuple]:
    """The rollup as it should be, computed directly from the orders: key -> (value, count,
    realised, realised_count), zero rows left out."""
    from katalog.buying.models import Order

    orders = Order.objects.filter(submitted_at__isnull=False).exclude(status="cancelled")
    if katalog is not None:
        orders = orders.filter(katalog=katalog)
    value = ExpressionWrapper(F("total") + F("vat"), output_field=_MONEY)
    paid = Q(paid_at__isnull=False)
    tz = timezone.get_current_timezone()
    rows = (
        orders.annotate(y=ExtractYear("submitted_at", tzinfo=tz), m=ExtractMonth("submitted_at", tzinfo=tz))
        .values("katalog_id", "office_id", "y", "m", size=F("vendor__size_class"), district=F("vendor__district_id"))
        .annotate(v=Sum(value), n=Count("pk"), r=Sum(value, filter=paid), rn=Count("pk", filter=paid))
        .order_by()
    )
    out: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0, Decimal(0), 0])
    for row in rows:
        key = (row["katalog_id"], row["office_id"], row["y"], row["m"], row["size"] or "", row["district"] or "")
        slot = out[key]
        slot[0] += row["v"] or 0
        slot[1] += row["n"]
        slot[2] += row["r"] or 0
        slot[3] += row["rn"]
    return {k: tuple(v) for k, v in out.items() if v[1]}


def current(katalog=None) -> dict[tuple, tuple]:
    """The rollup rows as stored, in the shape of `recompute` (zero rows left out)."""
    rows = SpendingRollup.objects.all()
    if katalog is not None:
        rows = rows.filter(katalog=katalog)
    return {
        tuple(getattr(r, f) for f in _KEY): (r.value, r.count, r.realised, r.realised_count)
        for r in rows
        if r.count or r.value or r.realised or r.realised_count
    }


@transaction.atomic
def rebuild(katalog=None) -> int:
    """Replace the rollup rows (of one tenant, or all) with a recomputation from the orders.
    Returns how many rows were written."""
    for model in (SpendingRollup, CategoryRollup):
        rows = model.objects.all()
        if katalog is not None:
            rows = rows.filter(katalog=katalog)
        rows.delete()
    objs = [
        SpendingRollup(**dict(zip(_KEY, key, strict=True)), value=v[0], count=v[1], realised=v[2], realised_count=v[3])
        for key, v in recompute(katalog).items()
    ]
    SpendingRollup.objects.bulk_create(objs, batch_size=2000)
    categories = [
        CategoryRollup(
            **dict(zip(_CATEGORY_KEY, key, strict=True)),
            orders=v[0],
            **dict(zip(_LINE_SUMS, v[1:], strict=True)),
        )
        for key, v in recompute_categories(katalog).items()
    ]
    CategoryRollup.objects.bulk_create(categories, batch_size=2000)
    return len(objs) + len(categories)
