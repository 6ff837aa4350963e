"""Dashboard answer times on PostgreSQL (issue 9, "Speed"):
`python bench/dashboard_bench.py [--orders 1000000] [--requests 50] [--keep]`.

Creates the database `katalog_bench_dash` (dropped first, and again at the end unless --keep),
migrates it, loads `katalog demo --small`, then `katalog generate --orders N` (orders in every
state over three years, all offices and vendors, the spending rollup rebuilt). Then, signed in as
the Pengelola with the Django test client (the whole stack but the socket), it times R requests
each of:

  GET /api/v1/stats/spending?year=Y               the whole tenant
  GET /api/v1/stats/spending?year=Y&office=CODE   one office
  GET /api/v1/stats/budget-lines?year=Y
  GET /api/v1/stats/payments?year=Y

after one warm-up request each, and prints p50/p95 (ms) per endpoint with the load average
(/proc/loadavg) beside, since the machine may be shared.

`python bench/dashboard_bench.py --umkm [--requests 50] [--runs 3] [--sqlite]` times the UMKM dashboard
(GET /dasbor/umkm/ as the Pengelola, whose page also shows the onboarding funnel) as the registry
grows (issue 12): on `katalog demo` (27,773 vendors), then with the generated registry ten times as
large (load_registry with ten times the distribution: 277,640 vendors), ANALYZE after each load. For
each size it prints p50/p95 of the page in each of --runs runs of R requests, the median time of
the GROUP BY over every vendor the page ran before the rollups (the same run's reference), then
the ratio of the two sizes' median-run p95s (the goal: at most 1.5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from orders_bench import _admin  # the same PostgreSQL admin helper (bench/, BENCH_PG_SERVER)

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "katalog_bench_dash"


def _environment() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "katalog.settings"
    os.environ["KATALOG_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["KATALOG_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("KATALOG_LOG_LEVEL", "ERROR")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _timings(client, url: str, requests: int) -> list[float]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def umkm_main(args) -> None:
    """The UMKM dashboard at 28,000 and at 280,000 vendors (see the module's docstring)."""
    db = ROOT / "var" / "bench" / "umkm.sqlite3"
    if args.sqlite:
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "katalog.settings"
        os.environ["KATALOG_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
        os.environ["KATALOG_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    else:
        _environment()
        _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _admin(f"CREATE DATABASE {PG_DB}")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from katalog.core.models import Katalog
    from katalog.demo.generate import DISTRIBUTION, load_registry
    from katalog.insights import vendor_rollups
    from katalog.insights.selectors import class_changes
    from katalog.vendors.models import Vendor

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    engine = "SQLite" if args.sqlite else "PostgreSQL"
    results = {}
    try:
        call_command("migrate", verbosity=0)
        call_command("demo", verbosity=0)
        katalog = Katalog.objects.get(region_id="12.71")
        client = Client()
        client.force_login(User.objects.get(username="pengelola"))
        for label, factor in (("x1", 1), ("x10", 10)):
            if factor > 1:
                started = time.perf_counter()
                load_registry(katalog, distribution={k: v * factor for k, v in DISTRIBUTION.items()})
                vendor_rollups.analyze()
                print(f"loaded x{factor} in {time.perf_counter() - started:.0f} s")
            vendors = Vendor.objects.filter(katalog=katalog).count()
            runs = [_timings(client, "/dasbor/umkm/", args.requests) for _ in range(args.runs)]
            for i, timed in enumerate(runs, 1):
                print(f"  run {i}: p50 {statistics.median(timed):7.1f} ms p95 {percentile(timed, 95):7.1f} ms")
            page = sorted(runs, key=lambda timed: percentile(timed, 95))[len(runs) // 2]  # the median run
            direct = []
            for _ in range(5):  # what the page grouped on every view before the rollups
                started = time.perf_counter()
                vendor_rollups.recompute(katalog)
                list(class_changes(katalog))
                direct.append((time.perf_counter() - started) * 1000)
            results[label] = (vendors, page, direct)
            print(
                f"{engine} {vendors:7d} vendors: /dasbor/umkm/ p50 {statistics.median(page):7.1f} ms "
                f"p95 {percentile(page, 95):7.1f} ms | GROUP BY over every vendor (before) "
                f"median {statistics.median(direct):7.1f} ms | load {loadavg()}"
            )
        small, large = (percentile(results[k][1], 95) for k in ("x1", "x10"))  # median runs' p95
        before_small, before_large = (statistics.median(results[k][2]) for k in ("x1", "x10"))
        print(
            f"ratio p95 at {results['x10'][0]} / at {results['x1'][0]} vendors: {large / small:.2f} "
            f"(the GROUP BY alone: {before_large / before_small:.2f})"
        )
    finally:
        connections.close_all()
        if not args.sqlite and not args.keep:
            _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="time an existing bench database, load nothing")
    parser.add_argument("--umkm", action="store_true", help="the UMKM dashboard at 28,000 and 280,000 vendors")
    parser.add_argument("--sqlite", action="store_true", help="with --umkm: on SQLite (var/bench/umkm.sqlite3)")
    parser.add_argument("--runs", type=int, default=3, help="with --umkm: timed runs at each size (the median is used)")
    args = parser.parse_args()
    if args.umkm:
        umkm_main(args)
        return
    _environment()
    if not args.reuse:
        _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _admin(f"CREATE DATABASE {PG_DB}")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from katalog.accounts.models import Office
    from katalog.buying.models import Order

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False  # the test client's login has no address for the lockout log
    try:
        if not args.reuse:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            call_command("demo", "--small", verbosity=0)
            call_command("generate", "--orders", str(args.orders))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live database
            print(f"loaded in {time.perf_counter() - started:.0f} s")
        print(f"orders: {Order.objects.count()}  load average before: {loadavg()}")
        year = timezone.localdate().year
        office = Office.objects.order_by("code").first()
        client = Client()
        client.force_login(User.objects.get(username="pengelola"))
        urls = {
            "spending (tenant)": f"/api/v1/stats/spending?year={year}",
            f"spending (office {office.code})": f"/api/v1/stats/spending?year={year}&office={office.code}",
            "budget-lines": f"/api/v1/stats/budget-lines?year={year}",
            "payments": f"/api/v1/stats/payments?year={year}",
        }
        print(f"{'endpoint':32} {'p50 ms':>8} {'p95 ms':>8}  loadavg")
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            print(f"{name:32} {statistics.median(times):8.1f} {percentile(times, 95):8.1f}  {loadavg()}")
    finally:
        connections.close_all()
        if not args.keep:
            _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
