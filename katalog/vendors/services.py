"""Every write about vendors. Each function runs in one transaction and writes its audit entry."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Membership
from katalog.accounts.selectors import Actor
from katalog.accounts.services import send_invitation
from katalog.core import audit
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import Katalog, Region
from katalog.core.permissions import Permission, Role

from . import workflow
from .documents import check_document
from .models import SizeClassChange, Vendor, VendorDocument, VendorSource, VendorStatus
from .size_class import classify

# Fields an owner or a Pengelola may write through `vendor_update`.
EDITABLE = (
    "name",
    "owner_name",
    "nib",
    "npwp",
    "kbli",
    "sector",
    "address",
    "region",
    "phone",
    "email",
    "is_vat_registered",
    "capital",
    "annual_sales",
)
# What must be filled in before a registration can be submitted.
REQUIRED_TO_SUBMIT = ("name", "owner_name", "nib", "npwp", "kbli", "address", "region", "phone", "capital")


def _district_of(region: Region | None) -> str | None:
    return region.district_code if region else None


def _apply_size_class(*, vendor: Vendor, reason: str, evidence: str = "", on=None) -> None:
    """Recompute the class; once the vendor has a history (from its first submission), every
    change is kept with its date, old and new class and the reason."""
    new = classify(capital=vendor.capital, annual_sales=vendor.annual_sales)
    has_history = vendor.pk and SizeClassChange.objects.filter(vendor=vendor).exists()
    if has_history and new != vendor.size_class:
        SizeClassChange.objects.create(
            katalog_id=vendor.katalog_id,
            vendor=vendor,
            changed_on=on or timezone.localdate(),
            old_class=vendor.size_class,
            new_class=new,
            capital=vendor.capital,
            annual_sales=vendor.annual_sales,
            reason=reason,
            evidence=evidence,
        )
    vendor.size_class = new


def _start_history(*, vendor: Vendor, reason: str) -> None:
    if not SizeClassChange.objects.filter(vendor=vendor).exists():
        SizeClassChange.objects.create(
            katalog_id=vendor.katalog_id,
            vendor=vendor,
            changed_on=timezone.localdate(),
            old_class="",
            new_class=vendor.size_class,
            capital=vendor.capital,
            annual_sales=vendor.annual_sales,
            reason=reason,
        )


def _check_nib_free(*, katalog_id: int, nib: str, exclude_pk: int | None) -> None:
    if not nib:
        return
    taken = Vendor.objects.filter(katalog_id=katalog_id, nib=nib).exclude(pk=exclude_pk).exists()
    if taken:
        raise ValidationFailed(
            _("A vendor with NIB %(nib)s is already registered in this catalogue.") % {"nib": nib},
            code="nib_taken",
            fields={"nib": [_("This NIB is already registered. Contact the Dinas desk if it is yours.")]},
        )


def _can_edit(actor: Actor, vendor: Vendor) -> bool:
    if actor.katalog is None or vendor.katalog_id != actor.katalog.pk:
        return False
    if actor.can(Permission.VENDOR_REGISTER_ASSISTED):
        return True
    return actor.can(Permission.VENDOR_EDIT_OWN) and vendor.users.filter(pk=actor.user.pk).exists()


@transaction.atomic
def vendor_register_self(
    *, katalog: Katalog, username: str, password: str, name: str, owner_name: str, email: str, phone: str
) -> Vendor:
    """A UMKM owner starts a registration: an account, a Penyedia membership and a draft vendor."""
    user = User.objects.create_user(username=username, password=password, email=email, first_name=owner_name)
    Membership.objects.create(user=user, katalog=katalog, role=Role.VENDOR)
    vendor = Vendor.objects.create(
        katalog=katalog, name=name, owner_name=owner_name, email=email, phone=phone, source=VendorSource.SELF
    )
    vendor.users.add(user)
    audit.record(actor=user, action="vendor.register_self", obj=vendor, katalog=katalog)
    return vendor


@transaction.atomic
def vendor_update(*, actor: Actor, vendor: Vendor, data: dict[str, Any], evidence: str = "") -> Vendor:
    """Write some of a vendor's fields (already cleaned by a form or schema)."""
    if not _can_edit(actor, vendor):
        raise NotAllowed()
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if vendor.status == VendorStatus.SUBMITTED and not actor.can(Permission.VENDOR_VERIFY):
        raise ValidationFailed(_("Your registration is being verified; it cannot be changed now."), code="locked")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "nib" in data:
        _check_nib_free(katalog_id=vendor.katalog_id, nib=data["nib"], exclude_pk=vendor.pk)
    changed = {k: v for k, v in data.items() if getattr(vendor, k) != v}
    for key, value in changed.items():
        setattr(vendor, key, value)
    if "region" in changed:
        vendor.district_id = _district_of(vendor.region)
    _apply_size_class(vendor=vendor, reason=_("Capital or sales updated"), evidence=evidence)
    vendor.save()
    if changed:
        audit.record(
            actor=actor.user,
            action="vendor.update",
            obj=vendor,
            katalog=vendor.katalog,
            fields=sorted(changed),
        )
    return vendor


