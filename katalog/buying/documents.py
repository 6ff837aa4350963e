"""The official documents of an order, in the form Indonesian regional offices file them: the
Surat Pesanan (SP), the Berita Acara Serah Terima (BAST), the vendor's invoice (INV) and the
kuitansi (KW). See docs/documents.md.

- Numbered per office, year and kind without gaps or duplicates: the counter row is locked while a
  number is taken, inside the transaction of the step that issues the document.
- The figures of a document (lines, DPP, PPN, penalty, total, the parties and their NIPs) are fixed
  in `OrderDocument.snapshot` when it is issued: a signed document never changes. The one exception
  is the DIBATALKAN mark on the documents of an order cancelled afterwards (`rerender`).
- Rendered as PDF (reportlab platypus, A4) after the transaction commits, by the task worker or on
  first download, so a failed rendering never undoes a step nor leaves a gap in the numbers.
- Every text that comes from a user (names, units, addresses, reasons...) reaches reportlab's
  Paragraph markup only through `_p`, which escapes it: a product named `<img src=...>` prints as
  written and never makes reportlab open a file.

The documents are Indonesian legal text, fixed here, not translated."""

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from num2words import num2words
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from katalog.core.money import format_rupiah, whole_rupiah

from .after_commit import queue_task
from .models import (
    Delivery,
    DocumentCounter,
    DocumentKind,
    Invoice,
    Order,
    OrderDocument,
    OrderStatus,
    ReceiptCheck,
    Refusal,
    RefusalMode,
)
from .taxes import vat_of

log = logging.getLogger(__name__)

PREFIXES = {
    DocumentKind.PURCHASE_ORDER: "SP",
    DocumentKind.BAST: "BAST",
    DocumentKind.INVOICE: "INV",
    DocumentKind.RECEIPT: "KW",
}
TITLES = {
    DocumentKind.PURCHASE_ORDER: "SURAT PESANAN",
    DocumentKind.BAST: "BERITA ACARA SERAH TERIMA BARANG",
    DocumentKind.INVOICE: "INVOICE / TAGIHAN",
    DocumentKind.RECEIPT: "KUITANSI",
}
# UU 10/2020 Pasal 3 ayat (2) huruf g: a document stating a sum of money above Rp5.000.000 bears
# the Rp10.000 stamp duty (Pasal 5).
METERAI_THRESHOLD = Decimal("5000000")

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
FALLBACK_POSITIONS = {
    "ppk": "Pejabat Pembuat Komitmen",
    "treasurer": "Bendahara Pengeluaran",
    "budget_owner": "Pengguna Anggaran",
}
SNAPSHOT_VERSION = 1


# --- Words, dates, identifiers ------------------------------------------------------------------------


def terbilang(amount: Decimal) -> str:
    """1250000 → "satu juta dua ratus lima puluh ribu rupiah"."""
    whole = int(amount)
    words = num2words(whole, lang="id") + " rupiah"
    sen = int((Decimal(amount) - whole) * 100)
    if sen:
        words += " " + num2words(sen, lang="id") + " sen"
    return words


def _number_words(n: int) -> str:
    """5 → "5 (lima)", as Indonesian letters write a count."""
    return f"{n} ({num2words(int(n), lang='id')})"


def _as_local_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def indonesian_date(d: date | datetime | str | None) -> str:
    """30 November 2026 (a datetime is read in local time, WIB); "-" when there is no date."""
    d = _as_local_date(d)
    if d is None:
        return "-"
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def indonesian_date_in_words(d: date | datetime | str) -> str:
    """The date in words, as a BAST opens: "Senin tanggal tiga puluh bulan November tahun dua ribu dua puluh enam"."""
    d = _as_local_date(d)
    return (
        f"{DAYS[d.weekday()]} tanggal {num2words(d.day, lang='id')} bulan {MONTHS[d.month - 1]} "
        f"tahun {num2words(d.year, lang='id')}"
    )


def _digits(value: object) -> str:
    return re.sub(r"\D", "", str(value or ""))


def format_npwp(value: str) -> str:
    """15 digits as 99.999.999.9-999.999; the 16-digit form (PMK 112/2022) as it is; "-" if none."""
    raw = _digits(value)
    if len(raw) == 15:
        return f"{raw[0:2]}.{raw[2:5]}.{raw[5:8]}.{raw[8]}-{raw[9:12]}.{raw[12:15]}"
    return raw or str(value or "").strip() or "-"


def _percent(value: Decimal | str) -> str:
    """12.00 → "12", 1.50 → "1,5" (Indonesian decimal comma)."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")


def _money(value) -> str:
    return format_rupiah(Decimal(str(value)))


# --- Officials ----------------------------------------------------------------------------------------


def _person_name(user) -> str:
    return (user.get_full_name() or user.username).strip()


def _official_user(order: Order, role: str):
    from katalog.accounts.models import Membership

    if role == "ppk":
        return order.approver
    if role == "treasurer":
        invoice = _invoice_of(order)
        payment = (
            invoice.payments.order_by("-pk").select_related("recorded_by").first() if invoice and invoice.pk else None
        )
        if payment is not None:
            return payment.recorded_by
    membership = (
        Membership.objects.filter(katalog_id=order.katalog_id, office_id=order.office_id, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def official(order: Order, role: str = "ppk") -> tuple[str, str, str]:
    """(name, position, NIP) of the official who signs for the office: the PPK who approved the order
    (role "ppk"), the treasurer ("treasurer") or the budget owner ("budget_owner"), with the jabatan
    and NIP of their membership in the order's office. Without a position the role's title is
    printed; without an NIP "-"; without a person the name is empty (a blank line to sign on)."""
    from katalog.accounts.models import Membership

    fallback = FALLBACK_POSITIONS.get(role, role)
    user = _official_user(order, role)
    if user is None:
        return "", fallback, "-"
    # (position, NIP) of that membership when the service read it already (the approval, with its lock).
    known = getattr(order, "loaded_officials", {}).get((role, user.pk))
    if known is not None:
        position, nip = known
    else:
        membership = (
            Membership.objects.filter(user=user, katalog_id=order.katalog_id, office_id=order.office_id, role=role)
            .order_by("pk")
            .first()
        )
        position, nip = (membership.position, membership.nip) if membership else ("", "")
    position = (position or "").strip() or fallback
    nip = (nip or "").strip() or "-"
    return _person_name(user), position, nip


def director_title(vendor) -> str:
    """How the person who signs for the vendor is called: "Direktur" of a PT or CV, "Ketua" of a
    cooperative, else "Pemilik" (a sole proprietorship such as a UD, most UMKM)."""
    name = (vendor.name or "").strip().upper()
    if re.match(r"^(PT|CV)[\s.]", name):
        return "Direktur"
    if re.match(r"^(KOPERASI|KSU|KUD|KSP)\b", name):
        return "Ketua"
    return "Pemilik"


# --- Numbers ------------------------------------------------------------------------------------------


def next_number(*, order: Order, kind: str) -> tuple[int, int, str]:
    """(year, sequence, number text) for a new document of the order's office."""
    year = timezone.localdate().year
    last = _take_number(order.office_id, year, kind)
    if last is None:  # the office's first document of the year (a racing creator's row waits on the key)
        DocumentCounter.objects.get_or_create(office_id=order.office_id, year=year, kind=kind)
        last = _take_number(order.office_id, year, kind)
    return year, last, f"{PREFIXES[kind]}/{last:04d}/{order.office.code}/{year}"


