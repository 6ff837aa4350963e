"""The worker's sweep cancels overdue orders on its own, in its own thread and connection, as
`katalog worker` runs it every minute beside the task queue."""

import threading
import time
from datetime import timedelta

from django.db import OperationalError
from django.utils import timezone

from katalog.buying import services
from katalog.buying.management.commands.worker import sweep_forever
from katalog.buying.models import BudgetLine, Order, OrderStatus
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.buying.test_concurrency import ensure_regions


def _status(pk: int) -> str | None:
    """The order's status, or None while the sweep is writing it: the tests' in-memory SQLite shares
    one cache between threads, where a read during another thread's write is refused at once (a
    file database in WAL mode, as deployed, lets readers go on)."""
    try:
        return Order.objects.get(pk=pk).status
    except OperationalError:
        return None


def test_the_sweep_expires_an_overdue_order_without_anyone_reading_it(transactional_db):
    ensure_regions()
    medan = f.make_katalog("12.71", "Katalog Lokal Kota Medan")
    office = f.make_office(medan, "1.01.01", "Dinas Pendidikan")
    pp = f.make_user(medan, "pp", username="sweep-pp", office=office)
    f.make_user(medan, "ppk", username="sweep-ppk", office=office)
    vendor = f.make_vendor(medan)
    product = listed_product(medan, vendor)
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-SWEEP", name="Seragam", fiscal_year=2026, ceiling=10**7
    )
    order = services.order_create(
        actor=f.actor(pp), budget_line=line, addresses=["Kantor"], items=[services.ItemRequest(product.pk, 3)]
    )
    order = services.order_submit(actor=f.actor(pp), order=order)
    Order.objects.filter(pk=order.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))

    stop = threading.Event()
    sweeper = threading.Thread(target=sweep_forever, args=(0.05, stop), daemon=True)
    sweeper.start()
    deadline = time.monotonic() + 10
    while _status(order.pk) != OrderStatus.CANCELLED and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    sweeper.join(timeout=5)

    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason
    line.refresh_from_db()
    product.refresh_from_db()
    assert (line.committed, product.reserved) == (0, 0)