@transaction.atomic
def vendor_upload_document(*, actor: Actor, vendor: Vendor, kind: str, upload) -> VendorDocument:
    """Store a document after checking its content; a new upload replaces the old one."""
    if not _can_edit(actor, vendor):
        raise NotAllowed()
    from django.core.exceptions import ValidationError

    try:
        extension, content_type = check_document(upload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=exc.code or "invalid", fields={kind: exc.messages}) from exc
    old = VendorDocument.objects.filter(vendor=vendor, kind=kind).first()
    if old:
        old.file.delete(save=False)
        old.delete()
    doc = VendorDocument(
        vendor=vendor,
        kind=kind,
        token=secrets.token_hex(8),
        extension=extension,
        content_type=content_type,
        size=upload.size,
        original_name=str(upload.name)[:200],
    )
    doc.file.save("upload", upload, save=False)
    doc.save()
    audit.record(actor=actor.user, action="vendor.document", obj=vendor, katalog=vendor.katalog, kind=kind)
    return doc


def missing_for_submit(vendor: Vendor) -> list[str]:
    """Names of the fields still empty, as labels the owner recognises."""
    missing = [Vendor._meta.get_field(f).verbose_name for f in REQUIRED_TO_SUBMIT if not getattr(vendor, f)]
    if not vendor.documents.filter(kind="nib").exists():
        missing.append(_("NIB certificate"))
    return [str(m) for m in missing]


def _transition(*, actor: Actor, vendor: Vendor, action: str, reason: str = "") -> tuple[Vendor, str]:
    if actor.katalog is None or vendor.katalog_id != actor.katalog.pk:
        raise NotAllowed()
    if action in (workflow.APPROVE, workflow.REJECT, workflow.REQUEST_REVISION):
        if not actor.can(Permission.VENDOR_VERIFY):
            raise NotAllowed()
    elif not _can_edit(actor, vendor):
        raise NotAllowed()
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    old = vendor.status
    vendor.status = workflow.next_status(status=old, action=action, roles=actor.roles)
    if action in workflow.NEEDS_REASON:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed(
                _("Please write the reason."), code="reason_required", fields={"reason": [_("This field is required.")]}
            )
    vendor.status_reason = reason
    return vendor, old


def _finish(*, actor: Actor, vendor: Vendor, old: str, action: str) -> Vendor:
    vendor.save()
    audit.record(
        actor=actor.user,
        action=f"vendor.{action}",
        obj=vendor,
        katalog=vendor.katalog,
        old=old,
        new=vendor.status,
        reason=vendor.status_reason,
    )
    return vendor


