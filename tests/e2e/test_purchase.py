"""Purchase journeys (issue 4): a PP builds an order in the cart, negotiates the price with the
vendor, the PPK approves it and the Surat Pesanan is issued, the vendor (on a phone) confirms and
delivers in two parts to two addresses, the PPK signs the BAST, the vendor invoices, the treasurer
records the payment (with the PPh 22 it withholds) and the PPK rates the vendor; and an order the
PPK leaves waiting is shown as expiring after 3 working days (reading it changes nothing, an
auditor's read included) until the worker's sweep cancels it, releasing budget and stock."""

import io
import re
from datetime import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from katalog.buying.models import BudgetLine, Order, OrderDocument, OrderStatus, PaymentMethod
from katalog.catalogue.models import Product
from katalog.core.calendar import add_working_days
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, login, screenshot

pytestmark = pytest.mark.e2e

WIB = ZoneInfo("Asia/Jakarta")
ADDRESS_SCHOOL = "SD Negeri 060800, Jl. Sei Batang Hari No. 7, Medan Sunggal"
ADDRESS_OFFICE = "Kantor Dinas Pendidikan, Jl. Pelita IV No. 62, Medan Perjuangan"
# "Expired: the PPK's approval did not come within 3 working days.", as the worker writes it.
EXPIRED_APPROVAL_ID = "Kedaluwarsa: persetujuan PPK tidak diterima dalam 3 hari kerja."


# --- Data -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_worker(settings):
    # Expiry is scheduled on commit for a worker the tests do not run; the tests run its sweep.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def shop(medan, office, users):
    """The `penyedia` user's verified vendor with a listed product (Rp250.000, 100 in stock), and
    two budget lines of the office (the PP chooses one)."""
    vendor = f.make_vendor(medan, users=[users["penyedia"]], name="Konveksi Butet")
    product = listed_product(medan, vendor, name="Kemeja PDH guru", price="250000", stock=100)
    line = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-001",
        name="Pakaian dinas guru",
        fiscal_year=2026,
        ceiling=Decimal("10000000"),
    )
    other = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-002",
        name="Alat tulis kantor",
        fiscal_year=2026,
        ceiling=Decimal("3000000"),
    )
    return {"vendor": vendor, "product": product, "line": line, "other": other}


# --- Helpers --------------------------------------------------------------------------------


def status(page):
    return page.get_by_test_id("status")


def act(page, action: str) -> None:
    """Press the button of one action on the order page and wait for the page that follows."""
    with page.expect_navigation():
        page.locator(f"button[data-action={action}]").click()


def open_order(page, order: Order) -> None:
    page.goto(f"/belanja/pesanan/{order.pk}/")
    assert_scripts_loaded(page)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


# --- Journey 1 ------------------------------------------------------------------------------


