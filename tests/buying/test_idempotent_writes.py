"""A write sent twice creates once (issue 10): "buy now", the cart's checkout, a delivery, a payment,
a new product and a registration, each sent again from the same form (a double click, the back button
and send, two tabs) go to the first result; over the API a delivery or a payment retried with the
same `Idempotency-Key` answers the first result; and two checkouts of the same cart at the same
moment (PostgreSQL) make one order."""

import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from katalog.buying import services
from katalog.buying.models import BudgetLine, CartItem, Delivery, Order, Payment
from katalog.catalogue.models import Product
from katalog.core.errors import DomainError
from katalog.vendors.models import Vendor
from tests import factories as f
from tests.accounts.test_api import bearer, token_for
from tests.buying.conftest import listed_product
from tests.buying.test_transitions import order_in

KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_in(response, action: str = "") -> str:
    """The key of the form (the one posting to `action`, if given) on the page."""
    html = response.content.decode()
    if action:
        html = html[html.index(f'action="{action}"') :]
    return KEY.search(html).group(1)


# --- Buy now --------------------------------------------------------------------------------------


def test_buy_now_sent_twice_makes_one_order_and_the_second_goes_to_it(users, shop):
    pp = signed_in(users["pp"])
    url = f"/belanja/beli/{shop['product'].pk}/"
    key = key_in(pp.get(url))
    data = {"quantity": "4", "budget_line": "RUP-2026-001", "addresses": "Kantor Dinas", "idempotency_key": key}
    first = pp.post(url, data)
    second = pp.post(url, data)
    order = Order.objects.get()
    assert (first.status_code, first["Location"]) == (302, f"/belanja/pesanan/{order.pk}/")
    assert (second.status_code, second["Location"]) == (302, f"/belanja/pesanan/{order.pk}/")
    page = pp.get(second["Location"]).content.decode()
    assert "sudah dikirim" in page  # "This form was already sent: here is its result."


def test_two_tabs_of_buy_now_are_two_forms_and_make_two_orders(users, shop):
    pp = signed_in(users["pp"])
    url = f"/belanja/beli/{shop['product'].pk}/"
    one, two = key_in(pp.get(url)), key_in(pp.get(url))
    assert one != two
    for key in (one, two):
        data = {"quantity": "4", "budget_line": "RUP-2026-001", "addresses": "Kantor", "idempotency_key": key}
        assert pp.post(url, data).status_code == 302
    assert Order.objects.count() == 2


def test_a_refused_buy_now_keeps_its_key_and_the_corrected_form_creates_once(users, shop):
    pp = signed_in(users["pp"])
    url = f"/belanja/beli/{shop['product'].pk}/"
    key = key_in(pp.get(url))
    data = {"quantity": "4", "budget_line": "RUP-2026-001", "addresses": " ", "idempotency_key": key}
    refused = pp.post(url, data)
    assert refused.status_code == 422 and Order.objects.count() == 0
    assert key_in(refused) == key  # the form shown again is the same form
    data["addresses"] = "Kantor Dinas"
    assert pp.post(url, data).status_code == 302
    assert pp.post(url, data).status_code == 302
    assert Order.objects.count() == 1


# --- Checkout -------------------------------------------------------------------------------------


def test_checkout_sent_twice_makes_one_order_and_the_second_goes_to_it(users, shop):
    pp = signed_in(users["pp"])
    CartItem.objects.create(katalog=shop["line"].katalog, buyer=users["pp"], product=shop["product"], quantity=3)
    action = f"/belanja/keranjang/pesan/{shop['vendor'].pk}/"
    key = key_in(pp.get("/belanja/keranjang/"), action)
    data = {"budget_line": "RUP-2026-001", "addresses": "Kantor Dinas", "idempotency_key": key}
    first = pp.post(action, data)
    second = pp.post(action, data)  # the cart is empty now: before, a 404
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/belanja/pesanan/{order.pk}/"
    assert second.status_code == 302 and CartItem.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one write at a time (BEGIN IMMEDIATE)")
