"""The invoice, the treasurer's payment as it is booked, and the rating with its reply."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core import audit
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.permissions import Role

from .. import documents, notifications, taxes, workflow
from ..models import (
    DocumentKind,
    Invoice,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Rating,
)
from .base import _check_date, _done, _move, _tax, _text, parties_of

S = OrderStatus

# --- Invoice, payment, rating -------------------------------------------------------------------------


@transaction.atomic
def order_invoice(*, actor: Actor, order: Order, invoice_date: date | None = None) -> Invoice:
    """The vendor's invoice, dated between the BAST and today: DPP, PPN only when the vendor is a PKP
    (buying/taxes.py), total, and the late penalty of the BAST taken off what is payable. The invoice
    and its kuitansi are numbered and rendered as documents."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.INVOICE, parties=parties)
    check = order.receipt_check
    invoice_date = _check_date(
        invoice_date or timezone.localdate(), field="invoice_date", after=check.received_on, after_label=_("the BAST")
    )
    vat = _tax(order, order.total)
    invoice = Invoice(
        order=order,
        invoice_date=invoice_date,
        subtotal=vat.dpp,
        vat_rate=vat.rate,
        vat_base=vat.base,
        vat=vat.vat,
        total=vat.total,
        penalty=check.penalty,
    )
    order.save()
    invoice.save()  # first, so the invoice's document is numbered and fixed from the stored row
    invoice.number = documents.issue(order=order, kind=DocumentKind.INVOICE).number
    invoice.save(update_fields=["number"])
    documents.issue(order=order, kind=DocumentKind.RECEIPT)
    notifications.tell(order, _("Order #%(n)s: an invoice waits for payment."), role=Role.TREASURER)
    _done(actor=actor, order=order, old=old, action="invoice", total=str(invoice.total))
    return invoice


def settlement_of(order: Order) -> taxes.Settlement:
    """What the treasurer will collect, withhold and pay on the order's invoice. A read."""
    invoice = order.invoice
    vendor = order.vendor
    return taxes.settlement(
        dpp=invoice.subtotal,
        vat=invoice.vat,
        penalty=invoice.penalty,
        pp55=bool(vendor.pp55_certificate.strip()),
        has_npwp=bool(vendor.npwp.strip()),
    )


@transaction.atomic
def order_pay(*, actor: Actor, order: Order, method: str, paid_on: date, reference: str) -> Payment:
    """The treasurer records the payment as it is booked: dated between the invoice (itself after the
    BAST) and today, with the PPN collected, the PPh withheld, the penalty, and the net paid."""
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.PAY, parties=parties)
    if method not in PaymentMethod.values:
        raise ValidationFailed(fields={"method": [", ".join(PaymentMethod.values)]})
    reference = _text(reference, "reference", 100)
    if not reference:
        raise ValidationFailed(
            _("Give the payment reference (e.g. the SP2D number)."),
            code="reference_required",
            fields={"reference": [_("This field is required.")]},
        )
    invoice = order.invoice
    after, label = invoice.invoice_date or order.receipt_check.received_on, _("the invoice")
    paid_on = _check_date(paid_on, field="paid_on", after=after, after_label=label)
    booked = settlement_of(order)
    payment = Payment.objects.create(
        invoice=invoice,
        method=method,
        paid_on=paid_on,
        reference=reference,
        gross=booked.gross,
        vat_collected=booked.vat_collected,
        income_tax_kind=booked.income_tax_kind,
        income_tax_rate=booked.income_tax_rate,
        income_tax=booked.income_tax,
        penalty=booked.penalty,
        amount=booked.net,
        recorded_by=actor.user,
    )
    order.paid_at = timezone.now()
    documents.complete_receipt(order)
    notifications.tell(order, _("Order #%(n)s is paid."), vendor=True)
    _done(actor=actor, order=order, old=old, action="pay", method=method, reference=reference, net=str(booked.net))
    return payment


@transaction.atomic
def order_rate(
    *, actor: Actor, order: Order, quality: int, timeliness: int, service: int, price: int, comment: str = ""
) -> Rating:
    parties = parties_of(actor, order)
    order, old = _move(actor=actor, order=order, action=workflow.RATE, parties=parties)
    scores = (quality, timeliness, service, price)
    if not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 5 for s in scores):
        raise ValidationFailed(_("Each score is a whole number from 1 to 5."), code="invalid")
    rating = Rating.objects.create(
        order=order,
        vendor=order.vendor,
        quality=quality,
        timeliness=timeliness,
        service=service,
        price=price,
        comment=_text(comment, "comment", 2000),
        created_by=actor.user,
    )
    notifications.tell(order, _("Order #%(n)s: you were rated; you may reply once."), vendor=True)
    _done(actor=actor, order=order, old=old, action="rate")
    return rating


@transaction.atomic
def rating_reply(*, actor: Actor, rating: Rating, reply: str) -> Rating:
    """The vendor's right of reply: once."""
    rating = Rating.objects.select_for_update().select_related("order__vendor").get(pk=rating.pk)
    if workflow.VENDOR not in parties_of(actor, rating.order):
        raise NotAllowed()
    if rating.replied_at is not None:
        raise ValidationFailed(_("You have already replied to this rating."), code="already_replied")
    reply = _text(reply, "reply", 2000)
    if not reply:
        raise ValidationFailed(_("Write your reply."), code="reply_required")
    rating.reply, rating.replied_at = reply, timezone.now()
    rating.save(update_fields=["reply", "replied_at"])
    audit.record(actor=actor.user, action="rating.reply", obj=rating, katalog=rating.order.katalog)
    return rating
