"""The purchase an inspector signs off (issue 7): a PKP vendor's order from the cart to the payment,
delivered late and partly refused at receipt. The cart, the order page, the Surat Pesanan, the BAST,
the invoice, the kuitansi and the payment all show the same DPP, PPN, late penalty, withholding and
net. Each PDF is downloaded as the office would, its text checked, and its pages turned into pictures
(tests/e2e/screenshots/) that are looked at."""

import io
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from katalog.buying.models import BudgetLine, Order, OrderStatus, PaymentMethod
from katalog.catalogue.models import Product
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.e2e.conftest import PHONE, SCREENSHOTS, assert_scripts_loaded, horizontal_overflow, login, screenshot

pytestmark = pytest.mark.e2e

# 10 × Rp1.000.000: DPP Rp10.000.000, DPP nilai lain 11/12 Rp9.166.666, PPN 12% Rp1.099.999.
# Two refused and taken off: DPP Rp8.000.000, nilai lain Rp7.333.333, PPN Rp879.999, total Rp8.879.999.
# Delivered 3 days after the deadline, 8 kept: penalty 8 × Rp1.000.000 × 1‰ × 3 = Rp24.000.
# The treasurer collects the PPN (Rp879.999) and withholds PPh 22 of 1.5% of the DPP (Rp120.000):
# net Rp8.879.999 − 879.999 − 120.000 − 24.000 = Rp7.856.000.
FIGURES = {
    "dpp": "Rp8.000.000",
    "base": "Rp7.333.333",
    "vat": "Rp879.999",
    "total": "Rp8.879.999",
    "penalty": "Rp24.000",
    "pph": "Rp120.000",
    "net": "Rp7.856.000",
}


@pytest.fixture(autouse=True)
def _no_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def pkp_shop(medan, office, users):
    vendor = f.make_vendor(
        medan,
        users=[users["penyedia"]],
        name="CV Meubel Deli Jaya",
        is_vat_registered=True,
        bank_name="Bank Sumut",
        bank_account_number="1230045678",
        bank_account_name="CV Meubel Deli Jaya",
    )
    product = listed_product(medan, vendor, name="Meja guru jati", price="1000000", stock=30)
    line = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-031",
        name="Mebel sekolah",
        fiscal_year=2026,
        ceiling=Decimal("50000000"),
        account_code="5.1.02.01.01.0024",
    )
    return {"vendor": vendor, "product": product, "line": line}


def status(page):
    return page.get_by_test_id("status")


def act(page, action: str) -> None:
    with page.expect_navigation():
        page.locator(f"button[data-action={action}]").click()


def open_order(page, order) -> None:
    page.goto(f"/belanja/pesanan/{order.pk}/")
    assert_scripts_loaded(page)


def download(page, kind: str) -> str:
    """Download one document as the signed-in person, keep pictures of its pages, return its text."""
    link = page.get_by_test_id(f"doc-{kind}")
    with page.expect_download() as got:
        link.click(modifiers=["Alt"])
    data = got.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / f"97-pkp-{kind}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(SCREENSHOTS / f"97-pkp-{kind}")], check=True)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # a reason may wrap over two lines of the page