_TAKE_NUMBER = (
    'UPDATE "buying_documentcounter" SET "last" = "last" + 1 WHERE "office_id" = %s AND "year" = %s AND "kind" = %s '
    'RETURNING "last"'
)


def _take_number(office_id: int, year: int, kind: str) -> int | None:
    """The counter moved on by one and its new value, in one statement (`UPDATE … RETURNING`: the row
    stays locked until the caller's transaction ends, as with `SELECT … FOR UPDATE` then `UPDATE`);
    None when the office has no counter of that year and kind yet."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_NUMBER, [office_id, year, kind])
        row = cursor.fetchone()
    return row[0] if row else None


# --- Snapshot -----------------------------------------------------------------------------------------


def _amount(value) -> str:
    return str(whole_rupiah(value or 0))


def _rate(value) -> str:
    """A percentage as stored ("12.00", "1.50"), never rounded to whole units."""
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


def _iso(value: date | datetime | None) -> str:
    d = _as_local_date(value)
    return d.isoformat() if d else ""


def _document_of(order: Order, kind: str) -> dict:
    doc = OrderDocument.objects.filter(order=order, kind=kind).first()
    if doc is None:
        return {}
    when = doc.snapshot.get("date") if isinstance(doc.snapshot, dict) else ""
    return {"number": doc.number, "date": when or _iso(doc.created_at)}


def _items_of(order: Order) -> list:
    """The order's items with their versions, by id: those the service read under the order's lock
    (`order.loaded_items`), else read now."""
    loaded = getattr(order, "loaded_items", None)
    if loaded is not None:
        return sorted(loaded, key=lambda item: item.pk)
    return list(order.items.select_related("version").order_by("pk"))


def _item_lines(order: Order, *, ordered: bool) -> list[dict]:
    """The order's lines; `ordered` counts what the SP ordered (before any reduction at receipt)."""
    lines = []
    for item in _items_of(order):
        quantity = item.quantity + item.reduced_quantity if ordered else item.quantity
        if not quantity:
            continue
        lines.append(
            {
                "name": item.version.name,
                "quantity": quantity,
                "unit": item.version.unit,
                "unit_price": _amount(item.unit_price),
                "shipping": _amount(item.shipping_cost),
                "line_total": _amount(item.unit_price * quantity + item.shipping_cost),
            }
        )
    return lines


def _vat_figures(*, dpp, vat, pkp: bool) -> dict:
    """DPP, DPP nilai lain, rate, PPN and total; the PPN is the one of the order or invoice."""
    computed = vat_of(Decimal(dpp), pkp=pkp)
    vat = Decimal(vat or 0)
    return {
        "pkp": pkp,
        "dpp": _amount(dpp),
        "vat_factor": str(settings.KATALOG_VAT_DPP_FACTOR).strip() if pkp else "",
        "vat_base": _amount(computed.base if pkp else 0),
        "vat_rate": _rate(computed.rate if pkp else 0),
        "vat": _amount(vat if pkp else 0),
        "total": _amount(Decimal(dpp) + (vat if pkp else 0)),
    }


def _party(order: Order, role: str) -> dict:
    name, position, nip = official(order, role)
    return {"name": name, "position": position, "nip": nip}


def _vendor(order: Order) -> dict:
    vendor = order.vendor
    return {
        "name": vendor.name,
        "director": (vendor.owner_name or "").strip(),
        "director_title": director_title(vendor),
        "nib": vendor.nib or "-",
        "npwp": format_npwp(vendor.npwp),
        "address": vendor.address,
        "phone": vendor.phone,
        "pkp": bool(vendor.is_vat_registered),
        "bank": {
            "name": vendor.bank_name,
            "account_number": vendor.bank_account_number,
            "account_name": vendor.bank_account_name,
        },
    }


