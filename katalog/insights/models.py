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
