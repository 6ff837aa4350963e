"""The spending rollup stays exact (issue 9, "Speed"): orders driven through the real services,
through every kind of transition, and after each step the rollup equals a direct recomputation
from the orders (written here, not the module's own), and `rebuild_rollups` gives the same rows."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from katalog.buying import services
from katalog.buying.models import BudgetLine, Order, OrderStatus
from katalog.insights import rollups, spending
from katalog.insights.models import SpendingRollup
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.buying.test_transitions import change_listed_version, make_draft

S = OrderStatus
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def shop(medan, office, users):
    vendor = f.make_vendor(medan, users=[users["penyedia"]], size_class="kecil", district_id="12.71.01")
    product = listed_product(medan, vendor)
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-1", name="Pakaian dinas", fiscal_year=YEAR, ceiling=10**9
    )
    return {"vendor": vendor, "product": product, "line": line}


def direct() -> dict:
    """The rollup recomputed by hand from every order: submitted, not cancelled, by (tenant, office,
    year, month in city time, vendor size class, kecamatan) -> (value, count, realised, paid count)."""
    out = defaultdict(lambda: [Decimal(0), 0, Decimal(0), 0])
    for o in Order.objects.select_related("vendor"):
        if o.submitted_at is None or o.status == S.CANCELLED:
            continue
        when = timezone.localtime(o.submitted_at)
        key = (o.katalog_id, o.office_id, when.year, when.month, o.vendor.size_class, o.vendor.district_id or "")
        slot = out[key]
        slot[0] += o.total + o.vat
        slot[1] += 1
        if o.paid_at is not None:
            slot[2] += o.total + o.vat
            slot[3] += 1
    return {k: tuple(v) for k, v in out.items()}


def direct_categories() -> dict:
    """The category rollup recomputed by hand from every line of the counted orders: (tenant, office,
    year, category) -> (orders with a line there, value, PDN, TKDN recorded, ≥ 25%, ≥ 40%)."""
    out = {}
    orders = defaultdict(set)
    for o in Order.objects.prefetch_related("items__version"):
        if o.submitted_at is None or o.status == S.CANCELLED:
            continue
        for item in o.items.all():
            v = item.version
            key = (o.katalog_id, o.office_id, timezone.localtime(o.submitted_at).year, v.category_id)
            value = item.unit_price * item.quantity + item.shipping_cost
            t = v.tkdn_percent
            parts = (value, value * v.is_domestic, value * (t is not None), value * (t is not None and t >= 25))
            parts += (value * (t is not None and t >= 40),)
            out[key] = tuple(a + b for a, b in zip(out.get(key, (Decimal(0),) * 5), parts, strict=True))
            orders[key].add(o.pk)
    return {k: (len(orders[k]), *v) for k, v in out.items()}


def check():
    """The rollups kept by the services equal the direct recomputation, and a rebuild changes nothing."""
    expected, categories = direct(), direct_categories()
    assert rollups.current() == expected
    assert rollups.current_categories() == categories
    call_command("rebuild_rollups")
    assert rollups.current() == expected
    assert rollups.current_categories() == categories


def actors(users):
    return {r: f.actor(users[r]) for r in ("pp", "ppk", "penyedia", "treasurer")}


def test_the_rollup_follows_an_order_from_draft_to_completed(users, shop):
    a = actors(users)
    order = make_draft(users, shop, quantity=4)
    check()
    change_listed_version(users, shop, price="260000")
    order = services.order_reprice(actor=a["pp"], order=order)  # a draft: counts for nothing yet
    check()
    steps = [
        lambda o: services.order_submit(actor=a["pp"], order=o),
        lambda o: services.order_approve(actor=a["ppk"], order=o),
        lambda o: services.order_confirm(actor=a["penyedia"], order=o),
        lambda o: services.order_deliver(
            actor=a["penyedia"], order=o, address_id=o.addresses.get().pk, lines={o.items.get().pk: 1}
        ),
        # One unit refused and the order reduced: its value shrinks in the rollup.
        lambda o: services.order_refuse(
            actor=a["ppk"], order=o, lines={o.items.get().pk: 1}, mode="reduce", reason="Rusak"
        ),
        lambda o: services.order_deliver(
            actor=a["penyedia"], order=o, address_id=o.addresses.get().pk, lines={o.items.get().pk: 3}
        ),
        lambda o: services.order_receive(actor=a["ppk"], order=o, quantity_ok=True, condition_ok=True, on_time=True),
        lambda o: services.order_invoice(actor=a["penyedia"], order=o),
        lambda o: services.order_pay(
            actor=a["treasurer"], order=o, method="ls", paid_on=timezone.localdate(), reference="SP2D-1"
        ),
        lambda o: services.order_rate(actor=a["ppk"], order=o, quality=5, timeliness=5, service=5, price=5),
    ]
    values = []
    for step in steps:
        step(order)
        order = Order.objects.get(pk=order.pk)
        check()
        values.append(sum(r.value for r in SpendingRollup.objects.all()))
    assert values[0] == Decimal("1040000")  # submitted: 4 × 260 000, the repriced price
    assert values[4] == Decimal("780000")  # after the refusal that reduced the order by one unit
    assert order.status == S.COMPLETED
    row = SpendingRollup.objects.get()
    assert (row.count, row.realised_count, row.realised) == (1, 1, Decimal("780000"))
    # The dashboard reads the same figures.
    data = spending.spending(shop["line"].katalog, year=timezone.localtime(order.submitted_at).year)
    assert (data["total"], data["count"], data["realised"], data["umk_total"]) == (780000, 1, 780000, 780000)


def test_cancellations_before_and_after_the_sp_and_expiry_leave_the_rollup(users, shop):
    a = actors(users)
    before_sp = services.order_submit(actor=a["pp"], order=make_draft(users, shop))
    after_sp = services.order_submit(actor=a["pp"], order=make_draft(users, shop, quantity=3))
    after_sp = services.order_approve(actor=a["ppk"], order=after_sp)
    expiring = services.order_submit(actor=a["pp"], order=make_draft(users, shop, quantity=5))
    kept = services.order_submit(actor=a["pp"], order=make_draft(users, shop, quantity=7))
    kept = services.order_approve(actor=a["ppk"], order=Order.objects.get(pk=kept.pk))
    kept = services.order_confirm(actor=a["penyedia"], order=Order.objects.get(pk=kept.pk))  # waits for nobody
    check()
    assert SpendingRollup.objects.get().count == 4

    services.order_cancel(actor=a["pp"], order=Order.objects.get(pk=before_sp.pk), reason="Salah pesan")
    check()
    services.order_cancel(actor=a["ppk"], order=Order.objects.get(pk=after_sp.pk), reason="Anggaran dialihkan")
    check()
    # The wait for the PPK passes: the worker's sweep cancels the overdue orders.
    later = timezone.now() + timedelta(days=60)
    assert services.expire_overdue(now=later) == 1
    assert Order.objects.get(pk=expiring.pk).status == S.CANCELLED
    check()
    row = SpendingRollup.objects.get()
    assert (row.count, row.value) == (1, Decimal("1750000"))  # only the order in progress still counts


def test_a_refusal_that_reduces_an_order_to_nothing_takes_it_out(users, shop):
    a = actors(users)
    order = services.order_submit(actor=a["pp"], order=make_draft(users, shop, quantity=2))
    order = services.order_approve(actor=a["ppk"], order=Order.objects.get(pk=order.pk))
    order = services.order_confirm(actor=a["penyedia"], order=Order.objects.get(pk=order.pk))
    item = order.items.get()
    services.order_deliver(actor=a["penyedia"], order=order, address_id=order.addresses.get().pk, lines={item.pk: 2})
    check()
    services.order_refuse(
        actor=a["ppk"], order=Order.objects.get(pk=order.pk), lines={item.pk: 2}, mode="reduce", reason="Rusak"
    )
    check()
    assert rollups.current() == {}


def test_rebuild_rollups_for_one_tenant(users, shop, medan):
    a = actors(users)
    services.order_submit(actor=a["pp"], order=make_draft(users, shop))
    SpendingRollup.objects.all().delete()
    call_command("rebuild_rollups", "--katalog", medan.region_id)
    assert rollups.current() == direct()


def test_generated_orders_hold_their_budget_and_fill_the_rollup(users, shop, medan, office):
    f.make_office(medan, "2.01.01", "Dinas Kesehatan")
    listed_product(medan, shop["vendor"], name="Ulos sadum", price="450000")
    call_command("generate", "--orders", "400", "--katalog", medan.region_id)
    generated = Order.objects.filter(budget_line__kode_rup__startswith="SYN-")
    assert generated.count() == 400
    assert set(generated.values_list("status", flat=True)) == set(S.values)  # every status
    assert generated.values("office").distinct().count() == 2
    assert len({o.submitted_at.year for o in generated if o.submitted_at}) == 3  # over three years
    for line in BudgetLine.objects.filter(kode_rup__startswith="SYN-"):
        held = sum((o.committed_amount for o in line.orders.all()), Decimal(0))
        assert line.committed == held
        assert held == sum(
            (o.total + o.vat for o in line.orders.all() if o.submitted_at and o.status != S.CANCELLED), Decimal(0)
        )
    assert rollups.current() == direct()
    assert rollups.current_categories() == direct_categories()
    # The services keep it exact from there on.
    order = services.order_submit(actor=f.actor(users["pp"]), order=make_draft(users, shop))
    assert rollups.current() == direct()
    services.order_cancel(actor=f.actor(users["pp"]), order=Order.objects.get(pk=order.pk), reason="Salah")
    assert rollups.current() == direct()
