"""Every engine gives the same answer: ids, count, facets, min_match and left_out.

The same generated catalogue (many ties, so the tie-breakers decide) is indexed into the database
backend (SQLite FTS5, or PostgreSQL when DATABASE_URL points to it) and into Tantivy, and every query
below runs on both through `search()`. Both are also compared with a direct Python reading of the
contract in docs/search.md ("Ranking", "Relaxed matching", "Facets"), so an agreement on a wrong
answer fails too.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from katalog.search import ranking
from katalog.search.backends import get_backend
from katalog.search.backends.base import prepare
from katalog.search.models import Synonym
from katalog.search.selectors import build_plan, search
from katalog.search.services import index_documents
from katalog.search.types import PRICE_BANDS, SearchDocument, SearchFilters, Sort, to_sen

pytestmark = pytest.mark.django_db

TENANT, OTHER = 7, 8
CATEGORIES = {1: [11, 12], 2: [21, 22], 3: [31]}
NAME_WORDS = ["kain", "ulos", "batik", "kemeja", "sepatu", "kulit", "hitam", "rotan", "kursi", "kopi", "tas", "merah"]
BODY_WORDS = NAME_WORDS + ["medan", "kantor", "tenun", "anyaman", "dinas"]
SYNONYMS = [("baju", "kemeja"), ("ATK", "alat tulis kantor")]
BASE = datetime(2025, 3, 1, tzinfo=UTC)


def catalogue(seed: int = 11, n: int = 240) -> list[SearchDocument]:
    """Products from a small vocabulary: many share their words, size class, TKDN tier, price
    and listing second, so every key of every order is exercised."""
    rng = random.Random(seed)
    docs = []
    for pid in range(1, n + 1):
        top = rng.choice(list(CATEGORIES))
        child = rng.choice(CATEGORIES[top])
        docs.append(
            SearchDocument(
                product_id=pid * 3 + rng.randint(0, 2),
                tenant_id=TENANT if pid % 17 else OTHER,
                name=" ".join(rng.sample(NAME_WORDS, rng.randint(1, 3))).title(),
                description=" ".join(rng.sample(BODY_WORDS, rng.randint(1, 4))),
                category_ids=[child, top],
                category_id=child,
                price=Decimal(rng.choice([25_000, 99_999.99, 100_000, 250_000, 500_000, 1_200_000, 7_500_000])),
                unit="buah",
                size_class=rng.choice(["mikro", "kecil", "menengah", "besar"]),
                district_code=rng.choice(["12.71.01", "12.71.02", "12.71.03"]),
                vendor_id=rng.randint(1, 9),
                tkdn_percent=rng.choice([None, 0.0, 10.0, 25.0, 39.9, 40.0, 80.0]),
                is_domestic=rng.random() > 0.2,
                listed_at=BASE + timedelta(hours=rng.randint(0, 40)),
            )
        )
    return docs


DOCS = catalogue()

QUERIES = [
    "kain",  # one word, name and description levels
    "kain ulos",  # two words, both present
    "kemeja hitam kulit",  # three words
    "sepatu kulit hitam merah",  # four words: the relaxation floor is 2
    "kain sidikalang",  # an unknown word: relaxed, "sidikalang" left out
    "batik rotan kopi ulos tas",  # five words, few or no products have all
    "kemeja hitm",  # a typo in a multi-word query
    "kursii rotan",  # a typo of five letters or more
    "baju",  # a synonym (baju = kemeja)
    "baju merah",
    "ATK",  # a synonym whose words appear nowhere: zero results
    "zzzz qqqq",  # nothing at all
    "",  # the empty query
]
FILTERS = [
    SearchFilters(),
    SearchFilters(size_class="mikro"),
    SearchFilters(district="12.71.02", category=1),
    SearchFilters(price_min=Decimal("100000"), price_max=Decimal("1200000")),
    SearchFilters(tkdn_min=25.0, pdn=True, size_class="kecil"),
    SearchFilters(vendor=3, price_max=Decimal("99999.99")),
]
SORTS = [None, Sort.RELEVANCE, Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC]


@pytest.fixture
def engines(db, settings, tmp_path):
    """The database backend and Tantivy, each holding DOCS and the same synonyms."""
    settings.KATALOG_TANTIVY_DIR = tmp_path / "tantivy"
    for term, expansion in SYNONYMS:
        Synonym.objects.create(tenant_id=TENANT, term=term, expansion=expansion)
    out = {}
    for name in ("tantivy", "database"):
        engine = get_backend(name)
        index_documents(DOCS, backend=engine)
        out[name] = engine
    return out


# -- the contract, read directly -----------------------------------------------------------------
PREPARED = {(p.doc.tenant_id, p.doc.product_id): p for p in map(prepare, DOCS)}


def _hits(terms: set[str], clause) -> bool:
    return any(all(t in terms for t in alt) for alt in clause.alternatives)


def _passes(doc: SearchDocument, f: SearchFilters, without: str | None = None) -> bool:
    price = to_sen(doc.price)
    checks = {
        "category": f.category is None or f.category in doc.category_ids,
        "price_band": (f.price_min is None or price >= to_sen(f.price_min))
        and (f.price_max is None or price <= to_sen(f.price_max)),
        "size_class": f.size_class is None or doc.size_class == f.size_class,
        "district": f.district is None or doc.district_code == f.district,
        None: (f.tkdn_min is None or (doc.tkdn_percent is not None and doc.tkdn_percent >= f.tkdn_min))
        and (f.pdn is None or doc.is_domestic == f.pdn)
        and (f.vendor is None or doc.vendor_id == f.vendor),
    }
    return all(ok for key, ok in checks.items() if key is None or key != without)


def _band(price_sen: int) -> str:
    for key, lo, hi in PRICE_BANDS:
        if price_sen >= lo * 100 and (hi is None or price_sen < hi * 100):
            return key
    raise AssertionError(price_sen)


def expected(plan, page_clauses=None):
    """ids, count and facets of a plan, straight from the contract."""
    clauses = plan.clauses
    f = plan.filters
    rows = []
    for (tenant, _pid), p in PREPARED.items():
        if tenant != plan.tenant_id:
            continue
        name = set(p.name_terms.split())
        every = name | set(p.body_terms.split())
        matched = sum(_hits(every, c) for c in clauses)
        if matched < plan.required:
            continue
        rows.append((p, matched, sum(_hits(name, c) for c in clauses)))

    def order(row):
        p, matched, name_hits = row
        pid = p.doc.product_id
        if plan.sort == Sort.PRICE:
            return (p.price_sen, -p.listed_s, -pid)
        if plan.sort == Sort.PRICE_DESC:
            return (-p.price_sen, -p.listed_s, -pid)
        if plan.sort == Sort.RELEVANCE and clauses:
            rot = ranking.rotation_key(pid, plan.rotation_day)
            return (-matched, -name_hits, -ranking.preference(p.doc), -rot, -pid)
        return (-p.listed_s, -pid)

    chosen = sorted((r for r in rows if _passes(r[0].doc, f)), key=order)
    facets = {"category": {}, "size_class": {}, "district": {}, "price_band": {}}
    for key, bucket in facets.items():
        for p, _m, _h in rows:
            if not _passes(p.doc, f, without=key):
                continue
            values = {
                "category": p.doc.category_ids,
                "size_class": [p.doc.size_class],
                "district": [p.doc.district_code],
                "price_band": [_band(p.price_sen)],
            }[key]
            for value in set(values):
                bucket[value] = bucket.get(value, 0) + 1
    ids = [r[0].doc.product_id for r in chosen][plan.offset : plan.offset + plan.limit]
    return ids, len(chosen), facets


def run(engine, q, filters, sort, *, page=1, page_size=20, min_match=None, rotation_day=0):
    _engine, plan = build_plan(TENANT, q, filters, sort, page, page_size, backend=engine)
    plan = dataclasses.replace(plan, rotation_day=rotation_day, min_match=min_match or 0)
    plan = engine.plan(plan)
    return plan, engine.execute(plan)


# -- the tests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("sort", SORTS)
def test_engines_agree_with_the_contract(engines, q, sort):
    for i, filters in enumerate(FILTERS):
        day = i % 7
        for name, engine in engines.items():
            n = len(build_plan(TENANT, q, backend=engine)[1].clauses)
            for min_match in sorted({n, max(1, n - 1), max(1, (n + 1) // 2)}) if n else [None]:
                plan, got = run(engine, q, filters, sort, min_match=min_match, rotation_day=day)
                ids, count, facets = expected(plan)
                where = f"{name} q={q!r} {filters} sort={sort} min_match={min_match} day={day}"
                assert got.ids == ids, where
                assert got.count == count, where
                assert got.facets == facets, where


@pytest.mark.parametrize("q", ["kain", "kemeja hitam kulit", "sepatu kulit hitam merah", "kain sidikalang"])
@pytest.mark.parametrize("sort", [Sort.RELEVANCE, Sort.PRICE, Sort.NEWEST])
def test_pages_follow_each_other(engines, q, sort):
    """Walking page after page of 7 gives the whole list, on every engine and rotation day."""
    for day in (0, 3, 6):
        for engine in engines.values():
            n = len(build_plan(TENANT, q, backend=engine)[1].clauses)
            plan, first = run(
                engine, q, SearchFilters(), sort, page_size=200, min_match=max(1, n - 1), rotation_day=day
            )
            walked = []
            for page in range(1, 40):
                _plan, got = run(
                    engine, q, SearchFilters(), sort, page=page, page_size=7, min_match=max(1, n - 1), rotation_day=day
                )
                if not got.ids:
                    break
                walked += got.ids
            assert walked == first.ids == expected(plan)[0]


def test_rotation_changes_the_order_of_ties_only(engines):
    """Each day orders equal products differently; the levels themselves never move."""
    orders = []
    for day in range(7):
        per_engine = {
            name: run(e, "kain", SearchFilters(), Sort.RELEVANCE, page_size=100, rotation_day=day)[1].ids
            for name, e in engines.items()
        }
        assert len(set(map(tuple, per_engine.values()))) == 1
        orders.append(next(iter(per_engine.values())))
    assert len({tuple(o) for o in orders}) == 7
    assert all(sorted(o) == sorted(orders[0]) for o in orders)


def test_clause_masks_agree(engines):
    """The counts by matched clauses that relaxed matching is decided from are the same."""
    for q in ["sepatu kulit hitam merah", "kain sidikalang", "batik rotan kopi ulos tas", "kain"]:
        for filters in FILTERS[:3]:
            for floor in (1, 2, 3):
                masks = {}
                for name, engine in engines.items():
                    plan = build_plan(TENANT, q, filters, backend=engine, min_match=floor)[1]
                    masks[name] = engine.clause_masks(plan)
                direct = {}
                for (tenant, _pid), p in PREPARED.items():
                    if tenant != TENANT or not _passes(p.doc, filters):
                        continue
                    every = set(p.name_terms.split()) | set(p.body_terms.split())
                    mask = sum(1 << i for i, c in enumerate(plan.clauses) if _hits(every, c))
                    if mask.bit_count() >= plan.required:
                        direct[mask] = direct.get(mask, 0) + 1
                assert masks["tantivy"] == direct, (q, filters, floor)
                if masks["database"] is not None:
                    assert masks["database"] == direct, (q, filters, floor)


def test_masks_read_from_one_search_or_counted_by_intersections_agree(engines, monkeypatch):
    """Tantivy reads the masks from one scored search (many clause subsets, few matches) or counts
    them by intersections (few subsets, or more than _MASK_HITS matches): the same answer."""
    from katalog.search.backends import tantivy_backend

    engine = engines["tantivy"]
    for q in ["sepatu kulit hitam merah", "kain sidikalang", "batik rotan kopi ulos tas"]:
        for floor in (1, 2):
            plan = build_plan(TENANT, q, backend=engine, min_match=floor)[1]
            monkeypatch.setattr(tantivy_backend, "_MAX_SUBSETS", 0)
            read = engine.clause_masks(plan)
            monkeypatch.setattr(tantivy_backend, "_MASK_HITS", 1)
            counted_past_the_search = engine.clause_masks(plan)
            monkeypatch.setattr(tantivy_backend, "_MAX_SUBSETS", 10**6)
            counted = engine.clause_masks(plan)
            monkeypatch.setattr(tantivy_backend, "_MASK_HITS", 2_000)
            assert read == counted_past_the_search == counted, (q, floor)


@pytest.mark.parametrize("q", ["sepatu kulit hitam merah", "kemeja hitam kulit", "batik rotan kopi ulos tas"])
@pytest.mark.parametrize("sort", [Sort.RELEVANCE, Sort.PRICE, Sort.NEWEST])
def test_relaxed_plans_that_know_their_masks_answer_the_same(engines, q, sort):
    """A relaxed plan carrying its masks (as `search()` passes them) reads only the clause
    combinations that occur, and a relevance page only the levels it needs: every page, count and
    facet count is still the contract's, whatever the filters, page and rotation day."""
    engine = engines["tantivy"]
    for i, filters in enumerate(FILTERS):
        for page, page_size in ((1, 3), (2, 3), (1, 20), (4, 7)):
            day = (i + page) % 7
            _e, plan = build_plan(TENANT, q, filters, sort, page, page_size, backend=engine, rotation_day=day)
            n = len(plan.clauses)
            floor = 1 if n <= 3 else -(-n // 2)
            masks = engine.clause_masks(engine.plan(dataclasses.replace(plan, min_match=floor, raw=None)))
            for level in range(n - 1, floor - 1, -1):
                relaxed = engine.plan(dataclasses.replace(plan, min_match=level, raw=None, masks=masks))
                got = engine.execute(relaxed)
                ids, count, facets = expected(relaxed)
                where = f"q={q!r} {filters} sort={sort} page={page}x{page_size} level={level}"
                assert (got.ids, got.count, got.facets) == (ids, count, facets), where


def expected_search(engine, q, filters, sort, day):
    """What `search()` must answer, relaxation included, straight from the contract."""
    plan = build_plan(TENANT, q, filters, sort, backend=engine, rotation_day=day)[1]
    n = len(plan.clauses)
    level = n
    ids, count, facets = expected(plan)
    if n >= 2 and count < 5:
        floor = 1 if n <= 3 else -(-n // 2)
        for level in range(n - 1, floor - 1, -1):
            ids, count, facets = expected(dataclasses.replace(plan, min_match=level))
            if count >= 5:
                break
    left_out = []
    if level < n:
        matched_any = set()
        for (tenant, _pid), p in PREPARED.items():
            every = set(p.name_terms.split()) | set(p.body_terms.split())
            hits = {i for i, c in enumerate(plan.clauses) if _hits(every, c)}
            if tenant == TENANT and _passes(p.doc, filters) and len(hits) >= level:
                matched_any |= hits
        left_out = [c.label for i, c in enumerate(plan.clauses) if i not in matched_any]
    return ids, count, facets, level, left_out, n


@pytest.mark.parametrize("q", QUERIES)
def test_search_relaxes_the_same_way_everywhere(engines, q):
    """Through `search()`: the same page, count, facets, min_match and words left out."""
    for i, (filters, sort) in enumerate(zip(FILTERS, SORTS + [None], strict=True)):
        day = (i * 3) % 7
        answers = []
        for name, engine in engines.items():
            got = search(TENANT, q, filters, sort, backend=engine, rotation_day=day)
            ids, count, facets, level, left_out, n = expected_search(engine, q, filters, sort, day)
            where = f"{name} q={q!r} {filters} sort={sort} day={day}"
            assert (got.ids, got.count, got.facets) == (ids, count, facets), where
            assert (got.min_match, got.left_out, got.relaxed) == (level, left_out, level < n), where
            answers.append(
                (got.ids, got.count, got.facets, got.min_match, got.left_out, got.relaxed, got.clause_labels)
            )
        assert all(a == answers[0] for a in answers), q


def test_relaxed_queries_say_what_was_left_out(engines):
    for engine in engines.values():
        got = search(TENANT, "kain sidikalang", backend=engine)
        assert got.relaxed and got.min_match == 1 and got.left_out == ["sidikalang"]
        assert got.count == sum(
            1
            for p in PREPARED.values()
            if p.doc.tenant_id == TENANT and "kain" in (p.name_terms + " " + p.body_terms).split()
        )


@pytest.mark.parametrize("q", QUERIES)
def test_a_plan_about_to_be_relaxed_is_counted_first(engines, q):
    """`execute_unless_fewer` gives nothing when fewer documents match than asked (search() then
    relaxes the query and needs neither that page nor those facets), else what `execute` gives."""
    for filters, sort in zip(FILTERS, SORTS + [None], strict=True):
        for name, engine in engines.items():
            plan, full = run(engine, q, filters, sort)
            where = f"{name} q={q!r} {filters} sort={sort}"
            for at_least in {0, 1, full.count, full.count + 1}:
                got = engine.execute_unless_fewer(plan, at_least)
                if full.count < at_least:
                    assert got is None, where
                else:
                    assert got is not None, where
                    assert (got.ids, got.count, got.facets) == (full.ids, full.count, full.facets), where
