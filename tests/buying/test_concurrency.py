"""Fifty buyers ordering the same product and charging the same budget line at the same moment:
exactly as many orders succeed as stock and ceiling allow, the rest are refused with a clear
message, no 500, and the totals add up afterwards. Stock binds on what is available (on hand less
what submitted orders already reserved); a submit reserves, it does not take off on hand.

The buyers are 50 threads, each with its own HTTP connection and its own token, released together
by a barrier against a live server that serves each request on its own thread with its own
database connection:

- PostgreSQL: pytest-django's `live_server` on the test database (rows are committed:
  `transaction=True`).
- SQLite: the test database lives in memory, where Django's live server would make every request
  share one connection (no concurrency at all). So the seeded test database is copied to a file
  and served by a real `katalog runserver` process (WAL, `BEGIN IMMEDIATE`, 20 s busy timeout as
  in production); afterwards the file is copied back so the same ORM asserts read it.
"""

import http.client
import importlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from katalog.accounts.services import api_token_create
from katalog.buying import services
from katalog.buying.models import BudgetLine, Order, OrderItem
from tests import factories as f
from tests.buying.conftest import listed_product

BUYERS = 50
PRICE = Decimal("250000")
ROOT = Path(__file__).resolve().parents[2]


def ensure_regions() -> None:
    """Put back the Kepmendagri regions a data migration loaded: a transactional test ends with a
    flush of every table (tests/e2e/conftest.py does the same)."""
    from django.apps import apps

    from katalog.core.models import Region

    if not Region.objects.exists():
        importlib.import_module("katalog.core.migrations.0002_load_regions").load(apps, None)


@pytest.fixture
def committed_db(transactional_db):
    """The server's threads or process must see the seeded rows: they are committed."""
    ensure_regions()


