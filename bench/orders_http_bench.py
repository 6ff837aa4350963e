"""Order placement through the services and through HTTP, side by side, and the database's floor:
`python bench/orders_http_bench.py [--seconds 10] [--runs 3] [--floor-orders 400]`.

Creates the PostgreSQL database `katalog_bench_orders_http` (dropped first, and again at the end
unless --keep), migrates it and seeds one tenant: 8 offices, each with a PP (with an API token), a
PPK and a budget line; a verified vendor with one listed product per office. Then, in one run:

1. Placement, the way a client places an order: create + submit.
   - services: C processes (each its own Django and connection) call `order_create` then
     `order_submit`, one order after another, for --seconds;
   - HTTP: C client processes send `POST /api/v1/orders` then `POST /api/v1/orders/{id}/submit`
     (bearer token, keep-alive) to gunicorn started as deployed (`scripts/gunicorn.conf.py`,
     KATALOG_WEB_WORKERS=2 unless --workers, its gthread threads), for --seconds;
   with C = 4 and C = 8. Printed: orders/s, p50/p99 of one order (create + submit), errors, CPU per
   order (the service processes' own CPU; the gunicorn workers' CPU for HTTP), the ratio
   HTTP/services, and the machine's load beside each.
2. The floor: 4 processes write, per order, the same rows with plain SQL in one transaction
   (psycopg, no ORM: the order, its item and delivery address, the conditional budget and stock
   reservations, the audit entry appended to the tenant's hash chain), beside 4 processes running
   create + submit + approve through the services; printed: ms per order of each and their ratio.

Every figure is the median of --runs runs (the runs interleave the variants, so a busy moment of the
machine hits each alike). After all runs the totals are checked: every product's reserved stock is
the sum of its submitted orders' quantities and never above its stock, every budget line's committed
amount the sum of its orders' (no oversell, no lost reservation), and the count of orders equals the
count the clients saw succeed.

Both paths use the deployed task backend (the database queue; no worker runs, so queued tasks wait).
`KATALOG_DB_CONN_MAX_AGE` is passed on to gunicorn as set (default 600, as deployed: persistent
connections with health checks); `--conn-max-age 0` measures a new connection per request.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from load_run import free_port, wait_healthy  # the same helpers as the load test (bench/)
from orders_bench import _admin, bench_vendor

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
WORK = Path(tempfile.gettempdir()) / "katalog_bench_orders_http"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "katalog_bench_orders_http"
PRICE = Decimal("55000")
QUANTITY = 2
OFFICES = 8
STOCK = 10_000_000


def _environment(conn_max_age: int) -> dict:
    sys.path.insert(0, str(ROOT))
    env = {
        "DATABASE_URL": f"{PG_SERVER}/{PG_DB}",
        "DJANGO_SETTINGS_MODULE": "katalog.settings",
        "KATALOG_MEDIA_ROOT": str(WORK / "media"),
        "KATALOG_VAR_DIR": str(WORK / "var"),
        "KATALOG_MESSAGE_BACKEND": "file",
        "KATALOG_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "KATALOG_LOG_LEVEL": "ERROR",
        "KATALOG_METRICS_TOKEN": "",
        "KATALOG_DB_CONN_MAX_AGE": str(conn_max_age),
    }
    os.environ.update(env)
    return env


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def create_database() -> None:
    _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {PG_DB}")
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "var").mkdir(parents=True)


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    shutil.rmtree(WORK, ignore_errors=True)


# --- Seed -----------------------------------------------------------------------------------------


def seed() -> list[dict]:
    """One job per office: its PP (user id, API token), PPK, budget line and own product."""
    from django.contrib.auth.models import User

    from katalog.accounts.models import Membership, Office
    from katalog.accounts.selectors import system_actor
    from katalog.accounts.services import api_token_create
    from katalog.buying.models import BudgetLine
    from katalog.catalogue import services as catalogue
    from katalog.core.models import Katalog

    katalog = Katalog.objects.create(region_id="12.71", name="Katalog Bench", government_name="Pemerintah Kota Medan")

    def user(name, role, office):
        u = User.objects.create_user(username=name, password=None)
        Membership.objects.create(user=u, katalog=katalog, role=role, office=office)
        return u

    vendor, category = bench_vendor(katalog)
    desk = system_actor(katalog)
    jobs = []
    for w in range(OFFICES):
        data = catalogue.ProductData(name=f"Kertas HVS {w}", category=category, unit="rim", price=PRICE, min_order=1)
        p = catalogue.product_create(actor=desk, vendor=vendor, data=data, stock=STOCK)
        p = catalogue.product_approve(actor=desk, product=catalogue.product_submit(actor=desk, product=p))
        office = Office.objects.create(katalog=katalog, code=f"1.01.{w + 1:02d}", name=f"Dinas {w}")
        line = BudgetLine.objects.create(
            katalog=katalog,
            office=office,
            kode_rup=f"RUP-{w}",
            name="ATK",
            fiscal_year=2026,
            ceiling=Decimal("900000000000"),
        )
        pp = user(f"pp-{w}", "pp", office)
        ppk = user(f"ppk-{w}", "ppk", office)
        jobs.append(
            {
                "pp": pp.pk,
                "ppk": ppk.pk,
                "token": api_token_create(user=pp, label="bench"),
                "line": line.pk,
                "kode_rup": line.kode_rup,
                "product": p.pk,
                "version": p.listed_version_id,
                "office": office.pk,
                "vendor": vendor.pk,
                "katalog": katalog.pk,
            }
        )
    return jobs


# --- Services -------------------------------------------------------------------------------------


def _django_child():
    import django

    django.setup()
    from django.db import connections

    connections.close_all()


def services_client(job: dict, seconds: float, approve: bool, count: int, start, results) -> None:
    """One process: orders one after another through the services, for `seconds` (or `count`)."""
    _django_child()
    from django.contrib.auth.models import User

    from katalog.accounts.selectors import actor_for
    from katalog.buying import services
    from katalog.buying.models import BudgetLine

    pp, ppk = actor_for(User.objects.get(pk=job["pp"])), actor_for(User.objects.get(pk=job["ppk"]))
    line = BudgetLine.objects.get(pk=job["line"])
    item = [services.ItemRequest(job["product"], QUANTITY)]

    def one():
        order = services.order_create(actor=pp, budget_line=line, items=item, addresses=["Kantor"])
        order = services.order_submit(actor=pp, order=order)
        if approve:
            services.order_approve(actor=ppk, order=order)

    one()  # warm: imports, caches
    start.wait()
    latencies, errors = [], 0
    began, cpu = time.perf_counter(), time.process_time()
    end = began + seconds
    while (time.perf_counter() < end) if not count else (len(latencies) + errors < count):
        t = time.perf_counter()
        try:
            one()
            latencies.append(time.perf_counter() - t)
        except Exception as e:  # counted, the run goes on
            errors += 1
            print("services error:", repr(e), file=sys.stderr)
    results.put(
        {
            "began": began,
            "ended": time.perf_counter(),
            "cpu": time.process_time() - cpu,
            "lat": latencies,
            "err": errors,
        }
    )


def _spawn(target, jobs, *args, on_start=None) -> list[dict]:
    """Run `target` in one process per job; `on_start` is called once all of them are warm, as they start."""
    from django.db import connections

    connections.close_all()  # the children must not share the parent's connection
    ctx = mp.get_context("fork")
    start, results = ctx.Barrier(len(jobs) + 1), ctx.Queue()
    procs = [ctx.Process(target=target, args=(job, *args, start, results)) for job in jobs]
    for p in procs:
        p.start()
    start.wait()
    if on_start is not None:
        on_start()
    out = [results.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
        assert p.exitcode == 0, p.exitcode
    return out


def _summary(parts: list[dict], cpu_ms: float | None = None) -> dict:
    lat = sorted(x for p in parts for x in p["lat"])
    done, errors = len(lat), sum(p["err"] for p in parts)
    wall = max(p["ended"] for p in parts) - min(p["began"] for p in parts)
    cpu = cpu_ms if cpu_ms is not None else 1000 * sum(p["cpu"] for p in parts)
    return {
        "rate": done / wall,
        "p50": 1000 * lat[len(lat) // 2] if lat else float("nan"),
        "p99": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan"),
        "errors": errors,
        "done": done,
        "cpu": cpu / max(done, 1),
        "ms_per_order": 1000 * wall / max(done, 1),
    }


# --- HTTP -----------------------------------------------------------------------------------------


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    run_env = {k: v for k, v in os.environ.items()} | env | {"PORT": str(port), "KATALOG_WEB_WORKERS": str(workers)}
    log = (WORK / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [BIN / "gunicorn", "--config", "scripts/gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=run_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_healthy(f"http://127.0.0.1:{port}", server)
    return server


def workers_cpu(master: int) -> dict[str, float]:
    """CPU seconds (user + system) of each of the gunicorn master's children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    each = {}
    for task in Path(f"/proc/{master}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            each[child] = (int(fields[11]) + int(fields[12])) / tick
    return each


def http_client(job: dict, port: int, seconds: float, start, results) -> None:
    """One client: POST /api/v1/orders then /submit, one order after another, on one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {job['token']}", "Content-Type": "application/json"}
    body = json.dumps(
        {
            "budget_line": job["kode_rup"],
            "items": [{"product": job["product"], "quantity": QUANTITY}],
            "delivery_address": "Kantor",
        }
    )

    def post(path, data=""):
        nonlocal conn
        try:
            conn.request("POST", path, body=data, headers=headers)
            r = conn.getresponse()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", path, body=data, headers=headers)
            r = conn.getresponse()
        return r.status, r.read()

    def one() -> bool:
        status, raw = post("/api/v1/orders", body)
        if status != 201:
            print("create:", status, raw[:300], file=sys.stderr)
            return False
        order = json.loads(raw)
        status, raw = post(f"/api/v1/orders/{order['id']}/submit")
        if status != 200 or json.loads(raw)["status"] != "awaiting_approval":
            print("submit:", status, raw[:300], file=sys.stderr)
            return False
        return True

    one()  # warm: each worker's first requests
    start.wait()
    latencies, errors = [], 0
    began = time.perf_counter()
    end = began + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        if one():
            latencies.append(time.perf_counter() - t)
        else:
            errors += 1
    results.put({"began": began, "ended": time.perf_counter(), "cpu": 0.0, "lat": latencies, "err": errors})
    conn.close()


def run_http(jobs, port: int, master: int, seconds: float) -> dict:
    """The workers' CPU is counted from when every client is warm (as the services' own), and its split
    between the workers is kept: a keep-alive connection stays with the worker that accepted it."""
    before: dict[str, float] = {}
    parts = _spawn(http_client, jobs, port, seconds, on_start=lambda: before.update(workers_cpu(master)))
    after = workers_cpu(master)
    used = sorted((after[w] - before.get(w, 0.0) for w in after), reverse=True)
    r = _summary(parts, cpu_ms=1000 * sum(used))
    r["split"] = "/".join(f"{100 * u / max(sum(used), 1e-9):.0f}" for u in used)
    return r


# --- The floor: the same rows in plain SQL ------------------------------------------------------------


def floor_client(job: dict, count: int, start, results) -> None:
    import psycopg

    conn = psycopg.connect(f"{PG_SERVER}/{PG_DB}")
    amount = PRICE * QUANTITY
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    latencies = []
    for _ in range(count):
        t = time.perf_counter()
        with conn.transaction():
            cur = conn.cursor()
            (order_id,) = cur.execute(
                "INSERT INTO buying_order (katalog_id, office_id, vendor_id, budget_line_id, status, created_by_id,"
                " approver_id, total, vat, committed_amount, note, cancel_reason, cancel_request_reason,"
                " lead_time_days, sent_to_vendor_at, submitted_at, deadline_at, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, 'awaiting_approval', %s, %s, %s, 0, %s, '', '', '', 1,"
                " now(), now(), now() + interval '3 days', now(), now()) RETURNING id",
                (job["katalog"], job["office"], job["vendor"], job["line"], job["pp"], job["ppk"], amount, amount),
            ).fetchone()
            cur.execute(
                "INSERT INTO buying_orderitem (order_id, product_id, version_id, quantity, unit_price, shipping_cost,"
                " delivered_quantity, reduced_quantity) VALUES (%s, %s, %s, %s, %s, 0, 0, 0)",
                (order_id, job["product"], job["version"], QUANTITY, PRICE),
            )
            cur.execute("INSERT INTO buying_deliveryaddress (order_id, address) VALUES (%s, 'Kantor')", (order_id,))
            cur.execute(
                "UPDATE buying_budgetline SET committed = committed + %s WHERE id = %s AND committed <= ceiling - %s",
                (amount, job["line"], amount),
            )
            assert cur.rowcount == 1
            cur.execute(
                "UPDATE catalogue_product SET reserved = reserved + %s WHERE id = %s AND stock >= reserved + %s",
                (QUANTITY, job["product"], QUANTITY),
            )
            assert cur.rowcount == 1
            key = str(job["katalog"])
            (prev,) = cur.execute("SELECT last_hash FROM core_auditchain WHERE key = %s FOR UPDATE", (key,)).fetchone()
            data = json.dumps({"committed": str(amount)})
            digest = hashlib.sha256(f"{prev}{order_id}{data}".encode()).hexdigest()
            cur.execute(
                "INSERT INTO core_auditlog (katalog_id, actor_id, actor_name, actor_address, action, object_type,"
                " object_id, data, at, prev_hash, hash) VALUES (%s, %s, '', '', 'order.submit', 'buying.order',"
                " %s, %s, now(), %s, %s)",
                (job["katalog"], job["pp"], str(order_id), data, prev, digest),
            )
            cur.execute("UPDATE core_auditchain SET last_hash = %s, count = count + 1 WHERE key = %s", (digest, key))
        latencies.append(time.perf_counter() - t)
    results.put(
        {"began": began, "ended": time.perf_counter(), "cpu": time.process_time() - cpu, "lat": latencies, "err": 0}
    )
    conn.close()


# --- Checks -----------------------------------------------------------------------------------------


def check(expected_submitted: int, expected_approved: int) -> str:
    """No oversell and no lost reservation: the totals add up after every run."""
    from django.db.models import Sum

    from katalog.buying.models import BudgetLine, Order, OrderItem
    from katalog.catalogue.models import Product

    holding = Order.objects.filter(status__in=["awaiting_approval", "awaiting_confirmation"])
    submitted = holding.filter(status="awaiting_approval").count()
    approved = holding.filter(status="awaiting_confirmation").count()
    problems = []
    if (submitted, approved) != (expected_submitted, expected_approved):
        problems.append(f"orders {submitted}+{approved}, the clients saw {expected_submitted}+{expected_approved}")
    for p in Product.objects.all():
        held = OrderItem.objects.filter(product=p, order__in=holding).aggregate(s=Sum("quantity"))["s"] or 0
        if p.reserved != held or p.reserved > p.stock:
            problems.append(f"product {p.pk}: reserved {p.reserved}, orders hold {held}, stock {p.stock}")
    for line in BudgetLine.objects.all():
        held = holding.filter(budget_line=line).aggregate(s=Sum("committed_amount"))["s"] or 0
        if line.committed != held or line.committed > line.ceiling:
            problems.append(f"budget line {line.kode_rup}: committed {line.committed}, orders hold {held}")
    return "; ".join(problems) or (
        f"ok ({submitted} submitted + {approved} approved orders; reserved stock and committed budget "
        "equal the orders' sums, none above stock or ceiling)"
    )


# --- Main -------------------------------------------------------------------------------------------


def med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _brief(r: dict) -> str:
    return f"{r['rate']:.1f}/s load {r['load']}"


def show(label: str, runs: list[dict]) -> None:
    print(
        f"  {label:<22} {med(runs, 'rate'):6.1f} orders/s  p50 {med(runs, 'p50'):5.0f} ms  p99 {med(runs, 'p99'):5.0f} ms"
        f"  errors {sum(r['errors'] for r in runs)}  CPU {med(runs, 'cpu'):5.1f} ms/order"
        f"   [runs: {', '.join(_brief(r) for r in runs)}]"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="length of each placement run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--floor-orders", type=int, default=400, help="orders per floor / services run (4 workers)")
    parser.add_argument("--conn-max-age", type=int, default=int(os.environ.get("KATALOG_DB_CONN_MAX_AGE", "600")))
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn workers (2, one per core; deployed default: 2 per core + 1). A keep-alive connection stays"
        " with the worker that accepted it, so with few clients the workers' shares may be uneven (printed)",
    )
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    assert max(args.clients) <= OFFICES

    env = _environment(args.conn_max_age)
    create_database()
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    jobs = seed()
    print(
        f"migrated and seeded in {time.perf_counter() - t:.1f} s; {os.cpu_count()} CPUs; runs of {args.seconds:.0f} s; "
        f"gunicorn {args.workers} workers, KATALOG_DB_CONN_MAX_AGE={args.conn_max_age}; load {load()}",
        flush=True,
    )
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    submitted = approved = 0
    placement: dict[tuple[str, int], list[dict]] = {}
    floor_runs, full_runs = [], []
    try:
        for n in range(args.runs):
            for clients in args.clients:
                for mode in ("services", "http"):
                    before = load()
                    if mode == "services":
                        r = _summary(_spawn(services_client, jobs[:clients], args.seconds, False, 0))
                    else:
                        r = run_http(jobs[:clients], port, server.pid, args.seconds)
                    r["load"] = before
                    submitted += r["done"] + clients  # and each client's warm-up order
                    placement.setdefault((mode, clients), []).append(r)
                    split = f" (workers' share % {r['split']})" if "split" in r else ""
                    print(
                        f"run {n + 1}: {mode:<8} {clients} clients: {r['rate']:6.1f} orders/s, p50 {r['p50']:.0f} ms,"
                        f" p99 {r['p99']:.0f} ms, errors {r['errors']}, CPU {r['cpu']:.1f} ms/order{split}, load {before}",
                        flush=True,
                    )
            if not args.skip_floor:
                per = args.floor_orders // 4
                before = load()
                f = _summary(_spawn(floor_client, jobs[:4], per))
                f["load"] = before
                floor_runs.append(f)
                before = load()
                s = _summary(_spawn(services_client, jobs[:4], 0, True, per))
                s["load"] = before
                full_runs.append(s)
                approved += s["done"] + 4
                submitted += f["done"]
                print(
                    f"run {n + 1}: floor {f['ms_per_order']:.2f} ms/order ({f['rate']:.0f}/s), services create+submit+"
                    f"approve {s['ms_per_order']:.2f} ms/order ({s['rate']:.1f}/s): x{s['ms_per_order'] / f['ms_per_order']:.1f}"
                    f", load {before}",
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    print(f"\nmedian of {args.runs} runs (load 1/5/15 min before each run in brackets):")
    ok = True
    for clients in args.clients:
        s, h = placement[("services", clients)], placement[("http", clients)]
        print(f"{clients} clients, create + submit:")
        show("services", s)
        show("HTTP (gunicorn)", h)
        ratio = statistics.median(hr["rate"] / sr["rate"] for sr, hr in zip(s, h, strict=True))
        cpu_ratio = med(h, "cpu") / med(s, "cpu")
        print(f"  HTTP/services: rate x{ratio:.2f} (median of the runs' ratios), CPU per order x{cpu_ratio:.2f}")
        errors = sum(r["errors"] for r in s + h)
        ok &= ratio >= 0.6 and errors == 0 and (clients < 8 or med(h, "p99") < 300)
    if full_runs:
        ratio = statistics.median(
            s["ms_per_order"] / f["ms_per_order"] for f, s in zip(floor_runs, full_runs, strict=True)
        )
        print("4 workers, per order:")
        print(
            f"  plain SQL floor            {med(floor_runs, 'ms_per_order'):6.2f} ms/order ({med(floor_runs, 'rate'):.0f} orders/s)"
            f"   [loads: {', '.join(r['load'] for r in floor_runs)}]"
        )
        print(
            f"  services create+submit+approve {med(full_runs, 'ms_per_order'):6.2f} ms/order "
            f"({med(full_runs, 'rate'):.1f} orders/s, CPU {med(full_runs, 'cpu'):.1f} ms/order)"
            f"   [loads: {', '.join(r['load'] for r in full_runs)}]"
        )
        print(f"  services/floor: x{ratio:.1f} (median of the runs' ratios; goal at most x8)")
        ok &= ratio <= 8
    totals = check(submitted, approved)
    print(f"totals check: {totals}")
    ok &= totals.startswith("ok")
    print("goals: " + ("met" if ok else "NOT met"))
    if not args.keep:
        drop_database()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
