"""Figures over the API, under /api/v1/stats/ (a router for every dashboard's figures; the
onboarding funnel first). Each is computed from the records of the caller's tenant only."""

from ninja import Router, Schema

from katalog.accounts.api_auth import actor_of
from katalog.core.errors import NotAllowed

from . import onboarding

router = Router(tags=["stats"])


class FunnelLine(Schema):
    value: str
    label: str
    registry: int
    invited: int
    claimed: int
    verified: int
    listed: int
    sold: int


class OutsideRegistry(Schema):
    registered: int
    claimed: int
    verified: int
    listed: int
    sold: int


class OnboardingOut(Schema):
    registry: int
    invited: int
    claimed: int
    verified: int
    listed: int
    sold: int
    outside_registry: OutsideRegistry
    by_kecamatan: list[FunnelLine]
    by_sector: list[FunnelLine]
    by_size_class: list[FunnelLine]


@router.get("/onboarding", response=OnboardingOut)
def onboarding_stats(request):
    """The onboarding funnel of the caller's tenant (the Pengelola, the auditor, the administrator):
    registry → invited → claimed (has an account) → verified → at least one listed product → at
    least one sale, each a subset of the one before, for the vendors imported from the Dinas
    registry; the same six numbers by kecamatan, sector and size class (each list adds up to the
    totals); and, apart, the vendors registered outside the registry."""
    actor = actor_of(request)
    if actor.katalog is None or not all(actor.can(p) for p in onboarding.PERMISSIONS):
        raise NotAllowed()
    data = onboarding.funnel(actor.katalog)
    return {
        **data["totals"],
        "outside_registry": data["outside"],
        "by_kecamatan": [line.as_dict() for line in data["by_kecamatan"]],
        "by_sector": [line.as_dict() for line in data["by_sector"]],
        "by_size_class": [line.as_dict() for line in data["by_size_class"]],
    }