def test_a_purchase_from_cart_to_rating(new_page, users, shop, office):
    product, vendor, line = shop["product"], shop["vendor"], shop["line"]

    # The PP opens the product, types a quantity and adds it to the cart.
    pp = new_page()
    login(pp, users["pp"].username)
    pp.goto(f"/produk/{product.pk}/")
    box = pp.get_by_test_id("buy-box")
    box.locator("#buy-quantity").fill("20")
    with pp.expect_navigation():
        box.get_by_role("button", name="Add to cart").click()
    assert pp.url.endswith("/belanja/keranjang/")
    expect(pp.get_by_text("“Kemeja PDH guru” is in your cart.")).to_be_visible()
    cart = pp.get_by_test_id(f"cart-vendor-{vendor.pk}")
    expect(cart).to_contain_text("Konveksi Butet")
    expect(cart.locator(".cart-line")).to_contain_text("Rp5.000.000")  # 20 × Rp250.000

    # Checkout: the budget lines show ceiling and what is left; two delivery addresses.
    cart.get_by_text("Order from this vendor").click()
    choice = cart.locator("label.choice", has_text="RUP-2026-001")
    expect(choice).to_contain_text("Ceiling Rp10.000.000")
    expect(choice.get_by_test_id("remaining")).to_have_text("remaining Rp10.000.000")
    expect(cart.locator("label.choice", has_text="RUP-2026-002")).to_contain_text("Rp3.000.000")
    choice.click()
    cart.locator(f"#v{vendor.pk}_addresses").fill(f"{ADDRESS_SCHOOL}\n{ADDRESS_OFFICE}\n")
    cart.locator(f"#v{vendor.pk}_note").fill("Ukuran sesuai daftar guru terlampir.")
    screenshot(pp, "95-cart-checkout")
    with pp.expect_navigation():
        cart.get_by_role("button", name="Create the draft order").click()
    order = Order.objects.get()
    assert pp.url.endswith(f"/belanja/pesanan/{order.pk}/")
    expect(status(pp)).to_have_text("Draft")
    expect(pp.get_by_test_id("order-total")).to_have_text("Rp5.000.000")
    expect(pp.get_by_test_id("budget-figures")).to_contain_text("remaining Rp10.000.000")
    expect(pp.locator("#items")).to_contain_text("Note: Ukuran sesuai daftar guru terlampir.")
    assert [a.address for a in order.addresses.order_by("pk")] == [ADDRESS_SCHOOL, ADDRESS_OFFICE]
    assert order.budget_line == line and order.items.get().quantity == 20
    item = order.items.get()

    # The PP proposes a lower unit price.
    offer = pp.get_by_test_id("actions")
    expect(offer.locator(f"#id_price_{item.pk}")).to_have_value("250000")
    offer.locator(f"#id_price_{item.pk}").fill("220.000")
    offer.locator("#id_message").fill("Untuk 20 guru, mohon harga Rp220.000.")
    act(pp, "propose")
    expect(status(pp)).to_have_text("Negotiating")
    expect(pp.get_by_text("Your offer waits for the other side's answer.")).to_be_visible()
    expect(pp.get_by_test_id("offers")).to_contain_text("20 × Rp220.000")

    # The vendor, on a phone, sees the offer and counters.
    vendor_phone = new_page(viewport=PHONE, phone=True)
    login(vendor_phone, users["penyedia"].username)
    open_order(vendor_phone, order)
    expect(status(vendor_phone)).to_have_text("Negotiating")
    next_step = vendor_phone.get_by_test_id("actions")
    expect(next_step).to_contain_text("The other side offers Rp4.400.000 in all")
    # The office's budget figures are not the vendor's business.
    expect(vendor_phone.get_by_test_id("budget-figures")).to_have_count(0)
    assert horizontal_overflow(vendor_phone) == 0
    screenshot(vendor_phone, "90-order-vendor-offer", both=False)
    next_step.get_by_text("Make a counter-offer").click()
    next_step.locator(f"#id_price_{item.pk}").fill("235000")
    next_step.locator("#id_message").fill("Bahan katun premium; paling rendah Rp235.000.")
    act(vendor_phone, "counter")
    expect(vendor_phone.get_by_text("Your counter-offer was sent.")).to_be_visible()
    expect(vendor_phone.get_by_text("Your offer waits for the other side's answer.")).to_be_visible()

    # The PP accepts the counter-offer: the figures become the order's.
    pp.reload()
    expect(pp.get_by_test_id("actions")).to_contain_text("The other side offers Rp4.700.000 in all")
    act(pp, "accept")
    expect(status(pp)).to_have_text("Draft")
    expect(pp.get_by_test_id("order-total")).to_have_text("Rp4.700.000")
    expect(pp.get_by_test_id("actions")).to_contain_text("Submitting reserves Rp4.700.000")
    act(pp, "submit")
    expect(status(pp)).to_have_text("Awaiting PPK approval")
    expect(pp.get_by_test_id("deadline")).to_contain_text("Waiting for the PPK's approval.")
    expect(pp.get_by_test_id("budget-figures")).to_contain_text("remaining Rp5.300.000")
    order.refresh_from_db()
    assert order.total == Decimal("4700000") and order.committed_amount == Decimal("4700000")
    product.refresh_from_db()
    assert (product.stock, product.reserved, product.available) == (100, 20, 80)  # reserved, still on hand

    # The PPK approves: the Surat Pesanan is issued and can be downloaded.
    ppk = new_page()
    login(ppk, users["ppk"].username)
    open_order(ppk, order)
    expect(status(ppk)).to_have_text("Awaiting PPK approval")
    act(ppk, "approve")
    expect(status(ppk)).to_have_text("Awaiting vendor confirmation")
    year = timezone.localdate().year
    sp_number = f"SP/0001/{office.code}/{year}"
    link = ppk.get_by_test_id("doc-sp")
    expect(link).to_contain_text(sp_number)
    with ppk.expect_download() as download:
        link.click(modifiers=["Alt"])  # "download the link", as the PDF opens inline otherwise
    assert download.value.suggested_filename == sp_number.replace("/", "-") + ".pdf"
    text = pdf_text(download.value.path().read_bytes())
    assert "SURAT PESANAN" in text and sp_number in text
    assert "Konveksi Butet" in text and "Rp4.700.000" in text

    # The vendor confirms, then delivers in two parts to the two addresses.
    open_order(vendor_phone, order)
    expect(status(vendor_phone)).to_have_text("Awaiting vendor confirmation")
    expect(vendor_phone.get_by_test_id("doc-sp")).to_contain_text(sp_number)
    act(vendor_phone, "confirm")
    expect(status(vendor_phone)).to_have_text("In progress")
    screenshot(vendor_phone, "91-order-vendor-deliver", both=False)
    assert horizontal_overflow(vendor_phone) == 0

    def deliver(address: str, quantity: int) -> None:
        form = vendor_phone.locator("form[action$='/deliver/']")
        form.locator("label.choice", has_text=address).click()
        form.locator(f"#id_quantity_{item.pk}").fill(str(quantity))
        act(vendor_phone, "deliver")
        expect(vendor_phone.get_by_text("The delivery is recorded.")).to_be_visible()

    deliver(ADDRESS_SCHOOL, 12)
    expect(status(vendor_phone)).to_have_text("In progress")
    expect(vendor_phone.locator("#items")).to_contain_text("12 / 20")
    # Part delivered: nobody may cancel any more (after the Surat Pesanan only the PPK could).
    assert "cancel" not in vendor_phone.get_by_test_id("actions").get_attribute("data-actions").split()
    open_order(ppk, order)
    assert "cancel" not in ppk.get_by_test_id("actions").get_attribute("data-actions").split()
    expect(vendor_phone.locator(f"#id_quantity_{item.pk}")).to_have_value("8")
    deliver(ADDRESS_OFFICE, 8)
    expect(status(vendor_phone)).to_have_text("Delivered")
    deliveries = vendor_phone.get_by_test_id("deliveries").locator("li.delivery")
    expect(deliveries).to_have_count(2)
    expect(deliveries.nth(0)).to_contain_text(ADDRESS_SCHOOL)
    expect(deliveries.nth(0)).to_contain_text("12 potong")
    expect(deliveries.nth(1)).to_contain_text(ADDRESS_OFFICE)
    expect(deliveries.nth(1)).to_contain_text("8 potong")

    # The PPK checks what arrived and signs the BAST.
    open_order(ppk, order)
    expect(status(ppk)).to_have_text("Delivered")
    receive = ppk.locator("form[action$='/receive/']")
    receive.get_by_label("The quantities are right").check()
    receive.get_by_label("The goods are in good condition").check()
    # Lateness is not ticked by hand: it is computed from the delivery dates and the SP's deadline.
    expect(receive.get_by_label("Delivered on time")).to_have_count(0)
    receive.locator("#id_notes").fill("Diterima lengkap di dua lokasi.")
    act(ppk, "receive")
    expect(status(ppk)).to_have_text("Received (BAST signed)")
    bast_number = f"BAST/0001/{office.code}/{year}"
    expect(ppk.get_by_test_id("doc-bast")).to_contain_text(bast_number)
    # The documents in the order they were issued: the Surat Pesanan, then the BAST.
    expect(ppk.locator("#documents a")).to_have_count(2)
    assert ppk.locator("#documents a").first.get_attribute("data-testid") == "doc-sp"

    # The vendor sends the invoice.
    open_order(vendor_phone, order)
    expect(status(vendor_phone)).to_have_text("Received (BAST signed)")
    invoice_form = vendor_phone.locator("form[action$='/invoice/']")
    expect(invoice_form).to_contain_text("Send your invoice")
    expect(invoice_form).to_contain_text("DPP Rp4.700.000 = Rp4.700.000")  # not a PKP: no PPN
    expect(invoice_form.locator("#id_invoice_date")).to_have_value(timezone.localdate().isoformat())
    act(vendor_phone, "invoice")
    expect(status(vendor_phone)).to_have_text("Invoiced")
    expect(vendor_phone.get_by_test_id("invoice")).to_contain_text("Rp4.700.000")

    # The treasurer of the office records the payment.
    treasurer = new_page()
    login(treasurer, users["treasurer"].username)
    open_order(treasurer, order)
    expect(status(treasurer)).to_have_text("Invoiced")
    pay = treasurer.locator("form[action$='/pay/']")
    expect(pay).to_contain_text("Record the payment of Rp4.700.000")
    # Above Rp2.000.000 the treasurer withholds PPh 22 of 1.5% of the DPP (Rp70.500); no PPN to
    # collect from a vendor that is not a PKP.
    settlement = pay.get_by_test_id("settlement")
    expect(settlement).to_contain_text("Rp70.500")
    expect(settlement).to_contain_text("Rp4.629.500")
    pay.locator("#id_method").select_option(PaymentMethod.LS.value)
    expect(pay.locator("#id_paid_on")).to_have_value(timezone.localdate().isoformat())
    pay.locator("#id_reference").fill("SP2D-0412/LS/2026")
    screenshot(treasurer, "96-order-treasurer-pay")
    act(treasurer, "pay")
    expect(status(treasurer)).to_have_text("Paid")
    payment = treasurer.get_by_test_id("payment")
    expect(payment).to_contain_text("Direct payment (LS)")
    expect(payment).to_contain_text("SP2D-0412/LS/2026")
    expect(payment.get_by_test_id("net-paid")).to_have_text("Rp4.629.500")
    expect(treasurer.get_by_test_id("days-to-payment")).to_contain_text("Paid on the day of the BAST.")

    # The PPK rates the vendor.
    open_order(ppk, order)
    rate = ppk.locator("form[action$='/rate/']")
    for field, score in (("quality", "5"), ("timeliness", "4"), ("service", "5"), ("price", "3")):
        rate.locator(f"#id_{field}").select_option(score)
    rate.locator("#id_comment").fill("Jahitan rapi, pengiriman dua lokasi tepat waktu.")
    act(ppk, "rate")
    expect(status(ppk)).to_have_text("Completed")
    expect(ppk.get_by_text("Thank you: the vendor is rated.")).to_be_visible()

    # The vendor sees the rating on the order page.
    open_order(vendor_phone, order)
    expect(status(vendor_phone)).to_have_text("Completed")
    rating = vendor_phone.get_by_test_id("rating")
    for label, score in (("Quality", 5), ("Timeliness", 4), ("Service", 5), ("Price", 3)):
        expect(rating.locator(f"dt:text-is('{label}') + dd")).to_have_text(f"{score} / 5")
    expect(vendor_phone.locator("#rating")).to_contain_text("Jahitan rapi, pengiriman dua lokasi")
    # Asked to reply at the top of the page, the vendor sees there what it replies to.
    expect(vendor_phone.get_by_test_id("rating-summary")).to_contain_text("Quality 5/5 · Timeliness 4/5")
    assert horizontal_overflow(vendor_phone) == 0
    screenshot(vendor_phone, "92-order-vendor-completed", both=False)
    vendor_phone.locator("#id_reply").fill("Terima kasih, Bapak/Ibu. Kami tunggu pesanan berikutnya.")
    act(vendor_phone, "reply")
    expect(vendor_phone.get_by_test_id("reply")).to_contain_text("Kami tunggu pesanan berikutnya.")
    # The storefront shows the average (5+4+5+3)/4 = 4.25 → 4.2 and the count, with the reply.
    vendor_phone.goto(f"/toko/{order.vendor_id}/")
    expect(vendor_phone.get_by_test_id("rating-summary")).to_contain_text("★ 4.2")
    expect(vendor_phone.get_by_test_id("rating-summary")).to_contain_text("1 rating from city offices")
    expect(vendor_phone.get_by_test_id("actions")).to_have_count(0)

    # In the database.
    order.refresh_from_db()
    line.refresh_from_db()
    product.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.total == Decimal("4700000")
    assert line.committed == Decimal("4700000") == order.committed_amount
    assert (product.stock, product.reserved) == (100 - 20, 0)  # delivered: off on hand and reserved
    assert order.deliveries.count() == 2
    assert sorted(order.deliveries.values_list("address__address", "lines__quantity")) == sorted(
        [(ADDRESS_SCHOOL, 12), (ADDRESS_OFFICE, 8)]
    )
    numbers = dict(OrderDocument.objects.filter(order=order).values_list("kind", "number"))
    assert numbers == {
        "sp": sp_number,
        "bast": bast_number,
        "inv": f"INV/0001/{office.code}/{year}",
        "kw": f"KW/0001/{office.code}/{year}",
    }
    paid = order.invoice.payments.get()
    assert (paid.method, paid.gross, paid.income_tax, paid.amount) == (
        PaymentMethod.LS,
        Decimal("4700000"),
        Decimal("70500"),
        Decimal("4629500"),
    )
    rating = order.rating
    assert (rating.quality, rating.timeliness, rating.service, rating.price) == (5, 4, 5, 3)
    assert rating.reply.startswith("Terima kasih") and rating.replied_at is not None


