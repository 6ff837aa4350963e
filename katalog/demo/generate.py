"""A generated UMKM registry with the distribution of the Medan news report (22,213 micro,
5,447 small, 103 medium), spread over the tenant's districts. Deterministic: the same seed gives
the same vendors, so loading twice adds nothing the second time."""

import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.insights import vendor_rollups
from katalog.vendors.imports import foreign_keys_checked_after, indexes_rebuilt, insert_columns
from katalog.vendors.models import SizeClassChange, Vendor, VendorSource, VendorStatus
from katalog.vendors.size_class import SizeClass

DISTRIBUTION = {SizeClass.MIKRO: 22_213, SizeClass.KECIL: 5_447, SizeClass.MENENGAH: 103}
# Capital ranges (rupiah) that fall inside each class of PP 7/2021.
CAPITAL = {
    SizeClass.MIKRO: (5_000_000, 900_000_000),
    SizeClass.KECIL: (1_100_000_000, 4_800_000_000),
    SizeClass.MENENGAH: (5_200_000_000, 9_800_000_000),
}
KINDS = [
    ("Warung", "Makanan dan minuman", ["10792", "56103"]),
    ("Kedai", "Makanan dan minuman", ["56103"]),
    ("Bolu", "Makanan dan minuman", ["10710"]),
    ("Konveksi", "Pakaian dinas dan seragam", ["14111"]),
    ("Rumah Jahit", "Seragam sekolah", ["14111", "95291"]),
    ("Tenun", "Ulos dan kain tradisional", ["13121"]),
    ("Toko ATK", "Alat tulis kantor", ["47611"]),
    ("Sepatu", "Sepatu kulit", ["15201"]),
    ("Kerajinan", "Suvenir dan kerajinan", ["32909"]),
    ("Percetakan", "Percetakan", ["18111"]),
]
WORDS = [
    "Berkah",
    "Sinar",
    "Maju Jaya",
    "Sejahtera",
    "Horas",
    "Deli",
    "Melati",
    "Mandiri",
    "Bersama",
    "Ulos",
    "Karo",
    "Toba",
    "Sumatera",
    "Cahaya",
    "Rezeki",
    "Makmur",
    "Amanah",
    "Barokah",
    "Sentosa",
    "Pelangi",
]
GIVEN = [
    "Siti",
    "Rina",
    "Budi",
    "Andi",
    "Dewi",
    "Maria",
    "Ucok",
    "Butet",
    "Hendra",
    "Lina",
    "Joko",
    "Ani",
    "Rudi",
    "Fitri",
    "Agus",
    "Yusuf",
    "Nur",
    "Tiur",
    "Lamhot",
    "Ahmad",
    "Wati",
    "Sri",
    "Hasan",
    "Mei",
]
FAMILY = [
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Sitompul",
    "Simanjuntak",
    "Ginting",
    "Tarigan",
    "Sembiring",
    "Pane",
    "Hasibuan",
    "Manurung",
    "Rangkuti",
    "Saragih",
    "Purba",
    "Damanik",
    "Tanjung",
    "",
]
SEED = 1271


def registry_nib(index: int) -> str:
    """NIBs of generated vendors start with 91 so they never collide with real ones in the demo."""
    return f"91{index:011d}"


# The parts of the generated names and addresses, put together once: each vendor draws one of each.
NAMES = [f"{first} {second}" for first in WORDS for second in WORDS]
OWNERS = [f"{given} {family}".strip() for given in GIVEN for family in FAMILY]
ADDRESSES = [f"Jl. {word} No. {number}" for word in WORDS for number in range(1, 200)]


REGISTRY_FIELDS = [
    "nib",
    "name",
    "owner_name",
    "kbli",
    "sector",
    "address",
    "region_id",
    "district_id",
    "phone",
    "is_vat_registered",
    "capital",
    "annual_sales",
    "size_class",
]
REGISTERED = "Registrasi Dinas"
MOVED_UP = "Pembaruan data usaha: modal bertambah"


