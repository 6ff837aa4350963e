"""E-purchasing: budget lines, carts, orders and everything an order produces."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from katalog.accounts.models import Office
from katalog.catalogue.models import Product, ProductVersion
from katalog.core.models import Katalog
from katalog.vendors.models import Vendor


class BudgetLine(models.Model):
    """An RUP package: a budget line of an office with its ceiling (pagu).

    `committed` is the sum of the orders charged to it that were submitted and not cancelled;
    it changes only by conditional UPDATEs in `budget.py`, and the database refuses a value
    above the ceiling or below zero whatever the code does."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="budget_lines")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="budget_lines")
    kode_rup = models.CharField(_("RUP code"), max_length=30)
    name = models.CharField(_("package name"), max_length=300)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    funding_source = models.CharField(_("funding source"), max_length=30, default="APBD")
    # The budget account (kode rekening belanja) the line is charged to, printed on the documents.
    account_code = models.CharField(_("budget account code"), max_length=60, blank=True, default="")
    ceiling = models.DecimalField(_("ceiling (pagu)"), max_digits=18, decimal_places=2)
    committed = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kode_rup"]
        constraints = [
            models.UniqueConstraint(fields=["katalog", "kode_rup"], name="rup_code_unique_per_tenant"),
            models.CheckConstraint(condition=Q(committed__lte=F("ceiling")), name="budget_committed_within_ceiling"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="budget_committed_not_negative"),
            models.CheckConstraint(condition=Q(ceiling__gt=0), name="budget_ceiling_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kode_rup} {self.name}"

    @property
    def remaining(self):
        return self.ceiling - self.committed


class CartItem(models.Model):
    """One line of a buyer's cart. The cart holds products of several vendors; a checkout takes
    one vendor's lines."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["buyer", "product"], name="cart_one_line_per_product")]


class OrderStatus(models.TextChoices):
    """Where an order stands. Transitions live in `workflow.TRANSITIONS`."""

    DRAFT = "draft", _("Draft")  # being built by the buyer; reserves nothing
    NEGOTIATING = "negotiating", _("Negotiating")  # an offer waits for the other side
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting PPK approval")  # stock and budget reserved
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting vendor confirmation")  # Surat Pesanan issued
    IN_PROGRESS = "in_progress", _("In progress")  # confirmed; deliveries may be partial
    DELIVERED = "delivered", _("Delivered")  # every quantity delivered
    RECEIVED = "received", _("Received (BAST signed)")  # the PPK checked receipt and signed the BAST
    INVOICED = "invoiced", _("Invoiced")  # the vendor sent its invoice
    PAID = "paid", _("Paid")  # the treasurer recorded payment
    COMPLETED = "completed", _("Completed")  # the PPK rated the vendor
    CANCELLED = "cancelled", _("Cancelled")  # with a reason; stock and budget released


class Order(models.Model):
    """A purchase package from one vendor, charged to one budget line."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="orders")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="orders")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="orders")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=30, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # `total` is the DPP (items + shipping, before tax), `vat` the PPN on it (a PKP vendor only),
    # both whole rupiah (buying/taxes.py); `committed_amount` is what the budget line holds for the
    # order (total + vat while it reserves, 0 otherwise), kept to release exactly.
    total = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    vat = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    committed_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    note = models.TextField(blank=True, default="")
    cancel_reason = models.TextField(blank=True, default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the vendor first saw the order (an offer or the submission): before that it is the
    # buyer's draft, which the vendor never sees.
    sent_to_vendor_at = models.DateTimeField(null=True, blank=True)
    # After the Surat Pesanan the vendor may only ask for cancellation; the PPK decides.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_request_reason = models.TextField(blank=True, default="")
    # The agreed lead time (the longest of the items', in working days) and the delivery deadline
    # it gives from the date of the Surat Pesanan.
    lead_time_days = models.PositiveSmallIntegerField(default=0)
    delivery_deadline = models.DateField(null=True, blank=True)
    # While waiting for the PPK or the vendor: when the wait expires (3 working days).
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["katalog", "office", "status"]), models.Index(fields=["vendor", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ProductVersion, on_delete=models.PROTECT, related_name="+")  # the version bought
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=16, decimal_places=2)
    shipping_cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    delivered_quantity = models.PositiveIntegerField(default=0)
    # Refused at receipt and not to be replaced: taken off `quantity` (which may reach 0); the
    # quantity of the Surat Pesanan is `quantity + reduced_quantity`.
    reduced_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) | Q(reduced_quantity__gte=1), name="item_quantity_positive"
            ),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="item_price_positive"),
            models.CheckConstraint(condition=Q(shipping_cost__gte=0), name="item_shipping_not_negative"),
            models.CheckConstraint(condition=Q(delivered_quantity__lte=F("quantity")), name="item_not_over_delivered"),
        ]

    @property
    def line_total(self):
        return self.unit_price * self.quantity + self.shipping_cost


class DeliveryAddress(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="addresses")
    address = models.CharField(_("delivery address"), max_length=300)


