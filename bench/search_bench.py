"""Search latency benchmark: `python bench/search_bench.py --backend tantivy|postgres|sqlite --docs N`.

Loads N synthetic Indonesian products into one tenant of a throw-away index (PostgreSQL: the
database `katalog_bench`; SQLite and Tantivy: files under /tmp/katalog_bench), then runs a
rotating set of queries and prints p50/p95 of the full `search()` (analysis, synonyms, typo
lookup, engine, shaping) next to the engine's own calls alone, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/katalog_bench")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "katalog_bench"
TENANT = 1

# top-level category -> (child categories, item nouns, describing phrases)
CATALOGUE = {
    1: (
        [11, 12],
        [
            "Kertas HVS",
            "Pulpen",
            "Pensil",
            "Map Plastik",
            "Stempel",
            "Buku Tulis",
            "Amplop",
            "Spidol",
            "Penghapus",
            "Penggaris",
            "Stapler",
            "Tinta Printer",
        ],
        ["untuk keperluan kantor", "alat tulis kantor berkualitas", "perlengkapan ATK dinas"],
    ),
    2: (
        [21, 22],
        [
            "Bika Ambon",
            "Keripik Ubi",
            "Sirup Markisa",
            "Kopi Bubuk",
            "Dodol Durian",
            "Bolu Meranti",
            "Teh Manis",
            "Nasi Kotak",
            "Kue Lapis",
            "Sambal Andaliman",
            "Roti Tawar",
            "Air Mineral",
        ],
        ["makanan khas Medan", "minuman segar kemasan botol", "camilan untuk rapat kantor"],
    ),
    3: (
        [31, 32],
        [
            "Sepatu Pantofel",
            "Sepatu PDL",
            "Sandal Kulit",
            "Sepatu Olahraga",
            "Sepatu Sekolah",
            "Sepatu Safety",
        ],
        ["kulit sapi asli buatan pengrajin", "sol karet tahan air", "untuk pegawai dinas"],
    ),
    4: (
        [41, 42],
        [
            "Kain Ulos",
            "Kain Songket",
            "Pakaian Dinas Harian",
            "Pakaian Dinas Lapangan",
            "Kemeja PDH",
            "Kain Tenun",
            "Batik Medan",
            "Selendang Songket",
        ],
        ["tenunan tangan khas Batak", "bahan drill jahitan rapi", "kain tradisional benang emas"],
    ),
    5: (
        [51, 52],
        [
            "Seragam Sekolah SD",
            "Seragam Sekolah SMP",
            "Seragam Pramuka",
            "Baju Olahraga Sekolah",
            "Kemeja Putih Sekolah",
            "Rok Sekolah",
        ],
        ["untuk siswa sekolah dasar", "bahan katun nyaman"],
    ),
    6: (
        [61, 62],
        [
            "Gantungan Kunci",
            "Miniatur Becak",
            "Keranjang Rotan",
            "Kursi Rotan",
            "Tas Anyaman",
            "Ukiran Kayu",
            "Tempat Tisu Rotan",
            "Hiasan Dinding",
        ],
        ["kerajinan tangan dari rotan", "suvenir khas Medan", "anyaman pandan alami"],
    ),
    7: (
        [71],
        ["Jasa Penjahit", "Jahitan Kebaya", "Permak Celana", "Bordir Nama", "Jahit Seragam"],
        ["penjahit berpengalaman", "menjahit dengan rapi dan cepat", "bordiran tangan"],
    ),
    8: (
        [81],
        ["Meja Kantor", "Kursi Kantor", "Lemari Arsip", "Rak Buku"],
        ["kayu jati", "rangka besi kokoh"],
    ),
}
ADJECTIVES = [
    "Premium",
    "Murah",
    "Lokal",
    "Asli",
    "Warna Biru",
    "Warna Hitam",
    "Ukuran Besar",
    "Ukuran Kecil",
    "Grosir",
    "Eceran",
    "Motif Gorga",
    "Polos",
    "Ekonomis",
    "Standar",
]
PLACES = [
    "Medan Johor",
    "Medan Amplas",
    "Medan Denai",
    "Medan Area",
    "Medan Kota",
    "Medan Maimun",
    "Medan Polonia",
    "Medan Baru",
    "Medan Selayang",
    "Medan Sunggal",
    "Medan Helvetia",
    "Medan Petisah",
    "Medan Barat",
    "Medan Timur",
    "Medan Perjuangan",
    "Medan Tembung",
    "Medan Deli",
    "Medan Labuhan",
    "Medan Marelan",
    "Medan Belawan",
    "Medan Tuntungan",
]
DISTRICTS = [f"12.71.{i:02d}" for i in range(1, 22)]
SIZES = ["mikro"] * 80 + ["kecil"] * 15 + ["menengah"] * 4 + ["besar"]

QUERIES = [
    "kain",
    "kopi",
    "sepatu",
    "seragam",
    "kerajinan",
    "makanan",
    "minuman",
    "kantor",
    "medan",
    "rotan",
    "kerajinan rotan",
    "jahit",
    "penjahit",
    "ulos",
    "songket",
    "kain ulos",
    "batik",
    "pakaian dinas",
    "PDH",
    "PDL",
    "ATK",
    "alat tulis kantor",
    "kertas",
    "pulpen",
    "sepatu kulit",
    "sekolah",
    "seragam sekolah",
    "bika ambon",
    "keripik",
    "sirup markisa",
    "meja kantor",
    "lemari",
    "kemeja",
    "bordir",
    "sepato",
    "songkat",
    "penjahot",
    "kerajinam",
    "tenun",
    "premium",
    "murah",
    "",
    "anyaman pandan",
    "gantungan kunci",
    "kursi",
    "dodol",
    "teh",
    "sandal",
    "rok",
    "miniatur becak",
]


def configure(backend: str, *, reuse: bool = False) -> None:
    """Point Django at a throw-away database before it starts; never at `test` or `postgres`."""
    sys.path.insert(0, str(ROOT))
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "katalog.settings")
    os.environ["KATALOG_VAR_DIR"] = str(WORK / "var")
    if backend == "postgres":
        import psycopg

        if not reuse:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        os.environ["KATALOG_SEARCH_BACKEND"] = "database"
    else:
        db = WORK / f"{backend}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(WORK / "tantivy", ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
        os.environ["KATALOG_SEARCH_BACKEND"] = "tantivy" if backend == "tantivy" else "database"
        os.environ["KATALOG_TANTIVY_DIR"] = str(WORK / "tantivy")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "search", verbosity=0)


def documents(n: int, seed: int = 7) -> Iterator:
    from katalog.search.types import SearchDocument

    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    tops = list(CATALOGUE)
    for pid in range(1, n + 1):
        top = rng.choice(tops)
        children, items, phrases = CATALOGUE[top]
        child = rng.choice(children)
        item, place = rng.choice(items), rng.choice(PLACES)
        price = Decimal(int(10 ** rng.uniform(3.7, 7)) // 500 * 500 + 500)
        yield SearchDocument(
            product_id=pid,
            tenant_id=TENANT,
            name=f"{item} {rng.choice(ADJECTIVES)}",
            description=f"{item} {rng.choice(phrases)}, dibuat di {place}. {rng.choice(phrases)}.",
            category_ids=[child, top],
            category_id=child,
            price=price,
            unit="buah",
            size_class=rng.choice(SIZES),
            district_code=rng.choice(DISTRICTS),
            vendor_id=rng.randint(1, max(1, n // 20)),
            tkdn_percent=None if rng.random() < 0.1 else round(rng.uniform(20, 100), 1),
            is_domestic=rng.random() > 0.05,
            listed_at=start + timedelta(seconds=rng.randint(0, 2 * 365 * 86400)),
        )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["tantivy", "postgres", "sqlite"], required=True)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query list")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="postgres only: time the documents already in katalog_bench (after a full run with the "
        "same --docs and the current schema) instead of dropping and reloading them",
    )
    args = parser.parse_args()
    if args.reuse and args.backend != "postgres":
        parser.error("--reuse is for --backend postgres")
    configure(args.backend, reuse=args.reuse)

    from katalog.search.backends import get_backend
    from katalog.search.models import Synonym
    from katalog.search.selectors import build_plan, search
    from katalog.search.services import rebuild
    from katalog.search.types import SearchFilters

    backend = get_backend()
    if args.reuse:
        print(f"backend={backend.name} docs={args.docs} load=reused")
    else:
        for term, expansion in [
            ("ATK", "alat tulis kantor"),
            ("PDH", "pakaian dinas harian"),
            ("PDL", "pakaian dinas lapangan"),
        ]:
            Synonym.objects.create(tenant_id=TENANT, term=term, expansion=expansion)
        t0 = time.perf_counter()
        rebuild(TENANT, documents(args.docs), backend=backend, batch_size=20_000)
        if args.backend == "postgres":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE search_entry")
        load_s = time.perf_counter() - t0
        print(f"backend={backend.name} docs={args.docs} load={load_s:.1f}s ({args.docs / load_s:,.0f} docs/s)")

    filter_cycle = [
        None,
        SearchFilters(category=4),
        SearchFilters(price_max=Decimal("500000")),
        SearchFilters(district="12.71.07", size_class="mikro"),
        SearchFilters(tkdn_min=40.0, pdn=True),
    ]
    sorts = [None, None, "price", "newest", "-price"]
    full: list[float] = []
    raw: list[float] = []
    counts: list[int] = []
    for _ in range(2):  # warm the caches the way a running server would be
        for q in QUERIES:
            search(TENANT, q)
    for r in range(args.rounds):
        for i, q in enumerate(QUERIES):
            filters, sort = filter_cycle[(i + r) % len(filter_cycle)], sorts[(i + 2 * r) % len(sorts)]
            t = time.perf_counter()
            result = search(TENANT, q, filters=filters, sort=sort)
            full.append((time.perf_counter() - t) * 1000)
            counts.append(result.count)
            engine, plan = build_plan(TENANT, q, filters, sort)
            t = time.perf_counter()
            engine.execute_raw(plan)
            raw.append((time.perf_counter() - t) * 1000)
    print(
        f"queries={len(full)} distinct={len(QUERIES)} median matches={int(statistics.median(counts)):,} "
        f"max matches={max(counts):,}"
    )
    print(f"search(): p50={pct(full, 50):.1f} ms p95={pct(full, 95):.1f} ms max={max(full):.1f} ms")
    print(f"engine alone: p50={pct(raw, 50):.1f} ms p95={pct(raw, 95):.1f} ms max={max(raw):.1f} ms")
    print(f"ratio search()/engine: p50={pct(full, 50) / pct(raw, 50):.2f} p95={pct(full, 95) / pct(raw, 95):.2f}")


if __name__ == "__main__":
    main()
