"""What waits for the signed-in user, role by role: the reads behind the landing page.

Pure reads, scoped by the actor. A role counts only in the office where it is held (a user who is
PP in one office and PPK in another sees that office's drafts as PP and the other's approvals as
PPK), so the office of each role comes from the user's memberships in the actor's tenant, not from
`actor.office` (which is one office only). A vendor sees an order only once it was sent to it
(`sent_to_vendor_at`). Each queue is one query: its rows (at most `LIMIT`, the oldest wait first)
and its count, taken together by a window function."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.utils import timezone

from katalog.accounts.models import Membership, Office
from katalog.accounts.selectors import Actor
from katalog.catalogue import selectors as catalogue_selectors
from katalog.catalogue.models import ProductFlag, ProductStatus
from katalog.core.permissions import Permission, Role
from katalog.vendors import selectors as vendor_selectors
from katalog.vendors.models import Vendor

from .models import BudgetLine, Delivery, Offer, OfferSide, Order, OrderStatus

S = OrderStatus
LIMIT = 10

# The order in which a user holding several roles sees them.
ROLE_ORDER = [
    Role.VENDOR,
    Role.PP,
    Role.PPK,
    Role.TREASURER,
    Role.BUDGET_OWNER,
    Role.CATALOGUE_MANAGER,
    Role.AUDITOR,
    Role.ADMIN,
]
# An office's orders still under way (neither a draft, nor finished, nor cancelled).
OPEN_STATUSES = [
    S.NEGOTIATING,
    S.AWAITING_APPROVAL,
    S.AWAITING_CONFIRMATION,
    S.IN_PROGRESS,
    S.DELIVERED,
    S.RECEIVED,
    S.INVOICED,
    S.PAID,
]


@dataclass
class Queue:
    """One list of things waiting: how many in all, the first rows, and how long the oldest has
    waited (in days). Each row carries `waiting_since` and `waited_days` (None when unknown)."""

    key: str
    count: int
    rows: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)

    @property
    def oldest_days(self) -> int | None:
        days = [r.waited_days for r in self.rows if getattr(r, "waited_days", None) is not None]
        return max(days) if days else None


@dataclass
class RoleWork:
    """What waits for one role of the user: in one office (office roles), for one business
    (the vendor role) or in the whole tenant (the Dinas, the auditor, the administrator)."""

    role: str
    queues: dict[str, Queue]
    office: Office | None = None
    vendor: Vendor | None = None

    @property
    def label(self) -> str:
        return Role(self.role).label

    @property
    def total(self) -> int:
        """How many things this role must act on (not those shown only for information)."""
        return sum(q.count for key, q in self.queues.items() if key not in INFORMATIVE)


# Queues shown for information: nobody in this role has to act on them (the vendor waits for the
# treasurer or the curator; the budget owner reads its office's orders and lines).
INFORMATIVE = frozenset({"unpaid", "products_waiting", "open_orders", "budget_lines"})


def _days(since, today: date) -> int | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        since = timezone.localdate(since)
    return max((today - since).days, 0)


def _queue(key: str, qs: QuerySet, *, since: str, today: date) -> Queue:
    """The first LIMIT rows and the count, in one query. `since` names the attribute (a field or an
    annotation, dotted for a related object) holding when each row started waiting."""
    rows = list(qs.annotate(queue_total=Window(expression=Count("pk")))[:LIMIT])
    for row in rows:
        value = row
        for part in since.split("."):
            value = getattr(value, part, None) if value is not None else None
        row.waiting_since = value
        row.waited_days = _days(value, today)
        if isinstance(row, Order):
            # What the office pays: the invoice once there is one, else DPP plus PPN.
            invoice = getattr(row, "invoice", None)
            row.amount = invoice.total if invoice is not None else row.total + row.vat
            # Past the delivery deadline: calendar days late, as the late penalty counts them.
            late = (today - row.delivery_deadline).days if row.delivery_deadline else 0
            row.days_late = late if late > 0 else 0
    return Queue(key=key, count=rows[0].queue_total if rows else 0, rows=rows)


def _last_offer(field_name: str) -> Subquery:
    return Subquery(Offer.objects.filter(order=OuterRef("pk")).order_by("-created_at", "-pk").values(field_name)[:1])


def _with_last_offer(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.annotate(last_offer_side=_last_offer("side"), last_offer_at=_last_offer("created_at"))


def _held(actor: Actor) -> list[tuple[str, Office | None]]:
    """(role, office) of every membership of the user in the actor's tenant, in display order."""
    if not actor.is_authenticated or actor.katalog is None:
        return []
    pairs = {
        (m.role, m.office)
        for m in Membership.objects.filter(user=actor.user, katalog=actor.katalog).select_related("office")
    }
    order = {role: n for n, role in enumerate(ROLE_ORDER)}
    return sorted(pairs, key=lambda p: (order.get(p[0], 99), p[1].code if p[1] else ""))


