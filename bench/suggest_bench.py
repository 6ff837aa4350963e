"""Suggestion latency: `python bench/suggest_bench.py --backend sqlite|postgres --docs 1000000`.

Loads the suggestion index of N synthetic products (varied names: item, adjective, brand, size; one
vendor per 20 products; the categories of bench/search_bench.py) into a throw-away database of its own, then times `katalog.search.suggest.suggestions()` for what a buyer
types key by key (prefixes, later words, misspelt words, vendors, categories). Prints p50/p95 of three
runs, their median, the machine's load beside each figure, and the ratio to a one-row indexed lookup
timed in the same run (the baseline). The goal (issue 11): p95 under 30 ms at 1,000,000 products.

The load is what `services.rebuild` does for suggestions: `suggest.clear`, then `suggest.BulkLoad`
(names gathered while the products stream by, then written in a few large statements, COPY on
PostgreSQL), plus the typo vocabulary of the labels; the incremental upkeep (`suggest.remember`) is
timed separately on a batch of 2,000 new products.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search_bench  # noqa: E402
from search_bench import CATALOGUE, configure, documents, pct  # noqa: E402

# Its own throw-away databases, so that it never drops the search bench's while that one runs.
search_bench.WORK = search_bench.WORK.parent / "katalog_suggest_bench"
search_bench.PG_DB = "katalog_suggest_bench"

TENANT = 1
ADJECTIVES = ["Premium", "Murah", "Asli", "Super", "Hitam", "Putih", "Merah", "Besar", "Kecil", "Khas Medan"]
SIZES = ["250 gr", "500 gr", "1 kg", "A4", "F4", "S", "M", "L", "XL", "1 lusin", "1 rim", "isi 12", "", ""]
SYLLABLES = ["ba", "ri", "to", "sa", "ma", "nu", "ke", "la", "di", "go", "ra", "si", "tu", "pe", "ha", "jo"]

TYPED = [
    "ke",
    "kem",
    "keme",
    "kemej",
    "kemeja",
    "kemeja b",
    "kemeja ba",
    "kemeja bat",
    "se",
    "sep",
    "sepa",
    "sepatu",
    "sepatu p",
    "sepatu pantofel",
    "sepatu pantofel h",
    "bi",
    "bik",
    "bika",
    "bika a",
    "bika amb",
    "ku",
    "kur",
    "kursi",
    "kursi r",
    "ke",
    "ker",
    "kert",
    "kertas",
    "kertas h",
    "kertas hvs a",
    "ko",
    "kop",
    "kopi",
    "kopi b",
    "ul",
    "ulo",
    "ulos",
    "ulos s",
    "premium",
    "khas m",
    "hitam",
    # misspelt words (corrected against the vocabulary)
    "kemja bat",
    "sepatu pantofl",
    "bika ambn",
    "kertas hsv",
    "kerupk sam",
    "krsi rot",
    # vendors and categories
    "ud ",
    "ud ba",
    "cv ri",
    "toko sa",
    "kategori",
]


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def names(n: int, seed: int = 11):
    """(product id, name, category id, vendor id): the search bench's documents with varied names."""
    rng = random.Random(seed)
    for doc in documents(n):
        item = doc.name.rsplit(" ", 1)[0] if " " in doc.name else doc.name
        name = " ".join(p for p in (item, rng.choice(ADJECTIVES), brand(rng), rng.choice(SIZES)) if p)
        yield doc.product_id, name, doc.category_id, doc.vendor_id


@dataclass(frozen=True)
class Named:
    """What the suggestion store reads of a search document."""

    tenant_id: int
    product_id: int
    name: str
    category_ids: list[int]
    category_id: int
    vendor_id: int


def namer(tenant_id: int, categories: set[int], vendors: set[int]) -> list[tuple[str, int, str]]:
    """Labels for the bench's vendors and categories (the catalogue app's namer has no rows here)."""
    vrng = random.Random(5)
    prefixes = ["UD", "CV", "Toko", "Konveksi", "PT"]
    out = [("v", v, f"{vrng.choice(prefixes)} {brand(vrng)} {brand(vrng)}") for v in sorted(vendors)]
    return out + [("c", c, f"Kategori {c}") for c in sorted(categories)]


