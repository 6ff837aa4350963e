"""The vendor's own dashboard (issue 9): sales by month, orders by state, ratings, days to payment
and the size-class history of the business the signed-in Penyedia acts for, against a direct
recomputation; nobody else's figures, and nobody else reads them."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from katalog.buying.models import BudgetLine, Invoice, Order, Payment, Rating
from katalog.vendors.models import SizeClassChange
from katalog.vendors.selectors import CHOSEN_VENDOR_KEY
from tests import factories as f

YEAR = 2026
URL = "/api/v1/stats/vendor"
PAGE = "/penyedia/dasbor/"


def _at(month, day=10, year=YEAR):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


@pytest.fixture
def world(medan, office, users):
    mine = f.make_vendor(medan, users=[users["penyedia"]], name="UD Milik Saya", size_class="kecil")
    theirs = f.make_vendor(medan, name="CV Orang Lain")
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-1", name="Belanja", fiscal_year=YEAR, ceiling=10**10
    )
    ppk = users["ppk"]

    def order(vendor, total, status, month=None, *, paid=False, year=YEAR, received_day=None, pay_after=None):
        sent = _at(month, year=year) if month else None
        o = Order.objects.create(
            katalog=medan,
            office=office,
            vendor=vendor,
            budget_line=line,
            created_by=ppk,
            status=status,
            total=Decimal(total),
            vat=Decimal(0),
            submitted_at=sent,
            sent_to_vendor_at=sent,
            paid_at=_at(month, 25, year=year) if paid else None,
            received_at=_at(month, received_day, year=year) if received_day else None,
            cancelled_at=_at(month, 20, year=year) if status == "cancelled" else None,
        )
        if pay_after is not None:
            invoice = Invoice.objects.create(order=o, number=f"INV/{o.pk}", subtotal=o.total, total=o.total)
            Payment.objects.create(
                invoice=invoice,
                method="ls",
                paid_on=timezone.localdate(o.received_at) + timedelta(days=pay_after),
                reference="SP2D",
                amount=o.total,
                recorded_by=ppk,
            )
        return o

    orders = [
        order(mine, "100000", "draft"),  # never sent: not the vendor's business
        order(mine, "200000", "awaiting_confirmation", 1),
        order(mine, "300000", "cancelled", 1),
        order(mine, "400000", "in_progress", 3),
        order(mine, "500000", "paid", 3, paid=True, received_day=12, pay_after=4),
        order(mine, "600000", "completed", 5, paid=True, received_day=11, pay_after=12),
        order(mine, "700000", "completed", 6, paid=True, received_day=11, pay_after=30),
        order(mine, "800000", "paid", 6, paid=True, year=YEAR - 1, received_day=11, pay_after=8),
        order(theirs, "900000", "paid", 3, paid=True, received_day=11, pay_after=100),
    ]
    for o, scores in ((orders[5], (5, 4, 5, 4)), (orders[6], (3, 3, 4, 2)), (orders[8], (1, 1, 1, 1))):
        Rating.objects.create(
            order=o,
            vendor=o.vendor,
            quality=scores[0],
            timeliness=scores[1],
            service=scores[2],
            price=scores[3],
            created_by=ppk,
        )
    for day, old, new in ((date(2024, 1, 2), "", "mikro"), (date(2026, 2, 1), "mikro", "kecil")):
        SizeClassChange.objects.create(
            katalog=medan, vendor=mine, changed_on=day, old_class=old, new_class=new, reason="Omzet naik"
        )
    SizeClassChange.objects.create(
        katalog=medan, vendor=theirs, changed_on=date(2026, 3, 1), new_class="menengah", reason="x"
    )
    return {"mine": mine, "theirs": theirs, "orders": orders}


def test_figures_match_a_direct_recomputation(client_as, users, world):
    data = client_as(users["penyedia"]).get(URL, {"year": YEAR}).json()
    assert data["vendor"]["name"] == "UD Milik Saya"
    mine = [o for o in Order.objects.filter(vendor=world["mine"])]
    counted = [o for o in mine if o.submitted_at and o.status != "cancelled" and o.submitted_at.year == YEAR]
    by_month = {}
    for o in counted:
        key = timezone.localtime(o.submitted_at).strftime("%Y-%m")
        by_month[key] = by_month.get(key, 0) + int(o.total + o.vat)
    assert {m["month"]: m["total"] for m in data["by_month"] if m["total"]} == by_month
    assert by_month == {"2026-01": 200000, "2026-03": 900000, "2026-05": 600000, "2026-06": 700000}
    assert data["total"] == 2_400_000 and data["count"] == 5
    assert data["realised"] == sum(int(o.total) for o in counted if o.paid_at) == 1_800_000
    assert len(data["by_month"]) == 12
    states = {s["state"]: s["count"] for s in data["by_state"]}
    assert states == {**dict.fromkeys(states, 0), **_state_counts(mine)}
    assert states["cancelled"] == 1 and "draft" not in states and sum(states.values()) == 7
    # Ratings: 4.5 and 3.0 → 3.75; the other vendor's 1s are not ours.
    assert data["ratings"]["count"] == 2 and data["ratings"]["average"] == 3.75
    assert data["ratings"]["quality"] == 4.0 and data["ratings"]["price"] == 3.0
    # Days to payment, every year: 4, 12, 30 and 8 → median 10, worst 30.
    assert data["payment_days"] == {"orders": 4, "median": 10.0, "mean": 13.5, "worst": 30}
    assert [(h["old_class"], h["new_class"]) for h in data["size_history"]] == [("", "mikro"), ("mikro", "kecil")]


def _state_counts(orders):
    counts = {}
    for o in orders:
        if o.sent_to_vendor_at is not None:
            counts[o.status] = counts.get(o.status, 0) + 1
    return counts


def test_the_vendor_chosen_in_the_session_is_the_one_shown(client_as, users, world, medan):
    second = f.make_vendor(medan, users=[users["penyedia"]], name="UD Kedua")
    client = client_as(users["penyedia"])
    session = client.session
    session[CHOSEN_VENDOR_KEY] = second.pk
    session.save()
    data = client.get(URL).json()
    assert data["vendor"]["id"] == second.pk and data["total"] == 0 and data["ratings"]["count"] == 0
    # A choice of a business the user does not belong to is ignored.
    session[CHOSEN_VENDOR_KEY] = world["theirs"].pk
    session.save()
    assert client.get(URL).json()["vendor"]["id"] == world["mine"].pk


@pytest.mark.parametrize("role", ["catalogue_manager", "auditor", "admin", "pp", "ppk", "budget_owner"])
def test_others_are_refused(client_as, users, world, role):
    client = client_as(users[role])
    response = client.get(URL)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}unduh/xlsx").status_code == 403


def test_a_penyedia_without_a_business_gets_404(client, client_as, medan, world):
    lonely = f.make_user(medan, "penyedia")
    assert client_as(lonely).get(URL).status_code == 404
    assert client_as(lonely).get(PAGE).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 401
    assert client.get(PAGE).status_code == 302


def test_page_and_files(client_as, users, world):
    client = client_as(users["penyedia"])
    page = client.get(PAGE, {"year": YEAR}).content.decode()
    assert "UD Milik Saya" in page and "CV Orang Lain" not in page
    assert 'id="vendor-months"' in page and "insights/vendor.js" in page and "<script>" not in page
    assert 'data-testid="table-size_history"' in page and "Penjualan saya" in page
    assert "2.400.000" in page
    response = client.get(f"{PAGE}unduh/xlsx", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    months = list(book.worksheets[0].iter_rows(values_only=True))
    assert months[-1][1] == 2_400_000 and len(months) == 14
    text = client.get(f"{PAGE}unduh/states.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert {r[0]: int(r[2]) for r in table[1:]}["cancelled"] == 1
    assert client.get(f"{PAGE}unduh/x.csv").status_code == 404
