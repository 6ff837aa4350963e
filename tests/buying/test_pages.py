"""The buying pages: who may open what, which buttons each party sees, and a whole purchase
made through the pages with the test client."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from katalog.buying import services
from katalog.buying.models import BudgetLine, CartItem, Notification, Order, OrderDocument, Rating
from katalog.catalogue.models import Product
from katalog.core.models import AuditLog, LocalDayOff
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.conftest import png_bytes


def signed_in(user) -> Client:
    """A client of its own (the `client_as` fixture re-signs one shared client)."""
    client = Client()
    client.force_login(user)
    return client


def actions_on(response) -> set[str]:
    """The actions the order page offers (the `data-actions` of its next-step card)."""
    match = re.search(r'data-actions="([^"]*)"', response.content.decode())
    return set(match.group(1).split()) if match else set()


def draft(users, shop, *, quantity=10) -> Order:
    actor = f.actor(users["pp"])
    return services.order_create(
        actor=actor,
        budget_line=shop["line"],
        addresses=["Kantor Dinas, Jl. Pendidikan 1"],
        items=[services.ItemRequest(shop["product"].pk, quantity)],
    )


@pytest.fixture
def other_office_pp(medan):
    other = f.make_office(medan, "1.02.01", "Dinas Kesehatan")
    return f.make_user(medan, "pp", username="medan-pp-kesehatan", office=other)


@pytest.fixture
def binjai_pp(binjai):
    return f.make_user(binjai, "pp", username="binjai-pp", office=f.make_office(binjai, "1.01.01"))


# --- Who may open what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/belanja/keranjang/",
        "/belanja/pesanan/",
        "/belanja/notifikasi/",
        "/belanja/anggaran/",
        "/belanja/anggaran/impor/",
        "/belanja/hari-libur/",
    ],
)
def test_anonymous_is_sent_to_sign_in(client, medan, url):
    response = client.get(url)
    assert response.status_code == 302 and "/akun/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("penyedia", 403),
        ("treasurer", 403),
        ("auditor", 403),
        ("catalogue_manager", 403),
        ("pp", 200),
        ("ppk", 200),
    ],
)
def test_the_cart_is_for_buyers(client_as, users, role, status):
    assert client_as(users[role]).get("/belanja/keranjang/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("penyedia", 403), ("pp", 403), ("treasurer", 403), ("auditor", 403), ("catalogue_manager", 200)],
)
def test_days_off_are_for_the_pengelola(client_as, users, role, status):
    assert client_as(users[role]).get("/belanja/hari-libur/").status_code == status


def test_orders_list_shows_each_one_what_they_may_see(client_as, users, shop, other_office_pp, binjai_pp):
    order = draft(users, shop)
    link = f'href="/belanja/pesanan/{order.pk}/"'
    for role in ("pp", "ppk", "treasurer", "budget_owner", "auditor", "catalogue_manager"):
        response = client_as(users[role]).get("/belanja/pesanan/")
        assert response.status_code == 200 and link in response.content.decode(), role
    # The vendor sees the order only once it was sent to it, never the buyer's draft.
    response = client_as(users["penyedia"]).get("/belanja/pesanan/")
    assert response.status_code == 200 and link not in response.content.decode()
    services.order_submit(actor=f.actor(users["pp"]), order=order)
    assert link in client_as(users["penyedia"]).get("/belanja/pesanan/").content.decode()
    for outsider in (other_office_pp, binjai_pp):
        response = client_as(outsider).get("/belanja/pesanan/")
        assert response.status_code == 200 and link not in response.content.decode()
    filtered = client_as(users["pp"]).get("/belanja/pesanan/?status=paid")
    assert link not in filtered.content.decode()


def test_another_office_another_tenant_and_another_vendor_get_404(
    client_as, medan, users, shop, other_office_pp, binjai_pp
):
    order = draft(users, shop)
    stranger_vendor = f.make_user(medan, "penyedia", username="vendor-lain")
    f.make_vendor(medan, users=[stranger_vendor])
    for outsider in (other_office_pp, binjai_pp, stranger_vendor):
        client = client_as(outsider)
        assert client.get(f"/belanja/pesanan/{order.pk}/").status_code == 404
        assert client.post(f"/belanja/pesanan/{order.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_the_order_page_offers_each_party_exactly_its_actions(client_as, users, shop):
    order = draft(users, shop)
    expected = {
        "pp": {"propose", "submit", "cancel"},
        "ppk": {"propose", "submit", "cancel"},
        "treasurer": set(),
        "budget_owner": set(),
        "auditor": set(),
        "catalogue_manager": set(),
    }
    for role, actions in expected.items():
        response = client_as(users[role]).get(f"/belanja/pesanan/{order.pk}/")
        assert response.status_code == 200, role
        assert actions_on(response) == actions, role
    # A draft not yet sent to the vendor is not the vendor's to see.
    assert client_as(users["penyedia"]).get(f"/belanja/pesanan/{order.pk}/").status_code == 404
    services.order_submit(actor=f.actor(users["pp"]), order=order)
    expected = {"pp": {"cancel"}, "ppk": {"approve", "cancel"}, "penyedia": set(), "treasurer": set()}
    for role, actions in expected.items():
        assert actions_on(client_as(users[role]).get(f"/belanja/pesanan/{order.pk}/")) == actions, role
    # Once the Surat Pesanan exists only the PPK cancels; the vendor may ask it to.
    services.order_approve(actor=f.actor(users["ppk"]), order=order)
    expected = {"pp": set(), "ppk": {"cancel"}, "penyedia": {"confirm", "request-cancel"}, "treasurer": set()}
    for role, actions in expected.items():
        assert actions_on(client_as(users[role]).get(f"/belanja/pesanan/{order.pk}/")) == actions, role
    services.order_request_cancel(actor=f.actor(users["penyedia"]), order=order, reason="Bahan habis")
    expected = {"pp": set(), "ppk": {"cancel", "decline-cancel"}, "penyedia": {"confirm"}}
    for role, actions in expected.items():
        assert actions_on(client_as(users[role]).get(f"/belanja/pesanan/{order.pk}/")) == actions, role
    page = client_as(users["pp"]).get(f"/belanja/pesanan/{order.pk}/").content.decode()
    deadline = timezone.localtime(Order.objects.get(pk=order.pk).deadline_at)  # WIB
    shown = re.search(r'data-testid="deadline">(.*?)</p>', page, re.S).group(1)
    assert f"{deadline.day} " in shown and f"{deadline.year}, {deadline:%H:%M} WIB" in shown


def test_the_vendor_does_not_see_how_much_of_the_budget_is_left(client_as, users, shop):
    order = draft(users, shop)
    services.order_submit(actor=f.actor(users["pp"]), order=order)  # sent to the vendor
    buyer_page = client_as(users["pp"]).get(f"/belanja/pesanan/{order.pk}/").content.decode()
    assert 'data-testid="budget-figures"' in buyer_page and "Rp10.000.000" in buyer_page
    vendor_page = client_as(users["penyedia"]).get(f"/belanja/pesanan/{order.pk}/").content.decode()
    assert "RUP-2026-001" in vendor_page
    assert 'data-testid="budget-figures"' not in vendor_page and "Rp10.000.000" not in vendor_page


def test_in_a_negotiation_only_the_side_that_must_answer_sees_counter_and_accept(client_as, users, shop):
    order = draft(users, shop)
    item = order.items.get()
    services.order_propose(
        actor=f.actor(users["pp"]),
        order=order,
        lines=[{"item": item.pk, "unit_price": "240000", "quantity": 10, "shipping_cost": "0"}],
    )
    assert actions_on(client_as(users["pp"]).get(f"/belanja/pesanan/{order.pk}/")) == {"cancel"}
    assert actions_on(client_as(users["penyedia"]).get(f"/belanja/pesanan/{order.pk}/")) == {
        "counter",
        "accept",
    }


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("treasurer", "approve"),
        ("penyedia", "submit"),
        ("auditor", "cancel"),
        ("budget_owner", "submit"),
        ("pp", "confirm"),
        ("pp", "pay"),
    ],
)
def test_a_party_that_never_takes_an_action_gets_403_and_nothing_changes(client_as, users, shop, role, action):
    order = draft(users, shop)
    if role == "penyedia":
        # The vendor sees a draft only once it was sent to it: a negotiation ended in agreement.
        item = order.items.get()
        line = {"item": item.pk, "unit_price": "250000", "quantity": 10, "shipping_cost": "0"}
        services.order_propose(actor=f.actor(users["pp"]), order=order, lines=[line])
        services.order_accept(actor=f.actor(users["penyedia"]), order=order)
    response = client_as(users[role]).post(f"/belanja/pesanan/{order.pk}/{action}/", {"reason": "x"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("draft", "")
    assert BudgetLine.objects.get().committed == 0


def test_an_action_the_status_does_not_allow_is_shown_as_a_message(client_as, users, shop):
    order = draft(users, shop)
    response = client_as(users["ppk"]).post(f"/belanja/pesanan/{order.pk}/approve/")
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_an_unknown_action_is_404(client_as, users, shop):
    order = draft(users, shop)
    assert client_as(users["pp"]).post(f"/belanja/pesanan/{order.pk}/teleport/").status_code == 404


# --- Forms keep what was typed --------------------------------------------------------------------


def test_an_offer_above_the_listed_price_is_refused_on_the_page_with_the_figures_kept(client_as, users, shop):
    order = draft(users, shop)
    item = order.items.get()
    response = client_as(users["pp"]).post(
        f"/belanja/pesanan/{order.pk}/propose/",
        {
            f"price_{item.pk}": "260.000",
            f"quantity_{item.pk}": "10",
            f"shipping_{item.pk}": "0",
            "message": "Nego",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="260.000"' in page and "Rp250.000" in page
    assert Order.objects.get(pk=order.pk).status == "draft"
    garbage = client_as(users["pp"]).post(
        f"/belanja/pesanan/{order.pk}/propose/",
        {f"price_{item.pk}": "dua ratus", f"quantity_{item.pk}": "10"},
    )
    assert garbage.status_code == 422 and 'value="dua ratus"' in garbage.content.decode()


def test_cancelling_needs_a_reason_and_releases_the_budget(client_as, users, shop):
    order = draft(users, shop)
    services.order_submit(actor=f.actor(users["pp"]), order=order)
    assert BudgetLine.objects.get().committed == Decimal("2500000")
    assert Product.objects.filter(pk=shop["product"].pk).values_list("stock", "reserved").get() == (100, 10)
    client = client_as(users["pp"])
    assert client.post(f"/belanja/pesanan/{order.pk}/cancel/", {"reason": "  "}).status_code == 422
    assert Order.objects.get(pk=order.pk).status == "awaiting_approval"
    response = client.post(f"/belanja/pesanan/{order.pk}/cancel/", {"reason": "Salah kode RUP"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Salah kode RUP")
    assert BudgetLine.objects.get().committed == 0
    assert Product.objects.filter(pk=shop["product"].pk).values_list("stock", "reserved").get() == (100, 0)
    assert "Salah kode RUP" in client.get(f"/belanja/pesanan/{order.pk}/").content.decode()


def test_submitting_beyond_the_budget_says_what_is_left(client_as, users, shop):
    BudgetLine.objects.filter(pk=shop["line"].pk).update(ceiling=Decimal("1000000"))
    order = draft(users, shop)
    response = client_as(users["pp"]).post(f"/belanja/pesanan/{order.pk}/submit/")
    assert response.status_code == 409
    assert "Rp1.000.000" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_checkout_errors_keep_the_chosen_budget_line(client_as, users, shop):
    client = client_as(users["pp"])
    CartItem.objects.create(katalog=shop["line"].katalog, buyer=users["pp"], product=shop["product"], quantity=3)
    vendor = shop["vendor"].pk
    response = client.post(f"/belanja/keranjang/pesan/{vendor}/", {"budget_line": "RUP-2026-001", "addresses": " \n "})
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r'value="RUP-2026-001"[^>]*checked', page)
    assert Order.objects.count() == 0 and CartItem.objects.count() == 1
    # A budget line of another office is not a choice.
    other = f.make_office(shop["line"].katalog, "1.09.01", "Dinas Lain")
    BudgetLine.objects.create(
        katalog=other.katalog,
        office=other,
        kode_rup="RUP-LAIN",
        name="Lain",
        fiscal_year=2026,
        ceiling=Decimal("5000000"),
    )
    assert "RUP-LAIN" not in client.get("/belanja/keranjang/").content.decode()
    response = client.post(f"/belanja/keranjang/pesan/{vendor}/", {"budget_line": "RUP-LAIN", "addresses": "Jl. A"})
    assert response.status_code == 422 and Order.objects.count() == 0


def test_checkout_of_a_vendor_not_in_the_cart_is_404(client_as, users, shop):
    response = client_as(users["pp"]).post(
        f"/belanja/keranjang/pesan/{shop['vendor'].pk}/",
        {"budget_line": "RUP-2026-001", "addresses": "Jl. A"},
    )
    assert response.status_code == 404


# --- Cart and buy now -----------------------------------------------------------------------------


def test_the_product_page_offers_buying_to_pp_and_ppk_only(client, client_as, users, shop):
    url = f"/produk/{shop['product'].pk}/"
    assert 'data-testid="buy-box"' not in client.get(url).content.decode()
    for role, shown in (("pp", True), ("ppk", True), ("treasurer", False), ("penyedia", False)):
        assert ('data-testid="buy-box"' in client_as(users[role]).get(url).content.decode()) is shown, role


def test_cart_add_update_remove_grouped_by_vendor(client_as, medan, users, shop):
    other_vendor = f.make_vendor(medan, name="CV Ulos Medan")
    ulos = listed_product(medan, other_vendor, name="Kain Ulos", price="400000")
    client = client_as(users["pp"])
    assert client.post(f"/belanja/keranjang/tambah/{shop['product'].pk}/", {"quantity": "2"}).status_code == 302
    client.post(f"/belanja/keranjang/tambah/{ulos.pk}/", {"quantity": "1"})
    page = client.get("/belanja/keranjang/").content.decode()
    assert (
        f'data-testid="cart-vendor-{shop["vendor"].pk}"' in page
        and f'data-testid="cart-vendor-{other_vendor.pk}"' in page
    )
    assert "Rp500.000" in page and "Rp400.000" in page and "Rp10.000.000" in page  # 2 × 250.000; pagu shown
    line = CartItem.objects.get(product=shop["product"])
    client.post(f"/belanja/keranjang/{line.pk}/ubah/", {"quantity": "5"})
    assert CartItem.objects.get(pk=line.pk).quantity == 5
    assert client.post(f"/belanja/keranjang/{line.pk}/ubah/", {"quantity": "0"}).status_code == 302
    assert CartItem.objects.get(pk=line.pk).quantity == 5
    # Someone else's cart line is a 404.
    assert client_as(users["ppk"]).post(f"/belanja/keranjang/{line.pk}/hapus/").status_code == 404
    client_as(users["pp"]).post(f"/belanja/keranjang/{line.pk}/hapus/")
    assert list(CartItem.objects.values_list("product_id", flat=True)) == [ulos.pk]


def test_buy_now_creates_a_draft_with_the_note(client_as, users, shop):
    client = client_as(users["ppk"])
    url = f"/belanja/beli/{shop['product'].pk}/"
    assert client.get(url + "?quantity=4").status_code == 200
    response = client.post(
        url,
        {
            "quantity": "4",
            "budget_line": "RUP-2026-001",
            "addresses": "Kantor Dinas\nGudang Dinas",
            "note": "Ukuran M",
        },
    )
    order = Order.objects.get()
    assert response["Location"] == f"/belanja/pesanan/{order.pk}/"
    assert (order.status, order.note, order.total, order.created_by) == (
        "draft",
        "Ukuran M",
        Decimal("1000000"),
        users["ppk"],
    )
    assert list(order.addresses.values_list("address", flat=True)) == ["Kantor Dinas", "Gudang Dinas"]
    assert client_as(users["treasurer"]).get(url).status_code == 403


# --- The whole purchase through the pages ---------------------------------------------------------


def test_a_whole_purchase_through_the_pages(users, shop, django_capture_on_commit_callbacks, worker):
    pp, ppk, vendor, treasurer = (signed_in(users[r]) for r in ("pp", "ppk", "penyedia", "treasurer"))
    product = shop["product"]

    def as_(client, url, data=None, status=302):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        assert response.status_code == status, response.content.decode()[:3000]
        return response

    # Cart → checkout: one vendor's lines become a draft order.
    as_(pp, f"/belanja/keranjang/tambah/{product.pk}/", {"quantity": "10"})
    response = as_(
        pp,
        f"/belanja/keranjang/pesan/{shop['vendor'].pk}/",
        {"budget_line": "RUP-2026-001", "addresses": "Kantor Dinas Pendidikan\nSD Negeri 060800"},
    )
    order = Order.objects.get()
    url = f"/belanja/pesanan/{order.pk}/"
    assert response["Location"] == url
    assert CartItem.objects.count() == 0
    assert (order.status, order.total) == ("draft", Decimal("2500000"))
    item = order.items.get()

    # Negotiation: PP proposes, the vendor counters with shipping, the PP accepts.
    as_(
        pp,
        url + "propose/",
        {
            f"price_{item.pk}": "220.000",
            f"quantity_{item.pk}": "10",
            f"shipping_{item.pk}": "0",
            "message": "Mohon harga terbaik",
        },
    )
    assert Order.objects.get().status == "negotiating"
    assert actions_on(vendor.get(url)) == {"counter", "accept"}
    as_(
        vendor,
        url + "counter/",
        {f"price_{item.pk}": "Rp 235.000", f"quantity_{item.pk}": "10", f"shipping_{item.pk}": "50.000"},
    )
    assert actions_on(pp.get(url)) == {"counter", "accept", "cancel"}
    as_(pp, url + "accept/")
    order.refresh_from_db()
    item.refresh_from_db()
    assert (order.status, order.total) == ("draft", Decimal("2400000"))
    assert (item.unit_price, item.shipping_cost) == (Decimal("235000"), Decimal("50000"))
    assert order.offers.count() == 2 and order.offers.last().accepted
    page = pp.get(url).content.decode()
    assert "Rp2.400.000" in page and "Mohon harga terbaik" in page

    # Submit (budget and stock reserved) → approve (Surat Pesanan) → confirm.
    as_(pp, url + "submit/")
    assert BudgetLine.objects.get().committed == Decimal("2400000")
    stock = Product.objects.get(pk=product.pk)
    assert (stock.stock, stock.reserved, stock.available) == (100, 10, 90)  # reserved, still on hand
    worker()  # the task worker tells the PPK
    assert Notification.objects.filter(user=users["ppk"], order=order, read_at=None).exists()
    assert 'class="count"' in ppk.get("/belanja/notifikasi/").content.decode()
    as_(ppk, url + "approve/")
    assert Order.objects.get().status == "awaiting_confirmation"
    sp = OrderDocument.objects.get(kind="sp")
    download = vendor.get(f"{url}dokumen/sp/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.getvalue().startswith(b"%PDF")
    assert sp.number in vendor.get(url).content.decode()
    as_(vendor, url + "confirm/")
    assert Order.objects.get().status == "in_progress"

    # Two deliveries to two addresses, the second with a photo; more than ordered is refused, and
    # so is a date before the vendor's confirmation (today) or after today.
    today = timezone.localdate()
    first, second = order.addresses.order_by("pk")
    for day in (today - timedelta(days=1), today + timedelta(days=1)):
        wrong_day = as_(
            vendor,
            url + "deliver/",
            {"address": first.pk, "delivered_on": day.isoformat(), f"quantity_{item.pk}": "4"},
            status=422,
        )
        assert 'value="' + day.isoformat() + '"' in wrong_day.content.decode()
    assert order.deliveries.count() == 0
    as_(
        vendor,
        url + "deliver/",
        {"address": first.pk, "delivered_on": today.isoformat(), f"quantity_{item.pk}": "4"},
    )
    assert Order.objects.get().status == "in_progress"
    too_many = as_(
        vendor,
        url + "deliver/",
        {"address": second.pk, "delivered_on": today.isoformat(), f"quantity_{item.pk}": "7"},
        status=422,
    )
    assert "6" in too_many.content.decode()  # the field says at most 6 remain
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("serah-terima.png", png_bytes(), content_type="image/png")
    as_(
        vendor,
        url + "deliver/",
        {"address": second.pk, "delivered_on": today.isoformat(), f"quantity_{item.pk}": "6", "photo": photo},
    )
    order.refresh_from_db()
    assert order.status == "delivered"
    assert [
        (d.address_id, d.delivered_on, d.lines.get().quantity, bool(d.photo)) for d in order.deliveries.order_by("pk")
    ] == [(first.pk, today, 4, False), (second.pk, today, 6, True)]
    stock = Product.objects.get(pk=product.pk)
    assert (stock.stock, stock.reserved) == (90, 0)  # delivered: off on hand and off reserved
    photo_url = f"{url}pengiriman/{order.deliveries.order_by('pk').last().pk}/foto/"
    assert ppk.get(photo_url).status_code == 200

    # Receipt: refused while the condition is not right, then the BAST. Lateness is not ticked: it
    # is computed from the delivery dates and the deadline of the Surat Pesanan.
    assert 'name="on_time"' not in ppk.get(url).content.decode()
    assert as_(ppk, url + "receive/", {"quantity_ok": "on"}, status=422)
    assert Order.objects.get().status == "delivered"
    as_(ppk, url + "receive/", {"quantity_ok": "on", "condition_ok": "on", "notes": "Lengkap"})
    order.refresh_from_db()
    assert order.status == "received" and order.receipt_check.notes == "Lengkap"
    assert (order.receipt_check.on_time, order.receipt_check.late_days, order.receipt_check.penalty) == (True, 0, 0)
    assert OrderDocument.objects.filter(order=order, kind="bast").exists()
    assert pp.get(f"{url}dokumen/bast/").status_code == 200

    # Invoice (not a PKP: no PPN), dated as the form proposes (today), and payment by the treasurer.
    as_(vendor, url + "invoice/", {"invoice_date": today.isoformat()})
    invoice = Order.objects.get().invoice
    assert (invoice.subtotal, invoice.vat, invoice.total) == (Decimal("2400000"), 0, Decimal("2400000"))
    assert actions_on(treasurer.get(url)) == {"pay"}
    # A payment dated after today is refused with the field; one dated today is booked. Above
    # Rp2.000.000 the treasurer withholds PPh 22 (1.5% of the DPP); no PPN to collect (not a PKP).
    tomorrow = (today + timedelta(days=1)).isoformat()
    as_(treasurer, url + "pay/", {"method": "ls", "paid_on": tomorrow, "reference": "SP2D-0042"}, status=422)
    assert Order.objects.get().status == "invoiced"
    as_(treasurer, url + "pay/", {"method": "ls", "paid_on": today.isoformat(), "reference": "SP2D-0042"})
    order.refresh_from_db()
    payment = order.invoice.payments.get()
    assert (order.status, payment.method, payment.reference, payment.paid_on) == ("paid", "ls", "SP2D-0042", today)
    assert (payment.gross, payment.vat_collected, payment.income_tax, payment.penalty, payment.amount) == (
        Decimal("2400000"),
        0,
        Decimal("36000"),
        0,
        Decimal("2364000"),
    )
    assert 'data-testid="days-to-payment"' in treasurer.get(url).content.decode()  # paid the day of the BAST

    # Rating by the PPK, one reply by the vendor.
    as_(
        ppk,
        url + "rate/",
        {"quality": "5", "timeliness": "4", "service": "5", "price": "4", "comment": "Rapi"},
    )
    rating = Rating.objects.get()
    assert (Order.objects.get().status, rating.quality, rating.timeliness, rating.comment) == (
        "completed",
        5,
        4,
        "Rapi",
    )
    assert actions_on(vendor.get(url)) == {"reply"}
    assert actions_on(pp.get(url)) == set()
    as_(ppk, url + "reply/", {"reply": "bukan saya"}, status=403)
    as_(vendor, url + "reply/", {"reply": "Terima kasih, Pak."})
    assert Rating.objects.get().reply == "Terima kasih, Pak."
    assert actions_on(vendor.get(url)) == set()
    again = as_(vendor, url + "reply/", {"reply": "Lagi"}, status=422)
    assert "already replied" in again.content.decode() or "sudah membalas" in again.content.decode()
    assert Rating.objects.get().reply == "Terima kasih, Pak."
    final = pp.get(url).content.decode()
    for text in ("Terima kasih, Pak.", "SP2D-0042", sp.number, "Rapi"):
        assert text in final


def test_documents_are_scoped_to_the_order(client_as, users, shop, other_office_pp):
    order = draft(users, shop)
    assert client_as(users["pp"]).get(f"/belanja/pesanan/{order.pk}/dokumen/sp/").status_code == 404
    services.order_submit(actor=f.actor(users["pp"]), order=order)
    services.order_approve(actor=f.actor(users["ppk"]), order=order)
    assert client_as(users["auditor"]).get(f"/belanja/pesanan/{order.pk}/dokumen/sp/").status_code == 200
    assert client_as(other_office_pp).get(f"/belanja/pesanan/{order.pk}/dokumen/sp/").status_code == 404


# --- Notifications --------------------------------------------------------------------------------


def test_notifications_are_ones_own_and_can_be_marked_read(client_as, users, shop):
    order = draft(users, shop)
    Notification.objects.create(katalog=order.katalog, user=users["ppk"], order=order, text="Pesanan #1 menunggu")
    Notification.objects.create(katalog=order.katalog, user=users["pp"], order=order, text="Untuk PP")
    client = client_as(users["ppk"])
    page = client.get("/belanja/notifikasi/").content.decode()
    assert "Pesanan #1 menunggu" in page and "Untuk PP" not in page
    assert re.search(r'class="count"[^>]*>1<', page)
    assert client.post("/belanja/notifikasi/baca-semua/").status_code == 302
    assert not Notification.objects.filter(user=users["ppk"], read_at=None).exists()
    assert Notification.objects.filter(user=users["pp"], read_at=None).exists()
    assert 'class="count"' not in client.get("/belanja/notifikasi/").content.decode()


# --- Budget lines and days off --------------------------------------------------------------------


def test_budget_lines_buyers_see_their_office_managers_see_all(client_as, users, shop, other_office_pp):
    other = other_office_pp.memberships.get().office
    BudgetLine.objects.create(
        katalog=other.katalog,
        office=other,
        kode_rup="RUP-KES-01",
        name="Obat",
        fiscal_year=2026,
        ceiling=Decimal("7500000"),
        committed=Decimal("2500000"),
    )
    pp_page = client_as(users["pp"]).get("/belanja/anggaran/").content.decode()
    assert "RUP-2026-001" in pp_page and "RUP-KES-01" not in pp_page and "Import" not in pp_page
    manager_page = client_as(users["catalogue_manager"]).get("/belanja/anggaran/").content.decode()
    assert "RUP-2026-001" in manager_page and "RUP-KES-01" in manager_page and "Rp5.000.000" in manager_page
    assert "/belanja/anggaran/impor/" in manager_page
    assert client_as(users["penyedia"]).get("/belanja/anggaran/").status_code == 403
    assert client_as(users["pp"]).get("/belanja/anggaran/impor/").status_code == 403


def test_the_pengelola_adds_and_removes_local_days_off(client_as, medan, binjai, users):
    client = client_as(users["catalogue_manager"])
    response = client.post("/belanja/hari-libur/", {"date": "2099-08-17", "name": "Hari jadi kota"})
    assert response.status_code == 302
    day = LocalDayOff.objects.get()
    assert (day.katalog, day.date, day.name) == (medan, date(2099, 8, 17), "Hari jadi kota")
    assert AuditLog.objects.filter(action="calendar.day_off_add").count() == 1
    again = client.post("/belanja/hari-libur/", {"date": "2099-08-17", "name": "Lagi"})
    assert again.status_code == 422 and LocalDayOff.objects.count() == 1
    assert "Hari jadi kota" in client.get("/belanja/hari-libur/").content.decode()
    elsewhere = LocalDayOff.objects.create(katalog=binjai, date=date(2099, 1, 2), name="Binjai")
    assert client.post(f"/belanja/hari-libur/{elsewhere.pk}/hapus/").status_code == 404
    assert signed_in(users["pp"]).post(f"/belanja/hari-libur/{day.pk}/hapus/").status_code == 403
    client.post(f"/belanja/hari-libur/{day.pk}/hapus/")
    assert list(LocalDayOff.objects.values_list("name", flat=True)) == ["Binjai"]
    assert AuditLog.objects.filter(action="calendar.day_off_remove").count() == 1