@transaction.atomic
def vendor_submit(*, actor: Actor, vendor: Vendor) -> Vendor:
    """Send the registration to the Pengelola's queue; everything required must be there."""
    missing = missing_for_submit(vendor)
    if missing:
        raise ValidationFailed(
            _("Some data is still missing: %(fields)s.") % {"fields": ", ".join(missing)}, code="incomplete"
        )
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.SUBMIT)
    vendor.submitted_at = timezone.now()
    _start_history(vendor=vendor, reason=_("First classification at registration"))
    return _finish(actor=actor, vendor=vendor, old=old, action="submit")


@transaction.atomic
def vendor_approve(*, actor: Actor, vendor: Vendor) -> Vendor:
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.APPROVE)
    vendor.verified_at = timezone.now()
    vendor.verified_by = actor.user
    return _finish(actor=actor, vendor=vendor, old=old, action="approve")


@transaction.atomic
def vendor_reject(*, actor: Actor, vendor: Vendor, reason: str) -> Vendor:
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.REJECT, reason=reason)
    return _finish(actor=actor, vendor=vendor, old=old, action="reject")


@transaction.atomic
def vendor_request_revision(*, actor: Actor, vendor: Vendor, reason: str) -> Vendor:
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.REQUEST_REVISION, reason=reason)
    return _finish(actor=actor, vendor=vendor, old=old, action="request-revision")


@dataclass
class AssistedResult:
    vendor: Vendor
    user: User


@transaction.atomic
def vendor_register_assisted(
    *,
    actor: Actor,
    data: dict[str, Any],
    documents: dict[str, Any] | None = None,
    verify_now: bool = True,
    site_url: str = "",
) -> AssistedResult:
    """The Dinas desk registers a vendor for its owner. The owner gets an e-mail invitation to
    set a password. With `verify_now` (originals seen at the desk) the vendor is verified at once."""
    if not actor.can(Permission.VENDOR_REGISTER_ASSISTED) or actor.katalog is None:
        raise NotAllowed()
    katalog = actor.katalog
    _check_nib_free(katalog_id=katalog.pk, nib=data.get("nib", ""), exclude_pk=None)
    email = data["email"]
    if User.objects.filter(username__iexact=email).exists():
        raise ValidationFailed(
            _("An account with this e-mail already exists."),
            code="email_taken",
            fields={"email": [_("An account with this e-mail already exists.")]},
        )
    user = User.objects.create_user(username=email, email=email, first_name=data.get("owner_name", ""))
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, katalog=katalog, role=Role.VENDOR)
    fields = {k: v for k, v in data.items() if k in EDITABLE}
    vendor = Vendor(katalog=katalog, source=VendorSource.ASSISTED, **fields)
    vendor.district_id = _district_of(vendor.region)
    vendor.size_class = classify(capital=vendor.capital, annual_sales=vendor.annual_sales)
    vendor.save()
    vendor.users.add(user)
    audit.record(actor=actor.user, action="vendor.register_assisted", obj=vendor, katalog=katalog)
    for kind, upload in (documents or {}).items():
        if upload:
            vendor_upload_document(actor=actor, vendor=vendor, kind=kind, upload=upload)
    vendor = vendor_submit(actor=actor, vendor=vendor)
    if verify_now:
        vendor = vendor_approve(actor=actor, vendor=vendor)
    transaction.on_commit(
        lambda: send_invitation(user=user, katalog=katalog, vendor_name=vendor.name, site_url=site_url)
    )
    return AssistedResult(vendor=vendor, user=user)


def record_import(*, actor: Actor, job) -> None:
    """The audit entry of a finished import from the page (called inside its last step)."""
    audit.record(
        actor=actor.user,
        action="vendor.import",
        obj=job,
        katalog=job.katalog,
        file=job.file_name,
        imported=job.imported,
        updated=job.updated,
        unchanged=job.unchanged,
        rejected=len(job.rejections),
    )
