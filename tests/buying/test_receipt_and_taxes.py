"""Receipt as a PPK checks it (refused goods, late delivery computed, never ticked) and money as a
treasurer books it (PPN, PPh 22 or the final 0.5%, threshold, penalty, net), in whole rupiah."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from katalog.buying import services, taxes
from katalog.buying.models import BudgetLine, Order, OrderItem, OrderStatus, RefusalMode
from katalog.catalogue.models import Product
from katalog.core.errors import NotAllowed, ValidationFailed
from tests import factories as f
from tests.buying.conftest import listed_product

S = OrderStatus


def actors(users):
    return {r: f.actor(users[r]) for r in ("pp", "ppk", "penyedia", "treasurer")}


def confirmed(users, product, line, quantity):
    a = actors(users)
    order = services.order_create(
        actor=a["pp"], budget_line=line, addresses=["Kantor"], items=[services.ItemRequest(product.pk, quantity)]
    )
    order = services.order_submit(actor=a["pp"], order=order)
    order = services.order_approve(actor=a["ppk"], order=order)
    return services.order_confirm(actor=a["penyedia"], order=order)


def deliver(users, order, quantity, on=None):
    item = order.items.get()
    return services.order_deliver(
        actor=f.actor(users["penyedia"]),
        order=Order.objects.get(pk=order.pk),
        address_id=order.addresses.get().pk,
        lines={item.pk: quantity},
        delivered_on=on,
    )


def figures(shop):
    line = BudgetLine.objects.get(pk=shop["line"].pk)
    p = Product.objects.get(pk=shop["product"].pk)
    return line.committed, p.stock, p.reserved


# --- PPN and withholding: the arithmetic ------------------------------------------------------------------


@pytest.mark.parametrize(
    "dpp, base, vat",
    [
        ("1000000", "916666", "109999"),  # 11/12 of 1.000.000 = 916.666,67 → 916.666; 12% → 109.999,92 → 109.999
        ("3703701", "3395059", "407407"),
        ("12", "11", "1"),
        ("1", "0", "0"),
    ],
)
def test_ppn_is_twelve_percent_of_eleven_twelfths_rounded_down_to_the_rupiah(dpp, base, vat):
    result = taxes.vat_of(Decimal(dpp), pkp=True)
    assert (result.base, result.vat, result.total) == (Decimal(base), Decimal(vat), Decimal(dpp) + Decimal(vat))


def test_a_vendor_that_is_not_a_pkp_charges_no_ppn():
    assert taxes.vat_of(Decimal("5000000"), pkp=False).vat == 0


def test_the_treasurer_withholds_nothing_at_or_below_two_million():
    booked = taxes.settlement(
        dpp=Decimal("1801802"), vat=Decimal("198198"), penalty=Decimal(0), pp55=False, has_npwp=True
    )
    assert (booked.gross, booked.vat_collected, booked.income_tax, booked.net) == (
        Decimal("2000000"),
        0,
        0,
        Decimal("2000000"),
    )


def test_a_umkm_with_a_pp55_certificate_has_half_a_percent_final_pph_withheld():
    booked = taxes.settlement(
        dpp=Decimal("10000000"), vat=Decimal(0), penalty=Decimal("5000"), pp55=True, has_npwp=True
    )
    assert (booked.income_tax_kind, booked.income_tax_rate, booked.income_tax, booked.penalty, booked.net) == (
        taxes.PPH_FINAL,
        Decimal("0.5"),
        Decimal("50000"),
        Decimal("5000"),
        Decimal("9945000"),
    )


def test_pph22_doubles_without_an_npwp():
    booked = taxes.settlement(dpp=Decimal("10000000"), vat=Decimal(0), penalty=Decimal(0), pp55=False, has_npwp=False)
    assert (booked.income_tax_rate, booked.income_tax) == (Decimal("3.0"), Decimal("300000"))


def test_the_late_penalty_is_one_per_mille_a_day_of_the_late_value():
    assert taxes.late_penalty(late_value=Decimal("1000000"), days=5) == Decimal("5000")
    assert taxes.late_penalty(late_value=Decimal("999"), days=1) == Decimal("0")
    assert taxes.late_penalty(late_value=Decimal("1000000"), days=0) == Decimal("0")


# --- Refusal at receipt --------------------------------------------------------------------------------------


def test_refused_goods_to_be_replaced_go_back_to_the_vendor_and_are_owed_again(users, shop):
    order = confirmed(users, shop["product"], shop["line"], 4)
    deliver(users, order, 4)
    assert figures(shop) == (Decimal("1000000.00"), 96, 0)
    item = order.items.get()
    services.order_refuse(
        actor=f.actor(users["ppk"]), order=order, lines={item.pk: 1}, mode=RefusalMode.REPLACE, reason="Jahitan lepas"
    )
    order.refresh_from_db()
    item.refresh_from_db()
    assert (order.status, item.quantity, item.delivered_quantity) == (S.IN_PROGRESS, 4, 3)
    # The refused unit is the vendor's again (on hand) and held for this order until replaced.
    assert figures(shop) == (Decimal("1000000.00"), 97, 1)
    deliver(users, order, 1)
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    assert figures(shop) == (Decimal("1000000.00"), 96, 0)


def test_refused_goods_taken_off_the_order_release_their_budget(users, shop):
    order = confirmed(users, shop["product"], shop["line"], 4)
    deliver(users, order, 4)
    item = order.items.get()
    services.order_refuse(
        actor=f.actor(users["ppk"]), order=order, lines={item.pk: 1}, mode=RefusalMode.REDUCE, reason="Warna salah"
    )
    order.refresh_from_db()
    item.refresh_from_db()
    assert (order.status, item.quantity, item.reduced_quantity, order.total) == (S.DELIVERED, 3, 1, Decimal("750000"))
    assert order.committed_amount == Decimal("750000")
    assert figures(shop) == (Decimal("750000.00"), 97, 0)
    order = services.order_receive(actor=f.actor(users["ppk"]), order=order, quantity_ok=True, condition_ok=True)
    assert order.status == S.RECEIVED


def test_an_order_refused_whole_and_reduced_to_nothing_is_cancelled_and_released(users, shop):
    order = confirmed(users, shop["product"], shop["line"], 4)
    deliver(users, order, 4)
    item = order.items.get()
    services.order_refuse(
        actor=f.actor(users["ppk"]), order=order, lines={item.pk: 4}, mode=RefusalMode.REDUCE, reason="Semua cacat"
    )
    order.refresh_from_db()
    assert (order.status, order.cancel_reason, order.committed_amount) == (S.CANCELLED, "Semua cacat", 0)
    assert figures(shop) == (Decimal("0.00"), 100, 0)


def test_only_the_ppk_refuses_only_what_was_delivered_and_with_a_reason(users, shop):
    order = confirmed(users, shop["product"], shop["line"], 4)
    deliver(users, order, 2)
    item = order.items.get()
    with pytest.raises(NotAllowed):
        services.order_refuse(actor=f.actor(users["pp"]), order=order, lines={item.pk: 1}, mode="replace", reason="x")
    with pytest.raises(ValidationFailed):
        services.order_refuse(actor=f.actor(users["ppk"]), order=order, lines={item.pk: 3}, mode="replace", reason="x")
    with pytest.raises(ValidationFailed) as no_reason:
        services.order_refuse(actor=f.actor(users["ppk"]), order=order, lines={item.pk: 1}, mode="replace", reason=" ")
    assert no_reason.value.code == "reason_required"
    assert OrderItem.objects.get(pk=item.pk).delivered_quantity == 2
    assert figures(shop) == (Decimal("1000000.00"), 98, 2)


# --- Late delivery is computed, and the penalty reaches the payment ------------------------------------------


def test_a_late_delivery_is_computed_from_the_sp_deadline_and_taken_off_the_payment(users, medan, office):
    a = actors(users)
    vendor = f.make_vendor(medan, users=[users["penyedia"]], is_vat_registered=True, pp55_certificate="PP55-001")
    product = listed_product(medan, vendor, name="Meja guru", price="1000000")
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-MEJA", name="Mebel", fiscal_year=2026, ceiling=Decimal("50000000")
    )
    order = confirmed(users, product, line, 10)
    today = timezone.localdate()
    # The SP was signed long ago: its deadline passed five days before today's delivery.
    Order.objects.filter(pk=order.pk).update(
        confirmed_at=timezone.now() - timedelta(days=20), delivery_deadline=today - timedelta(days=5)
    )
    deliver(users, order, 6, on=today - timedelta(days=7))  # on time
    deliver(users, order, 4, on=today)  # 5 days late, 4.000.000 of goods
    order = services.order_receive(
        actor=a["ppk"], order=Order.objects.get(pk=order.pk), quantity_ok=True, condition_ok=True, on_time=True
    )
    check = order.receipt_check
    assert (check.on_time, check.late_days, check.penalty) == (False, 5, Decimal("20000"))
    invoice = services.order_invoice(actor=a["penyedia"], order=order)
    # DPP 10.000.000; PPN 12% of 9.166.666 = 1.099.999; total 11.099.999
    assert (invoice.subtotal, invoice.vat, invoice.total, invoice.penalty) == (
        Decimal("10000000"),
        Decimal("1099999"),
        Decimal("11099999"),
        Decimal("20000"),
    )
    payment = services.order_pay(actor=a["treasurer"], order=order, method="ls", paid_on=today, reference="SP2D-7")
    # PPN collected 1.099.999; final PPh 0,5% of the DPP 50.000; penalty 20.000
    assert (payment.vat_collected, payment.income_tax_kind, payment.income_tax, payment.penalty, payment.amount) == (
        Decimal("1099999"),
        "pph_final",
        Decimal("50000"),
        Decimal("20000"),
        Decimal("9930000"),
    )


def test_the_invoice_date_cannot_precede_the_bast_nor_be_in_the_future(users, shop):
    a = actors(users)
    order = confirmed(users, shop["product"], shop["line"], 2)
    deliver(users, order, 2)
    order = services.order_receive(
        actor=a["ppk"], order=Order.objects.get(pk=order.pk), quantity_ok=True, condition_ok=True
    )
    for day in (timezone.localdate() - timedelta(days=1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(ValidationFailed) as refused:
            services.order_invoice(actor=a["penyedia"], order=order, invoice_date=day)
        assert "invoice_date" in refused.value.fields
    assert Order.objects.get(pk=order.pk).status == S.RECEIVED


def _late_setup(users, medan, office, *, deadline_days_ago):
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    product = listed_product(medan, vendor, name="Kursi murid", price="100000")
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-KURSI", name="Mebel", fiscal_year=2026, ceiling=Decimal("50000000")
    )
    order = confirmed(users, product, line, 10)
    Order.objects.filter(pk=order.pk).update(
        confirmed_at=timezone.now() - timedelta(days=20),
        delivery_deadline=timezone.localdate() - timedelta(days=deadline_days_ago),
    )
    return Order.objects.get(pk=order.pk)


def test_goods_refused_and_taken_off_the_order_carry_no_late_penalty(users, medan, office):
    order = _late_setup(users, medan, office, deadline_days_ago=4)
    deliver(users, order, 10)  # 4 days late
    item = order.items.get()
    services.order_refuse(actor=f.actor(users["ppk"]), order=order, lines={item.pk: 2}, mode="reduce", reason="Patah")
    # 8 kept × Rp100.000 × 1‰ × 4 days
    assert services.lateness(Order.objects.get(pk=order.pk)) == (4, Decimal("3200"))


def test_a_late_replacement_costs_the_penalty_of_what_it_replaced_only(users, medan, office):
    order = _late_setup(users, medan, office, deadline_days_ago=2)
    deliver(users, order, 10, on=timezone.localdate() - timedelta(days=3))  # a day early
    item = order.items.get()
    services.order_refuse(actor=f.actor(users["ppk"]), order=order, lines={item.pk: 2}, mode="replace", reason="Retak")
    deliver(users, order, 2)  # the replacement, 2 days late
    # 2 × Rp100.000 × 1‰ × 2 days
    assert services.lateness(Order.objects.get(pk=order.pk)) == (2, Decimal("400"))
