"""What every domain stands on: regions, tenants (Katalog) and the audit log."""

from django.conf import settings
from django.db import IntegrityError, models, router, transaction
from django.utils import timezone
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


class AuditLogIsAppendOnly(Exception):
    """An attempt to change or delete an audit entry through the ORM."""


class ActorInAuditLog(IntegrityError):
    """A user who appears in the audit log cannot be deleted (deactivate the account instead)."""

    def __init__(self, msg, protected_objects):
        self.protected_objects = protected_objects
        super().__init__(msg, protected_objects)


def protect_audited_actor(collector, field, sub_objs, using):
    """`on_delete` of AuditLog.actor: PROTECT, with a message that says what to do instead.

    Django's collector raises for PROTECT before any `pre_delete` signal is sent, and rewrites the
    message of a ProtectedError into a generic one, so the guard lives here and raises its own
    IntegrityError (as ProtectedError is one). The database's foreign key refuses a raw DELETE too."""
    raise ActorInAuditLog(
        _("This user appears in the audit log and cannot be deleted: deactivate the account instead."),
        set(sub_objs),
    )


def _append_only(*args, **kwargs):
    raise AuditLogIsAppendOnly("The audit log is append-only: entries are never changed or deleted.")


class AuditLogQuerySet(models.QuerySet):
    """Bulk writes keep the chain too; bulk changes and deletes are refused."""

    def bulk_create(self, objs, *args, **kwargs):
        from . import audit

        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            audit.chain_entries(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    update = _append_only
    delete = _append_only
    bulk_update = _append_only
    update_or_create = _append_only


class AuditLog(models.Model):
    """One row per write a service makes: who did what to which object, and when.

    Written in the same transaction as the change it records, so there is never a change
    without its entry, nor an entry for a change that rolled back.

    Append-only and tamper-evident: each entry carries the hash of the one before it in its
    tenant's chain (`prev_hash`) and its own (`hash`, see core/audit.py); `katalog verify_audit`
    walks the chains. The actor's name and address are kept as they were at the time."""

    katalog = models.ForeignKey(Katalog, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=protect_audited_actor)
    actor_name = models.CharField(max_length=300, blank=True, default="")
    actor_address = models.CharField(max_length=45, blank=True, default="")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _append_only()
        from . import audit

        using = kwargs.get("using") or router.db_for_write(AuditLog, instance=self)
        # In the caller's transaction (no savepoint: a failure fails the whole change it records).
        with transaction.atomic(using=using, savepoint=False):
            audit.chain_entries([self], using=using)
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _append_only()


class AuditChain(models.Model):
    """The head of one tenant's audit chain (`key` is the Katalog's id, or "-" for entries of no
    tenant): the last entry's hash and the number of entries. Appending locks this row
    (SELECT ... FOR UPDATE), so two transactions append one after the other."""

    key = models.CharField(max_length=20, primary_key=True)
    last_hash = models.CharField(max_length=64, blank=True, default="")
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} entries"


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


class IdempotencyKey(models.Model):
    """The first result of a write sent with an idempotency key (the API's `Idempotency-Key` header, or
    the hidden `idempotency_key` field each form carries), so that a retry gets it again and creates
    nothing. Written in the same transaction as what the write created: a rollback leaves no key.
    Kept `KATALOG_IDEMPOTENCY_HOURS` (24 h by default); the worker's sweep deletes older ones
    (see katalog/core/idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    scope = models.CharField(max_length=300)  # "POST /api/v1/orders", or the page's path
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request's data
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # the API's status (None: its default)
    body = models.JSONField(null=True, blank=True)  # the API's response data
    location = models.CharField(max_length=2000, blank=True)  # where a page redirected
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_unique"),
            models.UniqueConstraint(
                fields=["scope", "key"], condition=models.Q(user__isnull=True), name="idempotency_key_anonymous_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
