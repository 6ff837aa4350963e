"""The official PDFs as an inspector reads them: kop, number, Indonesian date, the PPK's jabatan and
NIP, the vendor's NIB and NPWP, each figure equal to the order's, the amount in words, the meterai
box above Rp5.000.000, the DIBATALKAN mark of a cancelled SP, and user text printed literally.

Orders are built row by row with the ORM (not through the services), so these tests pin what the
documents say whatever path produced the rows."""

import io
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader

from katalog.buying import documents
from katalog.buying.models import (
    Delivery,
    DeliveryAddress,
    DeliveryLine,
    DocumentKind,
    Invoice,
    Order,
    OrderDocument,
    OrderItem,
    OrderStatus,
    Payment,
    ReceiptCheck,
    Refusal,
)
from katalog.buying.taxes import settlement, vat_of
from katalog.catalogue.models import Category, Product, ProductVersion
from katalog.core.money import format_rupiah
from tests import factories as f

WIB = ZoneInfo("Asia/Jakarta")
PPK_NIP = "198503142010011002"
PPK_POSITION = "Kepala Bidang Sarana dan Prasarana"
# 30 November 2026, 09:15 WIB
APPROVED_AT = datetime(2026, 11, 30, 9, 15, tzinfo=WIB)


def text_of(document: OrderDocument) -> str:
    """The PDF's text with line breaks and runs of spaces folded to one space."""
    reader = PdfReader(io.BytesIO(documents.pdf_bytes(document)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def kop(medan, office, users):
    """Kota Medan's kop, and the office's PPK with jabatan and NIP."""
    medan.government_name = "Pemerintah Kota Medan"
    medan.place_name = "Medan"
    medan.save()
    office.address = "Jl. Pelita IV No. 62, Medan"
    office.phone = "(061) 4512345"
    office.save()
    ppk = users["ppk"]
    ppk.first_name, ppk.last_name = "Rahmat", "Hidayat"
    ppk.save()
    ppk.memberships.filter(role="ppk").update(position=PPK_POSITION, nip=PPK_NIP)
    return {"katalog": medan, "office": office, "ppk": ppk}


@pytest.fixture
def vendor(medan, users):
    return f.make_vendor(
        medan,
        users=[users["penyedia"]],
        name="CV Ulos Jaya",
        owner_name="Butet Siregar",
        address="Jl. Sutomo No. 5, Medan",
        is_vat_registered=True,
        bank_name="Bank Sumut",
        bank_account_number="1234567890",
        bank_account_name="CV Ulos Jaya",
    )


@pytest.fixture
def budget_line(medan, office):
    from katalog.buying.models import BudgetLine

    return BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-001",
        name="Pakaian dinas",
        fiscal_year=2026,
        funding_source="APBD",
        account_code="5.1.02.01.01.0024",
        ceiling=Decimal("500000000"),
    )


def build_order(kop, vendor, budget_line, users, lines, *, status=OrderStatus.AWAITING_CONFIRMATION, addresses=None):
    """An approved order of `lines` [(name, unit, quantity, unit price, shipping)], figures as the
    services compute them (buying/taxes.py)."""
    katalog = kop["katalog"]
    category, _ = Category.objects.get_or_create(katalog=katalog, code="PKN", defaults={"name": "Pakaian"})
    order = Order.objects.create(
        katalog=katalog,
        office=kop["office"],
        vendor=vendor,
        budget_line=budget_line,
        status=status,
        created_by=users["pp"],
        approver=kop["ppk"],
        approved_at=APPROVED_AT,
        lead_time_days=5,
        delivery_deadline=date(2026, 12, 7),
    )
    dpp = Decimal(0)
    for name, unit, quantity, price, shipping in lines:
        product = Product.objects.create(katalog=katalog, vendor=vendor, name=name[:200], status="listed")
        version = ProductVersion.objects.create(
            product=product, number=1, name=name, category=category, unit=unit, price=Decimal(price)
        )
        OrderItem.objects.create(
            order=order,
            product=product,
            version=version,
            quantity=quantity,
            unit_price=Decimal(price),
            shipping_cost=Decimal(shipping),
        )
        dpp += Decimal(price) * quantity + Decimal(shipping)
    vat = vat_of(dpp, pkp=vendor.is_vat_registered)
    order.total, order.vat = vat.dpp, vat.vat
    order.committed_amount = vat.total
    order.save()
    for address in addresses or ["Kantor Dinas Pendidikan, Jl. Pelita IV No. 62, Medan"]:
        DeliveryAddress.objects.create(order=order, address=address)
    return order


TWO_LINES = [
    ("Kemeja PDH", "potong", 7, "250000", "15000"),
    ("Celana PDH", "potong", 3, "180000", "0"),
]


@pytest.fixture
def order(kop, vendor, budget_line, users):
    return build_order(kop, vendor, budget_line, users, TWO_LINES)


def issue(order, kind):
    return documents.issue(order=order, kind=kind)


# --- Helpers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 30), "30 November 2026"),
        (date(2027, 1, 4), "4 Januari 2027"),
        (date(2026, 2, 1), "1 Februari 2026"),
        (date(2026, 8, 17), "17 Agustus 2026"),
        # 30 November 18:30 UTC is already 1 December in Medan (WIB, UTC+7)
        (datetime(2026, 11, 30, 18, 30, tzinfo=ZoneInfo("UTC")), "1 Desember 2026"),
        (None, "-"),
    ],
)
def test_indonesian_date(value, expected):
    assert documents.indonesian_date(value) == expected


