"""How long vendors wait for their money: per office from the records, and overdue invoices flagged."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from katalog.buying.models import Invoice, Order, Payment
from katalog.buying.selectors import payment_report
from tests import factories as f


def paid_order(shop_line, vendor, user, office, *, received: date, paid: date | None, status="paid"):
    order = Order.objects.create(
        katalog=office.katalog,
        office=office,
        vendor=vendor,
        budget_line=shop_line,
        created_by=user,
        status=status,
        total=Decimal("100000"),
        received_at=timezone.make_aware(timezone.datetime(received.year, received.month, received.day, 9)),
        sent_to_vendor_at=timezone.make_aware(timezone.datetime(received.year, received.month, received.day, 8)),
    )
    invoice = Invoice.objects.create(order=order, number=f"INV/{order.pk}", subtotal=order.total, total=order.total)
    if paid:
        Payment.objects.create(
            invoice=invoice, method="ls", paid_on=paid, reference="SP2D", amount=order.total, recorded_by=user
        )
    return order


def test_days_to_payment_per_office_and_overdue_invoices(client_as, users, shop, office, settings):
    settings.KATALOG_UNPAID_FLAG_DAYS = 30
    today = timezone.localdate()
    ppk = users["ppk"]
    for received, paid in [
        (today - timedelta(days=40), today - timedelta(days=30)),
        (today - timedelta(days=20), today - timedelta(days=16)),
    ]:
        paid_order(shop["line"], shop["vendor"], ppk, office, received=received, paid=paid)
    late = paid_order(
        shop["line"], shop["vendor"], ppk, office, received=today - timedelta(days=50), paid=None, status="invoiced"
    )
    Invoice.objects.filter(order=late).update(issued_at=timezone.now() - timedelta(days=45))
    fresh = paid_order(
        shop["line"], shop["vendor"], ppk, office, received=today - timedelta(days=3), paid=None, status="invoiced"
    )
    report = payment_report(f.actor(users["treasurer"]))
    assert [(r["office"].code, r["orders"], r["mean"], r["max"]) for r in report["offices"]] == [
        ("1.01.01", 2, 7.0, 10)
    ]
    assert [(r["order"].pk, r["days"]) for r in report["overdue"]] == [(late.pk, 45)]
    page = client_as(users["treasurer"]).get("/dasbor/pembayaran/").content.decode()
    assert f"#{late.pk}" in page and f"#{fresh.pk}" not in page
    # The vendor sees the delay on its order.
    assert "unpaid-overdue" in client_as(users["penyedia"]).get(f"/belanja/pesanan/{late.pk}/").content.decode()


def test_another_office_sees_none_of_it(client_as, medan, users, shop, office):
    paid_order(shop["line"], shop["vendor"], users["ppk"], office, received=date(2026, 1, 5), paid=date(2026, 1, 9))
    stranger = f.make_user(medan, "treasurer", office=f.make_office(medan, "9.99.01", "Dinas Lain"))
    assert payment_report(f.actor(stranger)) == {"offices": [], "overdue": []}
    # The Pengelola and the auditor read every office's figures; a vendor with no order reads none.
    assert "1.01.01" not in client_as(stranger).get("/dasbor/pembayaran/").content.decode()
    assert client_as(users["auditor"]).get("/dasbor/pembayaran/").status_code == 200
