"""Claiming a registry record: the owner of a UMKM imported from the Dinas registry gets in with a
code sent to the phone on file (accounts/otp.py), and its account is made then, for that vendor.

Decision (docs/decisions.md, "Several registry vendors with one phone"): the code proves control of
the phone on file, so every unclaimed registry vendor of the tenant with that phone is claimed for
the one person; the owner then picks which business to check first."""

import re
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from katalog.accounts.models import Membership, Profile
from katalog.accounts.phones import as_typed_q, normalize_phone, phone_or_none
from katalog.core import audit
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import AuditLog, Katalog
from katalog.core.permissions import Role

from . import validators
from .forms import AddressForm
from .indexing import indexed_facts, reindex_products
from .models import Vendor, VendorSource

CLAIM_ACTION = "vendor.claim"
CHECK_ACTION = "vendor.claim_check"


def registry_vendors_for_phone(*, katalog: Katalog, phone: str) -> list[Vendor]:
    """The unclaimed registry vendors of `katalog` whose phone on file (as typed in the registry)
    is `phone` (E.164). Unscoped by actor on purpose: nobody is signed in yet."""
    candidates = Vendor.objects.filter(
        as_typed_q("phone", phone),
        katalog=katalog,
        source=VendorSource.IMPORT,
        claimed_at__isnull=True,
        users__isnull=True,
    ).order_by("pk")
    return [v for v in candidates if phone_or_none(v.phone) == phone]


def _username_for(owner_name: str, phone: str) -> str:
    """`butet-siregar-7890`: readable at the desk, unique by a counter when needed."""
    base = slugify(owner_name)[:100].strip("-") or "penyedia"
    base = f"{base}-{phone[-4:]}"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def owner_account_create(*, vendor: Vendor, phone: str) -> User:
    """The owner's account for a registry vendor: no password (the owner never chose one and
    signs in with codes; a password may be set later), the phone on its profile."""
    email = vendor.email if vendor.email and not User.objects.filter(email__iexact=vendor.email).exists() else ""
    user = User.objects.create_user(
        username=_username_for(vendor.owner_name or vendor.name, phone),
        email=email,
        first_name=(vendor.owner_name or "")[:150],
        password=None,  # an unusable password
    )
    Profile.objects.create(user=user, phone=phone)
    return user


@transaction.atomic
def vendors_claim(*, katalog: Katalog, phone: str, user: User | None = None) -> tuple[User | None, list[Vendor]]:
    """Claim every unclaimed registry vendor of `katalog` with `phone` for `user` (made from the
    first vendor's owner when None). Returns the user and the vendors claimed now (maybe none).
    A vendor claimed concurrently by another request is skipped (conditional UPDATE)."""
    phone = normalize_phone(phone)
    claimed: list[Vendor] = []
    now = timezone.now()
    for vendor in registry_vendors_for_phone(katalog=katalog, phone=phone):
        won = Vendor.objects.filter(pk=vendor.pk, claimed_at__isnull=True, users__isnull=True).update(claimed_at=now)
        if not won:
            continue
        if user is None:
            user = owner_account_create(vendor=vendor, phone=phone)
        Membership.objects.get_or_create(user=user, katalog=katalog, role=Role.VENDOR, office=None)
        vendor.users.add(user)
        vendor.claimed_at = now
        audit.record(actor=user, action=CLAIM_ACTION, obj=vendor, katalog=katalog, phone=phone)
        claimed.append(vendor)
    return user, claimed


def claim_check_pending(vendor: Vendor) -> bool:
    """A claimed vendor whose owner has not saved the "check your data" page yet."""
    return (
        vendor.claimed_at is not None
        and not AuditLog.objects.filter(
            action=CHECK_ACTION, object_type=vendor._meta.label_lower, object_id=str(vendor.pk)
        ).exists()
    )


CHECKED_FIELDS = ("name", "owner_name", "address", "region", "phone", "email", "npwp")


@transaction.atomic
def claim_check_save(*, user: User, vendor: Vendor, data: dict[str, Any]) -> Vendor:
    """The owner's corrections of the registry data, once, right after the claim. The registry
    verified the business, so this is the one time its owner may fix its name, owner and address
    without the Dinas desk; afterwards the usual rules of vendors.services apply."""
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if not vendor.users.filter(pk=user.pk).exists() or not claim_check_pending(vendor):
        raise NotAllowed()
    new_phone = normalize_phone(data["phone"]) if data.get("phone") else ""
    if new_phone and Profile.objects.filter(phone=new_phone).exclude(user=user).exists():
        message = _("This phone number is already used by another account.")
        raise ValidationFailed(message, code="phone_taken", fields={"phone": [message]})
    before = indexed_facts(vendor)
    changed = sorted(k for k in CHECKED_FIELDS if k in data and getattr(vendor, k) != data[k])
    for key in changed:
        setattr(vendor, key, data[key])
    if "region" in changed:
        vendor.district_id = vendor.region.district_code if vendor.region else None
    vendor.save()
    if "phone" in changed and new_phone:
        # The phone on file is the owner's: the one they sign in with and are reached on.
        Profile.objects.filter(user=user).update(phone=new_phone)
    if indexed_facts(vendor) != before:
        reindex_products(katalog_id=vendor.katalog_id, vendor_ids=[vendor.pk])
    audit.record(actor=user, action=CHECK_ACTION, obj=vendor, katalog=vendor.katalog, fields=changed)
    return vendor


class ClaimCheckForm(AddressForm):
    """The short "check your data" form, pre-filled from the registry. Kecamatan and kelurahan
    are chosen by name."""

    name = forms.CharField(label=_("Business name"), max_length=200)
    owner_name = forms.CharField(label=_("Owner's full name"), max_length=150)
    phone = forms.CharField(
        label=_("Mobile phone (WhatsApp)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    npwp = forms.CharField(
        label=_("NPWP or NIK"),
        max_length=25,
        required=False,
        help_text=_("The NPWP (15 digits) or, if you have none, your NIK: the 16 digits on your KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    field_order = ["name", "owner_name", "address", "district", "village", "phone", "email", "npwp"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in ("district", "village"):
            self.fields[key].label_from_instance = lambda region: region.name
        self.fields["district"].queryset = self.fields["district"].queryset.order_by("name")
        self.fields["village"].queryset = self.fields["village"].queryset.order_by("name")

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_npwp(self):
        value = self.cleaned_data["npwp"]
        if not re.sub(r"\D", "", value):
            return ""
        return validators.clean_npwp(value)

    def cleaned_vendor_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {k: d[k] for k in ("name", "owner_name", "address", "region", "email", "npwp")}
        data["phone"] = d["phone"]
        return data


def claim_check_initial(vendor: Vendor) -> dict[str, Any]:
    region = vendor.region
    district = village = None
    if region is not None:
        if region.parent_id and region.parent_id != vendor.katalog.region_id:
            village, district = region, region.parent
        else:
            district = region
    return {
        "name": vendor.name,
        "owner_name": vendor.owner_name,
        "address": vendor.address,
        "district": district,
        "village": village,
        "phone": vendor.phone,
        "email": vendor.email,
        "npwp": vendor.npwp,
    }
