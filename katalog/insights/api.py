"""Figures over the API, under /api/v1/stats/ (a router for every dashboard's figures; the
onboarding funnel first). Each is computed from the records of the caller's tenant only."""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from katalog.accounts.api_auth import actor_of
from katalog.core.bounds import FiscalYear, Length, ShortText
from katalog.core.errors import NotAllowed, ValidationFailed

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
    month_from: int
    month_to: int
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
def spending_stats(
    request,
    year: FiscalYear | None = None,
    office: ShortText(Length.CODE) = "",
    month_from: Annotated[int, Field(ge=1, le=12)] = 1,
    month_to: Annotated[int, Field(ge=1, le=12)] = 12,
):
    """Spending through the catalogue in one year (this year when none is given), for the tenant or
    one office (`office`: its code): value (DPP + PPN, whole rupiah) and count of the orders
    submitted and not cancelled, and of those paid (`realised`); the share that went to micro and
    small vendors (`umk_share`, 0–1) against the 40% target, with what it would take to reach it;
    by office, month, category, size class and kecamatan (each list adds up to the totals), and the
    domestic-product shares of the goods. The Pengelola, the auditor and the administrator read the
    tenant; a PA/KPA their own office (forced; another office's code is a 403). `month_from` and
    `month_to` (1–12) narrow the period to those months of the year."""
    from django.utils import timezone

    if month_from > month_to:
        raise ValidationFailed(
            _("The first month comes after the last."), fields={"month_from": [_("At most the last month.")]}
        )
    actor = actor_of(request)
    scope = spending.scope_for(actor, office)
    year = year or timezone.localdate().year
    return spending.spending(actor.katalog, year=year, office=scope, months=(month_from, month_to))


# --- Task DB (issue 9): budget lines, payment timeliness, the vendor's own figures ------------------


class BudgetLineFigures(Schema):
    kode_rup: str
    name: str
    funding_source: str
    ceiling: int
    committed: int
    realised: int
    remaining: int
    orders: int
    unused: bool


class BudgetOffice(Schema):
    code: str
    name: str
    ceiling: int
    committed: int
    realised: int
    remaining: int
    orders: int
    unused: int
    lines: list[BudgetLineFigures]


class UnusedLine(BudgetLineFigures):
    office: str


class BudgetOut(Schema):
    year: int
    office: SpendingScope | None
    ceiling: int
    committed: int
    realised: int
    remaining: int
    orders: int
    lines: int
    unused: int
    by_office: list[BudgetOffice]
    unused_lines: list[UnusedLine]


@router.get("/budget-lines", response=BudgetOut)
def budget_line_stats(request, year: FiscalYear | None = None, office: ShortText(Length.CODE) = ""):
    """The budget lines (RUP packages) of one fiscal year (this year when none is given), by office:
    each line's ceiling (pagu), committed (orders submitted and not cancelled, DPP + PPN), realised
    (paid) and remaining (ceiling − committed), whole rupiah; each office's totals are the sum of
    its lines; `unused_lines` lists the lines with no purchase yet. The Pengelola, the auditor and
    the administrator read the tenant; a PA/KPA their own office (another office's code is a 403)."""
    from django.utils import timezone

    from . import budget

    actor = actor_of(request)
    scope = spending.scope_for(actor, office)
    return budget.budget_lines(actor.katalog, year=year or timezone.localdate().year, office=scope)


class PaymentOffice(Schema):
    code: str
    name: str
    orders: int
    median: float | None
    mean: float | None
    worst: int | None


class OverdueInvoice(Schema):
    order: int
    office: str
    office_name: str
    vendor: str
    amount: int
    issued_on: str
    days_waiting: int
    days_past_term: int


class PaymentsOut(Schema):
    year: int
    office: SpendingScope | None
    payment_term_days: int
    orders: int
    median: float | None
    mean: float | None
    worst: int | None
    by_office: list[PaymentOffice]
    overdue_count: int
    overdue_total: int
    overdue: list[OverdueInvoice]


@router.get("/payments", response=PaymentsOut)
def payment_stats_view(request, year: FiscalYear | None = None, office: ShortText(Length.CODE) = ""):
    """How long vendors waited for their money: calendar days from the BAST to the first payment of
    the orders first paid in the year (median, mean, worst), by office; and today's invoices unpaid
    past the payment term (`payment_term_days`). Over the orders the caller may see: the Pengelola,
    the auditor and the administrator any office of the tenant; a PA/KPA their own office (forced;
    another office's code is a 403); a PP, PPK or treasurer their offices; a vendor its own orders."""
    from django.utils import timezone

    from . import payment_stats

    actor = actor_of(request)
    scope = payment_stats.scope_for(actor, office)
    return payment_stats.timeliness(actor, year=year or timezone.localdate().year, office=scope)


class VendorRef(Schema):
    id: int
    name: str
    size_class: str


class VendorMonth(Schema):
    month: str
    total: int
    count: int
    realised: int


class VendorState(Schema):
    state: str
    label: str
    count: int


class VendorRatings(Schema):
    count: int
    average: float | None
    quality: float | None
    timeliness: float | None
    service: float | None
    price: float | None


class PaymentDays(Schema):
    orders: int
    median: float | None
    mean: float | None
    worst: int | None


class SizeChange(Schema):
    changed_on: str
    old_class: str
    old_label: str
    new_class: str
    new_label: str
    reason: str


class VendorOut(Schema):
    year: int
    vendor: VendorRef
    total: int
    count: int
    realised: int
    by_month: list[VendorMonth]
    by_state: list[VendorState]
    ratings: VendorRatings
    payment_days: PaymentDays
    size_history: list[SizeChange]


@router.get("/vendor", response=VendorOut)
def vendor_stats_view(request, year: FiscalYear | None = None):
    """The caller's own business (the vendor a Penyedia acts for: the
    first of theirs, or the one chosen in the session): sales by month in the year (committed:
    submitted and not cancelled, DPP + PPN; realised: paid), orders by state, ratings (average of
    the four scores and each apart, with the count), days from BAST to payment and the size-class
    history. Anyone else is a 403; a Penyedia user with no business a 404."""
    from django.utils import timezone

    from katalog.core.errors import NotFound
    from katalog.core.permissions import Permission
    from katalog.vendors.selectors import own_vendor

    from . import vendor_stats

    actor = actor_of(request)
    if actor.katalog is None or not actor.can(Permission.VENDOR_EDIT_OWN):
        raise NotAllowed()
    vendor = own_vendor(actor, getattr(request, "session", None))
    if vendor is None:
        raise NotFound()
    return vendor_stats.vendor_figures(vendor, year=year or timezone.localdate().year)
