"""The engine-specific tables of the database backend, created by migration 0001.

They are raw SQL because their best form differs by engine (an FTS5 virtual table on SQLite; a
generated, weighted tsvector with a GIN index and an integer array on PostgreSQL) and Django
models cannot express either.
"""

SQLITE_CREATE = [
    """CREATE TABLE search_entry (
        id INTEGER PRIMARY KEY,
        tenant_id INTEGER NOT NULL,
        product_id INTEGER NOT NULL,
        category_id INTEGER NOT NULL,
        category_ids TEXT NOT NULL,
        price_sen INTEGER NOT NULL,
        unit TEXT NOT NULL,
        size_class TEXT NOT NULL,
        district_code TEXT NOT NULL,
        vendor_id INTEGER NOT NULL,
        tkdn REAL,
        is_domestic INTEGER NOT NULL,
        listed_s INTEGER NOT NULL,
        name_terms TEXT NOT NULL,
        body_terms TEXT NOT NULL,
        UNIQUE (tenant_id, product_id))""",
    "CREATE INDEX search_entry_newest ON search_entry (tenant_id, listed_s DESC, product_id DESC)",
    "CREATE INDEX search_entry_price ON search_entry (tenant_id, price_sen)",
    """CREATE TABLE search_entry_category (
        category_id INTEGER NOT NULL,
        entry_id INTEGER NOT NULL,
        PRIMARY KEY (category_id, entry_id)) WITHOUT ROWID""",
    "CREATE INDEX search_entry_category_entry ON search_entry_category (entry_id)",
    # Tokens arrive analyzed; detail=column keeps no positions (no phrase search is needed).
    "CREATE VIRTUAL TABLE search_fts USING fts5(name, body, tokenize='unicode61', detail='column')",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_entry_category",
    "DROP TABLE IF EXISTS search_entry",
]

