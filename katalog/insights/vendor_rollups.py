# ruff: noqa: S608 - the SQL is built from constants of this module, never from input
"""The vendor rollups (insights.VendorRollup, insights.SizeChangeRollup), kept exact by database
triggers (issue 12, docs/performance.md "The UMKM dashboard").

The UMKM dashboard and the onboarding funnel used to group every vendor of the tenant on every
view, a cost that grows with the registry (6.6–7.1 times slower at ten times the vendors). They
now read two small tables whose rows are counts per (source, kecamatan, sector, size class) and per
(month, old class, new class). A vendor changes in many places (registration, verification, the
import, a size-class review, a move, the invitations, bulk loads in plain SQL, deletion); rather than
hoping each calls a hook, triggers on the vendors table and the size-class history take the old row
off its count and add the new one, in the same statement, whatever ran it. PostgreSQL sums a whole
statement's rows at once (transition tables); SQLite runs a row trigger. The same migration adds the
trigger that drops a vendor's registry fingerprint when a field the import compares changes
(katalog/vendors/imports.py).

`recompute()` and `recompute_changes()` count directly from the records (the tests compare them
with the stored rows); `rebuild()` replaces the rows with them (`katalog rebuild_rollups`)."""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from katalog.vendors.imports import COMPARED

from .models import SizeChangeRollup, VendorRollup

VENDOR_KEY = ("katalog_id", "source", "district", "sector", "size_class")
CHANGE_KEY = ("katalog_id", "month", "old_class", "new_class")
# The fields the registry import compares (imports.COMPARED) and the tenant and NIB that find the row.
FINGERPRINTED = ("katalog_id", "nib", *COMPARED)
_VENDOR_COUNTED = ("katalog_id", "source", "district_id", "sector", "size_class", "status", "invited_at")

_SQLITE_VENDOR_ROW = """
INSERT INTO insights_vendorrollup (katalog_id, source, district, sector, size_class, vendors, verified, invited)
VALUES ({r}.katalog_id, {r}.source, COALESCE({r}.district_id, ''), {r}.sector, {r}.size_class, {s},
        CASE WHEN {r}.status = 'verified' THEN {s} ELSE 0 END,
        CASE WHEN {r}.invited_at IS NOT NULL THEN {s} ELSE 0 END)
ON CONFLICT (katalog_id, source, district, sector, size_class) DO UPDATE SET
    vendors = vendors + excluded.vendors, verified = verified + excluded.verified, invited = invited + excluded.invited;
"""
_SQLITE_CHANGE_ROW = """
INSERT INTO insights_sizechangerollup (katalog_id, month, old_class, new_class, count)
VALUES ({r}.katalog_id, date({r}.changed_on, 'start of month'), {r}.old_class, {r}.new_class, {s})
ON CONFLICT (katalog_id, month, old_class, new_class) DO UPDATE SET count = count + excluded.count;
"""


def _sqlite_triggers() -> list[str]:
    vendor_moved = " OR ".join(
        f"(OLD.{c} IS NULL) <> (NEW.{c} IS NULL)" if c == "invited_at" else f"OLD.{c} IS NOT NEW.{c}"
        for c in _VENDOR_COUNTED
    )
    compared_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in FINGERPRINTED)
    return [
        "CREATE TRIGGER insights_vendor_rollup_ins AFTER INSERT ON vendors_vendor BEGIN "
        + _SQLITE_VENDOR_ROW.format(r="NEW", s=1)
        + " END",
        "CREATE TRIGGER insights_vendor_rollup_del AFTER DELETE ON vendors_vendor BEGIN "
        + _SQLITE_VENDOR_ROW.format(r="OLD", s=-1)
        + " END",
        f"CREATE TRIGGER insights_vendor_rollup_upd AFTER UPDATE OF {', '.join(_VENDOR_COUNTED)} ON vendors_vendor "
        f"WHEN {vendor_moved} BEGIN "
        + _SQLITE_VENDOR_ROW.format(r="OLD", s=-1)
        + _SQLITE_VENDOR_ROW.format(r="NEW", s=1)
        + " END",
        "CREATE TRIGGER insights_size_change_rollup_ins AFTER INSERT ON vendors_sizeclasschange "
        "WHEN NEW.old_class <> '' BEGIN " + _SQLITE_CHANGE_ROW.format(r="NEW", s=1) + " END",
        "CREATE TRIGGER insights_size_change_rollup_del AFTER DELETE ON vendors_sizeclasschange "
        "WHEN OLD.old_class <> '' BEGIN " + _SQLITE_CHANGE_ROW.format(r="OLD", s=-1) + " END",
        "CREATE TRIGGER insights_size_change_rollup_upd_old AFTER UPDATE OF katalog_id, changed_on, old_class, "
        "new_class ON vendors_sizeclasschange WHEN OLD.old_class <> '' BEGIN "
        + _SQLITE_CHANGE_ROW.format(r="OLD", s=-1)
        + " END",
        "CREATE TRIGGER insights_size_change_rollup_upd_new AFTER UPDATE OF katalog_id, changed_on, old_class, "
        "new_class ON vendors_sizeclasschange WHEN NEW.old_class <> '' BEGIN "
        + _SQLITE_CHANGE_ROW.format(r="NEW", s=1)
        + " END",
        f"CREATE TRIGGER insights_registry_fingerprint_stale AFTER UPDATE OF {', '.join(FINGERPRINTED)} "
        f"ON vendors_vendor WHEN {compared_changed} BEGIN "
        "DELETE FROM insights_registryfingerprint WHERE vendor_id = OLD.id; END",
    ]


