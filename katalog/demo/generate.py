"""A generated UMKM registry with the distribution of the Medan news report (22,213 micro,
5,447 small, 103 medium), spread over the tenant's districts. Deterministic: the same seed gives
the same vendors, so loading twice adds nothing the second time."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.insights import vendor_rollups
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


@transaction.atomic
def load_registry(katalog: Katalog, *, distribution: dict[str, int] = DISTRIBUTION) -> int:
    """Create the generated vendors that are not there yet; return how many were created. The rows
    go in through `imports.insert_rows` (one prepared statement on SQLite, COPY on PostgreSQL), not
    model instances: building 27,763 `Vendor` objects and `bulk_create`'s per-field SQL was most of
    `katalog demo`'s time (docs/performance.md "Loading the demo"). Each row holds only what
    differs between vendors; the values they share are given once as `common`."""
    from katalog.vendors.imports import indexes_rebuilt

    rng = random.Random(SEED)
    districts = list(Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT))
    villages: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(
        code__startswith=katalog.region_id + ".", level=RegionLevel.VILLAGE
    ).values_list("code", "parent_id"):
        villages.setdefault(parent, []).append(code)
    existing = set(Vendor.objects.filter(katalog=katalog, nib__startswith="91").values_list("nib", flat=True))
    now = timezone.now()
    today = timezone.localdate()
    new: list[dict] = []
    moved: dict[str, tuple[str, date]] = {}
    index = 0
    # Only what differs from one vendor to the next is put in each row; the rest is `common`, prepared
    # once (and amounts are whole rupiah as int, which the database stores as it stores the Decimal).
    for size, count in distribution.items():
        low, high = CAPITAL[size]
        vat_registered = size != SizeClass.MIKRO
        for _ in range(count):
            index += 1
            kind, sector, kbli = KINDS[rng.randrange(len(KINDS))]
            district = districts[rng.randrange(len(districts))]
            region = rng.choice(villages.get(district.code) or [district.code])
            capital = rng.randrange(low // 1_000_000, high // 1_000_000) * 1_000_000
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            nib = registry_nib(index)
            # About one small business in fifteen, and one medium in five, moved up a class in
            # the last two years: that is the "naik kelas" history the dashboard shows.
            if size != SizeClass.MIKRO and rng.random() < (0.07 if size == SizeClass.KECIL else 0.2):
                before = SizeClass.MIKRO if size == SizeClass.KECIL else SizeClass.KECIL
                moved[nib] = (before, today - timedelta(days=rng.randrange(10, 720)))
            if nib in existing:
                continue
            new.append(
                {
                    "nib": nib,
                    "name": f"{kind} {rng.choice(WORDS)} {rng.choice(WORDS)}",
                    "owner_name": f"{given} {family}".strip(),
                    "kbli": kbli,
                    "sector": sector,
                    "address": f"Jl. {rng.choice(WORDS)} No. {rng.randrange(1, 200)}",
                    "region_id": region,
                    "district_id": district.code,
                    "phone": f"08{rng.randrange(10**9, 10**10)}",
                    "is_vat_registered": vat_registered,
                    "capital": capital,
                    "annual_sales": capital * rng.choice([1, 2]) if size == SizeClass.MIKRO else capital,
                    "size_class": size,
                }
            )
    with indexes_rebuilt(Vendor, SizeClassChange, rows=len(new)):
        _insert_registry(katalog, new, moved, now, today)
    return len(new)


def _insert_registry(katalog: Katalog, new: list[dict], moved: dict[str, tuple[str, date]], now, today) -> None:
    """The new vendors, then the size-class history of each (its registration, and its move up a
    class for those in `moved`)."""
    from katalog.vendors.imports import insert_rows

    with vendor_rollups.counted_in_bulk():
        insert_rows(
            Vendor,
            new,
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
    ids = dict(Vendor.objects.filter(katalog=katalog, nib__startswith="91").values_list("nib", "pk").order_by())
    history = []
    first_day = today - timedelta(days=3 * 365)

    def entry(vendor_id, on, old, new_class, capital, reason):
        return {
            "vendor_id": vendor_id,
            "changed_on": on,
            "old_class": old,
            "new_class": new_class,
            "capital": capital,
            "reason": reason,
        }

    for v in new:
        vid = ids[v["nib"]]
        if v["nib"] in moved:
            before, on = moved[v["nib"]]
            history.append(entry(vid, first_day, "", before, None, "Registrasi Dinas"))
            history.append(
                entry(vid, on, before, v["size_class"], v["capital"], "Pembaruan data usaha: modal bertambah")
            )
        else:
            history.append(entry(vid, first_day, "", v["size_class"], v["capital"], "Registrasi Dinas"))
    insert_rows(
        SizeClassChange,
        history,
        common={"katalog_id": katalog.pk, "annual_sales": None, "evidence": "", "recorded_at": now},
    )