def test_a_pkp_order_late_and_partly_refused_agrees_on_every_document(new_page, users, pkp_shop, office):
    product, vendor, line = pkp_shop["product"], pkp_shop["vendor"], pkp_shop["line"]

    # The PP puts 10 desks in the cart: the cart shows DPP, PPN and total.
    pp = new_page()
    login(pp, users["pp"].username)
    pp.goto(f"/produk/{product.pk}/")
    box = pp.get_by_test_id("buy-box")
    box.locator("#buy-quantity").fill("10")
    with pp.expect_navigation():
        box.get_by_role("button", name="Add to cart").click()
    cart = pp.get_by_test_id(f"cart-vendor-{vendor.pk}")
    expect(cart.get_by_test_id("cart-vat")).to_have_text("Rp1.099.999")
    expect(cart.get_by_test_id("cart-total")).to_have_text("Rp11.099.999")
    cart.get_by_text("Order from this vendor").click()
    cart.locator("label.choice", has_text="RUP-2026-031").click()
    cart.locator(f"#v{vendor.pk}_addresses").fill("SD Negeri 060800, Jl. Sei Batang Hari No. 7, Medan Sunggal")
    with pp.expect_navigation():
        cart.get_by_role("button", name="Create the draft order").click()
    order = Order.objects.get()
    expect(pp.get_by_test_id("order-vat")).to_have_text("Rp1.099.999")
    expect(pp.get_by_test_id("order-grand-total")).to_have_text("Rp11.099.999")
    act(pp, "submit")
    expect(status(pp)).to_have_text("Awaiting PPK approval")
    expect(pp.get_by_test_id("budget-figures")).to_contain_text("committed Rp11.099.999")

    # The PPK approves: the SP carries DPP, PPN 12% of 11/12, the deadline and the penalty clause.
    ppk = new_page()
    login(ppk, users["ppk"].username)
    open_order(ppk, order)
    act(ppk, "approve")
    sp = download(ppk, "sp")
    for figure in ("Rp10.000.000", "Rp9.166.666", "Rp1.099.999", "Rp11.099.999", "Meterai", "5.1.02.01.01.0024"):
        assert figure in sp, figure

    # The vendor confirms on a phone. (Time passes: the deadline of the SP is three days gone when
    # the desks arrive; the dates are moved as the calendar would have moved them.)
    vendor_phone = new_page(viewport=PHONE, phone=True)
    login(vendor_phone, users["penyedia"].username)
    open_order(vendor_phone, order)
    act(vendor_phone, "confirm")
    today = timezone.localdate()
    Order.objects.filter(pk=order.pk).update(
        approved_at=timezone.now() - timedelta(days=12),
        confirmed_at=timezone.now() - timedelta(days=11),
        delivery_deadline=today - timedelta(days=3),
    )
    open_order(vendor_phone, order)
    item = order.items.get()
    form = vendor_phone.locator("form[action$='/deliver/']")
    form.locator(f"#id_quantity_{item.pk}").fill("10")
    act(vendor_phone, "deliver")
    expect(status(vendor_phone)).to_have_text("Delivered")
    assert horizontal_overflow(vendor_phone) == 0

    # The PPK finds two desks cracked: refused, taken off the order, with a reason.
    open_order(ppk, order)
    ppk.get_by_text("Refuse goods that fail the check").click()
    refuse = ppk.locator("form[action$='/refuse/']")
    refuse.locator(f"#id_refuse_{item.pk}").fill("2")
    refuse.locator("label.choice", has_text="Reduce the order").click()
    refuse.locator("#id_reason").fill("Dua meja retak di bagian kaki")
    act(ppk, "refuse")
    expect(ppk.get_by_test_id("refusals")).to_contain_text("Dua meja retak di bagian kaki")
    expect(ppk.get_by_test_id("order-total")).to_have_text(FIGURES["dpp"])
    expect(ppk.get_by_test_id("order-vat")).to_have_text(FIGURES["vat"])
    expect(ppk.get_by_test_id("budget-figures")).to_contain_text(f"committed {FIGURES['total']}")

    # The BAST: lateness computed (3 days), the penalty and what is payable.
    receive = ppk.locator("form[action$='/receive/']")
    receive.get_by_label("The quantities are right").check()
    receive.get_by_label("The goods are in good condition").check()
    act(ppk, "receive")
    expect(ppk.get_by_test_id("lateness")).to_contain_text("3 days late")
    expect(ppk.get_by_test_id("lateness")).to_contain_text(FIGURES["penalty"])
    screenshot(ppk, "97-pkp-order-received")
    bast = download(ppk, "bast")
    for figure in (
        "PIHAK PERTAMA",
        "PIHAK KEDUA",
        FIGURES["dpp"],
        FIGURES["vat"],
        FIGURES["total"],
        FIGURES["penalty"],
    ):
        assert figure in bast, figure
    assert "Dua meja retak di bagian kaki" in bast

    # The vendor invoices: the invoice and the kuitansi show the same figures and the bank account.
    open_order(vendor_phone, order)
    act(vendor_phone, "invoice")
    invoice = download(vendor_phone, "inv")
    for figure in (FIGURES["dpp"], FIGURES["base"], FIGURES["vat"], FIGURES["total"], FIGURES["penalty"], "1230045678"):
        assert figure in invoice, figure

    # The treasurer pays: PPN collected, PPh 22 withheld, penalty taken off, the net transferred.
    treasurer = new_page()
    login(treasurer, users["treasurer"].username)
    open_order(treasurer, order)
    settlement = treasurer.locator("form[action$='/pay/']").get_by_test_id("settlement")
    for key in ("total", "vat", "pph", "penalty", "net"):
        expect(settlement).to_contain_text(FIGURES[key])
    pay = treasurer.locator("form[action$='/pay/']")
    pay.locator("#id_method").select_option(PaymentMethod.LS.value)
    pay.locator("#id_reference").fill("SP2D-0731/LS/2026")
    act(treasurer, "pay")
    expect(status(treasurer)).to_have_text("Paid")
    expect(treasurer.get_by_test_id("net-paid")).to_have_text(FIGURES["net"])
    screenshot(treasurer, "97-pkp-order-paid")
    receipt = download(treasurer, "kw")
    for figure in (FIGURES["net"], FIGURES["pph"], "Sudah terima dari"):
        assert figure in receipt, figure

    # The vendor sees the same breakdown of what it was paid.
    open_order(vendor_phone, order)
    expect(vendor_phone.get_by_test_id("net-paid")).to_have_text(FIGURES["net"])
    expect(vendor_phone.get_by_test_id("payment")).to_contain_text(FIGURES["pph"])

    # And the records agree with every document.
    order.refresh_from_db()
    line.refresh_from_db()
    product = Product.objects.get(pk=product.pk)
    payment = order.invoice.payments.get()
    assert order.status == OrderStatus.PAID
    assert (order.total, order.vat, order.committed_amount, line.committed) == (
        Decimal("8000000"),
        Decimal("879999"),
        Decimal("8879999"),
        Decimal("8879999"),
    )
    assert (payment.gross, payment.vat_collected, payment.income_tax, payment.penalty, payment.amount) == (
        Decimal("8879999"),
        Decimal("879999"),
        Decimal("120000"),
        Decimal("24000"),
        Decimal("7856000"),
    )
    assert (product.stock, product.reserved) == (22, 0)  # 30 − 10 delivered + 2 refused back to the vendor
