"""A few purchases of the demo office, taken through the real services (so stock, budget, taxes,
documents and the audit log are as a real purchase leaves them): two completed, one paid, one being
delivered, one waiting for the PPK, one cancelled. They give the dashboards, the public transparency
page and the open data something to show. Loaded once: a tenant that has orders gets none."""

from django.contrib.auth.models import User
from django.utils import timezone

from katalog.accounts.selectors import actor_for
from katalog.buying import services
from katalog.buying.models import BudgetLine, Order
from katalog.catalogue.models import Product, ProductStatus
from katalog.core.models import Katalog

# (what happens to it, product name fragment, quantity)
PURCHASES = [
    ("completed", "Seragam", 12),
    ("completed", "Kertas", 40),
    ("paid", "Ulos", 3),
    ("in_progress", "Kemeja", 8),
    ("awaiting_approval", "Sepatu", 5),
    ("cancelled", "Kue", 50),
]


def _actor(katalog: Katalog, username: str):
    return actor_for(User.objects.get(username=username), katalog)


def load_orders(katalog: Katalog, office) -> int:
    if Order.objects.filter(katalog=katalog).exists():
        return 0
    pp, ppk, treasurer = (_actor(katalog, u) for u in ("pp", "ppk", "bendahara"))
    line = BudgetLine.objects.filter(katalog=katalog, office=office).order_by("kode_rup").first()
    # Only a vendor whose owner has an account can confirm and deliver: the demo owner's business.
    listed = Product.objects.filter(
        vendor__katalog=katalog, vendor__users__isnull=False, status=ProductStatus.LISTED
    ).select_related("vendor")
    made = 0
    for fate, fragment, quantity in PURCHASES:
        product = listed.filter(name__icontains=fragment).order_by("pk").first() or listed.order_by("pk").first()
        product.refresh_from_db()  # what earlier demo orders reserved or delivered
        quantity = max(product.listed_version.min_order, min(quantity, product.available // 3))
        if quantity > product.available:
            continue
        if product is None:
            break
        owner = product.vendor.users.order_by("pk").first()
        vendor = actor_for(owner, katalog)
        order = services.order_create(
            actor=pp,
            budget_line=line,
            items=[services.ItemRequest(product.pk, quantity)],
            addresses=[office.address or "Kantor " + office.name],
            note="Contoh pembelian (data demo)",
        )
        order = services.order_submit(actor=pp, order=order)
        made += 1
        if fate == "awaiting_approval":
            continue
        if fate == "cancelled":
            services.order_cancel(actor=pp, order=order, reason="Kebutuhan acara dibatalkan (data demo)")
            continue
        order = services.order_approve(actor=ppk, order=order)
        order = services.order_confirm(actor=vendor, order=order)
        items = {i.pk: i.quantity for i in order.items.all()}
        if fate == "in_progress":
            first = next(iter(items))
            services.order_deliver(
                actor=vendor,
                order=order,
                address_id=order.addresses.first().pk,
                lines={first: max(1, items[first] // 2)},
            )
            continue
        services.order_deliver(actor=vendor, order=order, address_id=order.addresses.first().pk, lines=items)
        order.refresh_from_db()
        order = services.order_receive(actor=ppk, order=order, quantity_ok=True, condition_ok=True)
        services.order_invoice(actor=vendor, order=order)
        order.refresh_from_db()
        services.order_pay(
            actor=treasurer,
            order=order,
            method="ls",
            paid_on=timezone.localdate(),
            reference=f"SP2D-DEMO-{order.pk:04d}",
        )
        if fate == "completed":
            order.refresh_from_db()
            services.order_rate(actor=ppk, order=order, quality=5, timeliness=4, service=5, price=4)
    return made
