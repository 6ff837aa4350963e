"""Orders and budget lines over the API. Each transition is `POST /api/v1/orders/{id}/<action>`."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema

from katalog.core.errors import ValidationFailed

from . import selectors, services
from .models import Order

router = Router(tags=["orders"])
budget_router = Router(tags=["budget lines"])


def _actor(request):
    from katalog.api import actor_of

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
    product: int
    quantity: int


class OrderIn(Schema):
    budget_line: str
    items: list[ItemIn]
    delivery_address: str | None = None
    delivery_addresses: list[str] | None = None
    note: str = ""


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
    total: Decimal
    committed_amount: Decimal
    deadline_at: datetime | None
    cancel_reason: str
    items: list[ItemOut]
    addresses: list[dict]
    documents: list[dict]
    actions: list[str]


def _out(order: Order, actor) -> dict:
    return {
        "id": order.pk,
        "status": order.status,
        "office": order.office.code,
        "vendor": order.vendor_id,
        "budget_line": order.budget_line.kode_rup,
        "total": order.total,
        "committed_amount": order.committed_amount,
        "deadline_at": order.deadline_at,
        "cancel_reason": order.cancel_reason,
        "items": [
            {
                "id": i.pk,
                "product": i.product_id,
                "version": i.version.number,
                "name": i.version.name,
                "quantity": i.quantity,
                "unit_price": i.unit_price,
                "shipping_cost": i.shipping_cost,
                "delivered_quantity": i.delivered_quantity,
            }
            for i in order.items.select_related("version")
        ],
        "addresses": [{"id": a.pk, "address": a.address} for a in order.addresses.all()],
        "documents": [{"kind": d.kind, "number": d.number} for d in order.documents.all()],
        "actions": selectors.order_actions(actor, order),
    }


@router.post("", response={201: OrderOut})
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
    return 201, _out(selectors.get_order(actor, order.pk), actor)  # as stored: "0.00", not the in-memory 0


@router.get("", response=list[OrderOut])
def list_orders(request, status: str = "", limit: int = 50):
    actor = _actor(request)
    qs = selectors.orders_visible_to(actor).select_related("office", "budget_line", "vendor")
    if status:
        qs = qs.filter(status=status)
    return [_out(o, actor) for o in qs.order_by("-pk")[: max(1, min(limit, 200))]]


@router.get("/{order_id}", response=OrderOut)
def get_order(request, order_id: int):
    actor = _actor(request)
    return _out(selectors.get_order(actor, order_id), actor)


class ReasonIn(Schema):
    reason: str = ""


class LinesIn(Schema):
    lines: list[dict]
    message: str = ""


class DeliverIn(Schema):
    address: int
    lines: dict[int, int]
    delivered_on: date | None = None


class ReceiveIn(Schema):
    quantity_ok: bool
    condition_ok: bool
    on_time: bool
    notes: str = ""


class PayIn(Schema):
    method: str
    paid_on: date | None = None
    reference: str


class RateIn(Schema):
    quality: int
    timeliness: int
    service: int
    price: int
    comment: str = ""


def _do(request, order_id: int, transition, **kwargs):
    actor = _actor(request)
    order = selectors.get_order(actor, order_id)
    transition(actor=actor, order=order, **kwargs)
    return _out(selectors.get_order(actor, order_id), actor)


@router.post("/{order_id}/propose", response=OrderOut)
def propose(request, order_id: int, payload: LinesIn):
    return _do(request, order_id, services.order_propose, lines=payload.lines, message=payload.message)


@router.post("/{order_id}/counter", response=OrderOut)
def counter(request, order_id: int, payload: LinesIn):
    return _do(request, order_id, services.order_counter, lines=payload.lines, message=payload.message)


@router.post("/{order_id}/accept", response=OrderOut)
def accept(request, order_id: int):
    return _do(request, order_id, services.order_accept)


@router.post("/{order_id}/submit", response=OrderOut)
def submit(request, order_id: int):
    return _do(request, order_id, services.order_submit)


@router.post("/{order_id}/approve", response=OrderOut)
def approve(request, order_id: int):
    return _do(request, order_id, services.order_approve)


@router.post("/{order_id}/confirm", response=OrderOut)
def confirm(request, order_id: int):
    return _do(request, order_id, services.order_confirm)


@router.post("/{order_id}/deliver", response=OrderOut)
def deliver(request, order_id: int, payload: DeliverIn):
    return _do(
        request,
        order_id,
        services.order_deliver,
        address_id=payload.address,
        lines=payload.lines,
        delivered_on=payload.delivered_on,
    )


@router.post("/{order_id}/receive", response=OrderOut)
def receive(request, order_id: int, payload: ReceiveIn):
    return _do(
        request,
        order_id,
        services.order_receive,
        quantity_ok=payload.quantity_ok,
        condition_ok=payload.condition_ok,
        on_time=payload.on_time,
        notes=payload.notes,
    )


@router.post("/{order_id}/invoice", response=OrderOut)
def invoice(request, order_id: int):
    return _do(request, order_id, services.order_invoice)


@router.post("/{order_id}/pay", response=OrderOut)
def pay(request, order_id: int, payload: PayIn):
    from .models import PaymentMethod

    if payload.method not in PaymentMethod.values:
        raise ValidationFailed(fields={"method": [", ".join(PaymentMethod.values)]})
    return _do(
        request,
        order_id,
        services.order_pay,
        method=payload.method,
        paid_on=payload.paid_on or timezone.localdate(),
        reference=payload.reference,
    )


@router.post("/{order_id}/rate", response=OrderOut)
def rate(request, order_id: int, payload: RateIn):
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
def cancel(request, order_id: int, payload: ReasonIn):
    return _do(request, order_id, services.order_cancel, reason=payload.reason)