# --- Journey 2 ------------------------------------------------------------------------------


def test_an_order_left_waiting_expires_after_three_working_days(new_page, users, shop):
    product, line = shop["product"], shop["line"]
    # A Friday morning; three working days later is the next Wednesday at the same hour (no holiday
    # in between), so on Thursday the order has expired.
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=WIB)
    deadline = add_working_days(friday, 3, katalog=line.katalog)
    assert (friday.weekday(), deadline) == (4, datetime(2026, 11, 25, 10, 0, tzinfo=WIB))
    thursday = datetime(2026, 11, 26, 10, 30, tzinfo=WIB)
    clock = {"now": friday}

    with mock.patch("django.utils.timezone.now", lambda: clock["now"]):
        # The PP buys now from the product page and submits on Friday.
        pp = new_page(viewport=PHONE, phone=True)
        login(pp, users["pp"].username)
        pp.goto(f"/produk/{product.pk}/")
        pp.locator("#buy-quantity").fill("15")
        with pp.expect_navigation():
            pp.get_by_role("button", name="Buy now").click()
        assert "/belanja/beli/" in pp.url
        expect(pp.locator("#id_quantity")).to_have_value("15")
        pp.locator("label.choice", has_text="RUP-2026-001").click()
        pp.locator("#id_addresses").fill(ADDRESS_SCHOOL)
        with pp.expect_navigation():
            pp.locator("main form button[type=submit]").click()
        order = Order.objects.get()
        expect(status(pp)).to_have_text("Draft")
        act(pp, "submit")
        expect(status(pp)).to_have_text("Awaiting PPK approval")
        expires = "Expires on Wednesday, 25 November 2026, 10:00 WIB"
        expect(pp.get_by_test_id("deadline")).to_contain_text(expires)
        screenshot(pp, "93-order-pp-awaiting", both=False)
        line.refresh_from_db()
        assert line.committed == Decimal("3750000")  # 15 × Rp250.000
        assert Product.objects.filter(pk=product.pk).values_list("stock", "reserved").get() == (100, 15)
        order.refresh_from_db()
        assert order.deadline_at == deadline

        # The PPK does nothing until Thursday, then opens the order: it is shown as expiring, with
        # only the cancellation offered, and reading it changed nothing.
        clock["now"] = thursday
        ppk = new_page()
        login(ppk, users["ppk"].username)
        open_order(ppk, order)
        expect(status(ppk)).to_have_text("Awaiting PPK approval")
        expect(ppk.get_by_test_id("expiring")).to_be_visible()
        expect(ppk.get_by_test_id("deadline")).to_have_count(0)
        assert ppk.get_by_test_id("actions").get_attribute("data-actions").split() == ["cancel"]
        expect(ppk.get_by_test_id("budget-figures")).to_contain_text("remaining Rp6.250.000")
        screenshot(ppk, "94-order-ppk-expiring")
        order.refresh_from_db()
        assert (order.status, order.committed_amount) == (OrderStatus.AWAITING_APPROVAL, Decimal("3750000"))

        # The worker's sweep cancels it; the page then says why and shows the budget released. The
        # worker writes the reason in the site's language (Indonesian).
        from katalog.buying import services

        assert services.expire_overdue() == 1
        ppk.reload()
        expect(status(ppk)).to_have_text("Cancelled")
        expect(ppk.get_by_test_id("cancel-reason")).to_contain_text(
            "Cancelled: " + EXPIRED_APPROVAL_ID + " (26 November 2026 10:30 WIB)"
        )
        expect(ppk.get_by_test_id("actions")).to_have_count(0)
        expect(ppk.get_by_test_id("expiring")).to_have_count(0)
        expect(ppk.get_by_test_id("budget-figures")).to_contain_text("remaining Rp10.000.000")

    # Budget and stock are released.
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == EXPIRED_APPROVAL_ID
    assert order.committed_amount == 0 and line.committed == 0
    assert Product.objects.filter(pk=product.pk).values_list("stock", "reserved").get() == (100, 0)
    assert re.search(r"dalam 3 hari kerja", order.cancel_reason)


