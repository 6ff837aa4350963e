"""Vendors over the API: find them (scoped to the acting user), read one, and verify them."""

from datetime import datetime

from ninja import Router, Schema

from katalog.accounts.api_auth import actor_of
from katalog.core.api_errors import safe_rows
from katalog.core.bounds import Choice, Id, Length, Limit, Offset, Reason, SearchText, ShortText

from . import invitations, kbli, selectors, services
from .models import VendorStatus
from .validators import digits

router = Router(tags=["vendors"])

NibInput = ShortText(Length.NIB_INPUT)
StatusFilter = Choice(*VendorStatus.values)
VendorLimit = Limit(200)


class VendorOut(Schema):
    id: int
    name: str
    owner_name: str
    nib: str
    size_class: str
    status: str
    source: str
    status_reason: str
    district: str | None
    district_name: str | None
    is_vat_registered: bool
    verified_at: datetime | None
    invited_at: datetime | None = None
    claimed_at: datetime | None = None


class VendorPage(Schema):
    count: int
    results: list[VendorOut]


class ReasonIn(Schema):
    reason: Reason


def _out(v) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "owner_name": v.owner_name,
        "nib": v.nib,
        "size_class": v.size_class,
        "status": v.status,
        "source": v.source,
        "status_reason": v.status_reason,
        "district": v.district_id,
        "district_name": v.district.name if v.district_id else None,
        "is_vat_registered": v.is_vat_registered,
        "verified_at": v.verified_at,
        "invited_at": v.invited_at,
        "claimed_at": v.claimed_at,
    }


@router.get("", response=VendorPage)
def list_vendors(
    request,
    nib: NibInput = "",
    q: SearchText = "",
    status: StatusFilter = None,
    limit: VendorLimit = 50,
    offset: Offset = 0,
):
    """Find vendors (the Pengelola, the auditor: all of the tenant; a Penyedia: its own). `limit` is
    read as 1..200 and a negative `offset` as 0. A vendor whose record cannot be shown is left out
    (and logged) rather than failing the list."""
    actor = actor_of(request)
    qs = selectors.search_vendors(actor, q=q, nib=digits(nib), status=status or "").order_by("pk")
    return {"count": qs.count(), "results": safe_rows(qs[offset : offset + limit], _out, VendorOut)}


@router.get("/{vendor_id}", response=VendorOut)
def get_vendor(request, vendor_id: Id):
    return _out(selectors.get_vendor(actor_of(request), vendor_id))


def _act(request, vendor_id: int, action, **kwargs):
    actor = actor_of(request)
    vendor = selectors.get_vendor(actor, vendor_id)
    return _out(action(actor=actor, vendor=vendor, **kwargs))


@router.post("/{vendor_id}/submit", response=VendorOut)
def submit(request, vendor_id: Id):
    return _act(request, vendor_id, services.vendor_submit)


@router.post("/{vendor_id}/approve", response=VendorOut)
def approve(request, vendor_id: Id):
    return _act(request, vendor_id, services.vendor_approve)


@router.post("/{vendor_id}/reject", response=VendorOut)
def reject(request, vendor_id: Id, payload: ReasonIn):
    return _act(request, vendor_id, services.vendor_reject, reason=payload.reason)


@router.post("/{vendor_id}/request-revision", response=VendorOut)
def request_revision(request, vendor_id: Id, payload: ReasonIn):
    return _act(request, vendor_id, services.vendor_request_revision, reason=payload.reason)


@router.post("/{vendor_id}/invite", response=VendorOut)
def invite(request, vendor_id: Id):
    """Invite a registry vendor's owner to claim its record by phone (the Pengelola). Refused with
    422 `already_claimed`, `no_contact` or `invited_recently` (at most once a week)."""
    actor = actor_of(request)
    vendor = selectors.get_vendor(actor, vendor_id)
    return _out(invitations.vendor_invite(actor=actor, vendor=vendor, site_url=request.build_absolute_uri("/")))


# --- KBLI 2020 (the public classification; any signed-in user) -------------------------------------

kbli_router = Router(tags=["kbli"])
KbliLimit = Limit(50)


class KbliOut(Schema):
    code: str
    title: str
    category: str


@kbli_router.get("", response=list[KbliOut])
def search_kbli(request, q: SearchText = "", limit: KbliLimit = 10):
    """KBLI 2020 codes whose title matches every word of `q` (case and accents ignored; a number is
    a code prefix), best first. `limit` is read as 1..50."""
    return [{"code": e.code, "title": e.title, "category": e.category} for e in kbli.search(q, limit=limit)]
