"""Penyedia (vendors): the business, its documents, and its size-class history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog, Region

from .size_class import SizeClass


class VendorStatus(models.TextChoices):
    """Where a vendor stands in onboarding. Transitions live in `workflow.TRANSITIONS`."""

    DRAFT = "draft", _("Draft")  # being filled in; nobody reviews it yet
    SUBMITTED = "submitted", _("Waiting for verification")  # in the Pengelola's queue
    REVISION_REQUESTED = "revision_requested", _("Revision requested")  # owner must fix and resubmit
    REJECTED = "rejected", _("Rejected")  # refused with a reason; the owner may fix and resubmit
    VERIFIED = "verified", _("Verified")  # may list products


class VendorSource(models.TextChoices):
    """How the vendor came in."""

    SELF = "self", _("Self-registration")  # the owner, on the web
    ASSISTED = "assisted", _("Assisted at the Dinas desk")  # a Pengelola, for the owner
    IMPORT = "import", _("Dinas registry import")  # verified by import


class Vendor(models.Model):
    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="vendors")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="vendors")
    name = models.CharField(_("business name"), max_length=200)
    owner_name = models.CharField(_("owner name"), max_length=150, blank=True, default="")
    nib = models.CharField(_("NIB"), max_length=13, blank=True, default="")
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True, default="")
    kbli = models.JSONField(_("KBLI codes"), default=list, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True, default="")
    address = models.CharField(_("street address"), max_length=300, blank=True, default="")
    # The kecamatan or kelurahan of the address; `district` is its kecamatan, kept for counting.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    is_vat_registered = models.BooleanField(_("PKP (VAT-registered)"), default=False)
    # A UMKM holding a PP 55/2022 certificate pays the 0.5% final PPh instead of PPh 22.
    pp55_certificate = models.CharField(_("PP 55/2022 certificate number"), max_length=60, blank=True, default="")
    # Where the treasurer pays (printed on the invoice).
    bank_name = models.CharField(_("bank"), max_length=60, blank=True, default="")
    bank_account_number = models.CharField(_("bank account number"), max_length=30, blank=True, default="")
    bank_account_name = models.CharField(_("account holder"), max_length=150, blank=True, default="")
    capital = models.DecimalField(_("business capital"), max_digits=18, decimal_places=2, null=True, blank=True)
    annual_sales = models.DecimalField(_("annual sales"), max_digits=18, decimal_places=2, null=True, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.MIKRO)
    status = models.CharField(max_length=20, choices=VendorStatus.choices, default=VendorStatus.DRAFT, db_index=True)
    source = models.CharField(max_length=10, choices=VendorSource.choices, default=VendorSource.SELF)
    status_reason = models.TextField(blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A registry vendor is invited (last invitation; at most one a week) and claimed when its owner
    # first signs in with the code sent to the phone on file (the owner's account then exists).
    invited_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["katalog", "nib"], condition=~Q(nib=""), name="vendor_nib_unique_per_tenant"
            ),
        ]
        indexes = [
            models.Index(fields=["katalog", "status", "size_class"]),
            models.Index(fields=["katalog", "district"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == VendorStatus.VERIFIED


class DocumentKind(models.TextChoices):
    NIB = "nib", _("NIB certificate")
    DEED = "deed", _("Deed of establishment")


def document_path(instance: "VendorDocument", filename: str) -> str:
    # The stored name never comes from the user; only the checked extension does.
    return f"vendors/{instance.vendor.katalog_id}/{instance.vendor_id}/{instance.kind}-{instance.token}.{instance.extension}"


class VendorDocument(models.Model):
    """A document a vendor uploaded, checked by content (PDF, JPEG or PNG) and size."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, max_length=200)
    token = models.CharField(max_length=32)
    extension = models.CharField(max_length=4)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "kind"], name="one_document_per_kind")]


class SizeClassChange(models.Model):
    """One change of a vendor's size class: the "naik kelas" history. The first row of a vendor
    has an empty `old_class` (its first classification)."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="size_history")
    changed_on = models.DateField(db_index=True)
    old_class = models.CharField(max_length=10, choices=SizeClass.choices, blank=True, default="")
    new_class = models.CharField(max_length=10, choices=SizeClass.choices)
    capital = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    annual_sales = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=300)
    evidence = models.CharField(max_length=300, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]
        indexes = [models.Index(fields=["katalog", "changed_on"])]


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")  # the worker reads the rows into the preview
    PREVIEW = "preview", _("Waiting for confirmation")  # the preview waits for the clerk
    RUNNING = "running", _("Running")  # the worker writes the rows, batch by batch
    DONE = "done", _("Done")  # every row was read
    FAILED = "failed", _("Failed")  # the file could not be read at all
    CANCELLED = "cancelled", _("Cancelled")  # the clerk discarded the preview


class VendorImport(models.Model):
    """One upload of the Dinas registry from the page. The task worker first checks every row into
    a preview (`preview`: new, changed with its differences, unchanged, rejected, conflicts); nothing
    is written until the clerk confirms, choosing which conflicts to apply (`chosen`). The worker
    then writes the rows in batches (each a transaction), so the clerk may leave and come back."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=200)
    rows = models.JSONField(default=list)  # the parsed rows: [line, {header: value}]
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)  # rows checked (checking) or written (running)
    preview = models.JSONField(default=list)  # one {line, kind, nib, name, diff?, errors?, held?, formula?} a row
    chosen = models.JSONField(default=list)  # the lines of conflicts the clerk chose to apply
    # "Invite the owners of the new records": once applied, the new unclaimed records with a phone
    # or e-mail are invited (vendors/invitations.py rules); `invited` is how many were.
    invite = models.BooleanField(default=False)
    invited = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list)  # [[line, column, reason], ...]
    conflicts = models.JSONField(default=list)  # [[line, column, reason], ...] of the rows held back
    duplicates = models.JSONField(default=dict)  # {line: first line with the same NIB}
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the worker last moved the job on (a batch checked or written, or the job (re)queued): a job
    # in progress that has not moved for KATALOG_IMPORT_STALL_MINUTES lost its worker (`is_stalled`).
    progressed_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_stalled(self) -> bool:
        from datetime import timedelta

        from django.utils import timezone

        if not self.in_progress:
            return False
        last = self.progressed_at or self.created_at
        minutes = int(getattr(settings, "KATALOG_IMPORT_STALL_MINUTES", 10))
        return last is not None and last < timezone.now() - timedelta(minutes=minutes)

    @property
    def rejected(self) -> int:
        """Rejected rows (a row with two problems is one)."""
        return len({line for line, _c, _r in self.rejections})

    @property
    def conflicted(self) -> int:
        """Rows held back because they would overwrite a claimed or verified vendor's data."""
        return len({line for line, _c, _r in self.conflicts})

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.processed * 100 / self.total)

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.RUNNING)