# The layout migration 0001 created; kept verbatim because migrations must not change.
POSTGRES_CREATE_0001 = [
    """CREATE TABLE search_entry (
        id bigserial PRIMARY KEY,
        tenant_id integer NOT NULL,
        product_id bigint NOT NULL,
        category_id integer NOT NULL,
        category_ids integer[] NOT NULL,
        price_sen bigint NOT NULL,
        unit text NOT NULL,
        size_class text NOT NULL,
        district_code text NOT NULL,
        vendor_id bigint NOT NULL,
        tkdn double precision,
        is_domestic boolean NOT NULL,
        listed_s bigint NOT NULL,
        name_terms text NOT NULL,
        body_terms text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, name_terms), 'A')
            || setweight(to_tsvector('simple'::regconfig, body_terms), 'B')) STORED,
        UNIQUE (tenant_id, product_id))""",
    "CREATE INDEX search_entry_tsv ON search_entry USING gin (tsv)",
    "CREATE INDEX search_entry_cats ON search_entry USING gin (category_ids)",
    "CREATE INDEX search_entry_newest ON search_entry (tenant_id, listed_s DESC, product_id DESC)",
    "CREATE INDEX search_entry_price ON search_entry (tenant_id, price_sen)",
]
# Layout since migration 0002. The facet columns (size class, district, category path) are not
# stored per row but interned once in `search_facet_set`; an entry carries that set's integer id.
# At 1M products a query can match 600k rows and every match must be counted: grouping by one int
# is about twice as cheap as grouping by two texts and an integer[], and a facet filter becomes a
# membership test on that int. Fixed-width columns come first so PostgreSQL reads them at cached
# offsets; `tsv` is computed on insert (not a generated column) so the analyzed texts need not be
# stored at all, which keeps the heap about 40% smaller (fewer pages to visit per match).
POSTGRES_CREATE = [
    """CREATE TABLE search_facet_set (
        id serial PRIMARY KEY,
        size_class text NOT NULL,
        district_code text NOT NULL,
        category_ids integer[] NOT NULL,
        UNIQUE (size_class, district_code, category_ids))""",
    """CREATE TABLE search_entry (
        id bigserial PRIMARY KEY,
        tenant_id integer NOT NULL,
        facet_set integer NOT NULL REFERENCES search_facet_set (id),
        product_id bigint NOT NULL,
        listed_s bigint NOT NULL,
        price_sen bigint NOT NULL,
        vendor_id bigint NOT NULL,
        is_domestic boolean NOT NULL,
        tkdn double precision,
        tsv tsvector NOT NULL,
        UNIQUE (tenant_id, product_id))""",
    "CREATE INDEX search_entry_tsv ON search_entry USING gin (tsv)",
    "CREATE INDEX search_entry_facet_set ON search_entry (tenant_id, facet_set)",
    "CREATE INDEX search_entry_newest ON search_entry (tenant_id, listed_s DESC, product_id DESC)",
    "CREATE INDEX search_entry_price ON search_entry (tenant_id, price_sen)",
]
# Migration 0002: move the 0001 layout's rows into the current one (the old table and its
# indexes are renamed out of the way first, so the new ones keep the usual names).
_OLD_INDEXES = ("pkey", "tenant_id_product_id_key", "tsv", "cats", "newest", "price")
POSTGRES_UPGRADE_0002 = [
    "ALTER TABLE search_entry RENAME TO search_entry_0001",
    "ALTER SEQUENCE search_entry_id_seq RENAME TO search_entry_0001_id_seq",
    *[f"ALTER INDEX search_entry_{name} RENAME TO search_entry_0001_{name}" for name in _OLD_INDEXES],
    *POSTGRES_CREATE,
    """INSERT INTO search_facet_set (size_class, district_code, category_ids)
        SELECT DISTINCT size_class, district_code, category_ids FROM search_entry_0001""",
    """INSERT INTO search_entry (tenant_id, facet_set, product_id, listed_s, price_sen, vendor_id,
            is_domestic, tkdn, tsv)
        SELECT o.tenant_id, f.id, o.product_id, o.listed_s, o.price_sen, o.vendor_id, o.is_domestic,
            o.tkdn, o.tsv
        FROM search_entry_0001 o JOIN search_facet_set f USING (size_class, district_code, category_ids)""",
    "DROP TABLE search_entry_0001",
]
# Undoing 0002 cannot bring back the analyzed texts: it restores the empty 0001 layout, after
# which every tenant must be re-indexed with `rebuild`.
POSTGRES_DOWNGRADE_0002 = [
    "DROP TABLE search_entry",
    "DROP TABLE search_facet_set",
    *POSTGRES_CREATE_0001,
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_entry", "DROP TABLE IF EXISTS search_facet_set"]


def create_statements(vendor: str) -> list[str]:
    """The tables as migration 0001 created them (PostgreSQL's are then upgraded by 0002)."""
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE_0001}.get(vendor, [])


def upgrade_0002_statements(vendor: str) -> list[str]:
    return {"postgresql": POSTGRES_UPGRADE_0002}.get(vendor, [])


def downgrade_0002_statements(vendor: str) -> list[str]:
    return {"postgresql": POSTGRES_DOWNGRADE_0002}.get(vendor, [])


def drop_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])