_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS " + name
    for name in (
        "insights_vendor_rollup_ins",
        "insights_vendor_rollup_del",
        "insights_vendor_rollup_upd",
        "insights_size_change_rollup_ins",
        "insights_size_change_rollup_del",
        "insights_size_change_rollup_upd_old",
        "insights_size_change_rollup_upd_new",
        "insights_registry_fingerprint_stale",
    )
]

_PG_VENDOR_SELECT = """
    SELECT katalog_id, source, COALESCE(district_id, '') AS district, sector, size_class, {s} AS vendors,
           CASE WHEN status = 'verified' THEN {s} ELSE 0 END AS verified,
           CASE WHEN invited_at IS NOT NULL THEN {s} ELSE 0 END AS invited
    FROM {t}"""
_PG_CHANGE_SELECT = """
    SELECT katalog_id, date_trunc('month', changed_on)::date AS month, old_class, new_class, {s} AS count
    FROM {t} WHERE old_class <> ''"""


def _pg_vendor_upsert(parts: list[str]) -> str:
    return f"""
    INSERT INTO insights_vendorrollup (katalog_id, source, district, sector, size_class, vendors, verified, invited)
    SELECT katalog_id, source, district, sector, size_class, sum(vendors), sum(verified), sum(invited)
    FROM ({" UNION ALL ".join(parts)}) AS d
    GROUP BY katalog_id, source, district, sector, size_class
    HAVING sum(vendors) <> 0 OR sum(verified) <> 0 OR sum(invited) <> 0
    ORDER BY katalog_id, source, district, sector, size_class
    ON CONFLICT (katalog_id, source, district, sector, size_class) DO UPDATE SET
        vendors = insights_vendorrollup.vendors + EXCLUDED.vendors,
        verified = insights_vendorrollup.verified + EXCLUDED.verified,
        invited = insights_vendorrollup.invited + EXCLUDED.invited;"""


def _pg_change_upsert(parts: list[str]) -> str:
    return f"""
    INSERT INTO insights_sizechangerollup (katalog_id, month, old_class, new_class, count)
    SELECT katalog_id, month, old_class, new_class, sum(count)
    FROM ({" UNION ALL ".join(parts)}) AS d
    GROUP BY katalog_id, month, old_class, new_class
    HAVING sum(count) <> 0
    ORDER BY katalog_id, month, old_class, new_class
    ON CONFLICT (katalog_id, month, old_class, new_class) DO UPDATE SET
        count = insights_sizechangerollup.count + EXCLUDED.count;"""


