"""The demo catalogue: the six kinds of the Medan report as top-level categories, with
sub-categories, synonyms, and some 300 listed products named as Medan sellers name them, each sold
by the demo vendor of its trade (demo/vendors.py) and shown with a drawn picture (demo/pictures.py).

A few dozen products are written here; the rest are in data/produk.csv (one row per product:
seller key, name, category code, unit, price in rupiah, specifications as `Key=value; Key=value`,
description). Products are written in bulk, as a curator's approval would leave them (listed, the
first version approved, its claims verified, the audit entries of create, submit, approve and
photo), so loading 300 of them takes about a second; one picture per category is drawn and
re-encoded once and its files copied for each product."""

import csv
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from katalog.accounts.selectors import system_actor
from katalog.catalogue import services
from katalog.catalogue.models import Category, Claim, ClaimKind, Product, ProductPhoto, ProductStatus, ProductVersion
from katalog.catalogue.photos import process_photo
from katalog.core.models import AuditLog, Katalog
from katalog.vendors.models import Vendor

from . import pictures

DATA_DIR = Path(__file__).with_name("data")
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
    # Added with the 300-product catalogue (after the first ones, so their positions stay).
    ("PKN-BTK", "Batik", "PKN", SIZES),
    ("SPT-LPG", "Sepatu Lapangan dan Safety", "SPT", []),
    ("SPT-SKL", "Sepatu Sekolah", "SPT", []),
    ("MKN-OLH", "Oleh-oleh dan Sambal Khas", "MKN", []),
    ("ATK-TNT", "Tinta dan Toner", "ATK", []),
    ("ATK-PRL", "Perlengkapan Kantor", "ATK", []),
    ("SRG-PRM", "Seragam Pramuka", "SRG", []),
    ("SRG-OLR", "Seragam Olahraga", "SRG", []),
    ("SRG-PLK", "Perlengkapan Sekolah", "SRG", []),
]

# The demo's own pairs, on top of the base list every tenant gets (katalog/search/data/sinonim.csv).
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


def _specifications(text: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in text.split(";") if part.strip())
    return {key.strip(): value.strip() for key, _sep, value in pairs}


def _file_products() -> list[tuple]:
    """The rows of data/produk.csv, in the shape of PRODUCTS."""
    with (DATA_DIR / "produk.csv").open(encoding="utf-8", newline="") as fh:
        return [
            (
                row["penjual"],
                row["nama"],
                row["kategori"],
                row["satuan"],
                int(row["harga"]),
                _specifications(row["spesifikasi"]),
                row["deskripsi"],
            )
            for row in csv.DictReader(fh)
        ]


def all_products() -> list[tuple]:
    """Every demo product: (seller, name, category code, unit, price, specifications, description)."""
    return PRODUCTS + _file_products()


# Names an older demo gave its products: such a product is renamed (a new version, approved).
RENAMED = {"Bolu Meranti gulung keju": "Bolu gulung keju khas Medan"}


def _tkdn(i: int) -> Decimal | None:
    """A spread of TKDN values (none, and each tier the search ranking knows: below 25, 25-39, 40+)."""
    return [Decimal(40 + (i * 7) % 55), None, Decimal(25 + i % 15), None, Decimal(10 + i % 15), None][i % 6]


@dataclass
class _Picture:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _draw(name: str, code: str, top_name: str) -> _Picture:
    jpeg = pictures.product_picture(name, code, top_name)
    full, thumb, width, height = process_photo(ContentFile(jpeg, name=f"demo-{code}.jpg"))
    return _Picture(full.read(), thumb.read(), width, height)


def draw_pictures() -> dict[tuple[str, str, str], _Picture]:
    """The picture of every category of a product of the demo, by (name, code, top category's name)
    as `CATEGORIES` gives them: no database, so the demo command draws them on another thread while
    it loads the registry (Pillow lets go of Python's lock while it resizes and encodes)."""
    names = {code: (name, parent) for code, name, parent, _attrs in CATEGORIES}
    drawn = {}
    for code in dict.fromkeys(row[2] for row in all_products()):
        top = code
        while names[top][1]:
            top = names[top][1]
        key = (names[code][0], code, names[top][0])
        drawn[key] = _draw(*key)
    return drawn


def _picture(by_code: dict[str, Category], code: str, cache: dict[str, _Picture], drawn=None) -> _Picture:
    """The category's picture (its kind drawn, its name on it), drawn and re-encoded once per run
    (or taken from `drawn`, `draw_pictures`, when the category still bears the names it was drawn with)."""
    if code not in cache:
        category = by_code[code]
        top = category
        while top.parent_id:
            top = next(c for c in by_code.values() if c.pk == top.parent_id)
        key = (category.name, code, top.name)
        cache[code] = (drawn or {}).get(key) or _draw(*key)
    return cache[code]


def _audit(katalog: Katalog, action: str, product_id: int, **data) -> AuditLog:
    # As the services' audit.record writes it for the system actor (no user).
    return AuditLog(
        katalog=katalog,
        actor=None,
        action=action,
        object_type="catalogue.product",
        object_id=str(product_id),
        data=data,
    )