def test_npwp_is_printed_in_its_official_form():
    assert documents.format_npwp("021832415000000") == "02.183.241.5-000.000"
    assert documents.format_npwp("0218324150000001") == "0218324150000001"
    assert documents.format_npwp("") == "-"


def test_the_official_is_the_ppk_with_jabatan_and_nip(order, kop, users):
    assert documents.official(order, "ppk") == ("Rahmat Hidayat", PPK_POSITION, PPK_NIP)
    # Without jabatan and NIP on the membership, the role's title and "-"
    kop["ppk"].memberships.update(position="", nip="")
    assert documents.official(order, "ppk") == ("Rahmat Hidayat", "Pejabat Pembuat Komitmen", "-")
    order.approver = None
    assert documents.official(order, "ppk") == ("", "Pejabat Pembuat Komitmen", "-")


# --- Surat Pesanan --------------------------------------------------------------------------------------


def test_the_surat_pesanan_reads_as_an_office_files_it(order, kop, vendor, budget_line):
    sp = issue(order, DocumentKind.PURCHASE_ORDER)
    text = text_of(sp)

    vat = vat_of(order.total, pkp=True)
    assert (order.total, order.vat) == (Decimal("2305000"), vat.vat) == (vat.dpp, Decimal("253549"))
    for expected in [
        # kop
        "PEMERINTAH KOTA MEDAN",
        "DINAS PENDIDIKAN",
        "Jl. Pelita IV No. 62, Medan",
        "(061) 4512345",
        # title, number, budget
        "SURAT PESANAN",
        f"Nomor: {sp.number}",
        "Tahun Anggaran : 2026",
        "Sumber Dana : APBD",
        "Kode RUP : RUP-2026-001",
        "Paket Pengadaan : Pakaian dinas",
        "Kode Rekening : 5.1.02.01.01.0024",
        # parties
        "Rahmat Hidayat",
        f"Jabatan : {PPK_POSITION}",
        f"NIP : {PPK_NIP}",
        f"NIP. {PPK_NIP}",
        "CV Ulos Jaya",
        "Butet Siregar (Direktur)",
        f"NIB : {vendor.nib}",
        "NPWP : 02.183.241.5-000.000",
        "Jl. Sutomo No. 5, Medan",
        # items
        "Kemeja PDH",
        "Rp250.000",
        "Rp15.000",
        "Rp1.765.000",
        "Celana PDH",
        "Rp540.000",
        # figures: DPP, DPP nilai lain, PPN, total, in words
        f"Jumlah Harga (DPP) {format_rupiah(order.total)}",
        f"DPP Nilai Lain (11/12) {format_rupiah(vat.base)}",
        f"PPN 12% {format_rupiah(order.vat)}",
        f"Total {format_rupiah(order.total + order.vat)}",
        "Terbilang: dua juta lima ratus lima puluh delapan ribu lima ratus empat puluh sembilan rupiah",
        # terms
        "Kantor Dinas Pendidikan, Jl. Pelita IV No. 62, Medan",
        "5 (lima) hari kerja",
        "paling lambat tanggal 7 Desember 2026",
        "1‰",
        "dari nilai barang yang terlambat",
        "Bendahara Pengeluaran Dinas Pendidikan",
        "30 (tiga puluh) hari kalender",
        # place and date of signature
        "Medan, 30 November 2026",
        "Pejabat Pembuat Komitmen",
    ]:
        assert expected in text, expected
    assert "DIBATALKAN" not in text
    assert "Meterai" not in text  # Rp2.558.549: no stamp duty