def _pg_triggers() -> list[str]:
    compared_changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in FINGERPRINTED)
    sql = []
    for table, select, upsert, prefix in (
        ("vendors_vendor", _PG_VENDOR_SELECT, _pg_vendor_upsert, "insights_vendor_rollup"),
        ("vendors_sizeclasschange", _PG_CHANGE_SELECT, _pg_change_upsert, "insights_size_change_rollup"),
    ):
        added = select.format(s=1, t="new_rows")
        taken = select.format(s=-1, t="old_rows")
        sql += [
            f"""CREATE OR REPLACE FUNCTION {prefix}_ins() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {upsert([added])} RETURN NULL; END $$""",
            f"""CREATE OR REPLACE FUNCTION {prefix}_del() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {upsert([taken])} RETURN NULL; END $$""",
            f"""CREATE OR REPLACE FUNCTION {prefix}_upd() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {upsert([taken, added])} RETURN NULL; END $$""",
            f"""CREATE TRIGGER {prefix}_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_ins()""",
            f"""CREATE TRIGGER {prefix}_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_del()""",
            f"""CREATE TRIGGER {prefix}_upd AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_upd()""",
        ]
    sql += [
        """CREATE OR REPLACE FUNCTION insights_registry_fingerprint_stale() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN DELETE FROM insights_registryfingerprint WHERE vendor_id = OLD.id; RETURN NULL; END $$""",
        f"""CREATE TRIGGER insights_registry_fingerprint_stale AFTER UPDATE ON vendors_vendor
        FOR EACH ROW WHEN ({compared_changed}) EXECUTE FUNCTION insights_registry_fingerprint_stale()""",
    ]
    return sql


_PG_DROP = [
    f"DROP TRIGGER IF EXISTS {prefix}_{op} ON {table}"
    for table, prefix in (
        ("vendors_vendor", "insights_vendor_rollup"),
        ("vendors_sizeclasschange", "insights_size_change_rollup"),
    )
    for op in ("ins", "del", "upd")
] + [
    "DROP TRIGGER IF EXISTS insights_registry_fingerprint_stale ON vendors_vendor",
    *(
        f"DROP FUNCTION IF EXISTS {prefix}_{op}()"
        for prefix in ("insights_vendor_rollup", "insights_size_change_rollup")
        for op in ("ins", "del", "upd")
    ),
    "DROP FUNCTION IF EXISTS insights_registry_fingerprint_stale()",
]


_SQLITE_BULK_COUNT = """
INSERT INTO insights_vendorrollup (katalog_id, source, district, sector, size_class, vendors, verified, invited)
SELECT katalog_id, source, COALESCE(district_id, ''), sector, size_class, count(*),
       sum(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), sum(CASE WHEN invited_at IS NOT NULL THEN 1 ELSE 0 END)
FROM vendors_vendor WHERE id > %s
GROUP BY katalog_id, source, COALESCE(district_id, ''), sector, size_class
ON CONFLICT (katalog_id, source, district, sector, size_class) DO UPDATE SET
    vendors = vendors + excluded.vendors, verified = verified + excluded.verified, invited = invited + excluded.invited
"""


@contextmanager
def counted_in_bulk():
    """Around a bulk INSERT of vendors: on SQLite, whose triggers run row by row (an upsert per
    vendor doubled the cost of loading the demo's registry), the insert trigger is set aside and the
    new vendors are counted in one grouped statement at the end, as PostgreSQL's statement trigger
    does. All in one savepoint: SQLite's DDL is transactional and its single writer holds the lock,
    so no other vendor can be inserted meanwhile and a failure puts the trigger back. Elsewhere it
    does nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM vendors_vendor")
        last = cursor.fetchone()[0]
        cursor.execute("DROP TRIGGER IF EXISTS insights_vendor_rollup_ins")
        yield
        cursor.execute(_SQLITE_BULK_COUNT, [last])
        cursor.execute(_sqlite_triggers()[0])


def install_triggers(conn=None) -> None:
    """Create (or re-create) the triggers on this database (the migration calls it)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in drop_statements(conn) + (
            _pg_triggers() if conn.vendor == "postgresql" else _sqlite_triggers()
        ):
            cursor.execute(statement)


def drop_statements(conn=None) -> list[str]:
    conn = conn or connection
    if conn.vendor == "postgresql":
        return list(_PG_DROP)
    if conn.vendor == "sqlite":
        return list(_SQLITE_DROP)
    raise NotImplementedError(f"no rollup triggers for {conn.vendor}")


