"""`katalog import_products`: every bad row reported, good rows kept, idempotent re-import."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from katalog.catalogue.models import Product, ProductStatus
from tests import factories as f

S = ProductStatus
HEADER = "nama,kategori,deskripsi,satuan,harga,stok,minimum_pesan,lead_time_hari,tkdn_persen,pdn,spesifikasi"
GOOD = [
    'Kertas HVS A4,ATK-KRT,Kertas putih 80 gram,rim,"Rp55.000",100,2,2,"40,5",ya,Ukuran: A4; Berat: 80 gram',
    "Pulpen Gel Hitam,alat tulis kantor,,kotak,36000,10,1,3,,tidak,",
    "Bolu Meranti,Makanan dan Minuman,Bolu gulung khas Medan,kotak,95000,20,5,1,,ya,Rasa: keju",  # no PIRT
]
BAD = [
    "Map Gratis,ATK,,buah,gratis,,,,,,",  # line 5: price
    "Meja Rapat,Mebel,,unit,900000,,,,,,",  # line 6: unknown category
    "Kertas HVS A4,ATK-KRT,,rim,56000,,,,,,",  # line 7: same name as line 2
    ",ATK,,,1000,-3,0,,150,mungkin,Ukuran A4",  # line 8: many problems in one row
]


@pytest.fixture
def vendor(medan, atk, paper, food):
    return f.make_vendor(medan, nib="8120000000777", name="UD Kertas Deli")


def write(tmp_path, rows, name="produk.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def run(*args):
    out = io.StringIO()
    call_command("import_products", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_good_rows_are_kept_and_every_bad_row_is_reported(tmp_path, vendor, paper, food):
    # given
    report = tmp_path / "laporan.csv"
    # when
    last = run(write(tmp_path, GOOD + BAD), "--vendor", "8120000000777", "--report", str(report))
    # then
    assert last == "imported 3, updated 0, unchanged 0, rejected 4"
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["baris", "kolom", "alasan"]
    assert [r[:2] for r in rows[1:]] == [
        ["5", "harga"],
        ["6", "kategori"],
        ["7", "nama"],
        ["8", "minimum_pesan"],
        ["8", "nama"],
        ["8", "pdn"],
        ["8", "satuan"],
        ["8", "spesifikasi"],
        ["8", "stok"],
        ["8", "tkdn_persen"],
    ]
    assert all(r[2] for r in rows[1:])  # every rejection says why
    products = {p.name: p for p in Product.objects.filter(vendor=vendor).select_related("latest_version")}
    assert set(products) == {"Kertas HVS A4", "Pulpen Gel Hitam", "Bolu Meranti"}
    hvs = products["Kertas HVS A4"].latest_version
    assert (hvs.category_id, hvs.price, hvs.unit, hvs.min_order, hvs.lead_time_days) == (
        paper.pk,
        Decimal("55000"),
        "rim",
        2,
        2,
    )
    assert (hvs.tkdn_percent, hvs.is_domestic, hvs.specifications) == (
        Decimal("40.50"),
        True,
        {"Ukuran": "A4", "Berat": "80 gram"},
    )
    assert products["Kertas HVS A4"].stock == 100
    assert products["Pulpen Gel Hitam"].latest_version.is_domestic is False
    assert products["Bolu Meranti"].latest_version.category_id == food.pk  # a missing PIRT is no reason to refuse
    assert {p.status for p in products.values()} == {S.DRAFT}


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path, vendor):
    path = write(tmp_path, GOOD + BAD)
    run(path, "--vendor", "8120000000777")
    versions = list(Product.objects.values_list("pk", "latest_version_id", "stock"))
    assert run(path, "--vendor", "8120000000777") == "imported 0, updated 0, unchanged 3, rejected 4"
    assert list(Product.objects.values_list("pk", "latest_version_id", "stock")) == versions


def test_a_changed_row_writes_a_new_version(tmp_path, vendor):
    run(write(tmp_path, GOOD), "--vendor", "8120000000777")
    changed = [GOOD[0].replace('"Rp55.000"', "57000"), GOOD[1].replace(",10,", ",12,"), GOOD[2]]
    assert (
        run(write(tmp_path, changed), "--vendor", "8120000000777") == "imported 0, updated 2, unchanged 1, rejected 0"
    )
    hvs = Product.objects.get(name="Kertas HVS A4")
    assert list(hvs.versions.values_list("number", "price")) == [(1, Decimal("55000")), (2, Decimal("57000"))]
    pulpen = Product.objects.get(name="Pulpen Gel Hitam")
    assert (pulpen.stock, pulpen.versions.count()) == (12, 1)  # stock is no new version


def test_approve_lists_the_products_at_once(tmp_path, vendor):
    last = run(write(tmp_path, GOOD), "--vendor", "8120000000777", "--katalog", "12.71", "--approve")
    assert last == "imported 3, updated 0, unchanged 0, rejected 0"
    products = Product.objects.filter(vendor=vendor)
    assert {(p.status, p.listed_version_id == p.latest_version_id) for p in products} == {(S.LISTED, True)}


def test_submit_sends_them_to_the_queue(tmp_path, vendor):
    run(write(tmp_path, GOOD), "--vendor", "8120000000777", "--submit")
    assert set(Product.objects.values_list("status", flat=True)) == {S.SUBMITTED}


def test_a_changed_price_of_a_listed_product_goes_back_to_curation(tmp_path, vendor):
    run(write(tmp_path, GOOD), "--vendor", "8120000000777", "--approve")
    run(write(tmp_path, [GOOD[0].replace('"Rp55.000"', "57000")]), "--vendor", "8120000000777", "--submit")
    hvs = Product.objects.get(name="Kertas HVS A4")
    assert (hvs.status, hvs.listed_version.price, hvs.latest_version.price) == (S.LISTED, 55000, 57000)


def test_an_xlsx_file_is_read_like_a_csv(tmp_path, vendor, paper):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Kertas HVS A4", "ATK-KRT", "", "rim", 55000, 100, 1, 2, 40, "ya", "Ukuran: A4"])
    sheet.append(["Map Gratis", "ATK", "", "buah", "gratis"])
    path = tmp_path / "produk.xlsx"
    book.save(path)
    assert run(str(path), "--vendor", "8120000000777") == "imported 1, updated 0, unchanged 0, rejected 1"
    v = Product.objects.get().latest_version
    assert (v.price, v.category_id, v.tkdn_percent) == (Decimal("55000"), paper.pk, Decimal("40"))


def test_the_tenant_must_be_named_when_there_are_several(tmp_path, vendor, binjai):
    path = write(tmp_path, GOOD)
    with pytest.raises(CommandError, match="--katalog"):
        run(path, "--vendor", "8120000000777")
    with pytest.raises(CommandError, match="8120000000777"):
        run(path, "--vendor", "8120000000777", "--katalog", "12.75")
    assert not Product.objects.exists()
    assert run(path, "--vendor", "8120000000777", "--katalog", "12.71").startswith("imported 3,")


def test_an_unknown_vendor_or_file_stops_the_command(tmp_path, vendor):
    with pytest.raises(CommandError):
        run(write(tmp_path, GOOD), "--vendor", "8120000000000")
    with pytest.raises(CommandError):
        run(str(tmp_path / "tidak-ada.csv"), "--vendor", "8120000000777")
    assert not Product.objects.exists()