def snapshot(order: Order, kind: str) -> dict:
    """The figures and parties of a document of `order`, as they stand now: what `issue` fixes in
    `OrderDocument.snapshot`, so a later refusal, payment or change of jabatan never changes what a
    signed document says. Amounts are whole-rupiah strings ("2305000.00"), dates ISO strings."""
    office, katalog, line = order.office, order.katalog, order.budget_line
    vendor = order.vendor
    pkp = bool(vendor.is_vat_registered) or Decimal(order.vat or 0) > 0
    today = timezone.localdate()
    data = {
        "version": SNAPSHOT_VERSION,
        "kind": kind,
        "order": order.pk,
        "date": today.isoformat(),
        "government": katalog.government_name,
        "place": (katalog.place_name or "").strip() or _place_of(katalog.government_name),
        "office": {"code": office.code, "name": office.name, "address": office.address, "phone": office.phone},
        "budget": {
            "kode_rup": line.kode_rup,
            "name": line.name,
            "fiscal_year": line.fiscal_year,
            "funding_source": line.funding_source,
            "account_code": line.account_code,
        },
        "ppk": _party(order, "ppk"),
        "vendor": _vendor(order),
        "note": order.note,
    }
    if kind == DocumentKind.PURCHASE_ORDER:
        data["date"] = _iso(order.approved_at) or data["date"]
        data["items"] = _item_lines(order, ordered=True)
        dpp = sum((Decimal(i["line_total"]) for i in data["items"]), Decimal(0))
        # The SP orders what was agreed: order.total, unless refusals have since reduced it.
        reduced = any(i.reduced_quantity for i in _items_of(order))
        vat = order.vat if not reduced else vat_of(dpp, pkp=pkp).vat
        data.update(_vat_figures(dpp=dpp if reduced else order.total, vat=vat, pkp=pkp))
        loaded = getattr(order, "loaded_addresses", None)  # written with the order, never changed
        data["addresses"] = (
            [a.address for a in sorted(loaded, key=lambda a: a.pk)]
            if loaded is not None
            else list(order.addresses.order_by("pk").values_list("address", flat=True))
        )
        data["delivery_deadline"] = _iso(order.delivery_deadline)
        data["lead_time_days"] = order.lead_time_days
        data["penalty_per_mille"] = str(settings.KATALOG_LATE_PENALTY_PER_MILLE)
        data["payment_days"] = int(settings.KATALOG_UNPAID_FLAG_DAYS)
        data["amount"] = data["total"]
    elif kind == DocumentKind.BAST:
        data["items"] = _item_lines(order, ordered=False)
        data.update(_vat_figures(dpp=order.total, vat=order.vat, pkp=pkp))
        data["sp"] = _document_of(order, DocumentKind.PURCHASE_ORDER) or {
            "number": "-",
            "date": _iso(order.approved_at),
        }
        data["delivery_deadline"] = _iso(order.delivery_deadline)
        data["deliveries"] = [
            {
                "date": _iso(d.delivered_on),
                "address": d.address.address,
                "lines": [
                    {"name": dl.item.version.name, "quantity": dl.quantity, "unit": dl.item.version.unit}
                    for dl in d.lines.select_related("item__version").order_by("pk")
                ],
            }
            for d in Delivery.objects.filter(order=order).select_related("address").order_by("delivered_on", "pk")
        ]
        data["refusals"] = [
            {
                "date": _iso(r.refused_on),
                "name": r.item.version.name,
                "quantity": r.quantity,
                "unit": r.item.version.unit,
                "mode": r.mode,
                "reason": r.reason,
            }
            for r in Refusal.objects.filter(order=order).select_related("item__version").order_by("created_at", "pk")
        ]
        check = ReceiptCheck.objects.filter(order=order).first()
        penalty = Decimal(check.penalty) if check else Decimal(0)
        data["receipt"] = (
            {
                "received_on": _iso(check.received_on),
                "quantity_ok": check.quantity_ok,
                "condition_ok": check.condition_ok,
                "on_time": check.on_time,
                "notes": check.notes,
            }
            if check
            else {}
        )
        data["late_days"] = check.late_days if check else 0
        data["penalty"] = _amount(penalty)
        data["penalty_per_mille"] = str(settings.KATALOG_LATE_PENALTY_PER_MILLE)
        data["payable"] = _amount(Decimal(data["total"]) - penalty)
        data["amount"] = data["total"]
    else:
        invoice = _invoice_of(order)
        data["items"] = _item_lines(order, ordered=False)
        data["sp"] = _document_of(order, DocumentKind.PURCHASE_ORDER)
        data["bast"] = _document_of(order, DocumentKind.BAST)
        if invoice is not None:
            inv_pkp = Decimal(invoice.vat_rate or 0) > 0 or Decimal(invoice.vat or 0) > 0
            data.update(_vat_figures(dpp=invoice.subtotal, vat=invoice.vat, pkp=inv_pkp))
            if inv_pkp:  # the invoice's own base and rate, as billed
                data["vat_base"], data["vat_rate"] = _amount(invoice.vat_base), _rate(invoice.vat_rate)
            data["total"] = _amount(invoice.total)
            data["penalty"] = _amount(invoice.penalty)
            data["payable"] = _amount(invoice.payable)
            data["invoice"] = {
                "number": invoice.number,
                "date": _iso(invoice.invoice_date or invoice.issued_at),
            }
        else:  # issued before the invoice row exists: the order's figures
            data.update(_vat_figures(dpp=order.total, vat=order.vat, pkp=pkp))
            check = ReceiptCheck.objects.filter(order=order).first()
            penalty = Decimal(check.penalty) if check else Decimal(0)
            data["penalty"] = _amount(penalty)
            data["payable"] = _amount(Decimal(data["total"]) - penalty)
            data["invoice"] = {}
        data["bank"] = data["vendor"]["bank"]
        if kind == DocumentKind.INVOICE:
            data["date"] = data["invoice"].get("date") or data["date"]
            data["amount"] = data["total"]
        else:
            payment = invoice.payments.order_by("-pk").first() if invoice is not None and invoice.pk else None
            data["payment"] = (
                {
                    "paid_on": _iso(payment.paid_on),
                    "method": payment.method,
                    "reference": payment.reference,
                    "gross": _amount(payment.gross),
                    "vat_collected": _amount(payment.vat_collected),
                    "income_tax_kind": payment.income_tax_kind,
                    "income_tax_rate": _rate(payment.income_tax_rate),
                    "income_tax": _amount(payment.income_tax),
                    "penalty": _amount(payment.penalty),
                    "net": _amount(payment.amount),
                }
                if payment is not None
                else {}
            )
            data["treasurer"] = _party(order, "treasurer")
            data["amount"] = data["payable"]
    return data


def _invoice_of(order: Order) -> Invoice | None:
    """The order's invoice: the one the caller holds (it may number the invoice before saving it,
    `Invoice(order=order, ...)` caches it on the order), else the stored one."""
    try:
        return order.invoice
    except Invoice.DoesNotExist:
        return None


def _place_of(government_name: str) -> str:
    """The place on a document when the tenant has none set: "Pemerintah Kota Medan" gives "Medan"."""
    text = re.sub(r"^(pemerintah\s+)?((kota|kabupaten|provinsi)\s+)?", "", (government_name or "").strip(), flags=re.I)
    return text or (government_name or "").strip()


# --- Issuing and rendering ----------------------------------------------------------------------------


def _enqueue_rendering(document_pk: int) -> None:
    """Render the PDF in the task worker once the transaction commits (with no task backend, on the
    first download)."""
    from .tasks import render_document

    queue_task(render_document, document_pk)


def issue(*, order: Order, kind: str, extra: list[list[str]] | None = None) -> OrderDocument:
    """Number a document inside the caller's transaction and fix its figures (`snapshot`); its PDF
    is rendered after commit (by the task worker, or on first download), so a step does not wait
    for reportlab and a failed rendering never undoes it or leaves a gap in the numbers."""
    year, sequence, number = next_number(order=order, kind=kind)
    document = OrderDocument.objects.create(
        order=order,
        kind=kind,
        office=order.office,
        year=year,
        sequence=sequence,
        number=number,
        details=extra or [],
        snapshot=snapshot(order, kind),
    )
    _enqueue_rendering(document.pk)
    return document


def rerender(document: OrderDocument) -> OrderDocument:
    """Drop the stored PDF so it is rendered again (e.g. with the DIBATALKAN mark once the order is
    cancelled): the file is deleted after commit and rendering is scheduled after commit. The
    snapshot, and so every figure of the document, stays as it was signed."""
    with transaction.atomic():  # the caller's transaction (a savepoint); one of its own when called alone
        locked = OrderDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
        old_name = locked.pdf.name
        if old_name:
            storage = locked.pdf.storage
            OrderDocument.objects.filter(pk=document.pk).update(pdf="")

            def delete():
                # A download rendering meanwhile found the old file there and took another name.
                try:
                    storage.delete(old_name)
                except Exception:
                    log.exception("could not delete the old PDF %s", old_name)

            transaction.on_commit(delete)
        _enqueue_rendering(document.pk)
    document.pdf = ""
    return document


def complete_receipt(order: Order) -> OrderDocument | None:
    """The kuitansi is prepared with the invoice and signed when the money comes: once the payment
    is recorded, its figures (what was withheld, the net) are fixed into it and it is rendered again."""
    receipt = order.documents.filter(kind=DocumentKind.RECEIPT).first()
    if receipt is None:
        return None
    receipt.snapshot = snapshot(order, DocumentKind.RECEIPT)
    receipt.save(update_fields=["snapshot"])
    return rerender(receipt)


