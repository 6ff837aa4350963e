from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog


class RedFlagKind(models.TextChoices):
    """The red flags the auditor works through (katalog/insights/redflags.py)."""

    LISTED_AND_BOUGHT = "listed_and_bought", _("Listed or raised, then bought at once")
    SPLIT_PACKAGE = "split_package", _("Package split under the PP limit")
    CONCENTRATION = "concentration", _("One vendor takes most of an office's spending")
    NON_UMK_OVER_UMK = "non_umk_over_umk", _("Bought from a non-UMK vendor over a cheaper UMK offer")
    PRICE_ABOVE_LISTED = "price_above_listed", _("Price above the listed price")
    LATE_PAYMENT = "late_payment", _("Late payment")


class RedFlag(models.Model):
    """One finding: what tripped it (`evidence`: the numbers and the records), and the auditor's
    review. Found again, it is the same row (unique key per tenant and kind); a review changes
    nothing but the review fields."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=RedFlagKind.choices)
    key = models.CharField(max_length=200)  # what the flag is about, e.g. "order:12:item:30"
    evidence = models.JSONField(default=dict)  # {"numbers": {...}, "records": [{"type": "order", "id": 12}, ...]}
    found_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-found_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["katalog", "kind", "key"], name="redflag_unique_per_tenant")]
        indexes = [models.Index(fields=["katalog", "kind", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class SpendingRollup(models.Model):
    """The committed spending summed per (tenant, office, year, month of submission in city time,
    vendor size class, vendor kecamatan): what the spending dashboard reads instead of the orders
    (katalog/insights/rollups.py keeps it exact in the transaction of every order change;
    `katalog rebuild_rollups` recomputes it from the orders). `district` is the kecamatan code,
    "" when the vendor has none recorded."""

    katalog = models.ForeignKey(Katalog, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    size_class = models.CharField(max_length=10, blank=True, default="")
    district = models.CharField(max_length=13, blank=True, default="")
    value = models.DecimalField(max_digits=20, decimal_places=2, default=0)  # DPP + PPN of the committed orders
    count = models.IntegerField(default=0)
    realised = models.DecimalField(max_digits=20, decimal_places=2, default=0)  # of those, paid
    realised_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["katalog", "office", "year", "month", "size_class", "district"], name="spending_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["katalog", "year"])]

    def __str__(self) -> str:
        return f"{self.office_id} {self.year}-{self.month:02d} {self.size_class} {self.district}"


class CategoryRollup(models.Model):
    """The order lines of the committed orders summed per (tenant, office, year of submission,
    category of the version bought): their value (DPP of goods and shipping), how many orders have
    a line in the category, and the parts that are domestic products or have a TKDN recorded, of at
    least 25% and of at least 40%. Kept with SpendingRollup by katalog/insights/rollups.py."""

    katalog = models.ForeignKey(Katalog, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    category = models.ForeignKey("catalogue.Category", on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    orders = models.IntegerField(default=0)
    pdn = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    tkdn_recorded = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    tkdn25 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    tkdn40 = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["katalog", "office", "year", "category"], name="category_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.year} {self.category_id}"


class VendorRollup(models.Model):
    """The tenant's vendors counted per (source, kecamatan, sector, size class): how many, how many
    verified, how many invited. What the UMKM dashboard and the onboarding funnel read instead of
    grouping every vendor on every view. Kept exact by database triggers on the vendors table (every
    insert, update and delete, whatever code runs it: the ORM, a bulk load, plain SQL), created by
    migration 0003; `katalog rebuild_rollups` recomputes it (katalog/insights/vendor_rollups.py).
    `district` is the kecamatan code, "" when the vendor has none recorded."""

    # No database constraint: the triggers write these rows, and `flush` (between transactional
    # tests) deletes the tenants before the vendors whose DELETE triggers still count them.
    katalog = models.ForeignKey(Katalog, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    source = models.CharField(max_length=10)
    district = models.CharField(max_length=13, blank=True, default="")
    sector = models.CharField(max_length=100, blank=True, default="")
    size_class = models.CharField(max_length=10, blank=True, default="")
    vendors = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    invited = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["katalog", "source", "district", "sector", "size_class"], name="vendor_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.district} {self.sector} {self.size_class}"


class SizeChangeRollup(models.Model):
    """The size-class changes of the tenant's vendors (first classifications left out) counted per
    (month of the change, old class, new class): the "naik kelas" chart of the UMKM dashboard. Kept by
    triggers on the size-class history table like VendorRollup."""

    # No database constraint: the triggers write these rows, and `flush` (between transactional
    # tests) deletes the tenants before the vendors whose DELETE triggers still count them.
    katalog = models.ForeignKey(Katalog, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    month = models.DateField()  # the first day of the month of `changed_on`
    old_class = models.CharField(max_length=10)
    new_class = models.CharField(max_length=10)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["katalog", "month", "old_class", "new_class"], name="size_change_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.old_class}→{self.new_class}"


class RegistryFingerprint(models.Model):
    """The registry row a vendor was last imported from or found equal to, as a hash
    (katalog/vendors/imports.py): a re-import finds the same row unchanged without checking it
    again. A trigger on the vendors table deletes the fingerprint when any field the import compares
    changes, whoever changes it, so a fingerprint present always means "the vendor still holds what
    this row gives"."""

    vendor = models.OneToOneField("vendors.Vendor", on_delete=models.CASCADE, primary_key=True, related_name="+")
    katalog = models.ForeignKey(Katalog, on_delete=models.CASCADE, related_name="+", db_index=False)  # (katalog, nib)
    nib = models.CharField(max_length=13)
    row_hash = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["katalog", "nib"])]

    def __str__(self) -> str:
        return f"{self.nib} {self.row_hash}"
