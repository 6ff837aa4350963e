from datetime import datetime

from ninja import Router, Schema

from . import selectors, services
from .validators import digits

router = Router(tags=["vendors"])


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


class VendorPage(Schema):
    count: int
    results: list[VendorOut]


class ReasonIn(Schema):
    reason: str


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
    }


def _actor(request):
    from katalog.api import actor_of

    return actor_of(request)


@router.get("", response=VendorPage)
def list_vendors(request, nib: str = "", q: str = "", status: str = "", limit: int = 50, offset: int = 0):
    """Find vendors (the Pengelola, the auditor: all of the tenant; a Penyedia: its own)."""
    actor = _actor(request)
    qs = selectors.search_vendors(actor, q=q, nib=digits(nib), status=status).order_by("pk")
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return {"count": qs.count(), "results": [_out(v) for v in qs[offset : offset + limit]]}


@router.get("/{vendor_id}", response=VendorOut)
def get_vendor(request, vendor_id: int):
    return _out(selectors.get_vendor(_actor(request), vendor_id))


def _act(request, vendor_id: int, action, **kwargs):
    actor = _actor(request)
    vendor = selectors.get_vendor(actor, vendor_id)
    return _out(action(actor=actor, vendor=vendor, **kwargs))


@router.post("/{vendor_id}/submit", response=VendorOut)
def submit(request, vendor_id: int):
    return _act(request, vendor_id, services.vendor_submit)


@router.post("/{vendor_id}/approve", response=VendorOut)
def approve(request, vendor_id: int):
    return _act(request, vendor_id, services.vendor_approve)


@router.post("/{vendor_id}/reject", response=VendorOut)
def reject(request, vendor_id: int, payload: ReasonIn):
    return _act(request, vendor_id, services.vendor_reject, reason=payload.reason)


@router.post("/{vendor_id}/request-revision", response=VendorOut)
def request_revision(request, vendor_id: int, payload: ReasonIn):
    return _act(request, vendor_id, services.vendor_request_revision, reason=payload.reason)
