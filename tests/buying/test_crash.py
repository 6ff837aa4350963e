"""A server killed with SIGKILL in the middle of a stream of orders loses nothing it acknowledged.

Three buyers create, submit and approve orders through the API of a real server process; every
couple of seconds the process is killed with SIGKILL (no clean shutdown, transactions cut anywhere)
and started again on the same database. Afterwards every acknowledged write is there, and stock,
budget and document numbers agree with the orders: nothing half-done survives a crash. On SQLite (a
file in WAL mode, as `make run` uses) and on PostgreSQL (the suite's DATABASE_URL).

The short form runs in CI (3 kills); KATALOG_CRASH_KILLS raises it on a developer machine."""

import http.client
import json
import os
import signal
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from katalog.accounts.services import api_token_create
from katalog.buying.models import BudgetLine, DocumentCounter, Order, OrderDocument, OrderItem
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.buying.test_concurrency import SqliteFileServer, committed_db  # noqa: F401 (the fixture, used below)

KILLS = int(os.environ.get("KATALOG_CRASH_KILLS", "3"))
BUYERS = 3
RESERVING = ("awaiting_approval", "awaiting_confirmation")


class KillableServer(SqliteFileServer):
    """`katalog runserver` in its own process, on a file copy of the SQLite test database or on the
    PostgreSQL test database itself; `kill()` sends SIGKILL and `start()` brings it back."""

    def __enter__(self):
        if connection.vendor == "sqlite":
            return super().__enter__()
        self.path = None
        db = connection.settings_dict
        url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        self.extra = {"DATABASE_URL": url}
        self.start_process(self.extra)
        return self

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def start(self):
        if connection.vendor == "sqlite":
            self.start_process({"DATABASE_URL": f"sqlite:///{self.path}"})
        else:
            self.start_process(self.extra)

    def __exit__(self, *exc):
        if connection.vendor == "sqlite":
            return super().__exit__(*exc)
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def _call(port, method, path, token, body=None):
    """One request on a fresh connection; None when the server died under it (not acknowledged)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            method,
            path,
            body=json.dumps(body or {}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        body = json.loads(response.read())  # a body cut short by the kill is not an answer
        return response.status, body
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        conn.close()


def _buyer(port, pp_token, ppk_token, product_id, acknowledged, stop):
    """Create, submit, approve; record each step the server acknowledged (answered 2xx)."""
    while not stop.is_set():
        answer = _call(
            port,
            "POST",
            "/api/v1/orders",
            pp_token,
            {
                "budget_line": "RUP-CRASH-1",
                "items": [{"product": product_id, "quantity": 1}],
                "delivery_address": "Jl. Kapten Maulana Lubis No. 2",
            },
        )
        if not answer or answer[0] != 201:
            time.sleep(0.05)
            continue
        order_id = answer[1]["id"]
        acknowledged[order_id] = "draft"
        for step, token, status in (
            ("submit", pp_token, "awaiting_approval"),
            ("approve", ppk_token, "awaiting_confirmation"),
        ):
            answer = None
            while answer is None and not stop.is_set():
                answer = _call(port, "POST", f"/api/v1/orders/{order_id}/{step}", token)
                if answer is None:
                    time.sleep(0.1)
                elif answer[0] == 200:
                    acknowledged[order_id] = status
            if not answer or answer[0] != 200:
                break


def _wait_for_progress(acknowledged, steps=3, patience=20.0):
    """Kill only once the buyers got a few more steps through, so every life of the server counts."""
    seen = sum(1 for _ in acknowledged.values())
    deadline = time.monotonic() + patience
    while len(acknowledged) < seen + steps and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)


@pytest.mark.usefixtures("committed_db")
def test_a_killed_server_loses_no_acknowledged_write(office, users, tmp_path):
    from tests.buying.test_concurrency import ensure_regions

    ensure_regions()
    vendor = f.make_vendor(office.katalog, users=[users["penyedia"]])
    product = listed_product(office.katalog, vendor, name="Kertas HVS A4", price="55000", stock=100_000)
    line = BudgetLine.objects.create(
        katalog=office.katalog,
        office=office,
        kode_rup="RUP-CRASH-1",
        name="ATK",
        fiscal_year=2026,
        ceiling=Decimal("1000000000"),
    )
    pp_tokens = [api_token_create(user=f.make_user(office.katalog, "pp", office=office)) for _ in range(BUYERS)]
    ppk_token = api_token_create(user=users["ppk"])
    acknowledged: dict[int, str] = {}
    stop = threading.Event()

    server = KillableServer(tmp_path)
    with server:
        threads = [
            threading.Thread(target=_buyer, args=(server.port, t, ppk_token, product.pk, acknowledged, stop))
            for t in pp_tokens
        ]
        for t in threads:
            t.start()
        for _ in range(KILLS):
            _wait_for_progress(acknowledged)
            server.kill()  # SIGKILL, in the middle of whatever the buyers were doing
            server.start()
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=60)

    # Every acknowledged step is there (a later, unacknowledged step may have gone further).
    assert len(acknowledged) >= KILLS, "the stream made too little progress to mean anything"
    order_of = {"draft": 0, "awaiting_approval": 1, "awaiting_confirmation": 2}
    stored = dict(Order.objects.filter(pk__in=acknowledged).values_list("pk", "status"))
    assert set(stored) == set(acknowledged)
    behind = {pk: (acknowledged[pk], stored[pk]) for pk in stored if order_of[stored[pk]] < order_of[acknowledged[pk]]}
    assert behind == {}

    # Stock, budget and document numbers agree with the orders as they are now.
    reserving = Order.objects.filter(budget_line=line, status__in=RESERVING)
    product.refresh_from_db()
    line.refresh_from_db()
    assert product.reserved == sum(OrderItem.objects.filter(order__in=reserving).values_list("quantity", flat=True))
    assert product.stock == 100_000
    assert line.committed == sum(o.committed_amount for o in reserving)
    assert set(
        Order.objects.filter(budget_line=line).exclude(status__in=RESERVING).values_list("committed_amount", flat=True)
    ) <= {Decimal(0)}
    sps = OrderDocument.objects.filter(order__budget_line=line, kind="sp")
    approved = Order.objects.filter(budget_line=line, status="awaiting_confirmation")
    assert sorted(sps.values_list("order_id", flat=True)) == sorted(approved.values_list("pk", flat=True))
    sequences = sorted(sps.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))  # no gap, no duplicate
    counter = DocumentCounter.objects.filter(office=office, kind="sp").first()
    assert (counter.last if counter else 0) == len(sequences)