# Migration 0003: the `preference` column (docs/search.md, "Ranking"): 4 x (micro or small vendor)
# + TKDN tier, 0..7, stored per entry so every engine orders by the same integer. Existing rows are
# filled from what the entry already holds (on PostgreSQL the size class lives in the facet set);
# with KATALOG_SEARCH_PREFER_LOCAL off every row keeps 0.
_TKDN_TIER_SQL = "(CASE WHEN tkdn >= 40 THEN 3 WHEN tkdn >= 25 THEN 2 WHEN tkdn > 0 THEN 1 ELSE 0 END)"
_PG_TKDN_TIER_SQL = _TKDN_TIER_SQL.replace("tkdn", "e.tkdn")
SQLITE_UPGRADE_0003 = ["ALTER TABLE search_entry ADD COLUMN preference INTEGER NOT NULL DEFAULT 0"]
SQLITE_FILL_0003 = [
    f"""UPDATE search_entry SET preference =
        4 * (CASE WHEN size_class IN ('mikro', 'kecil') THEN 1 ELSE 0 END) + {_TKDN_TIER_SQL}"""  # noqa: S608 (fixed text)
]
SQLITE_DOWNGRADE_0003 = ["ALTER TABLE search_entry DROP COLUMN preference"]
POSTGRES_UPGRADE_0003 = ["ALTER TABLE search_entry ADD COLUMN preference smallint NOT NULL DEFAULT 0"]
POSTGRES_FILL_0003 = [
    f"""UPDATE search_entry e SET preference =
        4 * (CASE WHEN f.size_class IN ('mikro', 'kecil') THEN 1 ELSE 0 END) + {_PG_TKDN_TIER_SQL}
        FROM search_facet_set f WHERE f.id = e.facet_set"""  # noqa: S608 (fixed text)
]
POSTGRES_DOWNGRADE_0003 = ["ALTER TABLE search_entry DROP COLUMN preference"]


def upgrade_0003_statements(vendor: str, prefer_local: bool = True) -> list[str]:
    add = {"sqlite": SQLITE_UPGRADE_0003, "postgresql": POSTGRES_UPGRADE_0003}.get(vendor, [])
    fill = {"sqlite": SQLITE_FILL_0003, "postgresql": POSTGRES_FILL_0003}.get(vendor, [])
    return [*add, *(fill if prefer_local else [])]


def downgrade_0003_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DOWNGRADE_0003, "postgresql": POSTGRES_DOWNGRADE_0003}.get(vendor, [])


# Migration 0005 (PostgreSQL only). `band`: the entry's price band number (0 = cheapest, from
# PRICE_BANDS), written on insert, so that counting groups by two stored integers instead of
# computing the band of every match (a third cheaper at 1M). `search_facet_count`: every tenant's
# entries counted by facet set and band, kept exact by statement triggers on search_entry (one
# grouped upsert per statement, in key order), so the empty query answers its count and its
# disjunctive facets from a few thousand rows instead of reading every entry (docs/search.md). After
# a change of PRICE_BANDS run `katalog reindex`. The price index carries the facet set and band, so
# that a price filter cutting a band is counted by an index-only scan.
def _pg_band_case(column: str = "price_sen") -> str:
    from katalog.search.types import band_bounds_sen

    bounds = [hi for _key, _lo, hi in band_bounds_sen() if hi is not None]
    parts = [f"WHEN {column} < {hi} THEN {i}" for i, hi in enumerate(bounds)]
    return f"CASE {' '.join(parts)} ELSE {len(bounds)} END"


_COUNT_UPSERT = (
    "INSERT INTO search_facet_count (tenant_id, facet_set, band, n) "
    "SELECT tenant_id, facet_set, band, sum(d) FROM ({rows}) r GROUP BY 1, 2, 3 "
    "HAVING sum(d) <> 0 ORDER BY 1, 2, 3 "
    "ON CONFLICT (tenant_id, facet_set, band) DO UPDATE SET n = search_facet_count.n + EXCLUDED.n"
)
_NEW_ROWS = "SELECT tenant_id, facet_set, band, 1 AS d FROM new_rows"
_OLD_ROWS = "SELECT tenant_id, facet_set, band, -1 AS d FROM old_rows"


def _count_function(name: str, rows: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
        f"{_COUNT_UPSERT.format(rows=rows)}; RETURN NULL; END $f$"
    )


