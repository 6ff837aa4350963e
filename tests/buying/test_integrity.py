"""What an inspector found wrong with purchasing (issue 7), each now impossible: stock written back
by a vendor's save, frozen products bought, absurd API quantities saved, PPN missing from documents,
dates out of the order's history, hostile names in PDFs, reads that cancel, drafts shown to the
vendor and cancellations by the wrong party."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from katalog.accounts.selectors import system_actor
from katalog.buying import documents, services
from katalog.buying.models import Order, OrderDocument, OrderItem, OrderStatus
from katalog.catalogue import services as catalogue_services
from katalog.catalogue.imports import run_import
from katalog.catalogue.models import Product
from katalog.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.core.tabular import Table
from katalog.vendors.models import VendorStatus
from tests import factories as f
from tests.accounts.test_api import bearer, token_for
from tests.buying.conftest import listed_product

S = OrderStatus


def post(client, token, url, body=None):
    return client.post(url, body or {}, content_type="application/json", **bearer(token))


def actors(users):
    return {r: f.actor(users[r]) for r in ("pp", "ppk", "penyedia", "treasurer", "auditor", "catalogue_manager")}


def draft(users, shop, quantity=30, product=None):
    return services.order_create(
        actor=f.actor(users["pp"]),
        budget_line=shop["line"],
        addresses=["Kantor Dinas Pendidikan"],
        items=[services.ItemRequest((product or shop["product"]).pk, quantity)],
    )


def submitted(users, shop, quantity=30, product=None):
    return services.order_submit(actor=f.actor(users["pp"]), order=draft(users, shop, quantity, product))


def confirmed(users, shop, quantity=4, product=None):
    a = actors(users)
    order = services.order_approve(actor=a["ppk"], order=submitted(users, shop, quantity, product))
    return services.order_confirm(actor=a["penyedia"], order=order)


def stock_of(product) -> tuple[int, int, int]:
    p = Product.objects.get(pk=product.pk)
    return p.stock, p.reserved, p.available


def pdf_text(document: OrderDocument) -> str:
    reader = PdfReader(io.BytesIO(documents.pdf_bytes(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- Stock: on hand and reserved ------------------------------------------------------------------------


def test_a_vendor_saving_its_product_while_orders_hold_stock_does_not_write_it_back(users, shop):
    # Given 100 on hand and an order holding 30
    product = shop["product"]
    order = submitted(users, shop, 30)
    assert stock_of(product) == (100, 30, 70)
    # When the vendor saves the form with "100" on hand (as it read it)
    vendor = f.actor(users["penyedia"])
    version = product.listed_version
    data = catalogue_services.ProductData(
        name=version.name, category=version.category, unit=version.unit, price=version.price
    )
    catalogue_services.product_update(actor=vendor, product=product, data=data, stock=100)
    # Then 70 are still all that can be sold, and a cancellation gives back 30, not 130
    assert stock_of(product) == (100, 30, 70)
    with pytest.raises(ValidationFailed) as refused:
        draft(users, shop, 71)
    assert refused.value.code == "out_of_stock"
    services.order_cancel(actor=f.actor(users["pp"]), order=order, reason="Salah pilih")
    assert stock_of(product) == (100, 0, 100)


def test_on_hand_cannot_go_below_what_orders_hold_and_the_message_names_them(users, shop):
    product = shop["product"]
    order = submitted(users, shop, 30)
    with pytest.raises(ValidationFailed) as refused:
        catalogue_services.product_set_stock(actor=f.actor(users["penyedia"]), product=product, stock=20)
    message = str(refused.value.message)
    assert "30" in message and f"#{order.pk} (30)" in message
    assert refused.value.fields["stock"] == [refused.value.message]
    assert stock_of(product) == (100, 30, 70)


def test_the_product_import_sets_on_hand_and_refuses_a_figure_below_the_reservation(users, shop):
    product = shop["product"]
    submitted(users, shop, 30)
    table = Table(
        columns=["nama", "kategori", "satuan", "harga", "stok"],
        rows=[(2, {"nama": product.name, "kategori": "PKN", "satuan": "potong", "harga": "250000", "stok": "10"})],
    )
    outcome = run_import(actor=system_actor(product.katalog), vendor=product.vendor, table=table)
    assert [(line, column) for line, column, _reason in outcome.rejections] == [(2, "stok")]
    assert stock_of(product) == (100, 30, 70)
    table.rows = [(2, {**table.rows[0][1], "stok": "150"})]
    run_import(actor=system_actor(product.katalog), vendor=product.vendor, table=table)
    assert stock_of(product) == (150, 30, 120)


def test_a_delivery_takes_stock_off_on_hand_and_reserved(users, shop):
    product = shop["product"]
    order = confirmed(users, shop, 4)
    item = order.items.get()
    services.order_deliver(
        actor=f.actor(users["penyedia"]), order=order, address_id=order.addresses.get().pk, lines={item.pk: 3}
    )
    assert stock_of(product) == (97, 1, 96)


def test_the_database_refuses_a_reservation_above_on_hand(shop):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=shop["product"].pk).update(reserved=101)


# --- What may be bought ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["freeze", "delist"])
def test_a_frozen_or_delisted_product_cannot_be_submitted_or_approved(users, shop, action):
    a = actors(users)
    waiting = submitted(users, shop, 2)
    order = draft(users, shop, 2)
    curate = getattr(catalogue_services, f"product_{action}")
    curate(actor=a["catalogue_manager"], product=shop["product"], reason="Harga mencurigakan")
    with pytest.raises(Conflict) as refused:
        services.order_submit(actor=a["pp"], order=order)
    assert refused.value.status == 409 and "Harga mencurigakan" in str(refused.value.message)
    with pytest.raises(Conflict):
        services.order_approve(actor=a["ppk"], order=waiting)
    assert Order.objects.get(pk=order.pk).status == S.DRAFT
    assert Order.objects.get(pk=waiting.pk).status == S.AWAITING_APPROVAL
    assert not waiting.documents.exists()


def test_a_product_of_a_vendor_no_longer_verified_cannot_be_bought(client, users, shop):
    waiting = submitted(users, shop, 2)
    shop["vendor"].status = VendorStatus.REVISION_REQUESTED
    shop["vendor"].save()
    ppk = token_for(client, users["ppk"].username)
    response = post(client, ppk, f"/api/v1/orders/{waiting.pk}/approve")
    assert response.status_code == 409 and response.json()["code"] == "product_unavailable"
    assert Order.objects.get(pk=waiting.pk).status == S.AWAITING_APPROVAL


def test_a_price_change_since_the_draft_is_shown_and_taken_again(client, users, shop):
    a = actors(users)
    order = draft(users, shop, 2)
    product = shop["product"]
    version = product.listed_version
    data = catalogue_services.ProductData(
        name=version.name, category=version.category, unit="potong", price=Decimal("260000")
    )
    product = catalogue_services.product_update(actor=a["penyedia"], product=product, data=data)
    catalogue_services.product_approve(actor=a["catalogue_manager"], product=product)
    with pytest.raises(Conflict) as refused:
        services.order_submit(actor=a["pp"], order=order)
    assert refused.value.code == "version_changed"
    pp = token_for(client, users["pp"].username)
    page = client.get(f"/belanja/pesanan/{order.pk}/")
    assert page.status_code in (200, 302)  # signed out here; the page is tried below as the pp
    client.force_login(users["pp"])
    page = client.get(f"/belanja/pesanan/{order.pk}/").content.decode()
    assert 'data-action="reprice"' in page and "Rp260.000" in page
    body = post(client, pp, f"/api/v1/orders/{order.pk}/reprice").json()
    assert (body["total"], body["items"][0]["unit_price"]) == ("520000.00", "260000.00")
    assert services.order_submit(actor=a["pp"], order=order).status == S.AWAITING_APPROVAL


# --- Numbers bounded; one bad row never fails a list ----------------------------------------------------


@pytest.mark.parametrize("quantity", [10**12, 0, -5, 10_000_001, "12abc", 1.5])
def test_an_absurd_quantity_over_the_api_is_a_422_and_saves_nothing(client, users, shop, quantity):
    pp = token_for(client, users["pp"].username)
    body = {"budget_line": "RUP-2026-001", "items": [{"product": shop["product"].pk, "quantity": quantity}]}
    response = post(client, pp, "/api/v1/orders", {**body, "delivery_address": "Kantor"})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid" and "items.0.quantity" in response.json()["fields"]
    assert not Order.objects.exists()
    assert client.get("/api/v1/orders", **bearer(pp)).status_code == 200


def test_more_than_available_is_refused_at_the_draft_with_the_figure(client, users, shop):
    pp = token_for(client, users["pp"].username)
    body = {
        "budget_line": "RUP-2026-001",
        "items": [{"product": shop["product"].pk, "quantity": 101}],
        "delivery_address": "K",
    }
    response = post(client, pp, "/api/v1/orders", body)
    assert response.status_code == 422 and "100" in response.json()["message"]
    assert not Order.objects.exists()


def test_a_list_survives_a_bad_row(client, users, shop):
    good = draft(users, shop, 2)
    bad = draft(users, shop, 3)
    Order.objects.filter(pk=bad.pk).update(status="nonsense")  # a row no schema expects
    pp = token_for(client, users["pp"].username)
    response = client.get("/api/v1/orders", **bearer(pp))
    assert response.status_code == 200
    client.force_login(users["pp"])
    assert client.get("/belanja/pesanan/").status_code == 200
    assert good.pk in [o["id"] for o in response.json()]


# --- Money: PPN on every document, whole rupiah ---------------------------------------------------------


def test_a_pkp_vendors_order_shows_the_same_dpp_ppn_and_total_everywhere(users, medan, office):
    a = actors(users)
    vendor = f.make_vendor(medan, users=[users["penyedia"]], is_vat_registered=True)
    product = listed_product(medan, vendor, name="Laptop sekolah", price="3703701")
    from katalog.buying.models import BudgetLine

    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-PKP", name="TIK", fiscal_year=2026, ceiling=Decimal("50000000")
    )
    order = services.order_create(
        actor=a["pp"], budget_line=line, addresses=["Kantor"], items=[services.ItemRequest(product.pk, 1)]
    )
    # DPP 3.703.701; DPP nilai lain 11/12 = 3.395.059; PPN 12% = 407.407; total 4.111.108 (no sen)
    assert (order.total, order.vat) == (Decimal("3703701.00"), Decimal("407407.00"))
    order = services.order_submit(actor=a["pp"], order=order)
    assert order.committed_amount == Decimal("4111108.00")
    line.refresh_from_db()
    assert line.committed == Decimal("4111108.00")
    order = services.order_approve(actor=a["ppk"], order=order)
    sp = pdf_text(order.documents.get(kind="sp"))
    for figure in ("Rp3.703.701", "Rp407.407", "Rp4.111.108"):
        assert figure in sp
    assert ",11" not in sp
    order = services.order_confirm(actor=a["penyedia"], order=order)
    item = order.items.get()
    services.order_deliver(actor=a["penyedia"], order=order, address_id=order.addresses.get().pk, lines={item.pk: 1})
    order = services.order_receive(
        actor=a["ppk"], order=Order.objects.get(pk=order.pk), quantity_ok=True, condition_ok=True
    )
    bast = pdf_text(order.documents.get(kind="bast"))
    for figure in ("Rp3.703.701", "Rp407.407", "Rp4.111.108"):
        assert figure in bast
    invoice = services.order_invoice(actor=a["penyedia"], order=order)
    assert (invoice.subtotal, invoice.vat, invoice.total) == (
        Decimal("3703701.00"),
        Decimal("407407.00"),
        Decimal("4111108.00"),
    )
    payment = services.order_pay(
        actor=a["treasurer"], order=order, method="ls", paid_on=timezone.localdate(), reference="SP2D-1"
    )
    # The treasurer collects the PPN and withholds PPh 22 (1.5% of the DPP, down: 55.555)
    assert (payment.gross, payment.vat_collected, payment.income_tax, payment.amount) == (
        Decimal("4111108.00"),
        Decimal("407407.00"),
        Decimal("55555.00"),
        Decimal("3648146.00"),
    )
    for amount in (payment.gross, payment.amount, order.committed_amount):
        assert amount == amount.to_integral_value()


# --- Dates checked against the order's history and today -------------------------------------------------


def test_a_delivery_before_the_order_or_in_the_future_is_refused(client, users, shop):
    order = confirmed(users, shop, 4)
    vendor = token_for(client, users["penyedia"].username)
    item = order.items.get()
    today = timezone.localdate()
    for day in (today - timedelta(days=30), today + timedelta(days=365)):
        body = {"address": order.addresses.get().pk, "lines": {str(item.pk): 4}, "delivered_on": day.isoformat()}
        response = post(client, vendor, f"/api/v1/orders/{order.pk}/deliver", body)
        assert response.status_code == 422 and "delivered_on" in response.json()["fields"], response.content
    assert not order.deliveries.exists()
    assert OrderItem.objects.get(pk=item.pk).delivered_quantity == 0


def test_a_payment_before_the_bast_is_refused_and_no_day_count_is_negative(client, users, shop):
    a = actors(users)
    order = confirmed(users, shop, 4)
    item = order.items.get()
    services.order_deliver(actor=a["penyedia"], order=order, address_id=order.addresses.get().pk, lines={item.pk: 4})
    order = services.order_receive(actor=a["ppk"], order=order, quantity_ok=True, condition_ok=True)
    services.order_invoice(actor=a["penyedia"], order=order)
    treasurer = token_for(client, users["treasurer"].username)
    before = (timezone.localdate() - timedelta(days=29)).isoformat()
    response = post(
        client, treasurer, f"/api/v1/orders/{order.pk}/pay", {"method": "ls", "paid_on": before, "reference": "X"}
    )
    assert response.status_code == 422 and "paid_on" in response.json()["fields"]
    assert Order.objects.get(pk=order.pk).status == S.INVOICED
    response = post(client, treasurer, f"/api/v1/orders/{order.pk}/pay", {"method": "ls", "reference": "SP2D-9"})
    assert response.status_code == 200
    from katalog.buying.selectors import days_from_bast_to_payment

    assert days_from_bast_to_payment(Order.objects.get(pk=order.pk)) == 0


# --- Hostile names in the PDF renderer --------------------------------------------------------------------


def test_a_product_name_with_markup_prints_literally_in_the_surat_pesanan(users, medan, shop):
    a = actors(users)
    product = listed_product(medan, shop["vendor"], name='<b>Tas</b> <img src="/etc/passwd">', price="100000")
    order = services.order_approve(actor=a["ppk"], order=submitted(users, shop, 2, product))
    text = pdf_text(order.documents.get(kind="sp"))
    assert "<b>Tas</b>" in text


# --- Reads do not write -----------------------------------------------------------------------------------


def test_reading_an_overdue_order_changes_nothing_the_sweep_cancels_it(client, users, shop):
    order = submitted(users, shop, 30)
    Order.objects.filter(pk=order.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
    audit_before = AuditLog.objects.count()
    for role in ("auditor", "pp", "ppk"):
        client.force_login(users[role])
        page = client.get(f"/belanja/pesanan/{order.pk}/")
        assert page.status_code == 200 and 'data-testid="expiring"' in page.content.decode()
        assert client.get(f"/api/v1/orders/{order.pk}").json()["expiring"] is True
    assert Order.objects.get(pk=order.pk).status == S.AWAITING_APPROVAL
    assert stock_of(shop["product"]) == (100, 30, 70)
    assert AuditLog.objects.count() == audit_before
    assert services.expire_overdue() == 1
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED
    assert stock_of(shop["product"]) == (100, 0, 100)


# --- Who sees and who cancels ---------------------------------------------------------------------------


def test_the_vendor_never_sees_the_buyers_draft_nor_hears_of_its_cancellation(
    client, users, shop, django_capture_on_commit_callbacks, worker
):
    order = draft(users, shop, 2)
    vendor = token_for(client, users["penyedia"].username)
    assert client.get(f"/api/v1/orders/{order.pk}", **bearer(vendor)).status_code == 404
    assert client.get("/api/v1/orders", **bearer(vendor)).json() == []
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(actor=f.actor(users["pp"]), order=order, reason="Tidak jadi")
    assert worker() == 1  # the buyer is told
    assert not users["penyedia"].notifications.exists()
    sent = services.order_submit(actor=f.actor(users["pp"]), order=draft(users, shop, 2))
    assert client.get(f"/api/v1/orders/{sent.pk}", **bearer(vendor)).status_code == 200


def test_after_the_surat_pesanan_only_the_ppk_cancels_and_the_vendor_asks(
    users, shop, django_capture_on_commit_callbacks, worker
):
    a = actors(users)
    order = services.order_approve(actor=a["ppk"], order=submitted(users, shop, 4))
    with pytest.raises(NotAllowed):
        services.order_cancel(actor=a["pp"], order=order, reason="Berubah pikiran")
    order = services.order_confirm(actor=a["penyedia"], order=order)
    with pytest.raises(NotAllowed):
        services.order_cancel(actor=a["penyedia"], order=order, reason="Bahan habis")
    assert Order.objects.get(pk=order.pk).status == S.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        services.order_request_cancel(actor=a["penyedia"], order=order, reason="Bahan habis")
    worker()
    assert users["ppk"].notifications.filter(text__contains="Bahan habis").exists()
    with pytest.raises(ValidationFailed):
        services.order_request_cancel(actor=a["penyedia"], order=order, reason="Lagi")
    with django_capture_on_commit_callbacks(execute=True):
        services.order_decline_cancel(actor=a["ppk"], order=order, reason="Stok ada di gudang kedua")
    worker()
    assert users["penyedia"].notifications.filter(text__contains="Stok ada di gudang kedua").exists()
    services.order_request_cancel(actor=a["penyedia"], order=order, reason="Bahan benar-benar habis")
    order = services.order_cancel(actor=a["ppk"], order=order, reason="Disetujui: bahan habis")
    assert order.status == S.CANCELLED and stock_of(shop["product"]) == (100, 0, 100)
    sp = pdf_text(order.documents.get(kind="sp"))
    assert "DIBATALKAN" in sp and "Disetujui: bahan habis" in sp


def test_a_pp_may_still_cancel_before_the_ppk_approves(users, shop):
    order = submitted(users, shop, 4)
    order = services.order_cancel(actor=f.actor(users["pp"]), order=order, reason="Salah kode RUP")
    assert order.status == S.CANCELLED


def test_the_system_expires_an_sp_the_vendor_never_confirmed(users, shop):
    a = actors(users)
    order = services.order_approve(actor=a["ppk"], order=submitted(users, shop, 4))
    Order.objects.filter(pk=order.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    assert services.expire_overdue() == 1
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        services.order_confirm(actor=a["penyedia"], order=order)


def test_downloading_a_document_the_worker_has_not_rendered_stores_nothing(client, users, shop):
    a = actors(users)
    order = services.order_approve(actor=a["ppk"], order=submitted(users, shop, 2))
    sp = order.documents.get(kind="sp")
    assert not sp.pdf  # the worker has not run (tasks are dummies here)
    client.force_login(users["auditor"])
    response = client.get(f"/belanja/pesanan/{order.pk}/dokumen/sp/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert sp.number in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    sp.refresh_from_db()
    assert not sp.pdf
