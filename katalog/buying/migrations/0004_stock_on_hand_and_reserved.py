"""Stock was one number (what was left after reservations). It is now on hand and reserved: every
submitted, undelivered quantity of an order that holds stock becomes `reserved`, and is added back to
`stock` (on hand), so that available (on hand − reserved) is what it was. Orders already shown to the
vendor are marked so; the PPN of existing orders is what they committed beyond their DPP."""

from django.db import migrations
from django.db.models import F

RESERVING = ("awaiting_approval", "awaiting_confirmation", "in_progress")


def forwards(apps, schema_editor):
    Product = apps.get_model("catalogue", "Product")
    Order = apps.get_model("buying", "Order")
    OrderItem = apps.get_model("buying", "OrderItem")
    Payment = apps.get_model("buying", "Payment")
    held: dict[int, int] = {}
    for item in OrderItem.objects.filter(order__status__in=RESERVING).only("product_id", "quantity", "delivered_quantity"):
        held[item.product_id] = held.get(item.product_id, 0) + item.quantity - item.delivered_quantity
    for product_id, quantity in held.items():
        if quantity > 0:
            Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity, reserved=F("reserved") + quantity)
    Order.objects.exclude(status="draft").update(sent_to_vendor_at=F("created_at"))
    Order.objects.filter(status="draft", offers__isnull=False).update(sent_to_vendor_at=F("created_at"))
    for order in Order.objects.filter(committed_amount__gt=F("total")):
        Order.objects.filter(pk=order.pk).update(vat=order.committed_amount - order.total)
    Payment.objects.update(gross=F("amount"))


class Migration(migrations.Migration):
    dependencies = [
        ("buying", "0003_taxes_refusals_documents"),
        ("catalogue", "0002_stock_reserved"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
