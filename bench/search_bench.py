"""Search latency benchmark: `python bench/search_bench.py --backend tantivy|postgres|sqlite --docs N`.

Loads N synthetic Indonesian products into one tenant of a throw-away index (PostgreSQL: the
database `katalog_bench`; SQLite and Tantivy: files under the system's temporary directory), then
runs a rotating set of queries three times and prints, for each run and as the median of the three,
p50/p95 of the full `search()` (analysis, synonyms, typo lookup, relaxed matching, engine,
disjunctive facets, shaping) next to the engine's own calls alone, their ratio, and the machine's
load average beside each run.

Relaxed matching and disjunctive facets are measured on: some queries have a word no product has
(they relax and report it left out), and most rounds set facet filters (each set facet filter costs
one more facet count). "Engine alone" is what the engine must do for the same answer, done the
cheapest way it allows: for the plan at the min_match `search()` settled on, one search in the order
of one sort key with the count, and the facet aggregations (Tantivy), or the plan's SQL statements
(database backends) -- no analysis, no relaxation steps, no ranking levels, no shaping.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.gettempdir()) / "katalog_bench"
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
    # words no product has: these relax (fewer words required) and say which word was left out
    "sepatu hitam kantor pria",
    "kain ulos sidikalang",
    "kopi gayo",
    "kerupk sambal",
    "bika ambn",
    "kursi rotan jepara",
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
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(WORK / "tantivy", ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
        os.environ["KATALOG_SEARCH_BACKEND"] = "tantivy" if backend == "tantivy" else "database"
        os.environ["KATALOG_TANTIVY_DIR"] = str(WORK / "tantivy")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # all apps: indexing also reads the catalogue (suggestions)


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


def load_index(backend, docs: Iterator, batch_size: int = 20_000) -> int:
    """What `services.rebuild` does for search: the engine's rebuild and the typo vocabulary, in one
    transaction. The suggestion store (also filled by `rebuild`, in bulk: `suggest.BulkLoad`) is
    left out: search() never reads it; bench/suggest_bench.py times its load."""
    from itertools import islice

    from django.db import transaction

    from katalog.search.backends.base import prepare
    from katalog.search.models import SearchTerm
    from katalog.search.services import _remember_words

    def batches() -> Iterator[list]:
        iterator = iter(docs)
        while batch := list(islice(iterator, batch_size)):
            prepared = [prepare(d) for d in batch]
            _remember_words(prepared)
            yield prepared

    with transaction.atomic():
        SearchTerm.objects.filter(tenant_id=TENANT).delete()
        return backend.rebuild(TENANT, batches())


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
        help="time the documents already loaded by a full run with the same --backend and --docs "
        "(and the current schema) instead of dropping and reloading them",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median of them is printed")
    parser.add_argument("--profile", action="store_true", help="also print where search() spends its time")
    args = parser.parse_args()
    configure(args.backend, reuse=args.reuse)

    from katalog.search.backends import get_backend
    from katalog.search.models import Synonym
    from katalog.search.selectors import build_plan, clauses_for, relax_floor, search
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
        load_index(backend, documents(args.docs))
        if args.backend == "postgres":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE search_entry")
                cursor.execute("VACUUM ANALYZE search_facet_count")  # one row version per batch
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
    for _ in range(2):  # warm the caches the way a running server would be
        for q in QUERIES:
            search(TENANT, q)

    def timed_run() -> dict[str, float]:
        full: list[float] = []
        raw: list[float] = []
        analysis: list[float] = []
        counts: list[int] = []
        relaxed = disjunctive = 0
        load = os.getloadavg()[0]
        for r in range(args.rounds):
            for i, q in enumerate(QUERIES):
                filters, sort = filter_cycle[(i + r) % len(filter_cycle)], sorts[(i + 2 * r) % len(sorts)]
                t = time.perf_counter()
                result = search(TENANT, q, filters=filters, sort=sort)
                full.append((time.perf_counter() - t) * 1000)
                counts.append(result.count)
                relaxed += result.relaxed
                disjunctive += filters is not None and any(
                    getattr(filters, f) is not None for f in ("category", "price_max", "district", "size_class")
                )
                engine, plan = build_plan(TENANT, q, filters, sort, min_match=result.min_match if result.relaxed else 0)
                if result.relaxed:  # what search() knew when it ran the relaxed plan (not timed)
                    floor = replace(plan, min_match=relax_floor(len(plan.clauses)), raw=None)
                    plan = engine.plan(replace(plan, raw=None, masks=engine.clause_masks(engine.plan(floor))))
                t = time.perf_counter()
                engine.execute_raw(plan)
                raw.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                clauses_for(TENANT, q)
                analysis.append((time.perf_counter() - t) * 1000)
        load = max(load, os.getloadavg()[0])
        return {
            "n": len(full),
            "p50": pct(full, 50),
            "p95": pct(full, 95),
            "max": max(full),
            "raw50": pct(raw, 50),
            "raw95": pct(raw, 95),
            "ratio95": pct(full, 95) / pct(raw, 95),
            "an50": pct(analysis, 50),
            "an95": pct(analysis, 95),
            "load": load,
            "relaxed": relaxed,
            "disjunctive": disjunctive,
            "median_matches": statistics.median(counts),
            "max_matches": max(counts),
        }

    runs = []
    for run in range(1, args.runs + 1):
        m = timed_run()
        runs.append(m)
        print(
            f"run {run}: search() p50={m['p50']:.1f} p95={m['p95']:.1f} max={m['max']:.1f} ms | engine alone "
            f"p50={m['raw50']:.1f} p95={m['raw95']:.1f} ms | ratio p95={m['ratio95']:.2f} | load={m['load']:.2f}"
        )
    first = runs[0]
    print(
        f"queries per run={first['n']} distinct={len(QUERIES)} relaxed={first['relaxed']} "
        f"with facet filters set={first['disjunctive']} median matches={int(first['median_matches']):,} "
        f"max matches={first['max_matches']:,}"
    )

    def med(key: str) -> float:
        return statistics.median(m[key] for m in runs)

    loads = ", ".join(f"{m['load']:.2f}" for m in runs)
    print(f"median of {len(runs)} runs (load {loads}):")
    print(f"search(): p50={med('p50'):.1f} ms p95={med('p95'):.1f} ms max={med('max'):.1f} ms")
    print(f"engine alone: p50={med('raw50'):.1f} ms p95={med('raw95'):.1f} ms")
    print(f"ratio search()/engine p95={med('ratio95'):.2f} (median of the per-run ratios)")
    print(
        f"of which query analysis (synonyms, typo vocabulary lookups): p50={med('an50'):.1f} ms "
        f"p95={med('an95'):.1f} ms"
    )
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for r in range(args.rounds):
            for i, q in enumerate(QUERIES):
                filters, sort = filter_cycle[(i + r) % len(filter_cycle)], sorts[(i + 2 * r) % len(sorts)]
                search(TENANT, q, filters=filters, sort=sort)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
