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

POSTGRES_CREATE = [
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
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_entry"]


def create_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])


def drop_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
