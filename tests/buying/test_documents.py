"""The Surat Pesanan and the BAST: what the PDF says (read back with pypdf), and numbers per office,
kind and year without gaps or duplicates, also when PPKs approve at the same moment."""

import io
import threading
from datetime import datetime
from decimal import Decimal
from unittest import mock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from num2words import num2words
from pypdf import PdfReader

from katalog.buying import documents, services
from katalog.buying.models import DocumentCounter, Order, OrderDocument
from katalog.core.money import format_rupiah
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.buying.test_concurrency import connect, ensure_regions, live_server_for, send

WIB = ZoneInfo("Asia/Jakarta")


def pdf_text(document: OrderDocument) -> str:
    """The PDF's text with its line breaks and runs of spaces folded to one space."""
    reader = PdfReader(io.BytesIO(documents.pdf_bytes(document)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def words(amount) -> str:
    return num2words(int(amount), lang="id") + " rupiah"


@pytest.fixture
def two_items(medan, shop, users):
    """An order of two products of one vendor, Rp15.000 of shipping agreed in negotiation, submitted."""
    users["ppk"].first_name, users["ppk"].last_name = "Rahmat", "Hidayat"
    users["ppk"].save()
    trousers = listed_product(medan, shop["vendor"], name="Celana PDH", price="180000")
    pp, vendor = f.actor(users["pp"]), f.actor(users["penyedia"])
    order = services.order_create(
        actor=pp,
        budget_line=shop["line"],
        addresses=["Jl. Pendidikan 1, Medan"],
        items=[services.ItemRequest(shop["product"].pk, 7), services.ItemRequest(trousers.pk, 3)],
    )
    lines = [
        {
            "item": i.pk,
            "unit_price": str(i.unit_price),
            "quantity": i.quantity,
            "shipping_cost": "15000" if i.product_id == shop["product"].pk else "0",
        }
        for i in order.items.all()
    ]
    services.order_propose(actor=pp, order=order, lines=lines)
    services.order_accept(actor=vendor, order=order)
    return services.order_submit(actor=pp, order=order)


def approve(users, order, who="ppk"):
    return services.order_approve(actor=f.actor(users[who]), order=order)


def receive(users, order):
    vendor, ppk = f.actor(users["penyedia"]), f.actor(users["ppk"])
    services.order_confirm(actor=vendor, order=order)
    services.order_deliver(
        actor=vendor,
        order=order,
        address_id=order.addresses.get().pk,
        lines={i.pk: i.quantity for i in order.items.all()},
    )
    return services.order_receive(actor=ppk, order=order, quantity_ok=True, condition_ok=True, on_time=False)


# --- What the documents say ------------------------------------------------------------------------


def test_the_surat_pesanan_names_everything_and_says_the_amount_in_words(two_items, users, shop, medan):
    # When the PPK approves
    order = approve(users, two_items)

    # Then the Surat Pesanan carries its number, the parties, the items, the amount and who signs
    sp = OrderDocument.objects.get(order=order, kind="sp")
    year = sp.year
    assert (sp.number, sp.sequence) == (f"SP/0001/1.01.01/{year}", 1)
    text = pdf_text(sp)
    vendor = shop["vendor"]
    assert order.total == Decimal("2305000")  # 7 × 250.000 + 15.000 + 3 × 180.000
    for expected in [
        "SURAT PESANAN",
        f"Nomor: SP/0001/1.01.01/{year}",
        medan.government_name.upper(),
        "DINAS PENDIDIKAN",
        f"Nama Penyedia : {vendor.name}",
        f"NIB : {vendor.nib}",
        f"NPWP : {documents.format_npwp(vendor.npwp)}",
        "Kode RUP : RUP-2026-001",
        "Paket Pengadaan : Pakaian dinas",
        "Kemeja PDH 7 potong",
        "Rp250.000",
        "Rp15.000",
        "Rp1.765.000",
        "Celana PDH",
        "Celana PDH 3 potong",
        "Rp180.000",
        "Rp540.000",
        f"Jumlah Harga (DPP) {format_rupiah(order.total)}",
        "Rp2.305.000",
        f"Terbilang: {words(order.total)}",
        "dua juta tiga ratus lima ribu rupiah",
        "Pejabat Pembuat Komitmen",
        "Rahmat Hidayat",
        "Butet Siregar",
    ]:
        assert expected in text, expected
    sp.refresh_from_db()  # rendered after commit, by pdf_text above
    assert sp.pdf.name.endswith(f"sp-1.01.01-{year}-0001.pdf")


def test_the_bast_records_the_check_and_is_numbered_on_its_own(two_items, users, shop):
    # Given an approved order (SP 0001) delivered in full
    order = approve(users, two_items)

    # When the PPK checks receipt and signs
    order = receive(users, order)

    # Then the BAST has its own sequence, the receipt check, the amount in words and the signatories
    bast = OrderDocument.objects.get(order=order, kind="bast")
    assert (bast.number, bast.sequence) == (f"BAST/0001/1.01.01/{bast.year}", 1)
    text = pdf_text(bast)
    for expected in [
        "BERITA ACARA SERAH TERIMA",
        f"Nomor: {bast.number}",
        "Instansi : Dinas Pendidikan",
        shop["vendor"].name,
        f"Surat Pesanan Nomor SP/0001/1.01.01/{bast.year}",
        "Hasil pemeriksaan : jumlah sesuai; kondisi baik",
        "Kemeja PDH",
        "Celana PDH",
        "Rp2.305.000",
        "Terbilang nilai barang: dua juta tiga ratus lima ribu rupiah",
        "Pejabat Pembuat Komitmen",
        "Rahmat Hidayat",
        "Butet Siregar",
    ]:
        assert expected in text, expected
    assert list(order.documents.order_by("kind").values_list("number", flat=True)) == [
        bast.number,
        f"SP/0001/1.01.01/{bast.year}",
    ]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1250000", "satu juta dua ratus lima puluh ribu rupiah"),
        ("2305000", "dua juta tiga ratus lima ribu rupiah"),
        ("200000000", "dua ratus juta rupiah"),
        ("1000000000", "satu miliar rupiah"),
        ("11000.50", "sebelas ribu rupiah lima puluh sen"),
    ],
)
def test_terbilang(amount, expected):
    assert documents.terbilang(Decimal(amount)) == expected
    assert documents.terbilang(Decimal(amount)).startswith(words(Decimal(amount)))


