"""Orders and budget lines over the API. Each transition is `POST /api/v1/orders/{id}/<action>`."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Router, Schema

from katalog.accounts.api_auth import actor_of
from katalog.core import prepared
from katalog.core.api_errors import safe_rows
from katalog.core.bounds import Choice, Date, Id, Length, Limit, LongText, Quantity, QuantityOrZero, Reason, ShortText
from katalog.core.idempotency import idempotent

from . import selectors, services
from .models import DeliveryAddress, Order, OrderStatus, PaymentMethod, RefusalMode

# Every input is bounded as the web forms bound it (katalog/core/bounds.py): a bad value answers 422
# with the field, in the user's language.

router = Router(tags=["orders"])
budget_router = Router(tags=["budget lines"])


def _actor(request):
    return actor_of(request)


class BudgetLineOut(Schema):
    kode_rup: str
    name: str
    office: str
    fiscal_year: int
    funding_source: str
    pagu: Decimal
    committed: Decimal
    remaining: Decimal


@budget_router.get("", response=list[BudgetLineOut])
def budget_lines(request):
    """The budget lines this user may charge, with what is committed and what remains."""
    return [
        {
            "kode_rup": b.kode_rup,
            "name": b.name,
            "office": b.office.code,
            "fiscal_year": b.fiscal_year,
            "funding_source": b.funding_source,
            "pagu": b.ceiling,
            "committed": b.committed,
            "remaining": b.remaining,
        }
        for b in selectors.budget_lines_for(_actor(request)).order_by("kode_rup")
    ]


class ItemIn(Schema):
    product: Id
    quantity: Quantity


class OrderIn(Schema):
    budget_line: ShortText(Length.CODE)
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=100)]
    delivery_address: ShortText(Length.ADDRESS) | None = None
    delivery_addresses: Annotated[list[ShortText(Length.ADDRESS)], Field(max_length=20)] | None = None
    note: Reason = ""


class ItemOut(Schema):
    id: int
    product: int
    version: int
    name: str
    quantity: int
    unit_price: Decimal
    shipping_cost: Decimal
    delivered_quantity: int


class OrderOut(Schema):
    id: int
    status: str
    office: str
    vendor: int
    budget_line: str
    total: Decimal  # the DPP: items and shipping, before tax (whole rupiah)
    vat: Decimal  # PPN (a PKP vendor only)
    grand_total: Decimal  # total + vat: what the budget line carries
    committed_amount: Decimal
    deadline_at: datetime | None
    expiring: bool  # past its deadline: the worker cancels it at its next sweep
    delivery_deadline: date | None
    cancel_reason: str
    cancel_requested: bool
    cancel_request_reason: str
    items: list[ItemOut]
    addresses: list[dict]
    documents: list[dict]
    refusals: list[dict]
    receipt: dict | None
    invoice: dict | None
    payments: list[dict]
    actions: list[str]


_CENT = Decimal("0.01")
# Statuses before the Surat Pesanan: such an order has no document, delivery, refusal, BAST or
# invoice yet, so `_out` does not look for them.
_BEFORE_SP = frozenset({OrderStatus.DRAFT, OrderStatus.NEGOTIATING, OrderStatus.AWAITING_APPROVAL})


def _money(value) -> Decimal:
    """An amount as the database gives it back ("0.00", "110000.00"), also for one held in memory."""
    return Decimal(value or 0).quantize(_CENT)


def _utc(moment: datetime | None) -> datetime | None:
    """A moment as the database gives it back (UTC), also for one computed in WIB."""
    return moment.astimezone(UTC) if moment is not None else None


def _receipt(order: Order) -> dict | None:
    check = getattr(order, "receipt_check", None)
    if check is None:
        return None
    return {
        "received_on": check.received_on,
        "on_time": check.on_time,
        "late_days": check.late_days,
        "penalty": check.penalty,
        "notes": check.notes,
    }


def _invoice(order: Order) -> tuple[dict | None, list[dict]]:
    invoice = getattr(order, "invoice", None)
    if invoice is None:
        return None, []
    head = {
        "number": invoice.number,
        "invoice_date": invoice.invoice_date,
        "dpp": invoice.subtotal,
        "vat_base": invoice.vat_base,
        "vat_rate": invoice.vat_rate,
        "vat": invoice.vat,
        "total": invoice.total,
        "penalty": invoice.penalty,
        "payable": invoice.payable,
    }
    payments = [
        {
            "method": p.method,
            "paid_on": p.paid_on,
            "reference": p.reference,
            "gross": p.gross,
            "vat_collected": p.vat_collected,
            "income_tax_kind": p.income_tax_kind,
            "income_tax_rate": p.income_tax_rate,
            "income_tax": p.income_tax,
            "penalty": p.penalty,
            "net": p.amount,
        }
        for p in invoice.payments.order_by("paid_on", "pk")
    ]
    return head, payments


def _addresses_query(order_id: int):
    return DeliveryAddress.objects.filter(order_id=order_id)


def _out(order: Order, actor) -> dict:
    """The order as the API shows it. Items and addresses the service has just read or written
    (`order.loaded_items`, `order.loaded_addresses`) are shown without reading them again; the
    documents, refusals, BAST and invoice are looked for only once the order can have them."""
    early = order.status in _BEFORE_SP
    invoice, payments = (None, []) if early else _invoice(order)
    items = getattr(order, "loaded_items", None)
    if items is None:
        items = list(order.items.select_related("version"))
    addresses = getattr(order, "loaded_addresses", None)
    if addresses is None:
        addresses = prepared.fetch(DeliveryAddress, _addresses_query, order.pk)
    return {
        "id": order.pk,
        "status": str(order.status),
        "office": order.office.code,
        "vendor": order.vendor_id,
        "budget_line": order.budget_line.kode_rup,
        "total": _money(order.total),
        "vat": _money(order.vat),
        "grand_total": _money(order.total) + _money(order.vat),
        "committed_amount": _money(order.committed_amount),
        "deadline_at": _utc(order.deadline_at),
        "expiring": services.is_overdue(order),
        "delivery_deadline": order.delivery_deadline,
        "cancel_reason": order.cancel_reason,
        "cancel_requested": order.cancel_requested_at is not None,
        "cancel_request_reason": order.cancel_request_reason,
        "refusals": []
        if early
        else [
            {"item": r.item_id, "quantity": r.quantity, "mode": r.mode, "reason": r.reason, "refused_on": r.refused_on}
            for r in order.refusals.all()
        ],
        "receipt": None if early else _receipt(order),
        "invoice": invoice,
        "payments": payments,
        "items": [
            {
                "id": i.pk,
                "product": i.product_id,
                "version": i.version.number,
                "name": i.version.name,
                "quantity": i.quantity,
                "unit_price": _money(i.unit_price),
                "shipping_cost": _money(i.shipping_cost),
                "delivered_quantity": i.delivered_quantity,
            }
            for i in sorted(items, key=lambda i: i.pk)
        ],
        "addresses": [{"id": a.pk, "address": a.address} for a in sorted(addresses, key=lambda a: a.pk)],
        "documents": [] if early else [{"kind": d.kind, "number": d.number} for d in order.documents.all()],
        "actions": selectors.order_actions(actor, order),
    }


@router.post("", response={201: OrderOut})
@idempotent
def create_order(request, payload: OrderIn):
    """A draft order: `{"budget_line": "<kode_rup>", "items": [{"product": id, "quantity": n}],
    "delivery_address": "..."}` (or `delivery_addresses`: [...])."""
    actor = _actor(request)
    line = selectors.get_budget_line(actor, payload.budget_line)
    addresses = payload.delivery_addresses or ([payload.delivery_address] if payload.delivery_address else [])
    order = services.order_create(
        actor=actor,
        budget_line=line,
        addresses=addresses,
        note=payload.note,
        items=[services.ItemRequest(i.product, i.quantity) for i in payload.items],
    )
    return 201, _out(order, actor)  # the order as written, shown as stored ("0.00", UTC): no second read


@router.get("", response=list[OrderOut])
def list_orders(request, status: ShortText(Length.STATUS) = "", limit: Limit(200) = 50):
    """The orders this user may see, newest first. A row that cannot be shown is left out and logged:
    one bad row never fails the list."""
    actor = _actor(request)
    qs = selectors.orders_visible_to(actor).select_related("office", "budget_line", "vendor")
    if status:
        qs = qs.filter(status=status)
    return safe_rows(qs.order_by("-pk")[:limit], lambda order: _out(order, actor), OrderOut)


@router.get("/{order_id}", response=OrderOut)
def get_order(request, order_id: Id):
    actor = _actor(request)
    return _out(selectors.get_order(actor, order_id), actor)


class ReasonIn(Schema):
    reason: Reason = ""


class LinesIn(Schema):
    lines: Annotated[list[dict], Field(max_length=100)]  # each line's figures are checked by the service
    message: Reason = ""


class DeliverIn(Schema):
    address: Id
    lines: Annotated[dict[Id, QuantityOrZero], Field(max_length=100)]
    delivered_on: Date | None = None


class RefuseIn(Schema):
    lines: Annotated[dict[Id, QuantityOrZero], Field(max_length=100)]
    mode: Choice(*RefusalMode.values)
    reason: Reason


class ReceiveIn(Schema):
    quantity_ok: bool
    condition_ok: bool
    on_time: bool | None = None  # computed from the delivery dates now: accepted and ignored
    notes: LongText = ""


class InvoiceIn(Schema):
    invoice_date: Date | None = None


class PayIn(Schema):
    method: Choice(*PaymentMethod.values)
    paid_on: Date | None = None
    reference: ShortText(Length.REFERENCE)


Score = Annotated[int, Field(ge=1, le=5)]


class RateIn(Schema):
    quality: Score
    timeliness: Score
    service: Score
    price: Score
    comment: LongText = ""


# Transitions whose service returns the order exactly as stored (plain values, nothing changed
# behind it by a bulk update): the answer is built from it without reading the order again.
_RETURNS_STORED = frozenset({services.order_submit, services.order_approve, services.order_confirm})


def _do(request, order_id: Id, transition, **kwargs):
    actor = _actor(request)
    # The order's row alone, as visible to the actor: the service locks it and reads the rest.
    order = selectors.order_to_act_on(actor, order_id)
    order = transition(actor=actor, order=order, **kwargs)
    if transition not in _RETURNS_STORED:
        order = selectors.get_order(actor, order_id)
    return _out(order, actor)


@router.post("/{order_id}/propose", response=OrderOut)
def propose(request, order_id: Id, payload: LinesIn):
    return _do(request, order_id, services.order_propose, lines=payload.lines, message=payload.message)


@router.post("/{order_id}/counter", response=OrderOut)
def counter(request, order_id: Id, payload: LinesIn):
    return _do(request, order_id, services.order_counter, lines=payload.lines, message=payload.message)


@router.post("/{order_id}/accept", response=OrderOut)
def accept(request, order_id: Id):
    return _do(request, order_id, services.order_accept)


@router.post("/{order_id}/reprice", response=OrderOut)
def reprice(request, order_id: Id):
    """Take the current listed version of every product that changed since the draft."""
    return _do(request, order_id, services.order_reprice)


@router.post("/{order_id}/submit", response=OrderOut)
def submit(request, order_id: Id):
    return _do(request, order_id, services.order_submit)


@router.post("/{order_id}/approve", response=OrderOut)
def approve(request, order_id: Id):
    return _do(request, order_id, services.order_approve)


@router.post("/{order_id}/confirm", response=OrderOut)
def confirm(request, order_id: Id):
    return _do(request, order_id, services.order_confirm)


@router.post("/{order_id}/deliver", response=OrderOut)
@idempotent
def deliver(request, order_id: Id, payload: DeliverIn):
    return _do(
        request,
        order_id,
        services.order_deliver,
        address_id=payload.address,
        lines=payload.lines,
        delivered_on=payload.delivered_on,
    )


@router.post("/{order_id}/refuse", response=OrderOut)
def refuse(request, order_id: Id, payload: RefuseIn):
    """Refuse delivered goods that fail the receipt check: `{"lines": {item: quantity}, "mode":
    "replace" | "reduce", "reason": "..."}`."""
    return _do(request, order_id, services.order_refuse, lines=payload.lines, mode=payload.mode, reason=payload.reason)


@router.post("/{order_id}/receive", response=OrderOut)
def receive(request, order_id: Id, payload: ReceiveIn):
    return _do(
        request,
        order_id,
        services.order_receive,
        quantity_ok=payload.quantity_ok,
        condition_ok=payload.condition_ok,
        notes=payload.notes,
    )


@router.post("/{order_id}/invoice", response=OrderOut)
def invoice(request, order_id: Id, payload: InvoiceIn | None = None):
    """The vendor's invoice (an optional `invoice_date`, between the BAST and today)."""
    return _do(request, order_id, services.order_invoice, invoice_date=payload.invoice_date if payload else None)


