"""Offices (OPD), memberships (user × tenant × office × role) and API tokens."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog
from katalog.core.permissions import Role

from .validators import validate_nip


class Office(models.Model):
    """A Perangkat Daerah (OPD): a government office of one tenant."""

    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="offices")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    # The kop (letterhead) of the office's documents: its address and its logo (a PNG or JPEG).
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    logo = models.ImageField(_("logo"), upload_to="offices/", max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["katalog", "code"], name="office_code_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One role a user holds in one tenant, for one office where the role needs it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="memberships")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    # An official signs documents with the position (jabatan) held in this role and their NIP
    # (18 digits, see accounts.validators.validate_nip); both empty for roles that sign nothing.
    position = models.CharField(_("position (jabatan)"), max_length=150, blank=True, default="")
    nip = models.CharField(_("NIP"), max_length=18, blank=True, default="", validators=[validate_nip])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "katalog", "office", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.katalog}"


class Channel(models.TextChoices):
    """How a person is reached. Most micro owners live on WhatsApp, not e-mail."""

    IN_APP = "in_app", _("Notifications page only")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


class Profile(models.Model):
    """What a person adds to Django's user: a phone number to sign in with and to be reached on
    (E.164, e.g. +6281234567890, normalised by accounts.phones) and the channel they prefer. An
    empty `preferred_channel` means the default rule: WhatsApp for a vendor with a phone, else
    e-mail when there is one, else the notifications page."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="")
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True, default=""
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~models.Q(phone=""), name="profile_phone_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.phone}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # What asked for it (the client's User-Agent), so its owner can tell tokens apart in the list.
    label = models.CharField(_("label"), max_length=200, blank=True, default="")

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class SignedInSession(models.Model):
    """A browser session of a user, so its owner can list and end it (accounts/sessions.py).
    The session itself lives in Django's session store; this row only names it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class LoginCode(models.Model):
    """A one-time sign-in code sent to a phone (accounts/otp.py). Only a keyed hash of the code is
    kept; it is good for 10 minutes, for one sign-in, and void after five wrong tries."""

    katalog = models.ForeignKey(Katalog, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=16)  # E.164
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)  # wrong codes typed against this one
    used = models.BooleanField(default=False)  # signed in once, or replaced by a newer code

    class Meta:
        indexes = [models.Index(fields=["katalog", "phone", "used"])]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
