"""`katalog generate`: a realistic synthetic catalogue for benchmarks (Indonesian product names
and descriptions across the demo categories, prices, districts). Rows are written in bulk with
ids assigned here, so a million products load in minutes, not hours."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from katalog.catalogue.models import Category, Claim, Product, ProductStatus, ProductVersion
from katalog.core.models import Katalog, Region, RegionLevel
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from katalog.vendors.size_class import SizeClass

# category code → (nouns, price range in rupiah, unit)
KINDS = {
    "ATK-KRT": (["kertas HVS", "buku tulis", "buku agenda", "amplop cokelat", "kertas folio"], (15_000, 80_000), "rim"),
    "ATK-TLS": (["pulpen gel", "pensil 2B", "spidol papan tulis", "stabilo", "penghapus"], (3_000, 60_000), "kotak"),
    "ATK-ARS": (["map plastik", "ordner", "box file", "map batik", "klip kertas"], (5_000, 90_000), "buah"),
    "MKN-KUE-BOLU": (
        ["bolu gulung", "bika ambon", "kue lapis", "bolu pandan", "kue bolu keju"],
        (40_000, 180_000),
        "kotak",
    ),
    "MKN-NSI": (
        ["nasi kotak ayam", "nasi kotak rendang", "nasi goreng", "lontong medan", "nasi soto"],
        (20_000, 60_000),
        "kotak",
    ),
    "MKN-MNM": (
        ["kopi sidikalang", "teh manis", "sirup markisa", "air mineral", "jus terong belanda"],
        (5_000, 90_000),
        "botol",
    ),
    "MKN-RGN": (["keripik ubi", "kacang sihobuk", "kue kering", "rempeyek", "dodol"], (10_000, 70_000), "bungkus"),
    "SPT-DNS": (
        ["sepatu pantofel", "sepatu kulit", "sepatu dinas", "sepatu PDH", "sepatu formal"],
        (150_000, 650_000),
        "pasang",
    ),
    "SPT-OLR": (
        ["sepatu olahraga", "sepatu lari", "sepatu senam", "sepatu kanvas", "sandal kulit"],
        (90_000, 450_000),
        "pasang",
    ),
    "PKN-PDH": (
        ["kemeja PDH", "seragam dinas harian", "kemeja batik dinas", "blus dinas", "celana dinas"],
        (120_000, 400_000),
        "potong",
    ),
    "PKN-PDL": (
        ["seragam PDL", "jaket dinas lapangan", "rompi lapangan", "celana PDL", "topi lapangan"],
        (90_000, 500_000),
        "potong",
    ),
    "PKN-KAIN-ULOS": (
        ["ulos ragi hotang", "ulos sadum", "ulos mangiring", "ulos bintang maratur", "selendang ulos"],
        (150_000, 2_500_000),
        "lembar",
    ),
    "PKN-KAIN-SGK": (
        ["songket batubara", "kain songket", "selendang songket", "songket melayu", "tenun songket"],
        (400_000, 3_500_000),
        "lembar",
    ),
    "SRG-SD": (
        ["seragam SD", "kemeja putih SD", "rok merah SD", "celana merah SD", "seragam pramuka SD"],
        (60_000, 200_000),
        "setel",
    ),
    "SRG-SMP": (
        ["seragam SMP", "kemeja putih SMP", "rok biru", "celana biru", "seragam pramuka SMP"],
        (70_000, 220_000),
        "setel",
    ),
    "SRG-SMA": (
        ["seragam SMA", "kemeja putih SMA", "rok abu-abu", "celana abu-abu", "baju olahraga sekolah"],
        (80_000, 250_000),
        "setel",
    ),
    "SUV-RTN": (
        ["keranjang rotan", "kursi rotan", "tas anyaman rotan", "tempat tisu rotan", "kap lampu rotan"],
        (30_000, 900_000),
        "buah",
    ),
    "SUV-CND": (
        ["miniatur rumah bolon", "gantungan kunci ulos", "plakat ukir", "hiasan dinding gorga", "mug sablon medan"],
        (15_000, 600_000),
        "buah",
    ),
}
ADJECTIVES = [
    "premium",
    "ekonomis",
    "jahitan rapi",
    "tenun tangan",
    "buatan lokal",
    "motif batak",
    "warna cerah",
    "bahan adem",
    "tahan lama",
    "khas medan",
    "ukuran besar",
    "ukuran kecil",
    "kualitas ekspor",
]
MAKERS = ["pengrajin", "penjahit", "UMKM", "koperasi", "kelompok tenun", "rumah produksi", "home industry"]


def _reset_sequences(models) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def generate(katalog: Katalog, *, products: int, vendors: int, seed: int = 7, batch: int = 5000) -> tuple[int, int]:
    """Add `vendors` verified vendors and `products` listed products to the tenant."""
    rng = random.Random(seed)
    categories = {c.code: c for c in Category.objects.filter(katalog=katalog, code__in=list(KINDS))}
    missing = set(KINDS) - set(categories)
    if missing:
        raise ValueError(f"run `katalog demo` first: categories missing: {sorted(missing)}")
    districts = list(
        Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT).values_list("code", flat=True)
    )
    now = timezone.now()
    with transaction.atomic():
        start = (Vendor.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        sizes = [SizeClass.MIKRO] * 8 + [SizeClass.KECIL] * 2 + [SizeClass.MENENGAH]
        new_vendors = [
            Vendor(
                pk=start + i,
                katalog=katalog,
                name=f"UMKM Sintetis {start + i}",
                owner_name="Pemilik",
                nib=f"93{start + i:011d}",
                district_id=(d := rng.choice(districts)),
                region_id=d,
                size_class=rng.choice(sizes),
                status=VendorStatus.VERIFIED,
                source=VendorSource.IMPORT,
                capital=Decimal(rng.randrange(10, 900) * 1_000_000),
                verified_at=now,
                submitted_at=now,
            )
            for i in range(vendors)
        ]
        Vendor.objects.bulk_create(new_vendors, batch_size=batch)
        vendor_ids = [v.pk for v in new_vendors]
        _reset_sequences([Vendor])
    codes = list(KINDS)
    made = 0
    while made < products:
        n = min(batch, products - made)
        with transaction.atomic():
            first_product = (Product.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            first_version = (ProductVersion.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            rows, versions, claims = [], [], []
            for i in range(n):
                code = rng.choice(codes)
                nouns, (low, high), unit = KINDS[code]
                name = f"{rng.choice(nouns).capitalize()} {rng.choice(ADJECTIVES)}"
                pid, vid = first_product + i, first_version + i
                price = Decimal(rng.randrange(low // 1000, high // 1000) * 1000)
                domestic = rng.random() < 0.9
                versions.append(
                    ProductVersion(
                        pk=vid,
                        product_id=pid,
                        number=1,
                        name=name,
                        category=categories[code],
                        unit=unit,
                        price=price,
                        description=f"{name} dari {rng.choice(MAKERS)} di Kota Medan. {rng.choice(ADJECTIVES).capitalize()}.",
                        specifications={"Bahan": rng.choice(["katun", "kulit", "rotan", "kayu", "kertas", "plastik"])},
                        is_domestic=domestic,
                        tkdn_percent=Decimal(rng.randrange(25, 95)) if rng.random() < 0.4 else None,
                        approved_at=now,
                        min_order=1,
                        lead_time_days=rng.randrange(1, 10),
                    )
                )
                rows.append(
                    Product(
                        pk=pid,
                        katalog=katalog,
                        vendor_id=rng.choice(vendor_ids),
                        name=name,
                        status=ProductStatus.LISTED,
                        listed_version_id=vid,
                        latest_version_id=vid,
                        stock=rng.randrange(0, 500),
                        listed_at=now,
                        submitted_at=now,
                    )
                )
                if domestic:
                    claims.append(Claim(version_id=vid, kind="pdn", verified_at=now))
            Product.objects.bulk_create(rows, batch_size=batch)
            ProductVersion.objects.bulk_create(versions, batch_size=batch)
            Claim.objects.bulk_create(claims, batch_size=batch)
        made += n
    _reset_sequences([Product, ProductVersion, Claim])
    return vendors, products


# Share of the generated orders in each status (`generate --orders`), in per mille.
ORDER_MIX = {
    "draft": 40,
    "negotiating": 30,
    "awaiting_approval": 40,
    "awaiting_confirmation": 40,
    "in_progress": 90,
    "delivered": 50,
    "received": 50,
    "invoiced": 60,
    "paid": 200,
    "completed": 330,
    "cancelled": 70,
}
_SUBMITTED_AFTER = {"draft": False, "negotiating": False}
_PAID = {"paid", "completed"}


def generate_orders(katalog: Katalog, *, orders: int, years: int = 3, seed: int = 11, batch: int = 5000) -> int:
    """Add `orders` orders (one to three lines each) in every status, submitted over the last
    `years` years, spread over every office of the tenant and the vendors of its listed products,
    with one budget line per office and year whose committed amount is exactly what its orders
    hold; then rebuild the spending rollup. Written in bulk (not through the services)."""
    from django.contrib.auth import get_user_model

    from katalog.accounts.models import Office
    from katalog.buying.models import BudgetLine, Order, OrderItem
    from katalog.insights import rollups

    rng = random.Random(seed)
    offices = list(Office.objects.filter(katalog=katalog).values_list("pk", flat=True))
    products = list(
        Product.objects.filter(katalog=katalog, status=ProductStatus.LISTED, listed_version__isnull=False)
        .order_by("pk")
        .values_list("pk", "listed_version_id", "vendor_id", "listed_version__price")[:20000]
    )
    user = get_user_model().objects.order_by("pk").first()
    if not offices or not products or user is None:
        raise ValueError("run `katalog demo` (and `katalog generate --products`) first: no offices or products")
    by_vendor: dict[int, list] = {}
    for row in products:
        by_vendor.setdefault(row[2], []).append(row)
    vendors = list(by_vendor)
    now = timezone.now()
    this_year = timezone.localdate().year
    first_year = this_year - years + 1
    span = (now - timezone.make_aware(datetime(first_year, 1, 1))).total_seconds()
    statuses = [s for s, n in ORDER_MIX.items() for _ in range(n)]
    with transaction.atomic():
        lines = {}
        for office in offices:
            for year in range(first_year, this_year + 1):
                lines[(office, year)] = BudgetLine.objects.create(
                    katalog=katalog,
                    office_id=office,
                    kode_rup=f"SYN-{office}-{year}",
                    name="Belanja sintetis",
                    fiscal_year=year,
                    ceiling=Decimal(10**15),
                )
    committed: dict[int, Decimal] = {line.pk: Decimal(0) for line in lines.values()}
    made = 0
    while made < orders:
        n = min(batch, orders - made)
        with transaction.atomic():
            first_order = (Order.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            order_rows, item_rows = [], []
            for i in range(n):
                status = rng.choice(statuses)
                vendor = rng.choice(vendors)
                office = rng.choice(offices)
                created = now - timedelta(seconds=rng.random() * span)
                submitted = _SUBMITTED_AFTER.get(status, True)
                if status == "cancelled":
                    submitted = rng.random() < 0.5  # before or after the submission
                year = timezone.localtime(created).year
                line = lines[(office, year)]
                dpp = Decimal(0)
                for row in rng.sample(by_vendor[vendor], min(len(by_vendor[vendor]), rng.randint(1, 3))):
                    quantity = rng.randint(1, 40)
                    item_rows.append(
                        OrderItem(
                            order_id=first_order + i,
                            product_id=row[0],
                            version_id=row[1],
                            quantity=quantity,
                            unit_price=row[3],
                            delivered_quantity=quantity if status in ("delivered", "received", "invoiced") else 0,
                        )
                    )
                    dpp += row[3] * quantity
                vat = (dpp * Decimal("0.11")).quantize(Decimal(1)) if rng.random() < 0.2 else Decimal(0)
                holds = submitted and status != "cancelled"
                if holds:
                    committed[line.pk] += dpp + vat
                order_rows.append(
                    Order(
                        pk=first_order + i,
                        katalog=katalog,
                        office_id=office,
                        vendor_id=vendor,
                        budget_line_id=line.pk,
                        status=status,
                        created_by=user,
                        total=dpp,
                        vat=vat,
                        committed_amount=dpp + vat if holds else Decimal(0),
                        submitted_at=created if submitted else None,
                        cancelled_at=created if status == "cancelled" else None,
                        cancel_reason="Sintetis" if status == "cancelled" else "",
                        paid_at=created + timedelta(days=20) if status in _PAID else None,
                    )
                )
            Order.objects.bulk_create(order_rows, batch_size=batch)
            OrderItem.objects.bulk_create(item_rows, batch_size=batch)
        made += n
    _reset_sequences([Order, OrderItem])
    with transaction.atomic():
        for pk, amount in committed.items():
            BudgetLine.objects.filter(pk=pk).update(committed=amount, ceiling=amount + Decimal(10**9))
    rollups.rebuild(katalog)
    return orders