# --- Numbers -------------------------------------------------------------------------------------------


def submitted_orders(users, shop, n, *, pp="pp"):
    actor = f.actor(users[pp])
    orders = []
    for _ in range(n):
        order = services.order_create(
            actor=actor,
            budget_line=shop["line"],
            addresses=["Kantor"],
            items=[services.ItemRequest(shop["product"].pk, 1)],
        )
        orders.append(services.order_submit(actor=actor, order=order))
    return orders


@pytest.fixture
def health(medan, users):
    """A second office, with its own PP, PPK and budget line, buying from the same vendor."""
    from katalog.buying.models import BudgetLine

    office = f.make_office(medan, "1.02.01", "Dinas Kesehatan")
    people = {r: f.make_user(medan, r, username=f"kesehatan-{r}", office=office) for r in ("pp", "ppk")}
    line = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-777",
        name="Seragam medis",
        fiscal_year=2026,
        ceiling=Decimal("10000000"),
    )
    return {"office": office, "users": people, "line": line}


def test_numbers_run_per_office_and_kind_without_gaps(users, shop, health):
    # Given three orders of Dinas Pendidikan and two of Dinas Kesehatan awaiting approval
    ours = submitted_orders(users, shop, 3)
    theirs = submitted_orders(health["users"], {**shop, "line": health["line"]}, 2)

    # When they are approved, interleaved
    for order, who in [
        (ours[0], users),
        (theirs[0], health["users"]),
        (ours[1], users),
        (ours[2], users),
        (theirs[1], health["users"]),
    ]:
        approve(who, order)

    # Then each office counts from 1, without gaps
    numbers = dict(OrderDocument.objects.filter(kind="sp").values_list("order_id", "number"))
    year = OrderDocument.objects.first().year
    assert [numbers[o.pk] for o in ours] == [f"SP/000{n}/1.01.01/{year}" for n in (1, 2, 3)]
    assert [numbers[o.pk] for o in theirs] == [f"SP/000{n}/1.02.01/{year}" for n in (1, 2)]
    assert sorted(DocumentCounter.objects.values_list("office__code", "kind", "last")) == [
        ("1.01.01", "sp", 3),
        ("1.02.01", "sp", 2),
    ]