# --- Buyers --------------------------------------------------------------------------------------


def _office_orders(actor: Actor, office: Office) -> QuerySet[Order]:
    return Order.objects.filter(katalog=actor.katalog, office=office).select_related("vendor", "invoice")


def pp_work(actor: Actor, office: Office, *, today: date) -> dict[str, Queue]:
    orders = _office_orders(actor, office)
    return {
        "drafts": _queue(
            "drafts", orders.filter(status=S.DRAFT).order_by("created_at", "pk"), since="created_at", today=today
        ),
        "offers": _queue(
            "offers",
            _with_last_offer(orders.filter(status=S.NEGOTIATING))
            .filter(last_offer_side=OfferSide.VENDOR)
            .order_by("last_offer_at", "pk"),
            since="last_offer_at",
            today=today,
        ),
    }


def ppk_work(actor: Actor, office: Office, *, today: date) -> dict[str, Queue]:
    orders = _office_orders(actor, office)
    last_delivery = Subquery(
        Delivery.objects.filter(order=OuterRef("pk")).order_by("-delivered_on", "-pk").values("delivered_on")[:1]
    )
    return {
        # An order assigned to another PPK is that PPK's to approve.
        "approvals": _queue(
            "approvals",
            orders.filter(status=S.AWAITING_APPROVAL)
            .filter(Q(approver__isnull=True) | Q(approver=actor.user))
            .order_by("submitted_at", "pk"),
            since="submitted_at",
            today=today,
        ),
        "cancel_requests": _queue(
            "cancel_requests",
            orders.filter(
                status__in=[S.AWAITING_CONFIRMATION, S.IN_PROGRESS], cancel_requested_at__isnull=False
            ).order_by("cancel_requested_at", "pk"),
            since="cancel_requested_at",
            today=today,
        ),
        "receipts": _queue(
            "receipts",
            orders.filter(status=S.DELIVERED).annotate(delivered_on=last_delivery).order_by("delivered_on", "pk"),
            since="delivered_on",
            today=today,
        ),
        "ratings": _queue(
            "ratings", orders.filter(status=S.PAID).order_by("paid_at", "pk"), since="paid_at", today=today
        ),
    }


def treasurer_work(actor: Actor, office: Office, *, today: date) -> dict[str, Queue]:
    orders = _office_orders(actor, office)
    return {
        "invoices": _queue(
            "invoices",
            orders.filter(status=S.INVOICED).order_by(F("invoice__issued_at").asc(nulls_last=True), "pk"),
            since="invoice.issued_at",
            today=today,
        ),
    }


def budget_owner_work(actor: Actor, office: Office, *, today: date) -> dict[str, Queue]:
    orders = _office_orders(actor, office)
    lines = BudgetLine.objects.filter(katalog=actor.katalog, office=office).order_by("-fiscal_year", "kode_rup")
    return {
        "open_orders": _queue(
            "open_orders", orders.filter(status__in=OPEN_STATUSES).order_by("-pk"), since="created_at", today=today
        ),
        "budget_lines": _queue("budget_lines", lines, since="created_at", today=today),
    }


# --- Vendor --------------------------------------------------------------------------------------


