"""The demo catalogue: the six kinds of the Medan report as top-level categories, with
sub-categories, synonyms, and a few dozen listed products, each sold by the demo vendor of its
trade (demo/vendors.py) and shown with a drawn picture (demo/pictures.py)."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from katalog.accounts.selectors import system_actor
from katalog.catalogue import services
from katalog.catalogue.models import Category, Product, ProductPhoto
from katalog.core.models import Katalog
from katalog.vendors.models import Vendor

from . import pictures

FOOD = [{"key": "pirt", "label": "Nomor PIRT atau BPOM"}, {"key": "halal", "label": "Sertifikat halal"}]
SIZES = [{"key": "ukuran", "label": "Ukuran"}]

# code, name, parent code, required attributes
CATEGORIES = [
    ("ATK", "Alat Tulis Kantor", None, []),
    ("ATK-KRT", "Kertas dan Buku", "ATK", []),
    ("ATK-TLS", "Alat Tulis", "ATK", []),
    ("ATK-ARS", "Map dan Arsip", "ATK", []),
    ("MKN", "Makanan dan Minuman", None, FOOD),
    ("MKN-KUE", "Kue dan Roti", "MKN", []),
    ("MKN-KUE-BOLU", "Bolu dan Kue Basah", "MKN-KUE", []),
    ("MKN-NSI", "Nasi Kotak dan Katering", "MKN", []),
    ("MKN-MNM", "Minuman", "MKN", []),
    ("MKN-RGN", "Makanan Ringan", "MKN", []),
    ("SPT", "Sepatu", None, SIZES),
    ("SPT-DNS", "Sepatu Dinas", "SPT", []),
    ("SPT-OLR", "Sepatu Olahraga", "SPT", []),
    ("PKN", "Pakaian Dinas dan Kain Tradisional", None, []),
    ("PKN-PDH", "Pakaian Dinas Harian", "PKN", SIZES),
    ("PKN-PDL", "Pakaian Dinas Lapangan", "PKN", SIZES),
    ("PKN-KAIN", "Kain Tradisional", "PKN", []),
    ("PKN-KAIN-ULOS", "Ulos", "PKN-KAIN", []),
    ("PKN-KAIN-SGK", "Songket", "PKN-KAIN", []),
    ("SRG", "Seragam Sekolah", None, SIZES),
    ("SRG-SD", "Seragam SD", "SRG", []),
    ("SRG-SMP", "Seragam SMP", "SRG", []),
    ("SRG-SMA", "Seragam SMA", "SRG", []),
    ("SUV", "Suvenir", None, []),
    ("SUV-RTN", "Kerajinan Rotan", "SUV", []),
    ("SUV-CND", "Cenderamata", "SUV", []),
]

SYNONYMS = [
    ("atk", "alat tulis kantor"),
    ("pdh", "pakaian dinas harian"),
    ("pdl", "pakaian dinas lapangan"),
    ("nasi kotak", "katering"),
    ("sepatu pantofel", "sepatu dinas"),
]

# seller (demo/vendors.py key), name, category code, unit, price, specifications, description
PRODUCTS = [
    (
        "ulos",
        "Ulos Ragi Hotang tenun tangan",
        "PKN-KAIN-ULOS",
        "lembar",
        850_000,
        {"Bahan": "benang katun", "Ukuran": "200 x 80 cm"},
        "Ulos tenun tangan pengrajin Medan, motif Ragi Hotang untuk cendera mata dan acara adat.",
    ),
    (
        "ulos",
        "Ulos Sadum untuk cendera mata",
        "PKN-KAIN-ULOS",
        "lembar",
        450_000,
        {"Ukuran": "180 x 60 cm"},
        "Ulos Sadum berwarna cerah, cocok untuk tamu kehormatan.",
    ),
    (
        "ulos",
        "Songket Batubara benang emas",
        "PKN-KAIN-SGK",
        "lembar",
        1_750_000,
        {"Bahan": "sutra, benang emas"},
        "Kain songket khas Batubara ditenun tangan.",
    ),
    (
        "konveksi",
        "Kemeja PDH Pemko Medan lengan panjang",
        "PKN-PDH",
        "potong",
        235_000,
        {"Ukuran": "S, M, L, XL", "Bahan": "katun drill"},
        "Pakaian dinas harian dijahit penjahit lokal sesuai ketentuan Pemko Medan.",
    ),
    (
        "konveksi",
        "Setelan PDL lapangan",
        "PKN-PDL",
        "setel",
        410_000,
        {"Ukuran": "M, L, XL", "Bahan": "ripstop"},
        "Pakaian dinas lapangan kuat untuk kegiatan luar kantor.",
    ),
    (
        "konveksi",
        "Jasa jahit seragam kantor",
        "PKN-PDH",
        "potong",
        120_000,
        {"Ukuran": "sesuai ukur badan"},
        "Penjahit berpengalaman, jahitan rapi, ukur di kantor Anda.",
    ),
    (
        "seragam",
        "Seragam SD putih merah",
        "SRG-SD",
        "setel",
        145_000,
        {"Ukuran": "6-12 tahun"},
        "Seragam sekolah dasar, jahitan kuat.",
    ),
    (
        "seragam",
        "Seragam SMP putih biru",
        "SRG-SMP",
        "setel",
        165_000,
        {"Ukuran": "S, M, L"},
        "Seragam SMP bahan adem.",
    ),
    (
        "seragam",
        "Seragam SMA putih abu-abu",
        "SRG-SMA",
        "setel",
        185_000,
        {"Ukuran": "S, M, L, XL"},
        "Seragam SMA jahitan penjahit lokal.",
    ),
    (
        "sepatu",
        "Sepatu pantofel kulit pria",
        "SPT-DNS",
        "pasang",
        375_000,
        {"Ukuran": "38-44", "Bahan": "kulit sapi"},
        "Sepatu dinas kulit asli buatan pengrajin Medan.",
    ),
    (
        "sepatu",
        "Sepatu dinas wanita hak rendah",
        "SPT-DNS",
        "pasang",
        325_000,
        {"Ukuran": "36-41"},
        "Nyaman dipakai seharian.",
    ),
    (
        "sepatu",
        "Sepatu olahraga kanvas",
        "SPT-OLR",
        "pasang",
        210_000,
        {"Ukuran": "37-44"},
        "Untuk senam pagi dan kegiatan olahraga.",
    ),
    (
        "kue",
        "Bolu gulung keju khas Medan",
        "MKN-KUE-BOLU",
        "kotak",
        95_000,
        {"Isi": "1 gulung", "pirt": "2061271010123"},
        "Bolu gulung khas Medan, cocok untuk rapat dan tamu.",
    ),
    (
        "kue",
        "Bika Ambon pandan",
        "MKN-KUE-BOLU",
        "kotak",
        110_000,
        {"Isi": "1 loyang"},
        "Bika Ambon khas Medan, legit dan harum.",
    ),
    (
        "katering",
        "Nasi kotak ayam gulai",
        "MKN-NSI",
        "kotak",
        35_000,
        {"Isi": "nasi, ayam, sayur, buah"},
        "Katering untuk rapat dan pelatihan.",
    ),
    (
        "katering",
        "Snack box rapat isi 4",
        "MKN-RGN",
        "kotak",
        18_000,
        {"Isi": "4 kue"},
        "Kue basah dan kering untuk rapat.",
    ),
    (
        "kopi",
        "Kopi Sidikalang bubuk 250 g",
        "MKN-MNM",
        "bungkus",
        55_000,
        {"Berat": "250 g"},
        "Kopi robusta Sidikalang sangrai lokal.",
    ),
    ("kopi", "Teh jahe merah sachet", "MKN-MNM", "kotak", 30_000, {"Isi": "20 sachet"}, "Minuman jahe merah hangat."),
    (
        "atk",
        "Kertas HVS A4 80 gram",
        "ATK-KRT",
        "rim",
        62_000,
        {"Ukuran": "A4", "Gramatur": "80 gsm"},
        "Kertas fotokopi putih.",
    ),
    (
        "atk",
        "Buku agenda kantor bersampul batik",
        "ATK-KRT",
        "buah",
        45_000,
        {"Halaman": "200"},
        "Agenda dengan sampul motif batik Medan.",
    ),
    ("atk", "Pulpen gel hitam isi 12", "ATK-TLS", "kotak", 36_000, {"Warna": "hitam"}, "Alat tulis kantor harian."),
    ("atk", "Map snelhecter plastik", "ATK-ARS", "lusin", 24_000, {"Warna": "campur"}, "Map arsip plastik tebal."),
    ("atk", "Ordner arsip folio", "ATK-ARS", "buah", 32_000, {"Ukuran": "folio"}, "Ordner untuk arsip dinas."),
    (
        "rotan",
        "Keranjang rotan anyaman",
        "SUV-RTN",
        "buah",
        85_000,
        {"Bahan": "rotan"},
        "Kerajinan rotan anyaman tangan.",
    ),
    (
        "rotan",
        "Kursi rotan teras",
        "SUV-RTN",
        "buah",
        650_000,
        {"Bahan": "rotan sintetis"},
        "Kerajinan rotan untuk ruang tunggu kantor.",
    ),
    (
        "rotan",
        "Tas anyaman rotan motif Batak",
        "SUV-RTN",
        "buah",
        150_000,
        {"Bahan": "rotan"},
        "Tas kerajinan rotan dengan motif gorga.",
    ),
    (
        "cenderamata",
        "Miniatur rumah Bolon",
        "SUV-CND",
        "buah",
        275_000,
        {"Bahan": "kayu"},
        "Cenderamata rumah adat Batak.",
    ),
    (
        "cenderamata",
        "Gantungan kunci ulos",
        "SUV-CND",
        "lusin",
        60_000,
        {"Isi": "12 buah"},
        "Suvenir kecil bermotif ulos.",
    ),
    (
        "cenderamata",
        "Plakat kayu ukir Medan",
        "SUV-CND",
        "buah",
        320_000,
        {"Bahan": "kayu jati"},
        "Plakat penghargaan ukir tangan.",
    ),
]


# Names an older demo gave its products: such a product is renamed (a new version, approved).
RENAMED = {"Bolu Meranti gulung keju": "Bolu gulung keju khas Medan"}


@transaction.atomic
def load_catalogue(katalog: Katalog, vendors: dict[str, Vendor]) -> int:
    """Categories, synonyms and the demo products, each sold by the demo vendor whose trade it is
    (`vendors`, from demo/vendors.py) and with a picture; only what is missing is created, so a
    second run changes nothing. Returns how many products were created."""
    from katalog.search.services import enqueue, set_synonyms

    by_code: dict[str, Category] = {c.code: c for c in Category.objects.filter(katalog=katalog)}
    for position, (code, name, parent, attrs) in enumerate(CATEGORIES):
        if code not in by_code:
            parent_cat = by_code[parent] if parent else None
            by_code[code] = Category.objects.create(
                katalog=katalog,
                code=code,
                name=name,
                parent=parent_cat,
                position=position,
                level=(parent_cat.level + 1) if parent_cat else 1,
                required_attributes=attrs,
            )
    set_synonyms(katalog.pk, SYNONYMS)
    names = [row[1] for row in PRODUCTS] + list(RENAMED)
    existing = {p.name: p for p in Product.objects.filter(katalog=katalog, name__in=names).order_by("pk")}
    with_photo = set(
        ProductPhoto.objects.filter(product__katalog=katalog, product__name__in=names).values_list(
            "product_id", flat=True
        )
    )
    actor = system_actor(katalog)
    created = 0
    for i, (seller, name, code, unit, price, specs, description) in enumerate(PRODUCTS):
        vendor = vendors[seller]
        specs = dict(specs)  # PRODUCTS is module data: never change it
        claims = {"pirt": specs.pop("pirt")} if "pirt" in specs else {}
        data = services.ProductData(
            name=name,
            category=by_code[code],
            unit=unit,
            price=Decimal(price),
            description=description,
            specifications=specs,
            min_order=1,
            lead_time_days=2 + i % 5,
            is_domestic=True,
            tkdn_percent=Decimal(40 + (i * 7) % 55) if i % 3 == 0 else None,
            claims=claims,
        )
        product = existing.get(name)
        old_name = next((old for old, new in RENAMED.items() if new == name and old in existing), None)
        if product is None and old_name:
            product = services.product_update(actor=actor, product=existing[old_name], data=data)
            product = services.product_approve(actor=actor, product=product)
        elif product is None:
            product = services.product_create(actor=actor, vendor=vendor, data=data, stock=50 + i * 10)
            product = services.product_submit(actor=actor, product=product)
            product = services.product_approve(actor=actor, product=product)
            created += 1
        if product.vendor_id != vendor.pk:
            # An older demo spread its products over registry vendors; each goes to its trade's.
            Product.objects.filter(pk=product.pk).update(vendor=vendor)
            product.vendor = vendor
            enqueue(katalog.pk, [product.pk])
            transaction.on_commit(services.apply_search_outbox)
        if product.pk not in with_photo:
            picture = pictures.product_picture(name, code, by_code[code].name)
            services.product_add_photo(
                actor=actor, product=product, upload=ContentFile(picture, name=f"demo-{product.pk}.jpg")
            )
    return created
