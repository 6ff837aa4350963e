"""Races an inspector would try, through a live server on the session's database (SQLite file or
PostgreSQL; see test_concurrency.py): a cancel racing an approve on the same order, and a vendor's
stock edits racing buyers' submissions. Nothing oversold, nothing lost, no 500."""

import threading
from collections import Counter
from decimal import Decimal
from urllib.parse import urlsplit

from katalog.accounts.services import api_token_create
from katalog.buying import services
from katalog.buying.models import BudgetLine, Order, OrderDocument, OrderStatus
from katalog.catalogue.models import Product
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.buying.test_concurrency import committed_db, connect, send, server  # noqa: F401 (fixtures)

PAIRS = 16


def _seed(office, users, *, stock=100):
    vendor = f.make_vendor(office.katalog, users=[users["penyedia"]])
    product = listed_product(office.katalog, vendor, name="Sepatu PDH", price="250000", stock=stock)
    line = BudgetLine.objects.create(
        katalog=office.katalog,
        office=office,
        kode_rup="RUP-RACE",
        name="Sepatu",
        fiscal_year=2026,
        ceiling=Decimal("100000000"),
    )
    return vendor, product, line


def _together(url: str, calls: list[tuple[str, str, str, dict | None]]) -> list[dict]:
    """Each (token, method, path, body) on its own thread and connection, released together."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    barrier = threading.Barrier(len(calls), timeout=90)
    results: list[dict] = [{} for _ in calls]

    def run(n, token, method, path, body):
        try:
            conn = connect(host, port, token)
            barrier.wait()
            results[n] = send(conn, method, path, token, body)
            conn.close()
        except Exception as exc:  # asserted below
            results[n] = {"status": 0, "error": repr(exc)}

    threads = [threading.Thread(target=run, args=(n, *call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_a_cancel_racing_an_approve_leaves_one_outcome_per_order(committed_db, server, office, users):  # noqa: F811
    # Given sixteen submitted orders of 2 each
    _vendor, product, line = _seed(office, users)
    pp = f.actor(users["pp"])
    orders = []
    for n in range(PAIRS):
        order = services.order_create(
            actor=pp, budget_line=line, addresses=[f"Kantor {n}"], items=[services.ItemRequest(product.pk, 2)]
        )
        orders.append(services.order_submit(actor=pp, order=order))
    pp_token, ppk_token = api_token_create(user=users["pp"]), api_token_create(user=users["ppk"])

    # When, for each, the PPK approves while the PP cancels, all at the same moment
    calls = []
    for order in orders:
        calls.append((ppk_token, "POST", f"/api/v1/orders/{order.pk}/approve", None))
        calls.append((pp_token, "POST", f"/api/v1/orders/{order.pk}/cancel", {"reason": "Dobel"}))
    with server as live:
        results = _together(live.url, calls)

    # Then each order has exactly one outcome: approved (the PP may no longer cancel: 403) or
    # cancelled (nothing left to approve: 409); no error, no 500
    assert [r for r in results if r["status"] == 0 or r["status"] >= 500] == []
    outcomes = Counter()
    for n, order in enumerate(orders):
        approve, cancel = results[2 * n]["status"], results[2 * n + 1]["status"]
        status = Order.objects.get(pk=order.pk).status
        has_sp = OrderDocument.objects.filter(order=order, kind="sp").exists()
        assert (approve, cancel, status, has_sp) in {
            (200, 403, OrderStatus.AWAITING_CONFIRMATION, True),
            (409, 200, OrderStatus.CANCELLED, False),
        }, (approve, cancel, status, has_sp)
        outcomes[status] += 1
    # And the budget and the stock hold exactly what the surviving orders hold
    kept = Order.objects.filter(pk__in=[o.pk for o in orders]).exclude(status=OrderStatus.CANCELLED)
    line.refresh_from_db()
    product.refresh_from_db()
    assert line.committed == sum(o.committed_amount for o in kept) == Decimal("500000") * kept.count()
    assert (product.stock, product.reserved) == (100, 2 * kept.count())
    assert sum(outcomes.values()) == PAIRS


def test_a_vendor_editing_its_stock_while_buyers_submit_oversells_nothing(committed_db, server, office, users):  # noqa: F811
    # Given 20 on hand, twenty drafts of 1 and a vendor saving "15", "20", "10" … while they submit
    _vendor, product, line = _seed(office, users, stock=20)
    buyers = [f.make_user(office.katalog, "pp", username=f"race-pp-{n:02d}", office=office) for n in range(20)]
    drafts = [
        services.order_create(
            actor=f.actor(u), budget_line=line, addresses=["Kantor"], items=[services.ItemRequest(product.pk, 1)]
        )
        for u in buyers
    ]
    vendor_token = api_token_create(user=users["penyedia"])
    calls = [
        (api_token_create(user=u), "POST", f"/api/v1/orders/{d.pk}/submit", None)
        for u, d in zip(buyers, drafts, strict=True)
    ]
    figures = [15, 20, 10, 18, 12, 20, 5, 16]
    calls += [(vendor_token, "POST", f"/api/v1/products/{product.pk}/stock", {"on_hand": n}) for n in figures]

    with server as live:
        results = _together(live.url, calls)

    assert [r for r in results if r["status"] == 0 or r["status"] >= 500] == []
    submits = results[: len(drafts)]
    edits = results[len(drafts) :]
    assert Counter(r["status"] for r in submits) <= Counter({200: 20, 409: 20})
    assert {r["status"] for r in edits} <= {200, 422}
    # Nothing oversold: what is reserved is exactly what the submitted orders hold, within on hand
    product = Product.objects.get(pk=product.pk)
    won = Order.objects.filter(pk__in=[d.pk for d in drafts], status=OrderStatus.AWAITING_APPROVAL).count()
    assert won == sum(1 for r in submits if r["status"] == 200)
    assert product.reserved == won <= product.stock
    # A refused edit said how much was reserved; an accepted one was never below the reservation then
    for r in edits:
        if r["status"] == 422:
            assert r["body"]["code"] == "below_reserved" and "stock" in r["body"]["fields"]