def test_parallel_checkouts_of_the_same_cart_make_one_order(medan, office, users):
    # Given a cart of two products of one vendor (committed: each thread has its own connection)
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    products = [listed_product(medan, vendor, name=n, stock=100) for n in ("Kemeja PDH", "Celana PDH")]
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-PAR", name="Pakaian", fiscal_year=2026, ceiling=100_000_000
    )
    for product in products:
        CartItem.objects.create(katalog=medan, buyer=users["pp"], product=product, quantity=5)
    pp = f.actor(users["pp"])
    threads_count = 6
    barrier = threading.Barrier(threads_count, timeout=60)
    outcomes: list = [None] * threads_count

    # When six checkouts of it start at the same moment
    def checkout(n):
        try:
            barrier.wait()
            outcomes[n] = services.order_from_cart(
                actor=pp, vendor_id=vendor.pk, budget_line=line, addresses=[f"Kantor {n}"]
            ).pk
        except DomainError as exc:
            outcomes[n] = exc.code
        except Exception as exc:  # asserted below
            outcomes[n] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)

    # Then one order holds the cart, the others are told it was already checked out
    assert Order.objects.count() == 1, outcomes
    order = Order.objects.get()
    assert sorted(map(str, outcomes)) == sorted([str(order.pk)] + ["cart_checked_out"] * (threads_count - 1))
    assert sorted(order.items.values_list("quantity", flat=True)) == [5, 5]
    assert not CartItem.objects.exists()


# --- Delivery and payment -------------------------------------------------------------------------


def test_a_delivery_sent_twice_is_recorded_once(users, shop):
    order = order_in("in_progress", users, shop)
    item, address = order.items.get(), order.addresses.get()
    vendor = signed_in(users["penyedia"])
    url = f"/belanja/pesanan/{order.pk}/"
    key = key_in(vendor.get(url), url + "deliver/")
    data = {
        "address": address.pk,
        "delivered_on": timezone.localdate().isoformat(),
        f"quantity_{item.pk}": "1",  # one of two: a second, identical delivery would be allowed
        "idempotency_key": key,
    }
    first = vendor.post(url + "deliver/", data)
    second = vendor.post(url + "deliver/", data)
    assert (first.status_code, second.status_code) == (302, 302) and second["Location"] == url
    assert Delivery.objects.filter(order=order).count() == 1
    assert order.items.get().delivered_quantity == 1
    # A new form is a new delivery.
    data["idempotency_key"] = key_in(vendor.get(url), url + "deliver/")
    assert vendor.post(url + "deliver/", data).status_code == 302
    assert Delivery.objects.filter(order=order).count() == 2


def test_a_payment_sent_twice_is_booked_once_and_the_second_is_not_an_error(users, shop):
    order = order_in("invoiced", users, shop)
    treasurer = signed_in(users["treasurer"])
    url = f"/belanja/pesanan/{order.pk}/"
    key = key_in(treasurer.get(url), url + "pay/")
    data = {"method": "ls", "paid_on": timezone.localdate().isoformat(), "reference": "SP2D-7", "idempotency_key": key}
    first = treasurer.post(url + "pay/", data)
    second = treasurer.post(url + "pay/", data)  # before: a 409, "not possible in the current state"
    assert (first.status_code, second.status_code) == (302, 302) and second["Location"] == url
    assert Payment.objects.filter(invoice__order=order).count() == 1


def test_every_form_of_the_order_page_carries_a_key(users, shop):
    order = order_in("draft", users, shop)
    html = signed_in(users["pp"]).get(f"/belanja/pesanan/{order.pk}/").content.decode()
    forms = re.findall(
        rf'<form method="post"[^>]*action="/belanja/pesanan/{order.pk}/[^"]+".*?</form>', html, flags=re.S
    )
    assert forms and all(KEY.search(form) for form in forms)