def load(n: int) -> dict[str, float]:
    """The suggestion store of N products written the way `services.rebuild` writes it
    (`suggest.clear`, then `suggest.BulkLoad`), plus the typo vocabulary of the labels."""
    from itertools import islice

    from django.db import connection, transaction

    from katalog.search import suggest
    from katalog.search.analysis import vocabulary
    from katalog.search.models import SearchTerm, Suggestion, SuggestionKey

    suggest.register_namer(namer)
    tops = {c: top for top, (children, _i, _p) in CATALOGUE.items() for c in [top, *children]}
    started = time.perf_counter()
    with transaction.atomic():
        suggest.clear(TENANT)
        bulk = suggest.BulkLoad(TENANT)
        rows = names(n)
        while batch := list(islice(rows, 20_000)):
            bulk.add(Named(TENANT, pid, name, [c, tops[c]], c, v) for pid, name, c, v in batch)
        bulk.finish()
        words: dict[str, str] = {}
        for label in Suggestion.objects.filter(tenant_id=TENANT).values_list("label", flat=True).iterator(50_000):
            for word, root in vocabulary(label):
                words[word] = root
        SearchTerm.objects.bulk_create(
            [SearchTerm(tenant_id=TENANT, word=w, stem=s) for w, s in words.items()],
            ignore_conflicts=True,
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "load_s": time.perf_counter() - started,
        "suggestions": Suggestion.objects.filter(tenant_id=TENANT).count(),
        "keys": SuggestionKey.objects.filter(tenant_id=TENANT).count(),
        "words": len(words),
    }


def timed_run(rounds: int) -> dict[str, float]:
    from katalog.search import suggest
    from katalog.search.models import SearchTerm

    lookups, base = [], []
    for _ in range(rounds):
        for typed in TYPED:
            t0 = time.perf_counter()
            suggest.suggestions(TENANT, typed)
            lookups.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            SearchTerm.objects.filter(tenant_id=TENANT, word="kemeja").values_list("stem", flat=True).first()
            base.append((time.perf_counter() - t0) * 1000)
    return {
        "p50": pct(lookups, 50),
        "p95": pct(lookups, 95),
        "base_p95": pct(base, 95),
        "load": os.getloadavg()[0],
    }


def upkeep(n: int) -> float:
    """Seconds to index the suggestions of 2,000 new products through `suggest.remember` (rolled back)."""
    from django.db import transaction

    from katalog.search import suggest
    from katalog.search.types import SearchDocument

    docs = []
    for doc, (_pid, name, _c, _v) in zip(documents(2000, seed=99), names(2000, seed=99), strict=True):
        docs.append(SearchDocument(**{**doc.__dict__, "product_id": n + doc.product_id, "name": name}))
    t0 = time.perf_counter()
    with transaction.atomic():
        suggest.remember(docs)
        elapsed = time.perf_counter() - t0
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], required=True)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the typed list per run")
    parser.add_argument("--reuse", action="store_true", help="time the index already loaded by a full run")
    args = parser.parse_args()
    configure(args.backend, reuse=args.reuse)
    if not args.reuse:
        loaded = load(args.docs)
        print(
            f"loaded {args.docs:,} products: {loaded['suggestions']:,} suggestions, {loaded['keys']:,} keys, "
            f"{loaded['words']:,} words in {loaded['load_s']:.0f} s (load {os.getloadavg()[0]:.2f})"
        )
    timed_run(1)  # warm the caches
    runs = []
    for i in range(3):
        run = timed_run(args.rounds)
        runs.append(run)
        print(
            f"run {i + 1}: suggestions p50 {run['p50']:.2f} ms, p95 {run['p95']:.2f} ms; one-row lookup p95 "
            f"{run['base_p95']:.2f} ms; ratio {run['p95'] / run['base_p95']:.1f}x (load {run['load']:.2f})"
        )
    p95 = statistics.median(r["p95"] for r in runs)
    p50 = statistics.median(r["p50"] for r in runs)
    ratio = statistics.median(r["p95"] / r["base_p95"] for r in runs)
    loads = ", ".join(f"{r['load']:.2f}" for r in runs)
    print(
        f"{args.backend} {args.docs:,} products, {len(TYPED)} inputs x {args.rounds}: median of 3 runs "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (goal < 30 ms), {ratio:.1f}x a one-row lookup (loads {loads})"
    )
    print(f"upkeep: 2,000 new products' suggestions in {upkeep(args.docs):.2f} s (load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