def _create_listed(katalog: Katalog, rows: list[tuple[int, tuple]], vendors, by_code) -> list[Product]:
    """Products listed as a curator's approval leaves them, in a handful of bulk queries."""
    now = timezone.now()
    total = len(rows)
    products = Product.objects.bulk_create(
        [
            Product(
                katalog=katalog,
                vendor=vendors[row[0]],
                name=row[1],
                status=ProductStatus.LISTED,
                stock=20 + (i * 37) % 480,
                submitted_at=now,
                # One listing an hour, the first products oldest: "newest first" has an order.
                listed_at=now - timedelta(hours=total - n),
            )
            for n, (i, row) in enumerate(rows)
        ]
    )
    versions = ProductVersion.objects.bulk_create(
        [
            ProductVersion(
                product=product,
                number=1,
                name=name,
                description=description,
                category=by_code[code],
                specifications={k: v for k, v in specs.items() if k != "pirt"},
                unit=unit,
                price=Decimal(price),
                min_order=1,
                lead_time_days=2 + i % 5,
                is_domestic=True,
                tkdn_percent=_tkdn(i),
                approved_at=now,
            )
            for product, (i, (_seller, name, code, unit, price, specs, description)) in zip(products, rows, strict=True)
        ]
    )
    claims = []
    for version, (_i, row) in zip(versions, rows, strict=True):
        claims.append(Claim(version=version, kind=ClaimKind.PDN, verified_at=now))
        if version.tkdn_percent is not None:
            claims.append(Claim(version=version, kind=ClaimKind.TKDN, verified_at=now))
        if "pirt" in row[5]:
            claims.append(Claim(version=version, kind=ClaimKind.PIRT, number=row[5]["pirt"], verified_at=now))
    Claim.objects.bulk_create(claims)
    for product, version in zip(products, versions, strict=True):
        product.listed_version = product.latest_version = version
    Product.objects.bulk_update(products, ["listed_version", "latest_version"])
    entries = []
    for product in products:
        entries += [
            _audit(katalog, "product.create", product.pk),
            _audit(katalog, "product.submit", product.pk, old="draft", new="submitted", reason=""),
            _audit(katalog, "product.approve", product.pk, old="submitted", new="listed", reason="", version=1),
        ]
    AuditLog.objects.bulk_create(entries)
    return products


def _add_photos(katalog: Katalog, products: list[Product], by_code, codes: dict[int, str], drawn=None) -> None:
    """One photo per product: its category's picture, its own copy of the files."""
    cache: dict[str, _Picture] = {}
    photos = []
    for product in products:
        picture = _picture(by_code, codes[product.pk], cache, drawn)
        photo = ProductPhoto(
            product=product, token=secrets.token_hex(8), width=picture.width, height=picture.height, position=0
        )
        photo.image.save("-full.jpg", ContentFile(picture.full), save=False)
        photo.thumbnail.save("-thumb.jpg", ContentFile(picture.thumb), save=False)
        photos.append(photo)
    ProductPhoto.objects.bulk_create(photos)
    AuditLog.objects.bulk_create([_audit(katalog, "product.photo", p.pk) for p in products])


@transaction.atomic
def load_catalogue(katalog: Katalog, vendors: dict[str, Vendor], *, drawn=None) -> int:
    """Categories, synonyms and the demo products, each sold by the demo vendor whose trade it is
    (`vendors`, from demo/vendors.py) and with a picture; only what is missing is created, so a
    second run changes nothing. Returns how many products were created. `drawn`: the pictures
    `draw_pictures` drew ahead (any other is drawn here)."""
    from katalog.search.data import add_missing, base_pairs
    from katalog.search.services import enqueue

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
    # Only what is missing, never what the Pengelola removed: the list is theirs to edit.
    add_missing(katalog.pk, base_pairs() + SYNONYMS)
    rows = all_products()
    names = [row[1] for row in rows] + list(RENAMED)
    existing = {p.name: p for p in Product.objects.filter(katalog=katalog, name__in=names).order_by("pk")}
    actor = system_actor(katalog)
    changed: list[int] = []
    missing: list[tuple[int, tuple]] = []
    codes: dict[int, str] = {}
    for i, row in enumerate(rows):
        seller, name, code = row[0], row[1], row[2]
        product = existing.get(name)
        old_name = next((old for old, new in RENAMED.items() if new == name and old in existing), None)
        if product is None and old_name:
            _seller, _name, code, unit, price, specs, description = row
            data = services.ProductData(
                name=name,
                category=by_code[code],
                unit=unit,
                price=Decimal(price),
                description=description,
                specifications={k: v for k, v in specs.items() if k != "pirt"},
                lead_time_days=2 + i % 5,
                tkdn_percent=_tkdn(i),
                claims={"pirt": specs["pirt"]} if "pirt" in specs else {},
            )
            product = services.product_update(actor=actor, product=existing[old_name], data=data)
            product = services.product_approve(actor=actor, product=product)
        elif product is None:
            missing.append((i, row))
            continue
        codes[product.pk] = code
        vendor = vendors[seller]
        if product.vendor_id != vendor.pk:
            # An older demo spread its products over registry vendors; each goes to its trade's.
            Product.objects.filter(pk=product.pk).update(vendor=vendor)
            changed.append(product.pk)
        existing[name] = product
    created = _create_listed(katalog, missing, vendors, by_code)
    codes.update({p.pk: row[2] for p, (_i, row) in zip(created, missing, strict=True)})
    with_photo = set(
        ProductPhoto.objects.filter(product_id__in=list(codes)).values_list("product_id", flat=True).distinct()
    )
    without = [p for p in [*existing.values(), *created] if p.pk in codes and p.pk not in with_photo]
    without = list({p.pk: p for p in without}.values())
    _add_photos(katalog, without, by_code, codes, drawn)
    changed += [p.pk for p in without]  # the new products among them: their first indexing
    if changed:
        enqueue(katalog.pk, changed)
        transaction.on_commit(services.apply_search_outbox)
    return len(created)