# --- A live server on the session's engine -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SqliteFileServer:
    """`katalog runserver` on a file copy of the in-memory test database."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.path = workdir / "katalog.sqlite3"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def __enter__(self):
        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        connection.connection.backup(target)
        target.close()
        self.start_process({"DATABASE_URL": f"sqlite:///{self.path}"})
        return self

    def start_process(self, extra: dict) -> None:
        """Start the server process with `extra` environment and wait until it accepts connections."""
        env = {
            **os.environ,
            **extra,
            "KATALOG_SECRET_KEY": settings.SECRET_KEY,
            "KATALOG_VAR_DIR": str(self.workdir),
            "KATALOG_MEDIA_ROOT": str(self.workdir / "media"),
            "KATALOG_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "KATALOG_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "KATALOG_AXES_ENABLED": "0",
        }
        self.log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 (closed in __exit__)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "katalog.cli", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, (self.workdir / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        # Read the results back through the ORM: the file (with its WAL) replaces the test database.
        source = sqlite3.connect(self.path)
        source.backup(connection.connection)
        source.close()


class LiveServer:
    def __init__(self, live_server):
        self.url = live_server.url

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def live_server_for(request, tmp_path):
    """A context manager: inside it, a live server answers at `.url` on the committed data."""
    if connection.vendor == "sqlite":
        return SqliteFileServer(tmp_path)
    return LiveServer(request.getfixturevalue("live_server"))


@pytest.fixture
def server(request, tmp_path):
    return live_server_for(request, tmp_path)


# --- Fifty buyers ---------------------------------------------------------------------------------------


def seed(office, users, *, stock: int, ceiling: str, reserved: int = 0):
    """One product of one vendor, one budget line, and fifty PPs of the office each with a token.
    With `reserved`, an earlier order (on another budget line) already holds that much of the stock."""
    vendor = f.make_vendor(office.katalog, users=[users["penyedia"]])
    product = listed_product(office.katalog, vendor, name="Seragam Batik Medan", price=str(PRICE), stock=stock)
    line = BudgetLine.objects.create(
        katalog=office.katalog,
        office=office,
        kode_rup="RUP-2026-050",
        name="Seragam",
        fiscal_year=2026,
        ceiling=Decimal(ceiling),
    )
    if reserved:
        earlier = BudgetLine.objects.create(
            katalog=office.katalog,
            office=office,
            kode_rup="RUP-2026-049",
            name="Seragam (pesanan sebelumnya)",
            fiscal_year=2026,
            ceiling=Decimal("100000000"),
        )
        pp = f.actor(users["pp"])
        order = services.order_create(
            actor=pp, budget_line=earlier, addresses=["Gudang"], items=[services.ItemRequest(product.pk, reserved)]
        )
        services.order_submit(actor=pp, order=order)
        product.refresh_from_db()
        assert (product.stock, product.reserved) == (stock, reserved)
    buyers = [f.make_user(office.katalog, "pp", username=f"pp-{n:02d}", office=office) for n in range(BUYERS)]
    return product, line, [api_token_create(user=u) for u in buyers]


def send(conn, method, path, token, body=None):
    started = time.monotonic()
    conn.request(
        method,
        path,
        body=None if body is None else json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    raw = response.read()
    try:
        data = json.loads(raw)
    except ValueError:
        data = {"raw": raw[:500].decode(errors="replace")}
    keep_alive = (response.getheader("Connection") or "").lower() != "close"
    return {
        "status": response.status,
        "body": data,
        "span": (started, time.monotonic()),
        "keep_alive": keep_alive,
    }


def connect(host, port, token):
    """A connection the server has accepted and keeps open: warmed by one read (GET /me), retried
    if the listen queue (10 deep in Django's servers) overflowed while fifty connected at once."""
    for _attempt in range(20):
        conn = http.client.HTTPConnection(host, port, timeout=90)
        try:
            warm = send(conn, "GET", "/api/v1/me", token)
            assert warm["status"] == 200 and warm["keep_alive"], warm
            return conn
        except (ConnectionError, http.client.RemoteDisconnected):
            conn.close()
            time.sleep(0.05)
    raise AssertionError("could not connect")


def run_buyers(url: str, tokens: list[str], product_id: int) -> list[dict]:
    """Each buyer, on its own thread and its own kept-alive connection: create a draft when all are
    ready, then submit it when all have their draft."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    start, submit_together = (
        threading.Barrier(len(tokens), timeout=90),
        threading.Barrier(len(tokens), timeout=90),
    )
    results: list[dict] = [{} for _ in tokens]

    def buyer(n: int, token: str):
        out = results[n]
        conn = None
        try:
            conn = connect(host, port, token)
            start.wait()
            out["create"] = send(
                conn,
                "POST",
                "/api/v1/orders",
                token,
                {
                    "budget_line": "RUP-2026-050",
                    "delivery_address": f"Kantor {n}",
                    "items": [{"product": product_id, "quantity": 1}],
                },
            )
        except Exception as exc:  # recorded and asserted below; the others must not wait forever
            out["error"] = repr(exc)
        submit_together.wait()
        try:
            if "create" in out and out["create"]["status"] == 201:
                order_id = out["create"]["body"]["id"]
                out["submit"] = send(conn, "POST", f"/api/v1/orders/{order_id}/submit", token)
        except Exception as exc:
            out["error"] = repr(exc)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=buyer, args=(n, t)) for n, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def most_in_flight(spans) -> int:
    """The largest number of requests the server had in hand at one moment."""
    events = sorted([(s, 1) for s, _e in spans] + [(e, -1) for _s, e in spans])
    level = peak = 0
    for _t, step in events:
        level += step
        peak = max(peak, level)
    return peak


def check_outcome(results, *, product, line, stock: int, wins: int, refusal: str, reserved: int = 0):
    assert [r.get("error") for r in results if "error" in r] == []
    creates = [r["create"] for r in results]
    submits = [r["submit"] for r in results]
    statuses = [x["status"] for x in creates + submits]
    assert [s for s in statuses if s >= 500] == []  # no 500, whatever the race
    assert Counter(c["status"] for c in creates) == {201: BUYERS}
    # Exactly as many succeed as the binding limit allows; the others are told why.
    assert Counter(s["status"] for s in submits) == {200: wins, 409: BUYERS - wins}, submits
    refused = [s["body"] for s in submits if s["status"] == 409]
    assert {b["code"] for b in refused} == {refusal}
    assert all(len(b["message"]) > 20 for b in refused)
    # The requests were in flight together, not one after another.
    assert most_in_flight([s["span"] for s in submits]) >= 10

    # The totals add up: the database agrees with the answers, the budget with the orders, the stock
    # reserved with the quantities (on hand is untouched until a delivery).
    won = sorted(s["body"]["id"] for s in submits if s["status"] == 200)
    submitted = Order.objects.filter(budget_line=line, status="awaiting_approval")
    assert sorted(submitted.values_list("pk", flat=True)) == won
    assert set(
        Order.objects.filter(budget_line=line).exclude(pk__in=won).values_list("status", "committed_amount")
    ) == {("draft", Decimal(0))}
    line.refresh_from_db()
    product.refresh_from_db()
    assert line.committed == sum(o.committed_amount for o in submitted) == wins * PRICE
    assert line.committed <= line.ceiling
    quantities = sum(OrderItem.objects.filter(order__in=submitted).values_list("quantity", flat=True))
    assert quantities == wins
    assert (product.stock, product.reserved) == (stock, reserved + wins)
    assert 0 <= product.available == stock - reserved - wins
    return refused


def test_fifty_buyers_at_once_stock_binds(committed_db, server, office, users):
    # Given 20 on hand of which an earlier order holds 3 (17 available), and a budget line that
    # could pay for all fifty
    product, line, tokens = seed(office, users, stock=20, ceiling="100000000", reserved=3)

    # When fifty PPs each order one at the same moment
    with server as live:
        results = run_buyers(live.url, tokens, product.pk)

    # Then exactly 17 are submitted; 33 are told the stock ran out, and nothing is oversold
    refused = check_outcome(results, product=product, line=line, stock=20, wins=17, refusal="out_of_stock", reserved=3)
    assert all("Seragam Batik Medan" in b["message"] for b in refused)
    assert product.available == 0


def test_fifty_buyers_at_once_the_ceiling_binds(committed_db, server, office, users):
    # Given plenty of stock and a ceiling of Rp3.100.000: room for 12 orders of Rp250.000
    product, line, tokens = seed(office, users, stock=100, ceiling="3100000")

    with server as live:
        results = run_buyers(live.url, tokens, product.pk)

    refused = check_outcome(results, product=product, line=line, stock=100, wins=12, refusal="budget_exceeded")
    assert all("RUP-2026-050" in b["message"] and "Rp3.100.000" in b["message"] for b in refused)
    assert line.committed == Decimal("3000000")
