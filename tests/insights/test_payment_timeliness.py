"""Payment timeliness (issue 9): days from the BAST to payment by office (median, worst) and the
invoices past the payment term, on the page, over the API and in the files, against a direct
recomputation; a PA/KPA reads only their office."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from katalog.buying.models import BudgetLine, Invoice, Order, Payment
from tests import factories as f

URL = "/api/v1/stats/payments"
PAGE = "/dasbor/pembayaran/"


def _order(line, vendor, user, *, received, paid=None, status="paid", issued=None, total="100000"):
    at = timezone.make_aware(timezone.datetime(received.year, received.month, received.day, 9))
    order = Order.objects.create(
        katalog=line.katalog,
        office=line.office,
        vendor=vendor,
        budget_line=line,
        created_by=user,
        status=status,
        total=Decimal(total),
        submitted_at=at - timedelta(days=10),
        sent_to_vendor_at=at - timedelta(days=10),
        received_at=at,
        cancelled_at=at if status == "cancelled" else None,
    )
    invoice = Invoice.objects.create(order=order, number=f"INV/{order.pk}", subtotal=order.total, total=order.total)
    if issued is not None:
        Invoice.objects.filter(pk=invoice.pk).update(issued_at=issued)
    if paid:
        for n, day in enumerate((paid, paid + timedelta(days=5))):  # a second instalment does not count
            Payment.objects.create(
                invoice=invoice, method="ls", paid_on=day, reference=f"SP2D-{n}", amount=order.total, recorded_by=user
            )
    return order


@pytest.fixture
def world(medan, office, users, settings):
    settings.KATALOG_UNPAID_FLAG_DAYS = 30
    today = timezone.localdate()
    year = today.year
    health = f.make_office(medan, "2.01.01", "Dinas Kesehatan")
    vendor = f.make_vendor(medan, users=[users["penyedia"]], name="UD Cepat")
    other = f.make_vendor(medan, name="CV Lain")
    lines = {
        o.pk: BudgetLine.objects.create(
            katalog=medan, office=o, kode_rup=f"RUP-{o.code}", name="Belanja", fiscal_year=year, ceiling=10**10
        )
        for o in (office, health)
    }
    ppk = users["ppk"]
    jan = date(year, 1, 5)
    # Education: 3, 10 and 20 days (median 10, worst 20); health: 7 and 41 days (median 24, worst 41).
    _order(lines[office.pk], vendor, ppk, received=jan, paid=jan + timedelta(days=3))
    _order(lines[office.pk], vendor, ppk, received=jan, paid=jan + timedelta(days=10), status="completed")
    _order(lines[office.pk], other, ppk, received=jan, paid=jan + timedelta(days=20))
    _order(lines[health.pk], other, ppk, received=jan, paid=jan + timedelta(days=7))
    _order(lines[health.pk], vendor, ppk, received=jan, paid=jan + timedelta(days=41))
    # Not counted: paid last year, and a cancelled order.
    _order(lines[office.pk], vendor, ppk, received=date(year - 1, 3, 1), paid=date(year - 1, 6, 1))
    _order(lines[health.pk], vendor, ppk, received=jan, status="cancelled")
    # Invoiced: one overdue in each office, one still within the term.
    now = timezone.now()
    late = _order(lines[office.pk], vendor, ppk, received=jan, status="invoiced", issued=now - timedelta(days=45))
    later = _order(lines[health.pk], other, ppk, received=jan, status="invoiced", issued=now - timedelta(days=60))
    fresh = _order(lines[office.pk], vendor, ppk, received=jan, status="invoiced", issued=now - timedelta(days=5))
    return {"health": health, "year": year, "late": late, "later": later, "fresh": fresh}


def _recomputed(office_code=None, year=None):
    """Straight from the rows: BAST date to the earliest payment, per office."""
    per_office = {}
    for order in Order.objects.filter(status__in=["paid", "completed"]).select_related("office"):
        first = min(p.paid_on for p in Payment.objects.filter(invoice__order=order))
        if year and first.year != year or office_code and order.office.code != office_code:
            continue
        per_office.setdefault(order.office.code, []).append((first - timezone.localdate(order.received_at)).days)
    return per_office


def test_days_and_overdue_match_a_direct_recomputation(client_as, users, world, office):
    data = client_as(users["catalogue_manager"]).get(URL, {"year": world["year"]}).json()
    expected = _recomputed(year=world["year"])
    assert {k: sorted(v) for k, v in expected.items()} == {"1.01.01": [3, 10, 20], "2.01.01": [7, 41]}
    got = {o["code"]: (o["orders"], o["median"], o["worst"]) for o in data["by_office"]}
    assert got == {code: (len(d), median(d), max(d)) for code, d in expected.items()}
    assert got == {"1.01.01": (3, 10, 20), "2.01.01": (2, 24, 41)}
    assert data["orders"] == 5 and data["median"] == 10 and data["worst"] == 41
    assert data["payment_term_days"] == 30
    overdue = [(r["order"], r["days_waiting"], r["days_past_term"]) for r in data["overdue"]]
    assert overdue == [(world["later"].pk, 60, 30), (world["late"].pk, 45, 15)]
    assert data["overdue_count"] == 2 and data["overdue_total"] == 200_000


def test_the_year_and_the_office_filter(client_as, users, world, office):
    auditor = client_as(users["auditor"])
    last = auditor.get(URL, {"year": world["year"] - 1}).json()
    assert [(o["code"], o["orders"], o["worst"]) for o in last["by_office"]] == [("1.01.01", 1, 92)]
    one = auditor.get(URL, {"year": world["year"], "office": "2.01.01"}).json()
    assert [o["code"] for o in one["by_office"]] == ["2.01.01"]
    assert [r["order"] for r in one["overdue"]] == [world["later"].pk]


def test_budget_owner_reads_only_their_office(client_as, users, world, office):
    pa = client_as(users["budget_owner"])
    data = pa.get(URL).json()
    assert data["office"]["code"] == office.code and [o["code"] for o in data["by_office"]] == [office.code]
    assert [r["order"] for r in data["overdue"]] == [world["late"].pk]
    refused = pa.get(URL, {"office": "2.01.01"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    page = pa.get(PAGE).content.decode()
    assert 'data-testid="office-forced"' in page and "Dinas Kesehatan" not in page
    assert f"#{world['late'].pk}" in page and f"#{world['later'].pk}" not in page
    assert pa.get(PAGE, {"office": "2.01.01"}).status_code == 403
    assert pa.get(f"{PAGE}unduh/xlsx", {"office": "2.01.01"}).status_code == 403


def test_a_vendor_sees_only_its_own_orders(client_as, users, world):
    data = client_as(users["penyedia"]).get(URL).json()
    assert data["orders"] == 3  # 3, 10 and 41 days: its own
    assert data["worst"] == 41 and data["median"] == 10
    assert [r["order"] for r in data["overdue"]] == [world["late"].pk]
    assert client_as(users["penyedia"]).get(URL, {"office": "1.01.01"}).status_code == 403


def test_page_shows_median_worst_and_overdue(client_as, users, world):
    page = client_as(users["catalogue_manager"]).get(PAGE).content.decode()
    assert 'data-testid="table-offices"' in page and 'data-testid="unpaid-overdue"' in page
    assert f"#{world['late'].pk}" in page and f"#{world['fresh'].pk}" not in page
    assert 'data-testid="worst-days">41<' in page and 'data-testid="median-days">10<' in page
    assert "Tagihan yang belum dibayar lebih dari 30 hari" in page


def test_downloads_have_the_same_numbers(client_as, users, world):
    manager = client_as(users["catalogue_manager"])
    data = manager.get(URL).json()
    response = manager.get(f"{PAGE}unduh/xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert {r[0]: (r[2], r[3], r[5]) for r in rows[1:-1]} == {
        o["code"]: (o["orders"], o["median"], o["worst"]) for o in data["by_office"]
    }
    text = manager.get(f"{PAGE}unduh/overdue.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert [int(r[0]) for r in table[1:]] == [r["order"] for r in data["overdue"]]
    assert manager.get(f"{PAGE}unduh/x.csv").status_code == 404


def test_anonymous_is_refused(client, world):
    assert client.get(URL).status_code == 401
    assert client.get(PAGE).status_code == 302
