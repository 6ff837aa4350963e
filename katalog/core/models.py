"""What every domain stands on: regions, tenants (Katalog) and the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    """The four tiers of Kepmendagri region codes."""

    PROVINCE = "provinsi", _("Province")  # 2 digits, e.g. 12
    REGENCY = "kabupaten_kota", _("Regency/city")  # 12.71
    DISTRICT = "kecamatan", _("District")  # 12.71.03
    VILLAGE = "desa_kelurahan", _("Village")  # 12.71.03.1001


class Region(models.Model):
    """A region of Kepmendagri No 300.2.2-2138 Tahun 2025; loaded by migration from wilayah.csv."""

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=20, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def district_code(self) -> str | None:
        """The kecamatan this region is in (itself for a kecamatan), from the code's shape."""
        parts = self.code.split(".")
        return ".".join(parts[:3]) if len(parts) >= 3 else None


class Katalog(models.Model):
    """A tenant: the local e-catalogue of one regional government (Pemda)."""

    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="katalog")
    name = models.CharField(_("name"), max_length=150)
    government_name = models.CharField(_("government"), max_length=150)
    # A request whose host equals this domain is served this tenant's public pages.
    domain = models.CharField(max_length=200, blank=True, default="")
    office_address = models.CharField(max_length=250, blank=True, default="")
    # The place written before the date of a document ("Medan, 30 November 2026").
    place_name = models.CharField(_("place name on documents"), max_length=100, blank=True, default="")
    # The regional government's emblem on the kop of every document (a PNG or JPEG).
    logo = models.ImageField(_("logo"), upload_to="tenants/", max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # A demo tenant (made by `katalog demo`): its sign-in page lists the demo accounts.
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.region_id


class AuditLog(models.Model):
    """One row per write a service makes: who did what to which object, and when.

    Written in the same transaction as the change it records, so there is never a change
    without its entry, nor an entry for a change that rolled back."""

    katalog = models.ForeignKey(Katalog, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class LocalDayOff(models.Model):
    """A day off the Pengelola adds for the tenant, on top of the national holidays and
    collective leave days that the `holidays` library knows (see core/calendar.py)."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="days_off")
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["katalog", "date"], name="day_off_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