def test_an_auditor_reading_an_overdue_order_changes_nothing(new_page, users, shop):
    from katalog.buying import services
    from katalog.core.models import AuditLog

    line = shop["line"]
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=WIB)
    clock = {"now": friday}
    with mock.patch("django.utils.timezone.now", lambda: clock["now"]):
        buyer = f.actor(users["pp"])
        items = [services.ItemRequest(shop["product"].pk, 15)]
        order = services.order_create(actor=buyer, budget_line=line, addresses=[ADDRESS_SCHOOL], items=items)
        services.order_submit(actor=buyer, order=order)
        before = Order.objects.filter(pk=order.pk).values().get()
        audit = AuditLog.objects.count()
        clock["now"] = datetime(2026, 11, 26, 10, 30, tzinfo=WIB)
        auditor = new_page()
        login(auditor, users["auditor"].username)
        open_order(auditor, order)
        expect(status(auditor)).to_have_text("Awaiting PPK approval")
        expect(auditor.get_by_test_id("expiring")).to_be_visible()
        expect(auditor.get_by_test_id("budget-figures")).to_contain_text("remaining Rp6.250.000")
        auditor.goto("/belanja/pesanan/")
        expect(auditor.locator(f'a[href="/belanja/pesanan/{order.pk}/"]').first).to_be_visible()
    # Nothing was written: the order, its budget and stock, the audit trail.
    assert Order.objects.filter(pk=order.pk).values().get() == before
    line.refresh_from_db()
    assert line.committed == Decimal("3750000")
    assert Product.objects.filter(pk=shop["product"].pk).values_list("stock", "reserved").get() == (100, 15)
    assert AuditLog.objects.count() == audit
