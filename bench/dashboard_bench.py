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
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

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


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="time an existing bench database, load nothing")
    args = parser.parse_args()
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