def test_the_snapshot_fixes_the_figures_and_parties(order, kop, vendor):
    sp = issue(order, DocumentKind.PURCHASE_ORDER)
    snap = OrderDocument.objects.get(pk=sp.pk).snapshot
    assert Decimal(snap["dpp"]) == order.total
    assert Decimal(snap["vat"]) == order.vat
    assert Decimal(snap["total"]) == order.total + order.vat
    assert snap["vat_rate"] == "12.00" and snap["vat_factor"] == "11/12"
    assert snap["ppk"] == {"name": "Rahmat Hidayat", "position": PPK_POSITION, "nip": PPK_NIP}
    assert snap["vendor"]["npwp"] == "02.183.241.5-000.000" and snap["vendor"]["nib"] == vendor.nib
    assert [(i["name"], i["quantity"], i["line_total"]) for i in snap["items"]] == [
        ("Kemeja PDH", 7, "1765000.00"),
        ("Celana PDH", 3, "540000.00"),
    ]
    assert snap["date"] == "2026-11-30"

    # Later changes (a new jabatan, a price edited in the database) do not change the signed document
    kop["ppk"].memberships.update(position="Sekretaris Dinas")
    OrderItem.objects.filter(order=order).update(unit_price=Decimal("1"))
    text = text_of(sp)
    assert PPK_POSITION in text and "Sekretaris Dinas" not in text
    assert "Rp1.765.000" in text


def test_a_date_late_in_the_evening_utc_is_the_next_day_in_medan(kop, vendor, budget_line, users):
    order = build_order(kop, vendor, budget_line, users, TWO_LINES)
    order.approved_at = datetime(2026, 11, 30, 18, 30, tzinfo=ZoneInfo("UTC"))
    order.save()
    text = text_of(issue(order, DocumentKind.PURCHASE_ORDER))
    assert "Medan, 1 Desember 2026" in text


def test_a_vendor_that_is_not_a_pkp_has_no_ppn_rows(kop, vendor, budget_line, users):
    vendor.is_vat_registered = False
    vendor.save()
    order = build_order(kop, vendor, budget_line, users, TWO_LINES)
    assert order.vat == 0
    text = text_of(issue(order, DocumentKind.PURCHASE_ORDER))
    assert "Penyedia bukan PKP: tidak dipungut PPN" in text
    assert "PPN 12%" not in text
    assert "DPP Nilai Lain" not in text
    assert "Total Rp2.305.000" in text
    assert "Terbilang: dua juta tiga ratus lima ribu rupiah" in text


@pytest.mark.parametrize(
    ("price", "pkp", "meterai"),
    [
        ("5000000", False, False),  # exactly Rp5.000.000: no stamp duty
        ("5000001", False, True),
        ("4600000", True, True),  # DPP under 5 juta, but with PPN the document says Rp5.106.000
        ("4504504", True, False),  # with PPN: Rp4.999.999
    ],
)
def test_the_meterai_box_is_there_above_five_million(kop, vendor, budget_line, users, price, pkp, meterai):
    vendor.is_vat_registered = pkp
    vendor.save()
    order = build_order(kop, vendor, budget_line, users, [("Laptop", "unit", 1, price, "0")])
    text = text_of(issue(order, DocumentKind.PURCHASE_ORDER))
    assert ("Meterai Rp10.000" in text) is meterai, (order.total + order.vat, text)


