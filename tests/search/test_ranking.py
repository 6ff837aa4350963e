"""The relevance order (docs/search.md, "Ranking"): clauses matched, clauses matched in the name, the
preference for micro and small vendors and higher TKDN, the day's rotation, then the product id --
the same on every engine, and what `explain` tells the auditor is the order the engine returns."""

from datetime import UTC, datetime

import pytest

from katalog.search import ranking
from katalog.search.backends.base import prepare
from katalog.search.ranking import explain, rotation_key, today_rotation_day
from katalog.search.selectors import build_plan, search
from katalog.search.services import index_documents

from .catalogue import TENANT, document, documents

pytestmark = pytest.mark.django_db

SHOP = 7  # a tenant of its own for the made-up products below


def product(pid, name, size="mikro", tkdn=None, description="Produk lokal Medan"):
    return document((pid, name, description, 5, "100000", size, "12.71.01", pid, tkdn, True), tenant_id=SHOP)


@pytest.mark.parametrize(
    "q",
    ["jahit", "rotan", "kemeja", "seragam sekolah", "kerajinan rotan", "sepatu kulit", "ATK", "pdl", "kursi kantor"],
)
@pytest.mark.parametrize("day", [0, 3])
def test_explain_agrees_with_the_engine(catalogue, q, day):
    result = search(TENANT, q, page_size=100, rotation_day=day)
    scored = [explain(TENANT, q, d, day) for d in documents() if d.tenant_id == TENANT]
    found = [s for s in scored if s["matched"] >= result.min_match]
    found.sort(key=lambda s: s["key"], reverse=True)
    assert result.ids == [s["product_id"] for s in found]
    assert result.count == len(found)


def test_explain_names_every_factor(catalogue):
    doc = next(d for d in documents() if d.product_id == 26)  # Keranjang Rotan Parsel (mikro)
    out = explain(TENANT, "kerajinan rotan", doc, 2)
    assert [(c["label"], c["in_name"], c["in_description"]) for c in out["clauses"]] == [
        ("kerajinan", False, True),
        ("rotan", True, True),
    ]
    assert (out["matched"], out["name_hits"]) == (2, 1)
    assert out["preference"]["size_class"] == doc.size_class
    assert out["preference"]["umk"] is True
    assert out["preference"]["tkdn"] == doc.tkdn_percent
    assert out["preference"]["value"] == 4 + ranking.tkdn_tier(doc.tkdn_percent)
    assert out["rotation_key"] == rotation_key(26, 2)
    assert out["key"] == (2, 1, out["preference"]["value"], rotation_key(26, 2), 26)


def test_same_relevance_micro_before_medium_and_higher_tkdn_first(backend):
    docs = [
        product(1, "Kursi Kayu Jati", size="menengah", tkdn=80.0),
        product(2, "Kursi Kayu Jati", size="mikro"),
        product(3, "Kursi Kayu Jati", size="kecil", tkdn=45.0),
        product(4, "Kursi Kayu Jati", size="kecil", tkdn=30.0),
        product(5, "Kursi Kayu Jati", size="kecil", tkdn=10.0),
        product(6, "Kursi Kayu Jati", size="besar"),
    ]
    index_documents(docs, backend=backend)
    for day in range(7):  # whatever the day: preference comes before the rotation
        assert search(SHOP, "kursi jati", rotation_day=day).ids == [3, 4, 5, 2, 1, 6]


def test_text_relevance_comes_before_preference(backend):
    index_documents(
        [
            product(1, "Meja Kantor Jati", size="besar"),  # both words in the name
            product(2, "Meja Belajar", size="mikro", tkdn=60.0, description="Meja dari kayu jati"),
        ],
        backend=backend,
    )
    assert search(SHOP, "meja jati", rotation_day=0).ids == [1, 2]


def test_ties_rotate_daily(backend):
    index_documents([product(pid, "Tas Anyaman Pandan") for pid in range(1, 11)], backend=backend)
    orders = {day: search(SHOP, "tas pandan", rotation_day=day).ids for day in range(7)}
    for day, ids in orders.items():
        assert sorted(ids) == list(range(1, 11))
        assert ids == sorted(ids, key=lambda pid, d=day: rotation_key(pid, d), reverse=True)
    assert orders[0] != orders[1]
    # over the week no product is always first
    assert len({ids[0] for ids in orders.values()}) > 1


def test_setting_off_gives_every_product_preference_zero(backend, settings):
    settings.KATALOG_SEARCH_PREFER_LOCAL = False
    docs = [product(pid, "Kursi Kayu Jati", size="mikro" if pid % 2 else "besar", tkdn=50.0) for pid in range(1, 9)]
    assert {prepare(d).preference for d in docs} == {0}
    index_documents(docs, backend=backend)
    ids = search(SHOP, "kursi jati", rotation_day=4).ids
    assert ids == sorted(range(1, 9), key=lambda pid: rotation_key(pid, 4), reverse=True)
    out = explain(SHOP, "kursi jati", docs[0], 4)
    assert out["preference"]["value"] == 0 and out["preference"]["enabled"] is False
    settings.KATALOG_SEARCH_PREFER_LOCAL = True
    assert prepare(docs[0]).preference == 4 + 3


def test_rotation_day_follows_the_wib_date(db):
    # 18:00 UTC on Sunday 29 November 2026 is already Monday 01:00 in Medan
    assert today_rotation_day(datetime(2026, 11, 29, 18, 0, tzinfo=UTC)) == 0
    assert today_rotation_day(datetime(2026, 11, 29, 16, 0, tzinfo=UTC)) == 6
    _engine, plan = build_plan(TENANT, "kursi")
    assert plan.rotation_day == today_rotation_day()
    _engine, plan = build_plan(TENANT, "kursi", rotation_day=9)
    assert plan.rotation_day == 2


def test_preference_value():
    assert ranking.tkdn_tier(None) == 0
    assert [ranking.tkdn_tier(t) for t in (0.0, 0.5, 24.9, 25.0, 39.9, 40.0, 100.0)] == [0, 1, 1, 2, 2, 3, 3]
    assert ranking.preference(product(1, "x", size="mikro", tkdn=40.0)) == 7
    assert ranking.preference(product(1, "x", size="kecil")) == 4
    assert ranking.preference(product(1, "x", size="menengah", tkdn=30.0)) == 2
    assert ranking.preference(product(1, "x", size="besar")) == 0
