"""Issue 9, dashboards in a browser: the Pengelola opens each dashboard on a 360 px phone and
downloads the spreadsheets (real XLSX files, opened with openpyxl); a PA/KPA sees only their
office on the spending and budget pages; a vendor sees its own dashboard and nobody else's.
(The visitor's public page on a phone is tests/e2e/test_transparency.py.)"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from katalog.buying.models import BudgetLine, Invoice, Order, Payment
from katalog.insights import rollups
from tests import factories as f
from tests.e2e.conftest import PHONE, horizontal_overflow, login

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(medan, office, users):
    """Two offices with a budget line each (and one unused), paid and open orders in both."""
    today = timezone.localdate()
    health = f.make_office(medan, "2.01.01", "Dinas Kesehatan")
    mine = f.make_vendor(medan, users=[users["penyedia"]], name="UD Sendiri", size_class="mikro")
    theirs = f.make_vendor(medan, name="CV Tetangga", size_class="menengah")
    lines = {}
    for o, code in ((office, "RUP-EDU"), (health, "RUP-KES")):
        lines[o.pk] = BudgetLine.objects.create(
            katalog=medan, office=o, kode_rup=code, name=f"Paket {code}", fiscal_year=today.year, ceiling=10**9
        )
    BudgetLine.objects.create(
        katalog=medan,
        office=health,
        kode_rup="RUP-KES-KOSONG",
        name="Belum dipakai",
        fiscal_year=today.year,
        ceiling=5 * 10**6,
    )
    start = timezone.now() - timedelta(days=20)
    for o, vendor, total in ((office, mine, "2500000"), (health, theirs, "7000000")):
        order = Order.objects.create(
            katalog=medan,
            office=o,
            vendor=vendor,
            budget_line=lines[o.pk],
            created_by=users["ppk"],
            status="paid",
            total=Decimal(total),
            submitted_at=start,
            sent_to_vendor_at=start,
            received_at=start + timedelta(days=2),
            paid_at=start + timedelta(days=9),
        )
        invoice = Invoice.objects.create(order=order, number=f"INV/{order.pk}", subtotal=order.total, total=order.total)
        Payment.objects.create(
            invoice=invoice,
            method="ls",
            paid_on=timezone.localdate(start) + timedelta(days=9),
            reference="SP2D",
            amount=order.total,
            recorded_by=users["ppk"],
        )
    rollups.rebuild()  # raw orders, not made through the services: recompute the spending rollup
    return {"health": health, "mine": mine, "theirs": theirs}


def _download(page, locator) -> list:
    with page.expect_download() as download:
        locator.click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    return [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]


def test_the_pengelola_opens_every_dashboard_on_a_phone(new_page, users, world):
    page = new_page(viewport=PHONE, phone=True)
    login(page, users["catalogue_manager"].username)
    for url, marker in (
        ("/dasbor/umkm/", "main h1"),
        ("/dasbor/belanja/", "[data-testid=spending-totals]"),
        ("/dasbor/anggaran/", "[data-testid=budget-totals]"),
        ("/dasbor/pembayaran/", "[data-testid=payment-totals]"),
        ("/dasbor/onboarding/", "main h1"),
    ):
        page.goto(url)
        expect(page.locator(marker).first).to_be_visible()
        assert horizontal_overflow(page) == 0, url  # only the tables scroll sideways at 360 px

    page.goto("/dasbor/anggaran/")
    expect(page.get_by_test_id("committed")).to_have_text("Rp9.500.000")
    expect(page.get_by_test_id("table-unused")).to_contain_text("RUP-KES-KOSONG")
    sheets = _download(page, page.get_by_test_id("download-xlsx"))
    assert sheets[0][-1][3] == 9_500_000  # the total row of "By office": committed
    assert any(row[1] == "RUP-KES-KOSONG" for row in sheets[2])

    page.goto("/dasbor/pembayaran/")
    expect(page.get_by_test_id("median-days")).to_have_text("7")
    sheets = _download(page, page.get_by_test_id("download-xlsx"))
    assert {row[0]: row[3] for row in sheets[0][1:-1]} == {"1.01.01": 7, "2.01.01": 7}

    page.goto("/dasbor/belanja/")
    sheets = _download(page, page.get_by_role("link", name="Download XLSX"))
    assert sheets[0][-1][2] == 9_500_000


def test_a_pa_sees_only_their_office(new_page, users, world, office):
    page = new_page(viewport=PHONE, phone=True)
    login(page, users["budget_owner"].username)
    for url in ("/dasbor/belanja/", "/dasbor/anggaran/"):
        page.goto(url)
        expect(page.get_by_test_id("office-forced")).to_contain_text(office.name)
        expect(page.locator("main")).not_to_contain_text("Dinas Kesehatan")
        assert horizontal_overflow(page) == 0, url
    expect(page.get_by_test_id("table-lines")).to_contain_text("RUP-EDU")
    expect(page.get_by_test_id("table-lines")).not_to_contain_text("RUP-KES")
    response = page.goto("/dasbor/anggaran/?office=2.01.01")
    assert response.status == 403


def test_a_vendor_sees_only_its_own_dashboard(new_page, users, world):
    page = new_page(viewport=PHONE, phone=True)
    login(page, users["penyedia"].username)
    page.goto("/")
    page.get_by_role("link", name="My sales").first.click()
    page.wait_for_url("**/penyedia/dasbor/")
    expect(page.locator("main h1")).to_contain_text("UD Sendiri")
    expect(page.get_by_test_id("sales")).to_have_text("Rp2.500.000")
    expect(page.locator("main")).not_to_contain_text("CV Tetangga")
    assert page.evaluate("!!(window.Chart && Chart.getChart('vendor-months'))")
    assert horizontal_overflow(page) == 0
    sheets = _download(page, page.get_by_test_id("download-xlsx"))
    assert sheets[0][-1][1] == 2_500_000
    # The other dashboards are not the vendor's.
    assert page.goto("/dasbor/anggaran/").status == 403
    assert page.goto("/api/v1/stats/budget-lines").status == 403