def test_hostile_names_print_literally(kop, vendor, budget_line, users, settings):
    secret = settings.MEDIA_ROOT / "secret.png"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(b"not an image")
    vendor.name = 'UD <font color="red">Ulos</font> & Sons'
    vendor.address = "Jl. <br/> Sutomo"
    vendor.save()
    hostile = [
        ('<b>Tas</b> <img src="x">', "<i>pcs</i>", 2, "100000", "0"),
        (f'Map <img src="/etc/passwd"/> <img src="{secret}" width="500" height="500"/>', "buah", 1, "5000", "0"),
        ('Spidol </para><para> & "kutip" <unclosed', "kotak", 1, "25000", "0"),
        ("Kopi Aceh \u2615 \u798f \x07 bubuk", "bungkus", 1, "30000", "0"),  # outside the font; control chars
    ]
    order = build_order(kop, vendor, budget_line, users, hostile, addresses=["Gudang <a href='x'>B</a>"])
    order.note = "Catatan <seq/> &amp; lain"
    order.save()
    # A <img> tag reaching the markup would make reportlab's paragraph parser open the file
    with mock.patch("reportlab.platypus.paraparser.ImageReader", side_effect=AssertionError("an image was loaded")):
        text = text_of(issue(order, DocumentKind.PURCHASE_ORDER))
    for expected in [
        '<b>Tas</b> <img src="x">',
        "<i>pcs</i>",
        "/etc/passwd",
        'Spidol </para><para> & "kutip" <unclosed',
        'UD <font color="red">Ulos</font> & Sons',
        "Jl. <br/> Sutomo",
        "Gudang <a href='x'>B</a>",
        "Catatan <seq/> &amp; lain",
        "Kopi Aceh",
        "bubuk",
    ]:  # (a narrow cell may wrap a name: compared without spaces)
        assert expected.replace(" ", "") in text.replace(" ", ""), expected


def test_logos_on_the_kop_and_a_missing_logo_does_not_break_rendering(kop, order, png):
    kop["katalog"].logo.save("medan.png", ContentFile(png), save=True)
    text = text_of(issue(order, DocumentKind.PURCHASE_ORDER))
    assert "PEMERINTAH KOTA MEDAN" in text
    reader = PdfReader(io.BytesIO(documents.pdf_bytes(OrderDocument.objects.get(order=order))))
    assert len(list(reader.pages[0].images)) == 1

    # A logo whose file is gone, and an office logo that is not an image
    Path(kop["katalog"].logo.path).unlink()
    kop["office"].logo.save("dinas.png", ContentFile(b"<svg>not a png</svg>"), save=True)
    order.refresh_from_db()
    bast_order = order
    document = issue(bast_order, DocumentKind.BAST)
    assert "PEMERINTAH KOTA MEDAN" in text_of(document)


# --- Cancellation ---------------------------------------------------------------------------------------


def test_a_cancelled_sp_is_printed_again_with_dibatalkan(order, django_capture_on_commit_callbacks):
    sp = issue(order, DocumentKind.PURCHASE_ORDER)
    assert "DIBATALKAN" not in text_of(sp)
    sp.refresh_from_db()
    old_path = Path(sp.pdf.path)
    assert old_path.exists()

    order.status = OrderStatus.CANCELLED
    order.cancel_reason = "Anggaran dialihkan <untuk> bencana & banjir"
    order.cancelled_at = datetime(2026, 12, 2, 7, 30, tzinfo=ZoneInfo("UTC"))  # 14.30 WIB
    order.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        documents.rerender(sp)
    assert len(callbacks) == 2  # the old file deleted, rendering scheduled
    assert not old_path.exists()
    assert not OrderDocument.objects.get(pk=sp.pk).pdf

    text = text_of(OrderDocument.objects.get(pk=sp.pk))
    assert "DIBATALKAN" in text
    assert "dibatalkan pada 2 Desember 2026 pukul 14.30 WIB" in text
    assert "Alasan: Anggaran dialihkan <untuk> bencana & banjir" in text
    # …and the signed figures are those of the SP
    assert sp.number in text and "Rp2.558.549" in text