def registry_columns(districts: list[str], villages: dict[str, list[str]], distribution: dict[str, int], today: date):
    """The generated registry column by column (field name -> one value per vendor, in NIB order)
    and the vendors that moved up a class ({nib: (class before, day)}). Each column is drawn
    whole from one random stream of a fixed seed (`random.choices`, a `random()` per value, not
    a `randrange` or `choice` call per field of each vendor: a tenth of the time), so the same
    tenant and distribution give the same vendors on every run."""
    rng = random.Random(SEED)
    draw = rng.random
    columns: dict[str, list] = {name: [] for name in REGISTRY_FIELDS}
    moved: dict[str, tuple[str, date]] = {}
    index = 0
    for size, count in distribution.items():
        low, high = (bound // 1_000_000 for bound in CAPITAL[size])
        span = high - low
        kinds = rng.choices(KINDS, k=count)
        in_district = rng.choices(districts, k=count)
        region = [
            places[int(draw() * len(places))] if (places := villages.get(district)) else district
            for district in in_district
        ]
        capital = [(low + int(draw() * span)) * 1_000_000 for _ in range(count)]
        nibs = [registry_nib(n) for n in range(index + 1, index + count + 1)]
        index += count
        columns["nib"] += nibs
        columns["name"] += [
            f"{kind} {name}" for (kind, _s, _k), name in zip(kinds, rng.choices(NAMES, k=count), strict=True)
        ]
        columns["owner_name"] += rng.choices(OWNERS, k=count)
        columns["kbli"] += [kbli for _kind, _sector, kbli in kinds]
        columns["sector"] += [sector for _kind, sector, _kbli in kinds]
        columns["address"] += rng.choices(ADDRESSES, k=count)
        columns["region_id"] += region
        columns["district_id"] += in_district
        columns["phone"] += [f"08{10**9 + int(draw() * 9 * 10**9)}" for _ in range(count)]
        columns["is_vat_registered"] += [size != SizeClass.MIKRO] * count
        columns["capital"] += capital
        if size == SizeClass.MIKRO:
            columns["annual_sales"] += [
                c * times for c, times in zip(capital, rng.choices((1, 2), k=count), strict=True)
            ]
        else:
            columns["annual_sales"] += capital
            # About one small business in fifteen, and one medium in five, moved up a class in
            # the last two years: that is the "naik kelas" history the dashboard shows.
            share = 0.07 if size == SizeClass.KECIL else 0.2
            before = SizeClass.MIKRO.value if size == SizeClass.KECIL else SizeClass.KECIL.value
            for nib in nibs:
                if draw() < share:
                    moved[nib] = (before, today - timedelta(days=10 + int(draw() * 710)))
        columns["size_class"] += [str(size)] * count
    return columns, moved


@transaction.atomic
def load_registry(katalog: Katalog, *, distribution: dict[str, int] = DISTRIBUTION) -> int:
    """Create the generated vendors that are not there yet; return how many were created. The rows
    go in through `imports.insert_columns` (one prepared statement on SQLite, COPY on PostgreSQL),
    not model instances: building 27,763 `Vendor` objects and `bulk_create`'s per-field SQL was most
    of `katalog demo`'s time (docs/performance.md "Loading the demo"). Each column holds only what
    differs between vendors; the values they share are given once as `common`."""
    districts = sorted(
        Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT).values_list("code", flat=True)
    )
    villages: dict[str, list[str]] = {}
    for code, parent in (
        Region.objects.filter(code__startswith=katalog.region_id + ".", level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("code", "parent_id")
    ):
        villages.setdefault(parent, []).append(code)
    now = timezone.now()
    today = timezone.localdate()
    columns, moved = registry_columns(districts, villages, distribution, today)
    existing = set(Vendor.objects.filter(katalog=katalog, nib__startswith="91").values_list("nib", flat=True))
    if existing:  # a registry loaded before (or in part): only the vendors it lacks
        keep = [n for n, nib in enumerate(columns["nib"]) if nib not in existing]
        columns = {name: [values[n] for n in keep] for name, values in columns.items()}
    created = len(columns["nib"])
    keys = {Vendor: ["katalog", "region", "district"], SizeClassChange: ["katalog", "vendor"]}
    with indexes_rebuilt(Vendor, SizeClassChange, rows=created), foreign_keys_checked_after(keys, rows=created):
        _insert_registry(katalog, columns, moved, now, today)
    return created


def _insert_registry(
    katalog: Katalog, columns: dict[str, list], moved: dict[str, tuple[str, date]], now, today
) -> None:
    """The new vendors, then the size-class history of each (its registration, and its move up a
    class for those in `moved`)."""
    if not columns["nib"]:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM vendors_vendor")
        last = cursor.fetchone()[0]  # the new vendors are those after it
    with vendor_rollups.counted_in_bulk():
        insert_columns(
            Vendor,
            columns,
            common={
                "katalog_id": katalog.pk,
                "npwp": "",
                "email": "",
                "pp55_certificate": "",
                "bank_name": "",
                "bank_account_number": "",
                "bank_account_name": "",
                "status": VendorStatus.VERIFIED,
                "source": VendorSource.IMPORT,
                "status_reason": "",
                "submitted_at": now,
                "verified_at": now,
                "created_at": now,
                "updated_at": now,
            },
        )
    first_day = today - timedelta(days=3 * 365)
    # The registration of every new vendor that did not move up a class: one statement the database
    # runs on the rows it holds (no ids fetched, no rows sent); those that moved get two entries.
    moved_up = [nib for nib in columns["nib"] if nib in moved]
    entry = {f.name: f for f in SizeClassChange._meta.concrete_fields}
    prep = [
        entry["changed_on"].get_db_prep_save(first_day, connection),
        entry["reason"].get_db_prep_save(REGISTERED, connection),
        entry["recorded_at"].get_db_prep_save(now, connection),
    ]
    skip = f"AND nib NOT IN ({', '.join(['%s'] * len(moved_up))})" if moved_up else ""  # placeholders only
    sql = (
        "INSERT INTO vendors_sizeclasschange (katalog_id, vendor_id, changed_on, old_class, new_class, capital, "  # noqa: S608
        "annual_sales, reason, evidence, recorded_at) "
        "SELECT katalog_id, id, %s, '', size_class, capital, NULL, %s, '', %s FROM vendors_vendor "
        "WHERE katalog_id = %s AND id > %s AND nib LIKE %s " + skip + " ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*prep, katalog.pk, last, "91%", *moved_up])
    if not moved_up:
        return
    ids = dict(Vendor.objects.filter(katalog=katalog, nib__in=moved_up).values_list("nib", "pk"))
    size_of = dict(zip(columns["nib"], zip(columns["size_class"], columns["capital"], strict=True), strict=True))
    history: dict[str, list] = {name: [] for name in ("vendor_id", "changed_on", "old_class", "new_class", "capital")}
    reasons: list[str] = []
    for nib in moved_up:
        (size, capital), (before, on) = size_of[nib], moved[nib]
        for changed_on, old, new_class, amount, reason in (
            (first_day, "", before, None, REGISTERED),
            (on, before, size, capital, MOVED_UP),
        ):
            history["vendor_id"].append(ids[nib])
            history["changed_on"].append(changed_on)
            history["old_class"].append(old)
            history["new_class"].append(new_class)
            history["capital"].append(amount)
            reasons.append(reason)
    insert_columns(
        SizeClassChange,
        {**history, "reason": reasons},
        common={"katalog_id": katalog.pk, "annual_sales": None, "evidence": "", "recorded_at": now},
    )