def ensure_pdf(document: OrderDocument) -> OrderDocument:
    """The document with its PDF rendered (rendering it now if the worker has not yet)."""
    if document.pdf:
        return document
    with transaction.atomic():
        fresh = (
            OrderDocument.objects.select_for_update(of=("self",))
            .select_related(
                "order__office", "order__vendor", "order__budget_line", "order__katalog", "order__approver", "office"
            )
            .get(pk=document.pk)
        )
        if not fresh.pdf:
            name = f"{fresh.kind}-{fresh.office.code}-{fresh.year}-{fresh.sequence:04d}.pdf"
            fresh.pdf.save(name, ContentFile(_pdf(fresh)), save=False)
            fresh.save(update_fields=["pdf"])
    return fresh


def read_pdf(document: OrderDocument) -> bytes:
    """The PDF to hand to a reader: the stored file, or (when the worker has not rendered it yet)
    one rendered in memory. A read: nothing is stored, so a GET never writes."""
    if document.pdf:
        with document.pdf.open("rb") as fh:
            return fh.read()
    fresh = OrderDocument.objects.select_related(
        "order__office", "order__vendor", "order__budget_line", "order__katalog", "order__approver", "office"
    ).get(pk=document.pk)
    return _pdf(fresh)


def pdf_bytes(document: OrderDocument) -> bytes:
    with ensure_pdf(document).pdf.open("rb") as fh:
        return fh.read()


# --- Paragraphs: every user text escaped -------------------------------------------------------------


class Markup(str):
    """Paragraph markup written in this module (trusted). Anything else given to `_p` is escaped."""


def _esc(text: object) -> str:
    """Text made safe for Paragraph markup: &, < and > escaped, line breaks kept, control
    characters dropped."""
    text = "" if text is None else str(text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


def _m(template: str, *args: object) -> Markup:
    """Markup from a trusted template whose `{}` slots are filled with escaped values."""
    return Markup(template.format(*(_esc(a) for a in args)))


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """The only way this module makes a Paragraph: `Markup` as written here, anything else escaped."""
    return Paragraph(text if isinstance(text, Markup) else _esc(text), style)


# --- Styles and flowables -----------------------------------------------------------------------------

FONT, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 2.5 * cm, 2 * cm, 1.5 * cm, 2 * cm
FRAME_PADDING = 6  # points, each side of SimpleDocTemplate's frame
WIDTH = PAGE_WIDTH - LEFT - RIGHT - 2 * FRAME_PADDING


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    return {
        "body": body,
        "just": ParagraphStyle("just", parent=body, alignment=TA_JUSTIFY),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_r": ParagraphStyle("cell_r", parent=body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "cell_c": ParagraphStyle("cell_c", parent=body, fontSize=8.5, leading=10.5, alignment=TA_CENTER),
        "cell_b": ParagraphStyle("cell_b", parent=body, fontName=BOLD, fontSize=8.5, leading=10.5),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=body, alignment=TA_CENTER),
        "kop_gov": ParagraphStyle("kop_gov", parent=body, fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER),
        "kop_office": ParagraphStyle(
            "kop_office", parent=body, fontName=BOLD, fontSize=15, leading=18, alignment=TA_CENTER
        ),
        "kop_address": ParagraphStyle("kop_address", parent=body, fontSize=8.5, leading=10.5, alignment=TA_CENTER),
        "vendor_name": ParagraphStyle("vendor_name", parent=body, fontName=BOLD, fontSize=16, leading=19),
        "sign": ParagraphStyle("sign", parent=body, alignment=TA_CENTER),
        "cancel": ParagraphStyle(
            "cancel", parent=body, fontName=BOLD, textColor=colors.HexColor("#b00020"), alignment=TA_CENTER
        ),
    }


class MeteraiBox(Flowable):
    """A dashed rectangle where the Rp10.000 meterai is stuck (UU 10/2020)."""

    def __init__(self, width=2.6 * cm, height=1.7 * cm):
        super().__init__()
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setStrokeColor(colors.grey)
        c.setDash(3, 2)
        c.rect(0, 0, self.width, self.height)
        c.setFillColor(colors.grey)
        c.setFont(FONT, 7.5)
        c.drawCentredString(self.width / 2, self.height / 2 + 2, "Meterai")
        c.drawCentredString(self.width / 2, self.height / 2 - 8, "Rp10.000")
        c.restoreState()


def _image(field, max_width: float, max_height: float) -> Image | None:
    """An uploaded logo scaled into a box; None when there is none or it cannot be read."""
    if not field:
        return None
    try:
        with field.open("rb") as fh:
            data = fh.read()
        width, height = ImageReader(BytesIO(data)).getSize()
        scale = min(max_width / width, max_height / height)
        return Image(BytesIO(data), width=width * scale, height=height * scale)
    except Exception:  # a missing or broken file never stops a document
        log.warning("logo %s could not be read; the document is rendered without it", getattr(field, "name", ""))
        return None


def _rule() -> Table:
    """The double line under a kop: thick, then thin."""
    rule = Table([[""]], colWidths=[WIDTH], rowHeights=[3])
    rule.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 2, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return rule