def test_rerender_of_a_document_never_rendered_only_schedules(order, django_capture_on_commit_callbacks):
    sp = issue(order, DocumentKind.PURCHASE_ORDER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        documents.rerender(sp)
    assert len(callbacks) == 1
    assert sp.number in text_of(sp)


# --- BAST -----------------------------------------------------------------------------------------------


def delivered_and_checked(order, users, *, late_days=0, refusal=None):
    """Deliveries in two parts, a refusal, and the receipt check with its lateness."""
    address = order.addresses.get()
    shirts, trousers = order.items.order_by("pk")
    first = Delivery.objects.create(
        order=order, address=address, delivered_on=date(2026, 12, 4), recorded_by=users["penyedia"]
    )
    DeliveryLine.objects.create(delivery=first, item=shirts, quantity=7)
    second = Delivery.objects.create(
        order=order, address=address, delivered_on=date(2026, 12, 10), recorded_by=users["penyedia"]
    )
    DeliveryLine.objects.create(delivery=second, item=trousers, quantity=3)
    if refusal:
        Refusal.objects.create(
            order=order,
            item=trousers,
            quantity=1,
            mode="replace",
            reason=refusal,
            refused_by=users["ppk"],
            refused_on=date(2026, 12, 10),
        )
    # 3 days late on the trousers (Rp540.000): 1‰ × 540.000 × 3 = Rp1.620
    penalty = Decimal("540000") * 3 / 1000 if late_days else Decimal(0)
    ReceiptCheck.objects.create(
        order=order,
        checked_by=users["ppk"],
        quantity_ok=True,
        condition_ok=True,
        on_time=not late_days,
        late_days=late_days,
        penalty=penalty,
        received_on=date(2026, 12, 10),
    )
    order.status = OrderStatus.RECEIVED
    order.save()
    return penalty


def test_the_bast_cites_the_sp_and_records_the_check_and_the_penalty(order, kop, users, vendor):
    sp = issue(order, DocumentKind.PURCHASE_ORDER)
    penalty = delivered_and_checked(order, users, late_days=3, refusal="Jahitan <lepas>")
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 12, 11, 10, 0, tzinfo=WIB)):
        bast = issue(order, DocumentKind.BAST)
    text = text_of(bast)
    total = order.total + order.vat
    payable = total - penalty
    assert payable == Decimal("2556929")
    for expected in [
        "PEMERINTAH KOTA MEDAN",
        "BERITA ACARA SERAH TERIMA",
        f"Nomor: {bast.number}",
        "Pada hari ini Jumat tanggal sebelas bulan Desember tahun dua ribu dua puluh enam (11 Desember 2026)",
        "PIHAK PERTAMA",
        "PIHAK KEDUA",
        "Butet Siregar",
        f"NIB : {vendor.nib}",
        "NPWP : 02.183.241.5-000.000",
        f"NIP : {PPK_NIP}",
        f"Jabatan : {PPK_POSITION}",
        f"Surat Pesanan Nomor {sp.number} tanggal 30 November 2026",
        "4 Desember 2026, 10 Desember 2026",
        "Jahitan <lepas>",
        "diganti Penyedia",
        "terlambat 3 hari kalender",
        "Batas waktu pengiriman : 7 Desember 2026",
        f"Total {format_rupiah(total)}",
        f"PPN 12% {format_rupiah(order.vat)}",
        "Denda keterlambatan (3 hari × 1‰) Rp1.620",
        f"Jumlah yang harus dibayar {format_rupiah(payable)}",
        "Terbilang nilai barang: dua juta lima ratus lima puluh delapan ribu lima ratus empat puluh sembilan rupiah",
        "Terbilang jumlah yang harus dibayar: dua juta lima ratus lima puluh enam ribu sembilan ratus dua puluh sembilan rupiah",
        "Medan, 11 Desember 2026",
    ]:
        assert expected in text, expected
    snap = OrderDocument.objects.get(pk=bast.pk).snapshot
    assert (snap["late_days"], Decimal(snap["penalty"]), Decimal(snap["payable"])) == (3, penalty, payable)
    assert snap["sp"] == {"number": sp.number, "date": "2026-11-30"}
    assert [d["date"] for d in snap["deliveries"]] == ["2026-12-04", "2026-12-10"]
    assert snap["refusals"][0]["reason"] == "Jahitan <lepas>"