def test_a_delivery_retried_over_the_api_with_the_same_key_is_recorded_once(client, users, shop):
    order = order_in("in_progress", users, shop)
    token = token_for(client, users["penyedia"].username)
    body = {"address": order.addresses.get().pk, "lines": {str(order.items.get().pk): 1}}
    headers = {**bearer(token), "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    url = f"/api/v1/orders/{order.pk}/deliver"
    first = client.post(url, body, content_type="application/json", **headers)
    second = client.post(url, body, content_type="application/json", **headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert Delivery.objects.filter(order=order).count() == 1


def test_a_payment_retried_over_the_api_with_the_same_key_answers_the_first_payment(client, users, shop):
    order = order_in("invoiced", users, shop)
    token = token_for(client, users["treasurer"].username)
    headers = {**bearer(token), "HTTP_IDEMPOTENCY_KEY": "sp2d-0042"}
    url = f"/api/v1/orders/{order.pk}/pay"
    body = {"method": "ls", "reference": "SP2D-0042"}
    first = client.post(url, body, content_type="application/json", **headers)
    second = client.post(url, body, content_type="application/json", **headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json() and first.json()["status"] == "paid"
    assert Payment.objects.filter(invoice__order=order).count() == 1
    # Without the key, the retry is refused as before: the order is paid already.
    again = client.post(url, body, content_type="application/json", **bearer(token))
    assert again.status_code == 409


# --- A new product, a registration ----------------------------------------------------------------


def test_a_new_product_sent_twice_is_created_once(medan, users, shop):
    owner = signed_in(users["penyedia"])
    form = owner.get("/penyedia/produk/baru/")
    data = {
        "name": "Kertas HVS A4",
        "category": shop["product"].listed_version.category.pk,
        "unit": "rim",
        "price": "55.000",
        "stock": 10,
        "min_order": 1,
        "lead_time_days": 2,
        "is_domestic": "on",
        "idempotency_key": key_in(form),
    }
    first = owner.post("/penyedia/produk/baru/", data)
    second = owner.post("/penyedia/produk/baru/", data)
    created = Product.objects.exclude(pk=shop["product"].pk)
    assert created.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert second["Location"] == f"/penyedia/produk/{created.get().pk}/"


def test_a_registration_sent_twice_makes_one_vendor(medan, settings, django_capture_on_commit_callbacks):
    browser = Client()
    key = key_in(browser.get("/penyedia/daftar/"))
    data = {
        "name": "Kerajinan Rotan Deli",
        "owner_name": "Hasan Lubis",
        "email": "hasan@example.id",
        "phone": "0812 7777 8888",
        "password1": "Rotan-Deli-2026",
        "password2": "Rotan-Deli-2026",
        "idempotency_key": key,
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = browser.post("/penyedia/daftar/", data)
        # A double click: the second request left with the cookies of before (not yet signed in).
        second = Client().post("/penyedia/daftar/", data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    # Issue 10 (task D): an e-mail registration is made from the link sent to the address; one link, one vendor.
    from django.core import mail

    links = re.findall(r"/akun/daftar/konfirmasi/[^\s]+/", "".join(m.body for m in mail.outbox))
    assert len(links) == 1
    browser.post(links[0])
    assert Vendor.objects.filter(name="Kerajinan Rotan Deli").count() == 1


def test_the_page_keeps_where_its_form_went_not_the_page_itself(users, shop):
    from katalog.core.models import IdempotencyKey

    pp = signed_in(users["pp"])
    url = f"/belanja/beli/{shop['product'].pk}/"
    key = key_in(pp.get(url))
    data = {"quantity": "4", "budget_line": "RUP-2026-001", "addresses": "Kantor", "idempotency_key": key}
    pp.post(url, data)
    row = IdempotencyKey.objects.get()
    where = f"/belanja/pesanan/{Order.objects.get().pk}/"
    assert (row.user, row.scope, row.key, row.location) == (users["pp"], f"POST {url}", key, where)