def vendor_work(actor: Actor, vendor: Vendor, *, today: date) -> dict[str, Queue]:
    # Never a draft the buyer is still building: only what was sent to the vendor.
    orders = Order.objects.filter(
        katalog=actor.katalog, vendor=vendor, vendor__users=actor.user, sent_to_vendor_at__isnull=False
    ).select_related("office", "invoice")
    products = (
        catalogue_selectors.products_visible_to(actor)
        .filter(vendor=vendor, vendor__users=actor.user)
        .select_related("latest_version")
    )
    pending_change = Q(status=ProductStatus.LISTED) & ~Q(latest_version=F("listed_version"))
    return {
        "offers": _queue(
            "offers",
            _with_last_offer(orders.filter(status=S.NEGOTIATING))
            .filter(last_offer_side=OfferSide.BUYER)
            .order_by("last_offer_at", "pk"),
            since="last_offer_at",
            today=today,
        ),
        "confirmations": _queue(
            "confirmations",
            orders.filter(status=S.AWAITING_CONFIRMATION).order_by("approved_at", "pk"),
            since="approved_at",
            today=today,
        ),
        "deliveries": _queue(
            "deliveries",
            orders.filter(status=S.IN_PROGRESS).order_by(F("delivery_deadline").asc(nulls_last=True), "pk"),
            since="confirmed_at",
            today=today,
        ),
        "invoices_to_send": _queue(
            "invoices_to_send",
            orders.filter(status=S.RECEIVED).order_by("received_at", "pk"),
            since="received_at",
            today=today,
        ),
        "unpaid": _queue(
            "unpaid",
            orders.filter(status=S.INVOICED).order_by(F("invoice__issued_at").asc(nulls_last=True), "pk"),
            since="invoice.issued_at",
            today=today,
        ),
        "products_revision": _queue(
            "products_revision",
            products.filter(status=ProductStatus.REVISION_REQUESTED).order_by("updated_at", "pk"),
            since="updated_at",
            today=today,
        ),
        "products_waiting": _queue(
            "products_waiting",
            products.filter(Q(status=ProductStatus.SUBMITTED) | pending_change).order_by("submitted_at", "pk"),
            since="submitted_at",
            today=today,
        ),
    }


# --- Dinas, auditor ------------------------------------------------------------------------------


def _open_flags(actor: Actor) -> QuerySet[ProductFlag]:
    return (
        ProductFlag.objects.filter(katalog=actor.katalog, resolved_at__isnull=True)
        .select_related("product__vendor", "version")
        .order_by("-created_at", "-pk")
    )


def manager_work(actor: Actor, *, today: date) -> dict[str, Queue]:
    if not actor.can(Permission.VENDOR_VERIFY):
        return {}
    return {
        "vendor_queue": _queue(
            "vendor_queue", vendor_selectors.verification_queue(actor), since="submitted_at", today=today
        ),
        # The queue's photos and flags are not shown here: no prefetch.
        "product_queue": _queue(
            "product_queue",
            catalogue_selectors.curation_queue(actor).prefetch_related(None),
            since="submitted_at",
            today=today,
        ),
        "flags": _queue("flags", _open_flags(actor), since="created_at", today=today),
    }


def auditor_work(actor: Actor, *, today: date) -> dict[str, Queue]:
    if not actor.can(Permission.AUDIT_VIEW):
        return {}
    limit = timezone.now() - timedelta(days=settings.KATALOG_UNPAID_FLAG_DAYS)
    overdue = (
        Order.objects.filter(katalog=actor.katalog, status=S.INVOICED, invoice__issued_at__lt=limit)
        .select_related("vendor", "office", "invoice")
        .order_by("invoice__issued_at", "pk")
    )
    return {
        "flags": _queue("flags", _open_flags(actor), since="created_at", today=today),
        "unpaid_overdue": _queue("unpaid_overdue", overdue, since="invoice.issued_at", today=today),
    }


# --- Everything ----------------------------------------------------------------------------------


def worklist_for(actor: Actor, *, today: date | None = None) -> list[RoleWork]:
    """One entry per role the user holds in the actor's tenant (per office for an office role, per
    business for the vendor role), each with its queues."""
    today = today or timezone.localdate()
    works: list[RoleWork] = []
    seen: set[str] = set()
    for role, office in _held(actor):
        if role == Role.VENDOR:
            if role in seen:
                continue
            seen.add(role)
            vendors = Vendor.objects.filter(katalog=actor.katalog, users=actor.user).order_by("pk")
            for vendor in vendors:
                works.append(RoleWork(role=role, vendor=vendor, queues=vendor_work(actor, vendor, today=today)))
            if not vendors:
                works.append(RoleWork(role=role, queues={}))
        elif role in (Role.PP, Role.PPK, Role.TREASURER, Role.BUDGET_OWNER):
            if office is None:
                continue
            build = {
                Role.PP: pp_work,
                Role.PPK: ppk_work,
                Role.TREASURER: treasurer_work,
                Role.BUDGET_OWNER: budget_owner_work,
            }[role]
            works.append(RoleWork(role=role, office=office, queues=build(actor, office, today=today)))
        elif role not in seen:
            seen.add(role)
            build_tenant = {
                Role.CATALOGUE_MANAGER: manager_work,
                Role.AUDITOR: auditor_work,
            }.get(role)
            works.append(RoleWork(role=role, queues=build_tenant(actor, today=today) if build_tenant else {}))
    return works
