"""Figures over the API, under /api/v1/stats/ (a router for every dashboard's figures; the
onboarding funnel first). Each is computed from the records of the caller's tenant only."""

from ninja import Router, Schema

from katalog.accounts.api_auth import actor_of
from katalog.core.bounds import FiscalYear, Length, ShortText
from katalog.core.errors import NotAllowed

from . import onboarding, spending

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


class SpendingFigures(Schema):
    total: int
    count: int
    umk_total: int
    umk_count: int
    umk_share: float
    realised: int
    realised_count: int


class SpendingOffice(SpendingFigures):
    code: str
    name: str
    meets_target: bool
    needed_for_target: int


class SpendingMonth(SpendingFigures):
    month: str
    cumulative_umk_share: float


class SpendingLine(SpendingFigures):
    code: str
    name: str


class SpendingSizeClass(SpendingLine):
    umk: bool


class SpendingCategory(Schema):
    code: str
    name: str
    total: int
    orders: int | None = None
    tax: bool = False


class SpendingDomestic(Schema):
    goods_total: int
    pdn_total: int
    pdn_share: float
    tkdn_recorded_total: int
    tkdn25_total: int
    tkdn25_share: float
    tkdn40_total: int
    tkdn40_share: float


class SpendingScope(Schema):
    code: str
    name: str


class SpendingOut(SpendingFigures):
    year: int
    office: SpendingScope | None
    target: float
    meets_target: bool
    needed_for_target: int
    by_office: list[SpendingOffice]
    by_month: list[SpendingMonth]
    by_category: list[SpendingCategory]
    by_size_class: list[SpendingSizeClass]
    by_kecamatan: list[SpendingLine]
    domestic: SpendingDomestic


@router.get("/spending", response=SpendingOut)
def spending_stats(request, year: FiscalYear | None = None, office: ShortText(Length.CODE) = ""):
    """Spending through the catalogue in one year (this year when none is given), for the tenant or
    one office (`office`: its code): value (DPP + PPN, whole rupiah) and count of the orders
    submitted and not cancelled, and of those paid (`realised`); the share that went to micro and
    small vendors (`umk_share`, 0–1) against the 40% target, with what it would take to reach it;
    by office, month, category, size class and kecamatan (each list adds up to the totals), and the
    domestic-product shares of the goods. The Pengelola, the auditor and the administrator read the
    tenant; a PA/KPA their own office (forced; another office's code is a 403)."""
    from django.utils import timezone

    actor = actor_of(request)
    scope = spending.scope_for(actor, office)
    return spending.spending(actor.katalog, year=year or timezone.localdate().year, office=scope)