def drop_triggers(conn=None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in drop_statements(conn):
            cursor.execute(statement)


def recompute(katalog=None) -> dict[tuple, tuple]:
    """The vendor rollup as it should be, counted from the vendors: key -> (vendors, verified, invited)."""
    from katalog.vendors.models import Vendor, VendorStatus

    vendors = Vendor.objects.all() if katalog is None else Vendor.objects.filter(katalog=katalog)
    rows = (
        vendors.values("katalog_id", "source", "district_id", "sector", "size_class")
        .annotate(
            n=Count("pk"),
            v=Count("pk", filter=Q(status=VendorStatus.VERIFIED)),
            i=Count("pk", filter=Q(invited_at__isnull=False)),
        )
        .order_by()
    )
    out: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        slot = out[(r["katalog_id"], r["source"], r["district_id"] or "", r["sector"], r["size_class"])]
        slot[0] += r["n"]
        slot[1] += r["v"]
        slot[2] += r["i"]
    return {k: tuple(v) for k, v in out.items() if any(v)}


def current(katalog=None) -> dict[tuple, tuple]:
    """The stored vendor rollup in the shape of `recompute` (zero rows left out)."""
    rows = VendorRollup.objects.all() if katalog is None else VendorRollup.objects.filter(katalog=katalog)
    return {
        tuple(getattr(r, f) for f in VENDOR_KEY): (r.vendors, r.verified, r.invited)
        for r in rows
        if r.vendors or r.verified or r.invited
    }


def recompute_changes(katalog=None) -> dict[tuple, int]:
    """The size-change rollup as it should be, from the history: (tenant, month, old, new) -> count."""
    from katalog.vendors.models import SizeClassChange

    changes = SizeClassChange.objects.exclude(old_class="")
    if katalog is not None:
        changes = changes.filter(katalog=katalog)
    rows = (
        changes.annotate(m=TruncMonth("changed_on"))
        .values("katalog_id", "m", "old_class", "new_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r["katalog_id"], r["m"], r["old_class"], r["new_class"]): r["n"] for r in rows if r["n"]}


def current_changes(katalog=None) -> dict[tuple, int]:
    rows = SizeChangeRollup.objects.all() if katalog is None else SizeChangeRollup.objects.filter(katalog=katalog)
    return {tuple(getattr(r, f) for f in CHANGE_KEY): r.count for r in rows if r.count}


@transaction.atomic
def rebuild(katalog=None) -> int:
    """Replace the vendor rollups (of one tenant, or all) with a recount. Returns rows written.
    On PostgreSQL the vendor tables are locked against writes meanwhile (reads go on), so no
    trigger adds to a row this is about to replace."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE vendors_vendor, vendors_sizeclasschange IN SHARE MODE")
    for model in (VendorRollup, SizeChangeRollup):
        rows = model.objects.all() if katalog is None else model.objects.filter(katalog=katalog)
        rows.delete()
    vendor_rows = [
        VendorRollup(**dict(zip(VENDOR_KEY, key, strict=True)), vendors=v[0], verified=v[1], invited=v[2])
        for key, v in recompute(katalog).items()
    ]
    VendorRollup.objects.bulk_create(vendor_rows, batch_size=500)
    change_rows = [
        SizeChangeRollup(**dict(zip(CHANGE_KEY, key, strict=True)), count=n)
        for key, n in recompute_changes(katalog).items()
    ]
    SizeChangeRollup.objects.bulk_create(change_rows, batch_size=500)
    return len(vendor_rows) + len(change_rows)


# What the closing ANALYZE of a bulk load reads, per table (None: every column). For the two tables
# whose text columns hold ~one distinct value per row (vendor names, addresses, e-mails, NIBs and
# the fingerprints' hashes), only the columns the dashboards and lists filter, group and join on:
# sorting tens of thousands of distinct strings by collation was two thirds of the vendors'
# ANALYZE. An ANALYZE with a column list still updates the table's row count (what the planner got
# wrong after a load) but leaves autovacuum's count of changed rows alone, so autovacuum analyzes
# every column shortly after, in the background.
ANALYZED_AFTER_LOAD = {
    "vendors_vendor": (
        "katalog_id",
        "status",
        "source",
        "size_class",
        "district_id",
        "sector",
        "invited_at",
        "claimed_at",
    ),
    "vendors_sizeclasschange": None,
    "insights_vendorrollup": None,
    "insights_sizechangerollup": None,
    "insights_registryfingerprint": ("katalog_id", "vendor_id"),
}


def analyze(*tables: str) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL; SQLite's planner needs none here).
    With no table named, the vendor tables and the rollups, each with the columns of
    `ANALYZED_AFTER_LOAD`; a table named is analyzed whole."""
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    targets = {name: None for name in tables} if tables else ANALYZED_AFTER_LOAD
    with connection.cursor() as cursor:
        for name, columns in targets.items():
            listed = f" ({', '.join(qn(c) for c in columns)})" if columns else ""
            cursor.execute(f"ANALYZE {qn(name)}{listed}")