def upgrade_0005_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "ALTER TABLE search_entry ADD COLUMN band smallint NOT NULL DEFAULT 0",
        f"UPDATE search_entry SET band = {_pg_band_case()} WHERE band <> {_pg_band_case()}",  # noqa: S608
        """CREATE TABLE search_facet_count (
            tenant_id integer NOT NULL,
            facet_set integer NOT NULL,
            band smallint NOT NULL,
            n bigint NOT NULL,
            PRIMARY KEY (tenant_id, facet_set, band))""",
        _count_function("search_facet_count_ins", _NEW_ROWS),
        _count_function("search_facet_count_upd", f"{_NEW_ROWS} UNION ALL {_OLD_ROWS}"),
        _count_function("search_facet_count_del", _OLD_ROWS),
        "CREATE TRIGGER search_facet_count_ins AFTER INSERT ON search_entry REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_facet_count_ins()",
        "CREATE TRIGGER search_facet_count_upd AFTER UPDATE ON search_entry REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_facet_count_upd()",
        "CREATE TRIGGER search_facet_count_del AFTER DELETE ON search_entry REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_facet_count_del()",
        """INSERT INTO search_facet_count (tenant_id, facet_set, band, n)
            SELECT tenant_id, facet_set, band, count(*) FROM search_entry GROUP BY 1, 2, 3""",
        "DROP INDEX search_entry_price",
        "CREATE INDEX search_entry_price ON search_entry (tenant_id, price_sen) INCLUDE (facet_set, band)",
    ]


def downgrade_0005_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "DROP TRIGGER search_facet_count_ins ON search_entry",
        "DROP TRIGGER search_facet_count_upd ON search_entry",
        "DROP TRIGGER search_facet_count_del ON search_entry",
        "DROP FUNCTION search_facet_count_ins()",
        "DROP FUNCTION search_facet_count_upd()",
        "DROP FUNCTION search_facet_count_del()",
        "DROP TABLE search_facet_count",
        "DROP INDEX search_entry_price",
        "ALTER TABLE search_entry DROP COLUMN band",
        "CREATE INDEX search_entry_price ON search_entry (tenant_id, price_sen)",
    ]


# Migration 0006 (PostgreSQL only): a TRUNCATE of search_entry (an operator's, a restore's: no row
# trigger fires) empties the counts too, so they never outlive the entries.
def upgrade_0006_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "CREATE FUNCTION search_facet_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
        "TRUNCATE search_facet_count; RETURN NULL; END $f$",
        "CREATE TRIGGER search_facet_count_truncate AFTER TRUNCATE ON search_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_facet_count_truncate()",
    ]


def downgrade_0006_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "DROP TRIGGER search_facet_count_truncate ON search_entry",
        "DROP FUNCTION search_facet_count_truncate()",
    ]


# Migration 0007 (PostgreSQL only): the facet-set index carries the price band too, so a relevance
# page reads only the entries of the groups (facet set, band) that hold its best matches
# (PostgresBackend._direct_plan); every use of the old index is a prefix of the new one. The price
# index carries the whole cheapest-first order, so a walk of it stops at the page's end instead of
# reading every entry of a price shared by thousands (an incremental sort).
_PRICE_INDEX_0005 = "CREATE INDEX search_entry_price ON search_entry (tenant_id, price_sen) INCLUDE (facet_set, band)"


def upgrade_0007_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "CREATE INDEX search_entry_facet_band ON search_entry (tenant_id, facet_set, band)",
        "DROP INDEX search_entry_facet_set",
        "DROP INDEX search_entry_price",
        "CREATE INDEX search_entry_price ON search_entry "
        "(tenant_id, price_sen, listed_s DESC, product_id DESC) INCLUDE (facet_set, band)",
    ]


def downgrade_0007_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "CREATE INDEX search_entry_facet_set ON search_entry (tenant_id, facet_set)",
        "DROP INDEX search_entry_facet_band",
        "DROP INDEX search_entry_price",
        _PRICE_INDEX_0005,
    ]