class OfferSide(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    VENDOR = "vendor", _("Vendor")


class Offer(models.Model):
    """One offer in a negotiation: per item, price, quantity and shipping. Every offer is kept."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="offers")
    side = models.CharField(max_length=10, choices=OfferSide.choices)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lines = models.JSONField()  # [{"item": id, "unit_price": "…", "quantity": n, "shipping_cost": "…"}]
    message = models.TextField(blank=True, default="")
    accepted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class DocumentKind(models.TextChoices):
    PURCHASE_ORDER = "sp", _("Purchase order (Surat Pesanan)")
    BAST = "bast", _("Handover record (BAST)")
    INVOICE = "inv", _("Invoice")
    RECEIPT = "kw", _("Receipt (kuitansi)")


class DocumentCounter(models.Model):
    """The last number given per office, year and kind. Locked (SELECT … FOR UPDATE) while a
    number is taken, so numbers have no gaps and no duplicates."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=4, choices=DocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year", "kind"], name="counter_unique")]


class OrderDocument(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=4, choices=DocumentKind.choices)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=80)
    # Extra rows of the document (e.g. the receipt check of a BAST), fixed when it is issued.
    details = models.JSONField(default=list, blank=True)
    # The figures of the document, fixed when it is issued (lines, DPP, PPN, penalty, total…), so a
    # later refusal or payment never changes what a signed document says. See documents.snapshot.
    snapshot = models.JSONField(default=dict, blank=True)
    # Rendered after the approval commits (by the task worker, or on first download).
    pdf = models.FileField(upload_to="documents/%Y/", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "kind", "sequence"], name="document_number_unique"),
            models.UniqueConstraint(fields=["order", "kind"], name="one_document_per_kind_per_order"),
        ]


class Delivery(models.Model):
    """One shipment (deliveries may be partial and go to several addresses)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deliveries")
    address = models.ForeignKey(DeliveryAddress, on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField()
    photo = models.ImageField(upload_to="deliveries/%Y/", blank=True, max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField()


class RefusalMode(models.TextChoices):
    REPLACE = "replace", _("The vendor replaces them")  # the quantity is to be delivered again
    REDUCE = "reduce", _("Reduce the order")  # the quantity leaves the order; budget released


class Refusal(models.Model):
    """Goods that failed the receipt check, refused by the PPK with a reason (and a photo)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refusals")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="refusals")
    quantity = models.PositiveIntegerField()
    mode = models.CharField(max_length=10, choices=RefusalMode.choices)
    reason = models.TextField()
    photo = models.ImageField(upload_to="refusals/%Y/", blank=True, max_length=200)
    refused_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    refused_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="refusal_quantity_positive")]


class ReceiptCheck(models.Model):
    """The PPK's check of what arrived, before the BAST. Lateness is computed, never ticked:
    `late_days` and `penalty` come from the delivery dates against the order's deadline."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="receipt_check")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity_ok = models.BooleanField()
    condition_ok = models.BooleanField()
    on_time = models.BooleanField()
    late_days = models.PositiveIntegerField(default=0)
    penalty = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    received_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    checked_at = models.DateTimeField(auto_now_add=True)


class Invoice(models.Model):
    """The vendor's bill after the BAST: DPP (`subtotal`), PPN and total, all whole rupiah. The late
    penalty of the BAST is shown and taken off what is payable (`payable`)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="invoice")
    number = models.CharField(max_length=60)
    invoice_date = models.DateField(null=True, blank=True)
    subtotal = models.DecimalField(max_digits=18, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)  # percent; 0 for a non-PKP
    vat_base = models.DecimalField(max_digits=18, decimal_places=2, default=0)  # DPP nilai lain (11/12)
    vat = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=18, decimal_places=2)
    penalty = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    issued_at = models.DateTimeField(auto_now_add=True)

    @property
    def payable(self):
        return self.total - self.penalty


class PaymentMethod(models.TextChoices):
    UP = "up", _("Petty-cash transfer (UP)")
    KKPD = "kkpd", _("Regional credit card (KKPD)")
    LS = "ls", _("Direct payment (LS)")


class Payment(models.Model):
    """The treasurer's payment of an invoice, as it is booked: the gross (the invoice total), what
    the treasurer collects and withholds (PPN as pemungut, PPh 22 or the 0.5% final PPh), the late
    penalty, and the net transferred to the vendor (`amount`). See buying/taxes.py."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=5, choices=PaymentMethod.choices)
    paid_on = models.DateField()
    reference = models.CharField(_("reference (e.g. SP2D number)"), max_length=100)
    gross = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    vat_collected = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    income_tax_kind = models.CharField(max_length=12, blank=True, default="")  # "pph22", "pph_final" or ""
    income_tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)  # percent
    income_tax = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    penalty = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2)  # the net paid to the vendor
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Rating(models.Model):
    """The PPK's rating of the vendor after the BAST, with the vendor's one reply."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="rating")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="ratings")
    quality = models.PositiveSmallIntegerField()
    timeliness = models.PositiveSmallIntegerField()
    service = models.PositiveSmallIntegerField()
    price = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")
    reply = models.TextField(blank=True, default="")
    replied_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    quality__range=(1, 5), timeliness__range=(1, 5), service__range=(1, 5), price__range=(1, 5)
                ),
                name="rating_scores_1_to_5",
            )
        ]


class Notification(models.Model):
    """A message for someone who must act, shown on their notifications page and e-mailed."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
