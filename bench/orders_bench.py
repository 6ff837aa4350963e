"""Orders per second for "place and approve" on PostgreSQL:
`python bench/orders_bench.py [--orders 600] [--workers 4]`.

Creates the database `katalog_bench_orders` (dropped first, and again at the end unless --keep),
migrates it, and seeds one tenant with offices, PPs and PPKs, a verified vendor with listed
products, and budget lines. Then W worker processes (each its own Django and database connection,
started together) each run create → submit → approve through the buying services (the same
functions the API calls; no HTTP), one order after another, for two scenarios in the same run:

  (a) every worker buys for its own office, on its own budget line (nothing shared);
  (b) every worker buys for the same office, on ONE shared budget line (the budget row and the
      office's Surat Pesanan counter are locked by every submit / approve).

It prints orders/s for each and the ratio (b)/(a). Each approval renders the Surat Pesanan PDF.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/katalog_bench_orders")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "katalog_bench_orders"
PRICE = Decimal("55000")


def _environment() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "katalog.settings"
    os.environ["KATALOG_MEDIA_ROOT"] = str(WORK / "media")
    os.environ["KATALOG_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["KATALOG_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("KATALOG_LOG_LEVEL", "ERROR")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def create_database() -> None:
    _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {PG_DB}")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    shutil.rmtree(WORK, ignore_errors=True)


def bench_vendor(katalog):
    """The verified micro vendor every order bench buys from, and the category of its products."""
    from katalog.catalogue.models import Category
    from katalog.vendors.models import Vendor

    vendor = Vendor.objects.create(
        katalog=katalog,
        name="UD Bench",
        owner_name="Butet",
        nib="8120000000001",
        npwp="021832415000000",
        kbli=["10792"],
        address="Jl. Uji",
        region_id="12.71.01",
        district_id="12.71.01",
        phone="081234567890",
        email="bench@example.id",
        capital=Decimal("500000000"),
        annual_sales=Decimal("800000000"),
        size_class="mikro",
        status="verified",
        source="self",
    )
    category = Category.objects.create(katalog=katalog, name="ATK", code="ATK", level=1)
    return vendor, category


def seed(workers: int, orders: int) -> dict:
    """Offices 0..W-1 each with a PP, a PPK and a line (scenario a); office S with W PPs, one PPK
    and one shared line (scenario b); one product per worker with stock for every order."""
    from django.contrib.auth.models import User

    from katalog.accounts.models import Membership, Office
    from katalog.accounts.selectors import system_actor
    from katalog.buying.models import BudgetLine
    from katalog.catalogue import services as catalogue
    from katalog.core.models import Katalog

    katalog = Katalog.objects.create(region_id="12.71", name="Katalog Bench", government_name="Pemerintah Kota Medan")

    def user(name, role, office=None):
        u = User.objects.create_user(username=name, password=None)
        Membership.objects.create(user=u, katalog=katalog, role=role, office=office)
        return u.pk

    vendor, category = bench_vendor(katalog)
    desk = system_actor(katalog)
    products = []
    for w in range(workers):
        data = catalogue.ProductData(name=f"Kertas HVS {w}", category=category, unit="rim", price=PRICE, min_order=1)
        p = catalogue.product_create(actor=desk, vendor=vendor, data=data, stock=10 * orders)
        p = catalogue.product_submit(actor=desk, product=p)
        products.append(catalogue.product_approve(actor=desk, product=p).pk)
    ceiling = PRICE * orders * 10
    separate = []
    for w in range(workers):
        office = Office.objects.create(katalog=katalog, code=f"1.01.{w + 1:02d}", name=f"Dinas {w}")
        line = BudgetLine.objects.create(
            katalog=katalog,
            office=office,
            kode_rup=f"RUP-A-{w}",
            name="ATK",
            fiscal_year=2026,
            ceiling=ceiling,
        )
        separate.append(
            {
                "pp": user(f"pp-a{w}", "pp", office),
                "ppk": user(f"ppk-a{w}", "ppk", office),
                "line": line.pk,
                "product": products[w],
            }
        )
    shared_office = Office.objects.create(katalog=katalog, code="2.01.01", name="Dinas Bersama")
    line = BudgetLine.objects.create(
        katalog=katalog,
        office=shared_office,
        kode_rup="RUP-B",
        name="ATK",
        fiscal_year=2026,
        ceiling=ceiling * workers,
    )
    ppk = user("ppk-b", "ppk", shared_office)
    shared = [
        {"pp": user(f"pp-b{w}", "pp", shared_office), "ppk": ppk, "line": line.pk, "product": products[w]}
        for w in range(workers)
    ]
    return {"a": separate, "b": shared}


def place_and_approve(job: dict, count: int, start, results) -> None:
    """One worker: `count` orders, each created, submitted and approved, one after another."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connections

    from katalog.accounts.selectors import actor_for
    from katalog.buying import services
    from katalog.buying.models import BudgetLine

    connections.close_all()
    pp, ppk = actor_for(User.objects.get(pk=job["pp"])), actor_for(User.objects.get(pk=job["ppk"]))
    line = BudgetLine.objects.get(pk=job["line"])
    item = [services.ItemRequest(job["product"], 2)]
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        order = services.order_create(actor=pp, budget_line=line, items=item, addresses=["Kantor"])
        order = services.order_submit(actor=pp, order=order)
        services.order_approve(actor=ppk, order=order)
    results.put((began, time.perf_counter(), time.process_time() - cpu))
    connections.close_all()