# --- Invoice and kuitansi -------------------------------------------------------------------------------


def invoiced(order, users, *, penalty=Decimal(0)):
    vat = vat_of(order.total, pkp=order.vendor.is_vat_registered)
    invoice = Invoice(
        order=order,
        invoice_date=date(2026, 12, 14),
        subtotal=vat.dpp,
        vat_rate=vat.rate,
        vat_base=vat.base,
        vat=vat.vat,
        total=vat.total,
        penalty=penalty,
    )
    # As the services do: the invoice is numbered by its document before it is saved
    document = documents.issue(order=order, kind=DocumentKind.INVOICE)
    invoice.number = document.number
    invoice.save()
    return invoice, document


def test_the_invoice_is_on_the_vendors_letterhead(order, users, vendor):
    issue(order, DocumentKind.PURCHASE_ORDER)
    penalty = delivered_and_checked(order, users, late_days=3)
    issue(order, DocumentKind.BAST)
    invoice, document = invoiced(order, users, penalty=penalty)
    text = text_of(document)
    for expected in [
        "CV Ulos Jaya",
        "Jl. Sutomo No. 5, Medan",
        "NPWP 02.183.241.5-000.000",
        "INVOICE",
        f"Nomor: {document.number}",
        "Tanggal : 14 Desember 2026",
        "Kepada Yth. : Pejabat Pembuat Komitmen Dinas Pendidikan Jl. Pelita IV No. 62, Medan",
        f"Jumlah Harga (DPP) {format_rupiah(invoice.subtotal)}",
        f"PPN 12% {format_rupiah(invoice.vat)}",
        f"Total {format_rupiah(invoice.total)}",
        "Dikurangi denda keterlambatan Rp1.620",
        f"Jumlah yang harus dibayar {format_rupiah(invoice.payable)}",
        "Terbilang: dua juta lima ratus lima puluh enam ribu sembilan ratus dua puluh sembilan rupiah",
        "Bank Sumut",
        "1234567890",
        "Medan, 14 Desember 2026",
    ]:
        assert expected in text, expected
    assert "PEMERINTAH KOTA MEDAN" not in text  # the vendor's own letterhead, not the kop
    assert document.number.startswith("INV/0001/")


def test_the_kuitansi_acknowledges_the_amount_with_a_meterai_above_five_million(
    kop, vendor, budget_line, users, medan, office
):
    treasurer = users["treasurer"]
    treasurer.first_name, treasurer.last_name = "Sri", "Wahyuni"
    treasurer.save()
    treasurer.memberships.update(position="Bendahara Pengeluaran", nip="199001012015032001")
    order = build_order(kop, vendor, budget_line, users, [("Laptop", "unit", 2, "7500000", "0")])
    issue(order, DocumentKind.PURCHASE_ORDER)
    issue(order, DocumentKind.BAST)
    invoice, _ = invoiced(order, users)
    due = settlement(dpp=invoice.subtotal, vat=invoice.vat, penalty=invoice.penalty, pp55=False, has_npwp=True)
    Payment.objects.create(
        invoice=invoice,
        method="ls",
        paid_on=date(2026, 12, 20),
        reference="SP2D-0042",
        gross=due.gross,
        vat_collected=due.vat_collected,
        income_tax_kind=due.income_tax_kind,
        income_tax_rate=due.income_tax_rate,
        income_tax=due.income_tax,
        penalty=due.penalty,
        amount=due.net,
        recorded_by=treasurer,
    )
    kw = issue(order, DocumentKind.RECEIPT)
    text = text_of(kw)
    sp = OrderDocument.objects.get(order=order, kind="sp")
    assert invoice.payable == Decimal("16650000")
    for expected in [
        "PEMERINTAH KOTA MEDAN",
        "KUITANSI",
        f"Nomor: {kw.number}",
        "Sudah terima dari : Bendahara Pengeluaran Dinas Pendidikan",
        "Uang sebanyak : enam belas juta enam ratus lima puluh ribu rupiah",
        f"Untuk pembayaran : Pembayaran pesanan #{order.pk}",
        f"Surat Pesanan Nomor {sp.number}",
        "Jumlah: Rp16.650.000",
        "PPh Pasal 22 1,5% dipotong Rp225.000",
        f"Diterima bersih (ditransfer) {format_rupiah(due.net)}",
        "Setuju dibayar",
        "Lunas dibayar",
        "Sri Wahyuni",
        "NIP. 199001012015032001",
        "Yang menerima",
        "Meterai Rp10.000",
        "Kode Rekening : 5.1.02.01.01.0024",
    ]:
        assert expected in text, expected
    assert kw.number.startswith("KW/0001/")