def _grid(rows, widths, *, header=True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")))
    table.setStyle(TableStyle(style))
    return table


def _fields(rows, styles, label_width=4.2 * cm, width=WIDTH) -> Table:
    """Label : value rows, as Indonesian letters set out their particulars."""
    data = [
        [
            _p(label, styles["body"]),
            _p(":", styles["body"]),
            value if isinstance(value, Flowable) else _p(value, styles["body"]),
        ]
        for label, value in rows
    ]
    table = Table(data, colWidths=[label_width, 0.4 * cm, width - label_width - 0.4 * cm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    table.hAlign = "LEFT"
    return table


NUMBER_WIDTH = 0.6 * cm


def _numbered(number: int, flowables: list) -> Table:
    """A numbered paragraph of a letter: "1." in the margin, its content beside it."""
    table = Table([[f"{number}.", flowables]], colWidths=[NUMBER_WIDTH, WIDTH - NUMBER_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (0, 0), FONT),
                ("FONTSIZE", (0, 0), (0, 0), 10),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


# --- The parts of a document --------------------------------------------------------------------------


def _kop(order: Order, snap: dict, styles) -> list:
    """The letterhead of the regional government and the office."""
    office = snap.get("office", {})
    logo_box = 2.3 * cm
    left = _image(order.katalog.logo, logo_box, logo_box)
    right = _image(order.office.logo, logo_box, logo_box)
    if left is None and right is not None:
        left, right = right, None
    lines = [
        _p((snap.get("government") or "").upper(), styles["kop_gov"]),
        _p((office.get("name") or "").upper(), styles["kop_office"]),
    ]
    contact = ", ".join(
        x for x in [office.get("address", ""), f"Telp. {office['phone']}" if office.get("phone") else ""] if x
    )
    if contact:
        lines.append(_p(contact, styles["kop_address"]))
    table = Table(
        [[left or "", lines, right or ""]],
        colWidths=[logo_box + 0.3 * cm, WIDTH - 2 * (logo_box + 0.3 * cm), logo_box + 0.3 * cm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, 0), "LEFT"),
                ("ALIGN", (2, 0), (2, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table, Spacer(1, 0.15 * cm), _rule(), Spacer(1, 0.4 * cm)]


def _vendor_kop(snap: dict, styles) -> list:
    """The vendor's letterhead (on its invoice)."""
    vendor = snap["vendor"]
    contact = " · ".join(
        x for x in [vendor.get("address"), f"Telp. {vendor['phone']}" if vendor.get("phone") else ""] if x
    )
    return [
        _p(vendor["name"], styles["vendor_name"]),
        _p(contact, styles["small"]),
        _p(f"NPWP {vendor['npwp']} · NIB {vendor['nib']}", styles["small"]),
        Spacer(1, 0.15 * cm),
        _rule(),
        Spacer(1, 0.4 * cm),
    ]


def _title(document: OrderDocument, styles) -> list:
    """The title and number, and under them the DIBATALKAN banner of a cancelled order."""
    out = [
        _p(_m("<u>{}</u>", TITLES[document.kind]), styles["title"]),
        _p(f"Nomor: {document.number}", styles["subtitle"]),
        Spacer(1, 0.4 * cm),
    ]
    cancelled = _cancellation(document.order)
    if cancelled:
        when, reason = cancelled
        banner = Table(
            [
                [_p("DIBATALKAN", ParagraphStyle("big", parent=styles["cancel"], fontSize=16, leading=19))],
                [_p(f"Pesanan ini dibatalkan pada {when}.", styles["cancel"])],
                [_p(_m("Alasan: {}", reason), styles["cancel"])],
            ],
            colWidths=[WIDTH],
        )
        banner.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor("#b00020"))]))
        out += [banner, Spacer(1, 0.4 * cm)]
    return out


def _budget_rows(snap: dict) -> list[tuple[str, str]]:
    budget = snap["budget"]
    return [
        ("Paket Pengadaan", budget["name"]),
        ("Kode RUP", budget["kode_rup"]),
        ("Tahun Anggaran", str(budget["fiscal_year"])),
        ("Sumber Dana", budget["funding_source"] or "-"),
        ("Kode Rekening", budget["account_code"] or "-"),
    ]


def _items_table(snap: dict, styles, *, with_prices: bool = True) -> Table:
    cell, right, center, bold = styles["cell"], styles["cell_r"], styles["cell_c"], styles["cell_b"]
    if with_prices:
        header = ["No", "Nama Barang", "Jumlah", "Satuan", "Harga Satuan", "Ongkos Kirim", "Jumlah Harga"]
        widths = [0.9 * cm, 5.0 * cm, 1.7 * cm, 1.6 * cm, 2.4 * cm, 2.1 * cm, 2.8 * cm]
    else:
        header = ["No", "Nama Barang", "Jumlah", "Satuan"]
        widths = [0.9 * cm, 10.6 * cm, 2.5 * cm, 2.5 * cm]
    widths = [w * WIDTH / sum(widths) for w in widths]
    rows = [[_p(h, bold) for h in header]]
    for n, item in enumerate(snap["items"], start=1):
        row = [
            _p(str(n), center),
            _p(item["name"], cell),
            _p(str(item["quantity"]), right),
            _p(item["unit"], cell),
        ]
        if with_prices:
            row += [
                _p(_money(item["unit_price"]), right),
                _p(_money(item["shipping"]), right),
                _p(_money(item["line_total"]), right),
            ]
        rows.append(row)
    if len(rows) == 1:
        rows.append([_p("-", center), _p("(tidak ada barang)", cell), *[""] * (len(header) - 2)])
    return _grid(rows, widths)


def _figures(snap: dict, styles, *, extra: list[tuple[str, str, bool]] = ()) -> list:
    """DPP, DPP nilai lain and PPN (a PKP vendor only), total, then `extra` rows (label, amount, bold)."""
    cell, right, bold = styles["cell"], styles["cell_r"], styles["cell_b"]
    rows = [("Jumlah Harga (DPP)", snap["dpp"], False)]
    if snap.get("pkp"):
        rows += [
            (f"DPP Nilai Lain ({snap.get('vat_factor') or '11/12'})", snap["vat_base"], False),
            (f"PPN {_percent(snap['vat_rate'])}%", snap["vat"], False),
        ]
    rows.append(("Total", snap["total"], True))
    rows += list(extra)
    data = [
        [_p(label, bold if strong else cell), _p(_money(amount), right if not strong else _right_bold(styles))]
        for label, amount, strong in rows
    ]
    table = Table(data, colWidths=[5.8 * cm, 3.4 * cm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    table.hAlign = "RIGHT"
    out = [Spacer(1, 0.15 * cm), table]
    if not snap.get("pkp"):
        out += [Spacer(1, 0.1 * cm), _p("Penyedia bukan PKP: tidak dipungut PPN.", _right_small(styles))]
    return out


def _right_bold(styles) -> ParagraphStyle:
    return ParagraphStyle("cell_rb", parent=styles["cell_r"], fontName=BOLD)


def _right_small(styles) -> ParagraphStyle:
    return ParagraphStyle("small_r", parent=styles["small"], alignment=TA_RIGHT)


def _terbilang(label: str, amount, styles) -> Paragraph:
    return _p(_m("<b>{}:</b> <i>{}</i>", label, terbilang(Decimal(amount))), styles["body"])


def _needs_meterai(snap: dict) -> bool:
    return Decimal(snap.get("amount") or snap.get("total") or 0) > METERAI_THRESHOLD


@dataclass
class Signer:
    """One signature column: heading lines, the space to sign (with a meterai box when due), the
    name (bold, underlined; a dotted line when nobody is known), then NIP or title lines."""

    heading: list[str]
    name: str
    lines: list[str] = field(default_factory=list)
    meterai: bool = False


def _signatures(styles, *signers: Signer | None, place_date: str = "") -> KeepTogether:
    """Signature columns side by side, their rows aligned (headings, space, names, NIPs); the place
    and date above the last column. None leaves a column blank."""
    n = len(signers)
    blank = Signer([], "")
    width = WIDTH / n
    sign = styles["sign"]
    rows, heights = [], []
    if place_date:
        rows.append([""] * (n - 1) + [_p(place_date, sign)])
        heights.append(None)
    rows.append([[_p(h, sign) for h in (s or blank).heading] for s in signers])
    rows.append([MeteraiBox() if s and s.meterai else "" for s in signers])
    rows.append(
        [_p(_m("<b><u>{}</u></b>", s.name.strip() or "(" + "." * 36 + ")"), sign) if s else "" for s in signers]
    )
    rows.append([[_p(line, sign) for line in (s or blank).lines if line] for s in signers])
    heights += [None, 2.3 * cm, None, None]
    first = 1 if place_date else 0
    table = Table(rows, colWidths=[width] * n, rowHeights=heights)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, first), (-1, first), "BOTTOM"),
                ("VALIGN", (0, first + 1), (-1, first + 1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return KeepTogether([Spacer(1, 0.5 * cm), table])


def _place_date(snap: dict, when) -> str:
    return f"{snap.get('place') or ''}, {indonesian_date(when)}".lstrip(", ")


def _ppk_signer(snap: dict, heading: list) -> Signer:
    ppk = snap["ppk"]
    return Signer(heading, ppk["name"], [f"NIP. {ppk['nip']}"])


def _vendor_signer(snap: dict, heading: list) -> Signer:
    vendor = snap["vendor"]
    return Signer(heading, vendor["director"] or vendor["name"], [vendor["director_title"]], _needs_meterai(snap))


def _section(title: str, flowables: list, styles) -> KeepTogether:
    """A headed part of a document, kept with its heading."""
    return KeepTogether(
        [Spacer(1, 0.3 * cm), _p(_m("<b>{}</b>", title), styles["body"]), Spacer(1, 0.1 * cm), *flowables]
    )


def _details(document: OrderDocument, styles, *, skip: tuple[str, ...] = ()) -> list:
    """The extra rows the issuing step gave, but those the document already prints (`skip`)."""
    rows = [
        (str(r[0]), str(r[1]))
        for r in (document.details or [])
        if isinstance(r, list | tuple) and len(r) >= 2 and str(r[0]).strip().lower() not in skip
    ]
    return [Spacer(1, 0.2 * cm), _fields(rows, styles)] if rows else []


# --- The four documents -------------------------------------------------------------------------------


def _surat_pesanan(document: OrderDocument, snap: dict, styles) -> list:
    order, vendor, ppk, office = document.order, snap["vendor"], snap["ppk"], snap["office"]
    story = _kop(order, snap, styles) + _title(document, styles)
    story += [
        _fields([("Tanggal", indonesian_date(snap["date"])), *_budget_rows(snap)], styles),
        Spacer(1, 0.3 * cm),
        _p("Yang bertanda tangan di bawah ini:", styles["body"]),
        Spacer(1, 0.1 * cm),
        _fields(
            [
                ("Nama", ppk["name"] or "-"),
                ("Jabatan", ppk["position"]),
                ("NIP", ppk["nip"]),
                ("Instansi", office["name"]),
                ("Alamat", office.get("address") or "-"),
            ],
            styles,
        ),
        Spacer(1, 0.1 * cm),
        _p(
            "selanjutnya disebut sebagai Pejabat Pembuat Komitmen, dengan ini memesan barang kepada:",
            styles["body"],
        ),
        Spacer(1, 0.1 * cm),
        _fields(
            [
                ("Nama Penyedia", vendor["name"]),
                ("Diwakili oleh", f"{vendor['director'] or '-'} ({vendor['director_title']})"),
                ("NIB", vendor["nib"]),
                ("NPWP", vendor["npwp"]),
                ("Alamat", vendor["address"] or "-"),
            ],
            styles,
        ),
        Spacer(1, 0.1 * cm),
        _p(
            "selanjutnya disebut sebagai Penyedia, untuk mengirimkan barang dengan ketentuan sebagai berikut:",
            styles["body"],
        ),
        Spacer(1, 0.25 * cm),
        _p(_m("<b>1. Rincian barang</b>"), styles["body"]),
        Spacer(1, 0.1 * cm),
        _items_table(snap, styles),
        *_figures(snap, styles),
        Spacer(1, 0.15 * cm),
        _terbilang("Terbilang", snap["total"], styles),
        Spacer(1, 0.3 * cm),
    ]
    addresses = snap.get("addresses") or []
    address_text = (
        addresses[0] if len(addresses) == 1 else "; ".join(f"({n}) {a}" for n, a in enumerate(addresses, 1))
    ) or "-"
    days = int(snap.get("lead_time_days") or 0)
    deadline = indonesian_date(snap.get("delivery_deadline"))
    lead = (
        f"{_number_words(days)} hari kerja sejak tanggal Surat Pesanan; barang harus sudah diterima "
        f"paling lambat tanggal {deadline}."
        if days
        else f"Barang harus sudah diterima paling lambat tanggal {deadline}."
    )
    per_mille = _percent(snap.get("penalty_per_mille") or "1")
    pay_days = int(snap.get("payment_days") or 30)
    terms = [
        ("2. Alamat pengiriman", address_text),
        ("3. Waktu pengiriman", lead),
        (
            "4. Denda keterlambatan",
            f"Untuk setiap hari kalender keterlambatan, Penyedia dikenakan denda sebesar {per_mille}‰ "
            f"({num2words(Decimal(snap.get('penalty_per_mille') or '1'), lang='id')} permil) dari nilai barang "
            "yang terlambat diserahkan, sebelum PPN, yang diperhitungkan pada pembayaran "
            "(Perpres 16/2018 jo. Perpres 12/2021 Pasal 79).",
        ),
        (
            "5. Pembayaran",
            f"Pembayaran dilakukan oleh Bendahara Pengeluaran {office['name']} ke rekening Penyedia setelah "
            f"Berita Acara Serah Terima ditandatangani dan tagihan diterima lengkap, paling lambat "
            f"{_number_words(pay_days)} hari kalender sejak tagihan diterima lengkap.",
        ),
        (
            "6. Lain-lain",
            "Barang yang tidak sesuai spesifikasi, jumlah atau kondisi dapat ditolak pada saat pemeriksaan "
            "dan wajib diganti oleh Penyedia atau dikurangkan dari pesanan.",
        ),
    ]
    story.append(
        Table(
            [[_p(_m("<b>{}</b>", label), styles["body"]), _p(text, styles["just"])] for label, text in terms],
            colWidths=[4.2 * cm, WIDTH - 4.2 * cm],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            ),
        )
    )
    if snap.get("note"):
        story += [Spacer(1, 0.1 * cm), _fields([("Catatan", snap["note"])], styles)]
    story += _details(document, styles)
    story.append(
        _signatures(
            styles,
            _vendor_signer(snap, ["Menerima dan menyetujui,", "Untuk dan atas nama Penyedia", vendor["name"]]),
            _ppk_signer(snap, ["Untuk dan atas nama", office["name"], ppk["position"]]),
            place_date=_place_date(snap, snap["date"]),
        )
    )
    return story


REFUSAL_MODES = {RefusalMode.REPLACE: "diganti Penyedia", RefusalMode.REDUCE: "dikurangkan dari pesanan"}


def _bast(document: OrderDocument, snap: dict, styles) -> list:
    order, vendor, ppk, office = document.order, snap["vendor"], snap["ppk"], snap["office"]
    sp = snap.get("sp") or {}
    story = _kop(order, snap, styles) + _title(document, styles)
    story += [
        _fields(_budget_rows(snap), styles),
        Spacer(1, 0.3 * cm),
        _p(
            f"Pada hari ini {indonesian_date_in_words(snap['date'])} ({indonesian_date(snap['date'])}), "
            "kami yang bertanda tangan di bawah ini:",
            styles["just"],
        ),
        Spacer(1, 0.15 * cm),
        _numbered(
            1,
            [
                _fields(
                    [
                        ("Nama", vendor["director"] or "-"),
                        ("Jabatan", f"{vendor['director_title']} {vendor['name']}"),
                        ("NIB", vendor["nib"]),
                        ("NPWP", vendor["npwp"]),
                        ("Alamat", vendor["address"] or "-"),
                    ],
                    styles,
                    label_width=3.6 * cm,
                    width=WIDTH - NUMBER_WIDTH,
                ),
                _p(
                    _m("selanjutnya disebut <b>PIHAK PERTAMA</b> (Penyedia) yang menyerahkan barang;"),
                    styles["body"],
                ),
            ],
        ),
        Spacer(1, 0.15 * cm),
        _numbered(
            2,
            [
                _fields(
                    [
                        ("Nama", ppk["name"] or "-"),
                        ("Jabatan", ppk["position"]),
                        ("NIP", ppk["nip"]),
                        ("Instansi", office["name"]),
                    ],
                    styles,
                    label_width=3.6 * cm,
                    width=WIDTH - NUMBER_WIDTH,
                ),
                _p(
                    _m("selanjutnya disebut <b>PIHAK KEDUA</b> (Pejabat Pembuat Komitmen) yang menerima barang."),
                    styles["body"],
                ),
            ],
        ),
        Spacer(1, 0.2 * cm),
    ]
    delivery_dates = sorted({d["date"] for d in snap.get("deliveries", []) if d.get("date")})
    dates_text = ", ".join(indonesian_date(d) for d in delivery_dates) or "-"
    story += [
        _p(
            f"Berdasarkan Surat Pesanan Nomor {sp.get('number') or '-'} tanggal {indonesian_date(sp.get('date'))}, "
            f"PIHAK PERTAMA telah menyerahkan kepada PIHAK KEDUA, dan PIHAK KEDUA telah menerima dari PIHAK "
            f"PERTAMA, barang sebagai berikut (dikirim pada tanggal {dates_text}):",
            styles["just"],
        ),
        Spacer(1, 0.15 * cm),
        _items_table(snap, styles),
    ]
    # Deliveries
    deliveries = snap.get("deliveries") or []
    if deliveries:
        rows = [[_p(h, styles["cell_b"]) for h in ("Tanggal Kirim", "Alamat", "Barang")]]
        for d in deliveries:
            goods = "; ".join(f"{line['name']}: {line['quantity']} {line['unit']}" for line in d["lines"])
            rows.append(
                [
                    _p(indonesian_date(d["date"]), styles["cell"]),
                    _p(d["address"], styles["cell"]),
                    _p(goods, styles["cell"]),
                ]
            )
        story.append(_section("Pengiriman", [_grid(rows, [3.2 * cm, 6.0 * cm, WIDTH - 9.2 * cm])], styles))
    # Receipt check
    receipt = snap.get("receipt") or {}
    late_days = int(snap.get("late_days") or 0)
    if receipt:
        result = [
            "jumlah sesuai" if receipt.get("quantity_ok") else "jumlah tidak sesuai",
            "kondisi baik" if receipt.get("condition_ok") else "kondisi tidak baik",
            "tepat waktu" if (receipt.get("on_time") and not late_days) else f"terlambat {late_days} hari kalender",
        ]
        check_rows = [
            ("Tanggal diterima", indonesian_date(receipt.get("received_on"))),
            ("Batas waktu pengiriman", indonesian_date(snap.get("delivery_deadline"))),
            ("Hasil pemeriksaan", "; ".join(result)),
        ]
        if receipt.get("notes"):
            check_rows.append(("Catatan", receipt["notes"]))
        story.append(_section("Hasil pemeriksaan", [_fields(check_rows, styles)], styles))
    # The issuing step's rows of the check repeat what the receipt check above says.
    story += _details(document, styles, skip=("pemeriksaan", "catatan") if receipt else ())
    # Refusals
    refusals = snap.get("refusals") or []
    if refusals:
        rows = [[_p(h, styles["cell_b"]) for h in ("Tanggal", "Barang", "Jumlah", "Tindak lanjut", "Alasan")]]
        for r in refusals:
            rows.append(
                [
                    _p(indonesian_date(r["date"]), styles["cell"]),
                    _p(r["name"], styles["cell"]),
                    _p(f"{r['quantity']} {r['unit']}", styles["cell"]),
                    _p(REFUSAL_MODES.get(r["mode"], r["mode"]), styles["cell"]),
                    _p(r["reason"], styles["cell"]),
                ]
            )
        widths = [2.6 * cm, 4.2 * cm, 2.0 * cm, 3.0 * cm, WIDTH - 11.8 * cm]
        story.append(_section("Barang yang ditolak", [_grid(rows, widths)], styles))
    # Penalty and payable
    per_mille = _percent(snap.get("penalty_per_mille") or "1")
    story += [
        _section(
            "Nilai yang dibayarkan",
            [
                *_figures(
                    snap,
                    styles,
                    extra=[
                        (f"Denda keterlambatan ({late_days} hari × {per_mille}‰)", snap["penalty"], False),
                        ("Jumlah yang harus dibayar", snap["payable"], True),
                    ],
                ),
                Spacer(1, 0.15 * cm),
                _terbilang("Terbilang nilai barang", snap["total"], styles),
                _terbilang("Terbilang jumlah yang harus dibayar", snap["payable"], styles),
            ],
            styles,
        ),
        Spacer(1, 0.3 * cm),
        _p(
            "Demikian Berita Acara Serah Terima ini dibuat dengan sebenarnya dalam rangkap secukupnya untuk "
            "dipergunakan sebagaimana mestinya.",
            styles["just"],
        ),
    ]
    story.append(
        _signatures(
            styles,
            _vendor_signer(snap, ["PIHAK PERTAMA", "Yang menyerahkan,", vendor["name"]]),
            _ppk_signer(snap, ["PIHAK KEDUA", "Yang menerima,", ppk["position"]]),
            place_date=_place_date(snap, snap["date"]),
        )
    )
    return story


def _invoice(document: OrderDocument, snap: dict, styles) -> list:
    vendor, office = snap["vendor"], snap["office"]
    sp, bast, invoice = snap.get("sp") or {}, snap.get("bast") or {}, snap.get("invoice") or {}
    story = _vendor_kop(snap, styles) + _title(document, styles)
    rows = [("Tanggal", indonesian_date(snap["date"]))]
    if invoice.get("number") and invoice["number"] != document.number:
        rows.append(("Nomor tagihan Penyedia", invoice["number"]))
    rows += [
        (
            "Kepada Yth.",
            "\n".join(x for x in ["Pejabat Pembuat Komitmen", office["name"], office.get("address")] if x),
        ),
        ("Surat Pesanan", f"Nomor {sp.get('number') or '-'} tanggal {indonesian_date(sp.get('date'))}"),
        ("Berita Acara Serah Terima", f"Nomor {bast.get('number') or '-'} tanggal {indonesian_date(bast.get('date'))}"),
        *_budget_rows(snap)[:2],
    ]
    story += [
        _fields(rows, styles, label_width=4.8 * cm),
        Spacer(1, 0.3 * cm),
        _p(
            "Dengan hormat, bersama ini kami sampaikan tagihan atas barang yang telah diserahkan sebagai berikut:",
            styles["body"],
        ),
        Spacer(1, 0.15 * cm),
        _items_table(snap, styles),
        *_figures(
            snap,
            styles,
            extra=[
                ("Dikurangi denda keterlambatan", snap["penalty"], False),
                ("Jumlah yang harus dibayar", snap["payable"], True),
            ],
        ),
        Spacer(1, 0.15 * cm),
        _terbilang("Terbilang", snap["payable"], styles),
        Spacer(1, 0.3 * cm),
        _p("Pembayaran mohon ditransfer ke rekening:", styles["body"]),
        _fields(
            [
                ("Bank", snap["bank"].get("name") or "-"),
                ("Nomor rekening", snap["bank"].get("account_number") or "-"),
                ("Atas nama", snap["bank"].get("account_name") or vendor["name"]),
            ],
            styles,
        ),
    ]
    story.append(
        _signatures(
            styles,
            None,
            _vendor_signer(snap, ["Hormat kami,", vendor["name"]]),
            place_date=_place_date(snap, snap["date"]),
        )
    )
    return story


def _kuitansi(document: OrderDocument, snap: dict, styles) -> list:
    order, vendor, office = document.order, snap["vendor"], snap["office"]
    sp, bast = snap.get("sp") or {}, snap.get("bast") or {}
    story = _kop(order, snap, styles) + _title(document, styles)
    story += [_fields(_budget_rows(snap)[1:], styles), Spacer(1, 0.4 * cm)]
    invoice_number = (snap.get("invoice") or {}).get("number") or ""
    purpose = (
        f"Pembayaran pesanan #{order.pk} paket {snap['budget']['name']} sesuai Surat Pesanan Nomor "
        f"{sp.get('number') or '-'} tanggal {indonesian_date(sp.get('date'))}"
        + (
            f", Berita Acara Serah Terima Nomor {bast['number']} tanggal {indonesian_date(bast.get('date'))}"
            if bast.get("number")
            else ""
        )
        + (f" dan tagihan Nomor {invoice_number}" if invoice_number else "")
        + "."
    )
    amount = snap["amount"]
    story += [
        _fields(
            [
                ("Sudah terima dari", f"Bendahara Pengeluaran {office['name']}"),
                ("Uang sebanyak", _m("<b><i>{}</i></b>", terbilang(Decimal(amount)))),
                ("Untuk pembayaran", purpose),
            ],
            styles,
        ),
        Spacer(1, 0.3 * cm),
    ]
    box = Table([[_p(_m("<b>Jumlah: {}</b>", _money(amount)), styles["body"])]], colWidths=[6.5 * cm])
    box.setStyle(
        TableStyle(
            [("BOX", (0, 0), (-1, -1), 1.2, colors.black), ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#eeeeee"))]
        )
    )
    box.hAlign = "LEFT"
    story += [box, Spacer(1, 0.3 * cm), _p(_m("<b>Rincian</b>"), styles["body"])]
    story += _figures(
        snap,
        styles,
        extra=[
            ("Dikurangi denda keterlambatan", snap["penalty"], False),
            ("Jumlah diterima", snap["payable"], True),
        ],
    )
    payment = snap.get("payment") or {}
    if payment:
        tax_label = {"pph22": "PPh Pasal 22", "pph_final": "PPh Final (PP 55/2022)"}.get(
            payment.get("income_tax_kind"), "PPh"
        )
        rows = [
            ("PPN dipungut Bendahara", payment["vat_collected"], False),
            (f"{tax_label} {_percent(payment['income_tax_rate'])}% dipotong", payment["income_tax"], False),
            ("Diterima bersih (ditransfer)", payment["net"], True),
        ]
        data = [
            [_p(label, styles["cell_b" if strong else "cell"]), _p(_money(v), styles["cell_r"])]
            for label, v, strong in rows
        ]
        table = Table(data, colWidths=[5.8 * cm, 3.4 * cm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        table.hAlign = "RIGHT"
        story += [Spacer(1, 0.15 * cm), table]
    treasurer, ppk = snap.get("treasurer") or {}, snap["ppk"]
    story.append(
        _signatures(
            styles,
            _ppk_signer(snap, ["Setuju dibayar,", ppk["position"]]),
            Signer(
                ["Lunas dibayar,", treasurer.get("position") or "Bendahara Pengeluaran"],
                treasurer.get("name") or "",
                [f"NIP. {treasurer.get('nip') or '-'}"],
            ),
            _vendor_signer(snap, ["Yang menerima,", vendor["name"]]),
            place_date=_place_date(snap, snap["date"]),
        )
    )
    return story


BUILDERS = {
    DocumentKind.PURCHASE_ORDER: _surat_pesanan,
    DocumentKind.BAST: _bast,
    DocumentKind.INVOICE: _invoice,
    DocumentKind.RECEIPT: _kuitansi,
}


def _cancellation(order: Order) -> tuple[str, str] | None:
    """(date text, reason) when the order is cancelled, else None."""
    if order.status != OrderStatus.CANCELLED:
        return None
    when = order.cancelled_at
    if when is None:
        return "-", order.cancel_reason or "-"
    local = timezone.localtime(when)
    return f"{indonesian_date(local)} pukul {local:%H.%M} WIB", order.cancel_reason or "-"


def _pdf(document: OrderDocument) -> bytes:
    order, kind, number = document.order, document.kind, document.number
    snap = document.snapshot if document.snapshot else snapshot(order, kind)  # documents issued before snapshots
    styles = _styles()
    cancelled = _cancellation(order)
    story = []
    story += BUILDERS[kind](document, snap, styles)

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(LEFT + FRAME_PADDING, BOTTOM / 2, f"{TITLES[kind].title()} {number}")
        canvas.drawRightString(PAGE_WIDTH - RIGHT - FRAME_PADDING, BOTTOM / 2, f"Halaman {doc.page}")
        if cancelled:
            canvas.setFillColor(colors.Color(0.75, 0, 0.1, alpha=0.22))
            canvas.setStrokeColor(colors.Color(0.75, 0, 0.1, alpha=0.35))
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(math.degrees(math.atan2(PAGE_HEIGHT, PAGE_WIDTH)))
            # as large as fits along the diagonal, with a margin
            size = min(96, 0.75 * math.hypot(PAGE_WIDTH, PAGE_HEIGHT) / stringWidth("DIBATALKAN", BOLD, 1))
            canvas.setFont(BOLD, size)
            canvas.drawCentredString(0, 0, "DIBATALKAN")
            canvas.setFont(BOLD, 16)
            canvas.drawCentredString(0, -32, cancelled[0])
        canvas.restoreState()

    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=f"{TITLES[kind]} {number}",
        author=snap.get("office", {}).get("name", "") if kind != DocumentKind.INVOICE else snap["vendor"]["name"],
        subject=f"{TITLES[kind]} {number}",
        creator="Katalog Lokal",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