def run(jobs: list[dict], orders: int) -> tuple[float, float]:
    """Orders per second of all workers together (wall clock from the first start to the last end),
    and the workers' own CPU milliseconds per order (less sensitive to a busy machine)."""
    from django.db import connections

    connections.close_all()  # the children must not share the parent's connection
    ctx = mp.get_context("fork")
    start, results = ctx.Barrier(len(jobs)), ctx.Queue()
    per_worker = orders // len(jobs)
    procs = [ctx.Process(target=place_and_approve, args=(job, per_worker, start, results)) for job in jobs]
    for p in procs:
        p.start()
    spans = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        assert p.exitcode == 0, p.exitcode
    wall = max(end for _b, end, _c in spans) - min(began for began, _e, _c in spans)
    done = per_worker * len(jobs)
    return done / wall, 1000 * sum(cpu for _b, _e, cpu in spans) / done


def check(orders_expected: int) -> None:
    """The totals add up after the run (a benchmark that corrupts data measures nothing)."""
    from django.db.models import Sum

    from katalog.buying.models import BudgetLine, Order, OrderDocument

    approved = Order.objects.filter(status="awaiting_confirmation")
    assert approved.count() == orders_expected, approved.count()
    committed = BudgetLine.objects.aggregate(s=Sum("committed"))["s"]
    assert committed == approved.aggregate(s=Sum("committed_amount"))["s"] == PRICE * 2 * orders_expected
    for office_id, n in {
        o: approved.filter(office_id=o).count() for o in approved.values_list("office_id", flat=True).distinct()
    }.items():
        seqs = sorted(OrderDocument.objects.filter(office_id=office_id, kind="sp").values_list("sequence", flat=True))
        assert seqs == list(range(1, n + 1)), office_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=600, help="orders per scenario (split among the workers)")
    parser.add_argument("--workers", type=int, default=4, help="parallel worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    _environment()
    create_database()
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    jobs = seed(args.workers, args.orders)
    print(
        f"migrated and seeded in {time.perf_counter() - t:.1f} s; {args.workers} worker processes, "
        f"{args.orders} orders per scenario, {os.cpu_count()} CPUs"
    )
    try:
        print(f"load average before the run: {os.getloadavg()[0]:.1f}")
        a, cpu_a = run(jobs["a"], args.orders)
        print(f"(a) separate budget lines and offices: {a:7.1f} orders/s, {cpu_a:.0f} ms worker CPU/order")
        b, cpu_b = run(jobs["b"], args.orders)
        print(f"(b) one shared budget line and office: {b:7.1f} orders/s, {cpu_b:.0f} ms worker CPU/order")
        print(f"ratio (b)/(a): {b / a:.2f}")
        check(2 * (args.orders // args.workers) * args.workers)
        print("totals check: committed = sum of orders; SP numbers 1..n per office")
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