@router.post("/{order_id}/pay", response=OrderOut)
@idempotent
def pay(request, order_id: Id, payload: PayIn):
    return _do(
        request,
        order_id,
        services.order_pay,
        method=payload.method,
        paid_on=payload.paid_on or timezone.localdate(),
        reference=payload.reference,
    )


@router.post("/{order_id}/rate", response=OrderOut)
def rate(request, order_id: Id, payload: RateIn):
    return _do(
        request,
        order_id,
        services.order_rate,
        quality=payload.quality,
        timeliness=payload.timeliness,
        service=payload.service,
        price=payload.price,
        comment=payload.comment,
    )


@router.post("/{order_id}/cancel", response=OrderOut)
def cancel(request, order_id: Id, payload: ReasonIn):
    return _do(request, order_id, services.order_cancel, reason=payload.reason)


@router.post("/{order_id}/request-cancel", response=OrderOut)
def request_cancel(request, order_id: Id, payload: ReasonIn):
    """The vendor asks the PPK to cancel an order whose Surat Pesanan exists."""
    return _do(request, order_id, services.order_request_cancel, reason=payload.reason)


@router.post("/{order_id}/decline-cancel", response=OrderOut)
def decline_cancel(request, order_id: Id, payload: ReasonIn):
    """The PPK keeps the order the vendor asked to cancel, with a reason."""
    return _do(request, order_id, services.order_decline_cancel, reason=payload.reason)
