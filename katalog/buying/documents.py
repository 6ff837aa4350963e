"""The Surat Pesanan and the BAST: numbered per office and year without gaps or duplicates
(the counter row is locked while a number is taken), rendered as PDF with reportlab, with the
amount in Indonesian words."""

from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from num2words import num2words
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from katalog.core.money import format_rupiah

from .models import DocumentCounter, DocumentKind, Order, OrderDocument

TITLES = {DocumentKind.PURCHASE_ORDER: "SURAT PESANAN", DocumentKind.BAST: "BERITA ACARA SERAH TERIMA"}


def terbilang(amount: Decimal) -> str:
    """1250000 → "satu juta dua ratus lima puluh ribu rupiah"."""
    whole = int(amount)
    words = num2words(whole, lang="id") + " rupiah"
    sen = int((Decimal(amount) - whole) * 100)
    if sen:
        words += " " + num2words(sen, lang="id") + " sen"
    return words


def next_number(*, order: Order, kind: str) -> tuple[int, int, str]:
    """(year, sequence, number text) for a new document of the order's office."""
    year = timezone.localdate().year
    counters = DocumentCounter.objects.select_for_update()
    counter = counters.filter(office=order.office, year=year, kind=kind).first()
    if counter is None:  # the office's first document of the year (a racing creator's row is re-read, locked)
        DocumentCounter.objects.get_or_create(office=order.office, year=year, kind=kind)
        counter = counters.get(office=order.office, year=year, kind=kind)
    counter.last += 1
    counter.save(update_fields=["last"])
    prefix = "SP" if kind == DocumentKind.PURCHASE_ORDER else "BAST"
    return year, counter.last, f"{prefix}/{counter.last:04d}/{order.office.code}/{year}"


def _pdf(document: OrderDocument) -> bytes:
    order, kind, number = document.order, document.kind, document.number
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm, title=f"{TITLES[kind]} {number}"
    )
    styles = getSampleStyleSheet()
    story = [
        Paragraph(TITLES[kind], styles["Title"]),
        Paragraph(f"Nomor: {number}", styles["Normal"]),
        Paragraph(f"Tanggal: {timezone.localtime(document.created_at):%d-%m-%Y %H:%M} WIB", styles["Normal"]),
        Spacer(1, 0.4 * cm),
    ]
    parties = [
        ["Pemesan", f"{order.office.name} ({order.office.code}), {order.katalog.government_name}"],
        ["Penyedia", f"{order.vendor.name}, NIB {order.vendor.nib}, NPWP {order.vendor.npwp or '-'}"],
        ["Kode RUP", f"{order.budget_line.kode_rup} {order.budget_line.name}"],
        *[[k, v] for k, v in document.details],
    ]
    story += [Table(parties, colWidths=[4 * cm, 13 * cm]), Spacer(1, 0.4 * cm)]
    rows = [["No", "Barang", "Jumlah", "Harga satuan", "Ongkos kirim", "Subtotal"]]
    for n, item in enumerate(order.items.select_related("version").order_by("pk"), start=1):
        rows.append(
            [
                str(n),
                Paragraph(item.version.name, styles["Normal"]),
                f"{item.quantity} {item.version.unit}",
                format_rupiah(item.unit_price),
                format_rupiah(item.shipping_cost),
                format_rupiah(item.line_total),
            ]
        )
    rows.append(["", "Jumlah", "", "", "", format_rupiah(order.total)])
    table = Table(rows, colWidths=[1 * cm, 6 * cm, 2.4 * cm, 2.8 * cm, 2.4 * cm, 2.8 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ]
        )
    )
    story += [table, Spacer(1, 0.3 * cm), Paragraph(f"Terbilang: <i>{terbilang(order.total)}</i>", styles["Normal"])]
    ppk = order.approver.get_full_name() or order.approver.username if order.approver else "-"
    owner = order.vendor.owner_name or order.vendor.name
    story += [
        Spacer(1, 1.2 * cm),
        Table(
            [["Pejabat Pembuat Komitmen", "Penyedia"], ["", ""], ["", ""], [ppk, owner]], colWidths=[8.5 * cm, 8.5 * cm]
        ),
    ]
    doc.build(story)
    return buf.getvalue()


def issue(*, order: Order, kind: str, extra: list[list[str]] | None = None) -> OrderDocument:
    """Number a document inside the caller's transaction; its PDF is rendered after commit (by the
    task worker, or on first download), so an approval does not wait for reportlab and a failed
    rendering never undoes an approval or leaves a gap in the numbers."""
    year, sequence, number = next_number(order=order, kind=kind)
    document = OrderDocument.objects.create(
        order=order, kind=kind, office=order.office, year=year, sequence=sequence, number=number, details=extra or []
    )

    def enqueue():
        from .tasks import render_document

        try:
            render_document.enqueue(document.pk)
        except Exception:  # no task backend: the PDF is rendered on first download
            import logging

            logging.getLogger(__name__).exception("could not schedule rendering of document %s", document.pk)

    transaction.on_commit(enqueue)
    return document


def ensure_pdf(document: OrderDocument) -> OrderDocument:
    """The document with its PDF rendered (rendering it now if the worker has not yet)."""
    if document.pdf:
        return document
    with transaction.atomic():
        fresh = (
            OrderDocument.objects.select_for_update(of=("self",))
            .select_related("order__office", "order__vendor", "order__budget_line", "order__katalog", "order__approver")
            .get(pk=document.pk)
        )
        if not fresh.pdf:
            name = f"{fresh.kind}-{fresh.office.code}-{fresh.year}-{fresh.sequence:04d}.pdf"
            fresh.pdf.save(name, ContentFile(_pdf(fresh)), save=False)
            fresh.save(update_fields=["pdf"])
    return fresh


def pdf_bytes(document: OrderDocument) -> bytes:
    with ensure_pdf(document).pdf.open("rb") as fh:
        return fh.read()
