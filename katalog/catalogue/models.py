"""Categories, products, their immutable versions, claims and photos."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog
from katalog.vendors.models import Vendor


class Category(models.Model):
    """A node of the tenant's three-level category tree (etalase / kategori)."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.CharField(max_length=30)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(default=1)  # 1 = top level … 3
    # Attributes this category asks of its products: [{"key": "pirt", "label": "Nomor PIRT"}, ...]
    required_attributes = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["katalog", "code"], name="category_code_unique_per_tenant"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="category_level_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """This category's id and its ancestors', nearest first (at most three)."""
        ids, node = [], self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


class ProductStatus(models.TextChoices):
    """Where a product stands in curation. Transitions live in `workflow.TRANSITIONS`."""

    DRAFT = "draft", _("Draft")  # the vendor is still writing it
    SUBMITTED = "submitted", _("Waiting for curation")  # in the Pengelola's queue
    REVISION_REQUESTED = "revision_requested", _("Revision requested")  # vendor must fix and resubmit
    REJECTED = "rejected", _("Rejected")  # refused with a reason
    LISTED = "listed", _("Listed")  # tayang: buyers see and buy it
    FROZEN = "frozen", _("Frozen")  # dibekukan by the Pengelola, with a reason
    DELISTED = "delisted", _("Delisted")  # turun tayang by the Pengelola, with a reason
    WITHDRAWN = "withdrawn", _("Withdrawn")  # taken down by its vendor


STOCK_FIELDS = frozenset({"stock", "reserved"})


class Product(models.Model):
    """A product of a vendor. What it says (name, price, specification…) lives in immutable
    versions; the product points at the version on sale and at the newest one."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="products")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products")
    # The newest version's name, kept here so an import can match "same vendor, same name".
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT, db_index=True)
    status_reason = models.TextField(blank=True, default="")
    listed_version = models.ForeignKey(
        "ProductVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    latest_version = models.ForeignKey(
        "ProductVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Stock is two numbers (see docs/decisions.md, "Stock"): `stock` is what the vendor says it holds
    # (on hand: the form, the import column `stok` and the API mean this), `reserved` the sum of the
    # submitted, undelivered order quantities. Available = on hand − reserved. Both change only in
    # `catalogue/stock.py`, by conditional UPDATEs, and the CHECKs below refuse anything else.
    stock = models.PositiveIntegerField(_("stock on hand"), default=0)
    reserved = models.PositiveIntegerField(_("reserved by orders"), default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["katalog", "status"]), models.Index(fields=["vendor", "name"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="product_reserved_not_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("stock")), name="product_reserved_within_stock"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Stock moves only by the conditional UPDATEs of catalogue/stock.py: saving a product read a
        # moment ago must never write back the figures it read (that oversold stock).
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in STOCK_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def available(self) -> int:
        """What can still be ordered: on hand less what submitted orders hold."""
        return max(self.stock - self.reserved, 0)

    @property
    def has_pending_change(self) -> bool:
        """A listed product whose newest version waits for curation."""
        return (
            self.status == ProductStatus.LISTED
            and self.listed_version_id is not None
            and self.latest_version_id != self.listed_version_id
        )


class ProductVersion(models.Model):
    """One immutable state of a product. An order keeps the version it bought."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=30)
    price = models.DecimalField(_("price (ceiling)"), max_digits=16, decimal_places=2)
    min_order = models.PositiveIntegerField(_("minimum order"), default=1)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (working days)"), default=3)
    # Where the vendor delivers: Kepmendagri codes of districts or whole regencies/cities.
    delivery_area = models.JSONField(default=list, blank=True)
    is_domestic = models.BooleanField(_("domestic product (PDN)"), default=True)
    tkdn_percent = models.DecimalField(_("TKDN %"), max_digits=5, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="version_price_positive"),
            models.CheckConstraint(condition=models.Q(min_order__gte=1), name="version_min_order_at_least_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args, **kwargs):
        # Versions are written once; only the curation stamp may be added later.
        if self.pk is not None and set(kwargs.get("update_fields") or []) != {"approved_at"}:
            raise ValueError("a product version is immutable; create a new version instead")
        super().save(*args, **kwargs)


class ClaimKind(models.TextChoices):
    """What a vendor may claim of a product, with evidence the Pengelola checks."""

    PDN = "pdn", _("Domestic product (PDN)")
    TKDN = "tkdn", _("TKDN certificate")
    SNI = "sni", _("SNI")
    HALAL = "halal", _("Halal certificate")
    PIRT = "pirt", _("PIRT permit")
    BPOM = "bpom", _("BPOM number")


class Claim(models.Model):
    """A claim of one version. Buyers see it only once the Pengelola has verified it."""

    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=10, choices=ClaimKind.choices)
    number = models.CharField(_("certificate or permit number"), max_length=100, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="one_claim_per_kind")]


def photo_path(instance: "ProductPhoto", filename: str) -> str:
    return f"products/{instance.product.katalog_id}/{instance.product_id}/{instance.token}{filename[-10:]}"


class ProductPhoto(models.Model):
    """A product photo, re-encoded (metadata stripped) with a thumbnail."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32)
    image = models.ImageField(upload_to=photo_path, max_length=200)
    thumbnail = models.ImageField(upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]


class FlagKind(models.TextChoices):
    PRICE_JUMP = "price_jump", _("Price raised more than 25% within 30 days")


class ProductFlag(models.Model):
    """Something the Pengelola should look at (KPK fraud patterns: prices raised before a purchase)."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="flags")
    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
