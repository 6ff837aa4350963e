"""Budget lines (issue 9): each line's ceiling, committed, realised and remaining against a direct
recomputation from the orders (in every kind of state, cancelled included), office totals the sum
of their lines, the lines with no purchase yet, who reads what, and the files."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from katalog.buying.models import BudgetLine, Order
from tests import factories as f

YEAR = 2026
URL = "/api/v1/stats/budget-lines"
PAGE = "/dasbor/anggaran/"


def _at(month, day=10, year=YEAR):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def _order(line, vendor, user, total, *, status, month=None, paid=False, vat=0):
    return Order.objects.create(
        katalog=line.katalog,
        office=line.office,
        vendor=vendor,
        budget_line=line,
        created_by=user,
        status=status,
        total=Decimal(total),
        vat=Decimal(vat),
        submitted_at=_at(month) if month else None,
        paid_at=_at(month, 25) if paid else None,
        cancelled_at=_at(month, 20) if status == "cancelled" else None,
    )


@pytest.fixture
def world(medan, office, users):
    health = f.make_office(medan, "2.01.01", "Dinas Kesehatan")
    vendor = f.make_vendor(medan, size_class="mikro")

    def line(o, code, ceiling, year=YEAR):
        return BudgetLine.objects.create(
            katalog=medan, office=o, kode_rup=code, name=f"Paket {code}", fiscal_year=year, ceiling=Decimal(ceiling)
        )

    lines = {
        "edu": line(office, "RUP-EDU-1", "100000000"),
        "edu_unused": line(office, "RUP-EDU-2", "50000000"),
        "health": line(health, "RUP-KES-1", "80000000"),
        "health_unused": line(health, "RUP-KES-2", "7000000"),
        "old": line(office, "RUP-EDU-OLD", "90000000", year=YEAR - 1),
    }
    buyer = users["ppk"]
    _order(lines["edu"], vendor, buyer, "1000000", status="draft")
    _order(lines["edu"], vendor, buyer, "2000000", status="negotiating")
    _order(lines["edu"], vendor, buyer, "3000000", status="cancelled", month=2)
    _order(lines["edu"], vendor, buyer, "4000000", status="awaiting_approval", month=3)
    _order(lines["edu"], vendor, buyer, "5000000", status="paid", month=4, paid=True, vat=550000)
    _order(lines["edu"], vendor, buyer, "6000000", status="in_progress", month=5)
    _order(lines["health"], vendor, buyer, "7000000", status="completed", month=6, paid=True)
    _order(lines["health"], vendor, buyer, "8000000", status="received", month=7)
    _order(lines["health"], vendor, buyer, "9000000", status="cancelled", month=7)
    _order(lines["old"], vendor, buyer, "10000000", status="paid", month=8, paid=True)
    return {"lines": lines, "health": health}


def _expected(line):
    """Recomputed directly from the orders: submitted and not cancelled; value with PPN."""
    counted = [o for o in Order.objects.filter(budget_line=line) if o.submitted_at and o.status != "cancelled"]
    committed = int(sum(o.total + o.vat for o in counted))
    realised = int(sum(o.total + o.vat for o in counted if o.paid_at))
    return {
        "ceiling": int(line.ceiling),
        "committed": committed,
        "realised": realised,
        "remaining": int(line.ceiling) - committed,
        "orders": len(counted),
    }


def test_each_line_matches_a_direct_recomputation(client_as, users, world):
    data = client_as(users["catalogue_manager"]).get(URL, {"year": YEAR}).json()
    lines = {line["kode_rup"]: line for o in data["by_office"] for line in o["lines"]}
    assert set(lines) == {"RUP-EDU-1", "RUP-EDU-2", "RUP-KES-1", "RUP-KES-2"}  # not last year's
    for key in ("edu", "edu_unused", "health", "health_unused"):
        line = world["lines"][key]
        got = lines[line.kode_rup]
        assert {k: got[k] for k in ("ceiling", "committed", "realised", "remaining", "orders")} == _expected(line)
    # Hand-checked: 4 + 5.55 + 6 million on the education line, the cancelled 3 million not counted.
    assert lines["RUP-EDU-1"]["committed"] == 15_550_000 and lines["RUP-EDU-1"]["realised"] == 5_550_000
    assert lines["RUP-EDU-1"]["remaining"] == 84_450_000
    assert lines["RUP-KES-1"]["committed"] == 15_000_000 and lines["RUP-KES-1"]["realised"] == 7_000_000
    assert [u["kode_rup"] for u in data["unused_lines"]] == ["RUP-EDU-2", "RUP-KES-2"]
    assert data["unused"] == 2 and data["lines"] == 4


def test_office_totals_are_the_sum_of_their_lines(client_as, users, world):
    data = client_as(users["auditor"]).get(URL, {"year": YEAR}).json()
    for office in data["by_office"]:
        for key in ("ceiling", "committed", "realised", "remaining", "orders"):
            assert office[key] == sum(line[key] for line in office["lines"])
        assert office["unused"] == sum(line["unused"] for line in office["lines"])
    for key in ("ceiling", "committed", "realised", "remaining", "orders"):
        assert data[key] == sum(o[key] for o in data["by_office"])
    assert data["ceiling"] == 237_000_000
    # A cancellation gives the budget back: the line's committed drops by the order's value.
    order = Order.objects.get(budget_line=world["lines"]["edu"], status="in_progress")
    order.status = "cancelled"
    order.save()
    after = client_as(users["auditor"]).get(URL, {"year": YEAR, "office": "1.01.01"}).json()
    assert after["committed"] == data["by_office"][0]["committed"] - 6_000_000
    assert [o["code"] for o in after["by_office"]] == ["1.01.01"]


def test_budget_owner_reads_only_their_office(client_as, users, world, office):
    pa = client_as(users["budget_owner"])
    data = pa.get(URL, {"year": YEAR}).json()
    assert data["office"]["code"] == office.code and [o["code"] for o in data["by_office"]] == [office.code]
    refused = pa.get(URL, {"year": YEAR, "office": "2.01.01"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    page = pa.get(PAGE, {"year": YEAR}).content.decode()
    assert 'data-testid="office-forced"' in page and "RUP-EDU-1" in page
    assert "Dinas Kesehatan" not in page and "RUP-KES-1" not in page
    assert pa.get(PAGE, {"office": "2.01.01"}).status_code == 403
    assert pa.get(f"{PAGE}unduh/xlsx", {"office": "2.01.01"}).status_code == 403


@pytest.mark.parametrize("role", ["penyedia", "pp", "ppk", "treasurer"])
def test_other_roles_are_refused(client_as, users, world, role):
    client = client_as(users[role])
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}unduh/lines.csv").status_code == 403


def test_anonymous_and_bad_input(client, client_as, users, world):
    assert client.get(URL).status_code == 401
    assert client.get(PAGE).status_code == 302
    manager = client_as(users["catalogue_manager"])
    assert manager.get(URL, {"year": 1800}).status_code == 422
    assert manager.get(URL, {"office": "9.99"}).status_code == 404
    assert manager.get(PAGE, {"year": "abc"}).status_code == 200


def test_page_shows_every_line_and_no_inline_script(client_as, users, world):
    page = client_as(users["admin"]).get(PAGE, {"year": YEAR}).content.decode()  # Indonesian by default
    assert "RUP-EDU-1" in page and "RUP-KES-2" in page and "84.450.000" in page
    assert 'data-testid="table-unused"' in page and "<script>" not in page
    assert "Serapan anggaran" in page and "Sisa" in page  # the menu entry, a column


def test_xlsx_and_csv_have_the_same_numbers(client_as, users, world):
    manager = client_as(users["catalogue_manager"])
    data = manager.get(URL, {"year": YEAR}).json()
    response = manager.get(f"{PAGE}unduh/xlsx", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 3
    offices = list(book.worksheets[0].iter_rows(values_only=True))
    assert {r[0]: r[2:6] for r in offices[1:-1]} == {
        o["code"]: (o["ceiling"], o["committed"], o["realised"], o["remaining"]) for o in data["by_office"]
    }
    assert offices[-1][2:6] == (data["ceiling"], data["committed"], data["realised"], data["remaining"])
    text = manager.get(f"{PAGE}unduh/lines.csv", {"year": YEAR}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    csv_lines = {r[2]: int(r[5]) for r in rows[1:] if r[2]}
    assert csv_lines == {line["kode_rup"]: line["committed"] for o in data["by_office"] for line in o["lines"]}
    unused = list(csv.reader(io.StringIO(manager.get(f"{PAGE}unduh/unused.csv").content.decode("utf-8-sig"))))
    assert len(unused) >= 1
    assert manager.get(f"{PAGE}unduh/nothing.csv").status_code == 404