def test_a_failed_rendering_neither_undoes_the_approval_nor_leaves_a_gap(users, shop):
    first, second, third = submitted_orders(users, shop, 3)
    approve(users, first)
    approve(users, second)
    document = OrderDocument.objects.get(order=second)
    # Rendering happens after the approval committed; when it fails, the number stays given…
    with mock.patch.object(documents, "_pdf", side_effect=RuntimeError("printer on fire")):
        with pytest.raises(RuntimeError):
            documents.ensure_pdf(document)
    assert Order.objects.get(pk=second.pk).status == "awaiting_confirmation"
    assert not OrderDocument.objects.get(pk=document.pk).pdf
    # …and the PDF is rendered on the next try (worker retry or first download).
    assert document.number in pdf_text(document)
    approve(users, third)
    assert list(OrderDocument.objects.order_by("sequence").values_list("order_id", "sequence")) == [
        (first.pk, 1),
        (second.pk, 2),
        (third.pk, 3),
    ]


def test_a_new_year_starts_again_at_one(users, shop):
    first, second = submitted_orders(users, shop, 2)
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 12, 31, 16, 59, tzinfo=WIB)):
        approve(users, first)
    with mock.patch("django.utils.timezone.now", return_value=datetime(2027, 1, 4, 8, 0, tzinfo=WIB)):
        approve(users, second)
    assert list(OrderDocument.objects.order_by("pk").values_list("number", flat=True)) == [
        "SP/0001/1.01.01/2026",
        "SP/0001/1.01.01/2027",
    ]


# --- Numbers under concurrency ---------------------------------------------------------------------------

PER_OFFICE = 10


@pytest.fixture
def committed(transactional_db):
    ensure_regions()


def test_ppks_approving_at_the_same_moment_get_distinct_consecutive_numbers(
    committed, request, tmp_path, medan, users, shop, health
):
    # Given ten orders awaiting approval in each of two offices, and no number given yet this year
    ours = submitted_orders(users, shop, PER_OFFICE)
    theirs = submitted_orders(health["users"], {**shop, "line": health["line"]}, PER_OFFICE)
    from katalog.accounts.services import api_token_create

    tokens = {
        "1.01.01": api_token_create(user=users["ppk"]),
        "1.02.01": api_token_create(user=health["users"]["ppk"]),
    }
    jobs = [(o.pk, tokens["1.01.01"]) for o in ours] + [(o.pk, tokens["1.02.01"]) for o in theirs]

    # When twenty approvals leave at once, each on its own connection, against a live server
    answers: dict[int, dict] = {}
    with live_server_for(request, tmp_path) as live:
        host, port = urlsplit(live.url).hostname, urlsplit(live.url).port
        together = threading.Barrier(len(jobs), timeout=90)

        def ppk(order_id, token):
            try:
                conn = connect(host, port, token)
            finally:
                together.wait()
            answers[order_id] = send(conn, "POST", f"/api/v1/orders/{order_id}/approve", token)
            conn.close()

        threads = [threading.Thread(target=ppk, args=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    # Then every approval succeeded, and each office's numbers are 1..10: no gap, no duplicate
    assert sorted(a["status"] for a in answers.values()) == [200] * len(jobs), answers
    year = datetime.now(WIB).year
    for office, orders in (("1.01.01", ours), ("1.02.01", theirs)):
        docs = OrderDocument.objects.filter(order__in=orders, kind="sp")
        assert sorted(docs.values_list("sequence", flat=True)) == list(range(1, PER_OFFICE + 1))
        assert sorted(docs.values_list("number", flat=True)) == [
            f"SP/{n:04d}/{office}/{year}" for n in range(1, PER_OFFICE + 1)
        ]
        assert {answers[o.pk]["body"]["documents"][0]["number"] for o in orders} == set(
            docs.values_list("number", flat=True)
        )
        assert DocumentCounter.objects.get(office__code=office, kind="sp").last == PER_OFFICE
    for document in OrderDocument.objects.all():  # PDFs are rendered after commit; render them now
        documents.ensure_pdf(document)
    assert len(set(OrderDocument.objects.values_list("pdf", flat=True))) == 2 * PER_OFFICE