def test_numbers_run_per_kind_with_their_prefixes(order):
    numbers = [issue(order, kind).number for kind in ("sp", "bast", "inv", "kw")]
    year = timezone.localdate().year
    assert numbers == [f"{p}/0001/1.01.01/{year}" for p in ("SP", "BAST", "INV", "KW")]


# --- Every kind as an image (layout check by eye: set KATALOG_PREVIEW_DIR to keep the PNGs) ----------


def test_every_kind_renders_to_an_image(
    kop, vendor, budget_line, users, tmp_path, png, django_capture_on_commit_callbacks
):
    import os

    out = Path(os.environ.get("KATALOG_PREVIEW_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    kop["katalog"].logo.save("medan.png", ContentFile(png), save=True)
    users["treasurer"].memberships.update(position="Bendahara Pengeluaran", nip="199001012015032001")
    lines = [
        ("Kemeja PDH lengan panjang, bahan American drill, bordir logo Pemko Medan", "potong", 40, "250000", "150000"),
        ("Celana PDH", "potong", 3, "180000", "0"),
    ]
    order = build_order(kop, vendor, budget_line, users, lines)
    issue(order, DocumentKind.PURCHASE_ORDER)
    penalty = delivered_and_checked(order, users, late_days=3, refusal="Jahitan lepas pada lengan kiri")
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 12, 11, 10, 0, tzinfo=WIB)):
        issue(order, DocumentKind.BAST)
        invoiced(order, users, penalty=penalty)
        issue(order, DocumentKind.RECEIPT)
    cancelled = build_order(kop, vendor, budget_line, users, lines)
    sp = issue(cancelled, DocumentKind.PURCHASE_ORDER)
    documents.pdf_bytes(sp)
    cancelled.status, cancelled.cancel_reason = OrderStatus.CANCELLED, "Anggaran dialihkan untuk penanganan banjir"
    cancelled.cancelled_at = datetime(2026, 12, 2, 14, 30, tzinfo=WIB)
    cancelled.save()
    with django_capture_on_commit_callbacks(execute=True):
        documents.rerender(sp)
    for document, name in [(d, d.kind) for d in OrderDocument.objects.filter(order=order)] + [(sp, "sp-batal")]:
        pdf = out / f"{name}.pdf"
        pdf.write_bytes(documents.pdf_bytes(OrderDocument.objects.get(pk=document.pk)))
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / name)], check=True)
        assert list(out.glob(f"{name}-*.png")), name


def test_issue_is_numbered_in_the_callers_transaction_and_rendered_after_commit(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sp = issue(order, DocumentKind.PURCHASE_ORDER)
    assert len(callbacks) == 1
    assert not OrderDocument.objects.get(pk=sp.pk).pdf  # not yet rendered
    assert OrderDocument.objects.get(pk=sp.pk).snapshot["total"] == str(order.total + order.vat)
