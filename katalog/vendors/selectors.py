"""Every read of vendors goes through here, scoped by the acting user: another tenant's vendor,
or a vendor this user may not see, is simply not found (404)."""

from django.db.models import QuerySet
from django.http import Http404

from katalog.accounts.selectors import Actor
from katalog.core.permissions import Permission

from .models import Vendor, VendorImport, VendorStatus


def vendors_visible_to(actor: Actor) -> QuerySet[Vendor]:
    if not actor.is_authenticated or actor.katalog is None:
        return Vendor.objects.none()
    qs = Vendor.objects.filter(katalog=actor.katalog)
    if actor.can(Permission.VENDOR_VIEW_ALL):
        return qs
    if actor.can(Permission.VENDOR_EDIT_OWN):
        return qs.filter(users=actor.user)
    return Vendor.objects.none()


def get_vendor(actor: Actor, pk: int) -> Vendor:
    vendor = vendors_visible_to(actor).select_related("region", "district", "katalog").filter(pk=pk).first()
    if vendor is None:
        raise Http404
    return vendor


# The session key of the business an owner of several acts for (`vendors.views.switch_vendor`).
CHOSEN_VENDOR_KEY = "acting_vendor"


def own_vendors(actor: Actor) -> QuerySet[Vendor]:
    """Every business of the actor's tenant this Penyedia user owns or works for, oldest first."""
    if not actor.can(Permission.VENDOR_EDIT_OWN):
        return Vendor.objects.none()
    return vendors_visible_to(actor).filter(users=actor.user).order_by("pk")


def own_vendor(actor: Actor, session=None) -> Vendor | None:
    """The vendor a Penyedia user acts for: the one chosen in this `session` (the switcher) when the
    user still belongs to it, else the first of theirs. A choice the user does not belong to (any
    more) is ignored, never trusted."""
    mine = own_vendors(actor)
    chosen = session.get(CHOSEN_VENDOR_KEY) if session is not None else None
    if isinstance(chosen, int):
        vendor = mine.filter(pk=chosen).first()
        if vendor is not None:
            return vendor
    return mine.first()


def verification_queue(actor: Actor) -> QuerySet[Vendor]:
    if not actor.can(Permission.VENDOR_VERIFY):
        return Vendor.objects.none()
    return (
        vendors_visible_to(actor)
        .filter(status=VendorStatus.SUBMITTED)
        .select_related("district")
        .order_by("submitted_at", "pk")
    )


def search_vendors(actor: Actor, *, q: str = "", nib: str = "", status: str = "") -> QuerySet[Vendor]:
    qs = vendors_visible_to(actor).select_related("district")
    if nib:
        qs = qs.filter(nib=nib)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def public_vendor_count(katalog) -> int:
    """How many verified UMKM a public page may say the catalogue has (a count, no names)."""
    return Vendor.objects.filter(katalog=katalog, status=VendorStatus.VERIFIED).count()


def imports_visible_to(actor: Actor) -> QuerySet[VendorImport]:
    """The registry imports of the actor's tenant (for those who may import)."""
    if actor.katalog is None or not actor.can(Permission.VENDOR_IMPORT):
        return VendorImport.objects.none()
    return VendorImport.objects.filter(katalog=actor.katalog)


def recent_imports(actor: Actor, limit: int = 10) -> list[VendorImport]:
    return list(imports_visible_to(actor).defer("rows", "preview").order_by("-pk")[:limit])


def get_import(actor: Actor, pk: int) -> VendorImport:
    job = imports_visible_to(actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
