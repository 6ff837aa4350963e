"""Importing the Dinas UMKM registry (CSV or XLSX).

One reader, one row checker and one planner serve both the `import_umkm` command and the import
page. Each row is planned first (`plan_rows`): new, changed (with the field-by-field difference),
unchanged, rejected (every reason, counted once) or a conflict: a row that would overwrite what a
vendor entered itself after claiming its record, or a verified vendor's name, owner or district.
A conflict is held back unless the clerk chose its line. The page shows the plan as a preview and
writes only when the clerk confirms; the command writes at once (`--dry-run`: the plan only).
Rows are planned and written in batches (the page's worker: `BATCH`; the command: `COMMAND_BATCH`)
with one query for the batch's fingerprints and one for its vendors.

Speed (docs/performance.md "Importing the Dinas registry"): each checked value is checked once per
import (a KBLI list, a kecamatan or a PKP answer repeats on thousands of rows); new vendors are
written by `insert_rows` (one prepared statement on SQLite, one COPY on PostgreSQL), not
`bulk_create`, and on PostgreSQL their first size-class entry and fingerprint by one statement on
the server; lookups by a batch's NIBs take one array parameter on PostgreSQL; and a row the registry
sent before, byte for byte, to a vendor that still holds what it gave (insights.RegistryFingerprint,
dropped by a trigger whenever a compared field changes) is unchanged without being checked again."""

import csv
import datetime
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.core import audit
from katalog.core.collector import few_collections
from katalog.core.models import Katalog, Region, RegionLevel
from katalog.core.money import MoneyParseError, parse_rupiah
from katalog.core.tabular import ImportFileError, Outcome, Table, safe_cell, write_report
from katalog.core.tabular import read_path as _read_path
from katalog.core.tabular import read_table as _read_table

from . import validators
from .indexing import indexed_facts, reindex_products
from .models import SizeClassChange, Vendor, VendorSource, VendorStatus
from .size_class import classify

COLUMNS = [
    "nama_usaha",
    "nama_pemilik",
    "nib",
    "npwp",
    "kbli",
    "alamat",
    "kode_wilayah",
    "telepon",
    "email",
    "modal_usaha",
    "omzet_tahunan",
    "pkp",
    "sektor",
]
REQUIRED_COLUMNS = ["nama_usaha", "nib", "kode_wilayah"]
BATCH = 2000  # rows per step of the page's worker (and per preview chunk)
# Rows per batch of the command (one transaction for the whole file anyway): each batch costs a
# fingerprint query, a vendor query, the INSERTs and their statement triggers, and on PostgreSQL a
# scan of the tenant's vendors, so the command takes a file of usual size in one batch (the lookups
# take their values as one parameter on both databases: no bound on a batch).
COMMAND_BATCH = 50_000
__all__ = [
    "write_import_report",
    "ImportFileError",
    "ImportOutcome",
    "Outcome",
    "read_path",
    "read_table",
    "run_import",
    "safe_cell",
    "write_report",
]
TRUE = {"ya", "y", "yes", "true", "1", "pkp", "benar"}
FORMULA = ("=", "+", "-", "@")
_FORMULA_START = frozenset(FORMULA)  # each is one character
FALSE = {"tidak", "t", "no", "n", "false", "0", "non-pkp", "non pkp", "nonpkp", "bukan", ""}


def read_table(data: bytes, filename: str) -> Table:
    return _read_table(data, filename, columns=COLUMNS, required=REQUIRED_COLUMNS)


def read_path(path: str | Path) -> Table:
    return _read_path(path, columns=COLUMNS, required=REQUIRED_COLUMNS)


def find_duplicates(rows: list[tuple[int, dict[str, str]]]) -> dict[int, int]:
    """{line: first line} for every row whose NIB already appeared earlier in the file."""
    first: dict[str, int] = {}
    dupes: dict[int, int] = {}
    for line, values in rows:
        nib = validators.digits(values.get("nib"))
        if not nib:
            continue
        if nib in first:
            dupes[line] = first[nib]
        else:
            first[nib] = line
    return dupes


_REGION_PREFIX = re.compile(r"^(kecamatan|kelurahan|desa|kec\.?|kel\.?)\s+")


def name_key(text: str) -> str:
    """A region name as people type it: case, spacing and a leading "Kecamatan"/"Kel." ignored."""
    key = " ".join(str(text).lower().split())
    return _REGION_PREFIX.sub("", key)


def formula_columns(values: dict[str, str]) -> list[str]:
    """The columns whose cell a spreadsheet would run as a formula (kept as text, marked)."""
    found = [col for col, value in values.items() if value and str(value)[:1] in _FORMULA_START]
    if not found:
        return found
    # In the file's column order: a row read back from a JSON column (PostgreSQL's jsonb) has lost it.
    order = {col: n for n, col in enumerate(COLUMNS)}
    return sorted(found, key=lambda col: (order.get(col, len(order)), col))


# Bump when RowChecker may give another result for the same row (a rule changed): every stored
# fingerprint then misses once and the rows are checked again.
CHECK_VERSION = "2026-11-30"
_NO_CELLS = [""] * len(COLUMNS)  # the default of each column's cell in `row_text`
# A cell of `row_text` that starts like a formula (the cells are separated by \x1f).
_FORMULA_CELL = re.compile("(?:^|\x1f)[" + re.escape("".join(FORMULA)) + "]")


def row_text(values: dict[str, str]) -> str:
    """The cells of a row in the file's column order, separated by \x1f (a missing column is empty)."""
    return "\x1f".join(map(values.get, COLUMNS, _NO_CELLS))


_OK = object()


# Django's e-mail user-part pattern, taken out of its lazy wrapper once (each attribute access
# through the wrapper cost more than the match itself).
_EMAIL_USER_MATCH = validate_email.user_regex.match


class RowChecker:
    """Turns one row into vendor fields, or into a list of (column, reason). Each cell value is
    checked once per import and the verdict reused (`_memo`)."""

    def __init__(self, katalog: Katalog):
        prefix = katalog.region_id + "."
        self.regions = {
            r.code: r
            for r in Region.objects.filter(
                code__startswith=prefix, level__in=[RegionLevel.DISTRICT, RegionLevel.VILLAGE]
            )
        }
        self.by_name: dict[str, list[Region]] = {}
        for region in self.regions.values():
            self.by_name.setdefault(name_key(region.name), []).append(region)
        self.katalog = katalog
        self._memo: dict[tuple[str, str], tuple[Any, Any]] = {}
        # What a row's fingerprint depends on besides its cells: the rules and the tenant's regions.
        regions = "\x1e".join(
            f"{r.code}\x1f{r.name}\x1f{r.district_code}" for r in sorted(self.regions.values(), key=lambda r: r.code)
        )
        self.salt = hashlib.blake2b(f"{CHECK_VERSION}\x1d{katalog.pk}\x1d{regions}".encode(), digest_size=16).digest()
        self._keyed = hashlib.blake2b(digest_size=20, key=self.salt)  # copied per row: the key is hashed once

    def row_hash(self, values: dict[str, str]) -> str:
        """The fingerprint of a row: its cells (a missing column reads as an empty cell, as in `check`)."""
        return self.hash_text(row_text(values))

    def hash_text(self, text: str) -> str:
        """`row_hash` of the row whose `row_text` this is."""
        hasher = self._keyed.copy()
        hasher.update(text.encode())
        return hasher.hexdigest()

    def _memoised(self, kind: str, raw: str, fn):
        """fn(raw) once per distinct value: (value, None), or (None, the message of its ValidationError)."""
        key = (kind, raw)
        found = self._memo.get(key)
        if found is None:
            try:
                found = (fn(raw), None)
            except ValidationError as exc:
                found = (None, exc.messages[0])
            self._memo[key] = found
        return found

    def describe(self, region: Region) -> str:
        district = self.regions.get(region.district_code or "")
        if district is None or district.code == region.code:
            return f"{region.code} {region.name}"
        return f"{region.code} {region.name} ({district.name})"

    def find_region(self, value: str) -> tuple[Region | None, str]:
        """A kecamatan or kelurahan of the tenant by its code, or by its name when only one region
        bears it ("Medan Johor"; "Sei Mati, Medan Maimun" names the kecamatan of a kelurahan)."""
        region = self.regions.get(value)
        if region is not None:
            return region, ""
        key = ("region", value)
        if key not in self._memo:
            self._memo[key] = self._find_region_by_name(value)
        return self._memo[key]

    def _find_region_by_name(self, value: str) -> tuple[Region | None, str]:
        name, _sep, within = value.partition(",")
        found = self.by_name.get(name_key(name), [])
        if within.strip():
            found = [
                r
                for r in found
                if r.district_code in self.regions
                and r.district_code != r.code
                and name_key(self.regions[r.district_code].name) == name_key(within)
            ]
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            candidates = "; ".join(self.describe(r) for r in sorted(found, key=lambda r: r.code))
            return None, _("%(name)s is the name of several regions, write the code: %(candidates)s") % {
                "name": value[:60],
                "candidates": candidates,
            }
        return None, _("%(code)s is not a district or village of %(name)s") % {
            "code": value[:60],
            "name": self.katalog.region.name,
        }

    def _email(self, raw: str) -> str:
        """Django's `validate_email`, step for step, with each domain checked once per import."""
        valid = bool(raw) and "@" in raw and len(raw) <= 320
        if valid:
            user, domain = raw.rsplit("@", 1)
            valid = bool(_EMAIL_USER_MATCH(user))
            if valid:
                key = ("domain", domain)
                if key not in self._memo:
                    self._memo[key] = domain in validate_email.domain_allowlist or bool(
                        validate_email.validate_domain_part(domain)
                    )
                valid = self._memo[key]
        if not valid:
            raise ValidationError(_("not a valid e-mail address: %(v)s") % {"v": raw[:60]})
        return raw.lower()

    @staticmethod
    def _amount(raw: str) -> Decimal:
        try:
            amount = parse_rupiah(raw)
            if amount < 0:
                raise MoneyParseError(raw)
        except MoneyParseError as exc:
            raise ValidationError(_("not an amount in rupiah: %(v)s") % {"v": raw[:40]}) from exc
        return amount

    def _located(self, code: str) -> tuple[tuple[str, str | None] | None, str]:
        """((region code, kecamatan code), "") of a row's region cell, or (None, the problem); once per value."""
        key = ("located", code)
        found = self._memo.get(key)
        if found is None:
            region, problem = self.find_region(code)
            found = self._memo[key] = ((region.code, region.district_code) if region is not None else None, problem)
        return found

    def _classified(self, capital: Decimal | None, annual_sales: Decimal | None) -> str:
        key = ("class", capital, annual_sales)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = classify(capital=capital, annual_sales=annual_sales)
        return found

    def check(self, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        errors: list[tuple[str, str]] = []
        out: dict[str, Any] = {}
        get = values.get
        memo = self._memo
        memoised = self._memoised

        name = get("nama_usaha", "").strip()
        if not name:
            errors.append(("nama_usaha", _("the business name is empty")))
        out["name"] = name[:200]
        out["owner_name"] = get("nama_pemilik", "").strip()[:150]
        for col, key, fn in (
            ("nib", "nib", validators.clean_nib),
            ("npwp", "npwp", validators.clean_npwp),
            ("kbli", "kbli", validators.clean_kbli_list),
            ("telepon", "phone", validators.clean_phone),
        ):
            raw = get(col, "").strip()
            if not raw:
                if col == "nib":
                    errors.append((col, _("NIB is empty")))
                out[key] = [] if key == "kbli" else ""
                continue
            value, problem = memo.get((col, raw)) or memoised(col, raw, fn)
            if problem is not None:
                errors.append((col, problem))
            else:
                out[key] = list(value) if key == "kbli" else value
        email = get("email", "").strip()
        if email:
            value, problem = memoised("email", email, self._email)
            if problem is not None:
                errors.append(("email", problem))
            else:
                out["email"] = value
        else:
            out["email"] = ""
        out["address"] = get("alamat", "").strip()[:300]
        out["sector"] = get("sektor", "").strip()[:100]
        code = get("kode_wilayah", "").strip()
        if not code:
            errors.append(("kode_wilayah", _("the region code is empty")))
        else:
            located, problem = self._located(code)
            if located is None:
                errors.append(("kode_wilayah", problem))
            else:
                out["region_id"], out["district_id"] = located
        amounts: dict[str, Decimal | None] = {}
        amount_error = False
        for col, key in (("modal_usaha", "capital"), ("omzet_tahunan", "annual_sales")):
            raw = get(col, "").strip()
            if not raw:
                amounts[key] = None
                continue
            value, problem = memo.get(("amount", raw)) or memoised("amount", raw, self._amount)
            if problem is not None:
                errors.append((col, problem))
                amount_error = True
            else:
                amounts[key] = value
        if not any(amounts.values()) and not amount_error:
            errors.append(("modal_usaha", _("give the business capital or the annual sales")))
        out.update(amounts)
        pkp = get("pkp", "").strip().lower()
        if pkp in TRUE:
            out["is_vat_registered"] = True
        elif pkp in FALSE:
            out["is_vat_registered"] = False
        else:
            errors.append(("pkp", _("write ya or tidak")))
        if not errors:
            out["size_class"] = self._classified(out["capital"], out["annual_sales"])
        return out, errors


COMPARED = [
    "name",
    "owner_name",
    "npwp",
    "kbli",
    "phone",
    "email",
    "address",
    "sector",
    "region_id",
    "district_id",
    "capital",
    "annual_sales",
    "is_vat_registered",
    "size_class",
]
# The file's column for each compared field (how the preview and the report name a difference).
FIELD_COLUMNS = {
    "name": "nama_usaha",
    "owner_name": "nama_pemilik",
    "npwp": "npwp",
    "kbli": "kbli",
    "phone": "telepon",
    "email": "email",
    "address": "alamat",
    "sector": "sektor",
    "region_id": "kode_wilayah",
    "district_id": "kecamatan",
    "capital": "modal_usaha",
    "annual_sales": "omzet_tahunan",
    "is_vat_registered": "pkp",
    "size_class": "kelas_usaha",
}
# What the registry never overwrites on a verified vendor unless the clerk chose the row.
PROTECTED_WHEN_VERIFIED = {"name", "owner_name", "region_id", "district_id"}


class Kind:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    CONFLICT = "conflict"


def show(value: Any) -> str:
    """A field's value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class RowPlan:
    """What one row of the file would do (the preview) or did (the import)."""

    line: int
    kind: str
    nib: str = ""
    name: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    vendor: Vendor | None = None
    diff: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)
    held: list[tuple[str, str]] = field(default_factory=list)  # (column, reason) of a conflict
    formula: list[str] = field(default_factory=list)  # columns kept as text that look like formulas
    row_hash: str = ""  # the row's fingerprint (RowChecker.row_hash), kept for the vendor once written

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "kind": self.kind, "nib": self.nib, "name": self.name}
        for key in ("diff", "errors", "held", "formula"):
            if getattr(self, key):
                data[key] = [list(x) if isinstance(x, tuple) else x for x in getattr(self, key)]
        return data


@dataclass
class ImportOutcome(Outcome):
    """`Outcome` with the rows held back as conflicts and each refused row's own data (for the report)."""

    conflicts: list[tuple[int, str, str]] = field(default_factory=list)
    data: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def conflicted(self) -> int:
        return len({line for line, _c, _r in self.conflicts})

    def add(self, other: Outcome) -> None:
        super().add(other)
        if isinstance(other, ImportOutcome):
            self.conflicts.extend(other.conflicts)
            self.data.update(other.data)

    def summary(self) -> str:
        text = super().summary()
        return f"{text}, conflicts {self.conflicted}" if self.conflicts else text


def _conflict_reasons(vendor: Vendor, diff: list[str], fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The differences a row may not write on its own: everything, once the owner claimed the record;
    the name, owner and district of a verified vendor. Empty when the row may be applied."""
    if vendor.claimed_at:
        held = diff
        template = _("the owner claimed this record on %(date)s; the registry does not overwrite it: %(old)s → %(new)s")
    elif vendor.status == VendorStatus.VERIFIED:
        held = [k for k in diff if k in PROTECTED_WHEN_VERIFIED]
        template = _("a verified vendor's %(column)s is not overwritten unless the row is chosen: %(old)s → %(new)s")
    else:
        return []
    date = timezone.localtime(vendor.claimed_at).strftime("%d-%m-%Y") if vendor.claimed_at else ""
    return [
        (
            FIELD_COLUMNS[k],
            template
            % {
                "date": date,
                "column": FIELD_COLUMNS[k],
                "old": show(getattr(vendor, k)) or "-",
                "new": show(fields[k]) or "-",
            },
        )
        for k in held
    ]


def _pg_array(values: list[Any]) -> str:
    """The values as the text of a PostgreSQL array literal (`{1,"a b"}`), for one parameter cast to
    an array type in the SQL: the driver binds one string instead of adapting thousands of elements
    one by one (a third of the database round trips' client time of a 30,000-row import). Bare
    digits go as they are; everything else is quoted (so no element reads as NULL)."""
    parts = []
    for value in values:
        text = str(value)
        if not (text.isascii() and text.isdigit()):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(text)
    return "{" + ",".join(parts) + "}"


def _one_of(column: str, values: list[Any], *, array: str = "text[]") -> tuple[str, list[Any]]:
    """`column` is one of the values, as SQL and its parameters: on PostgreSQL `= ANY(%s::text[])`
    with one array literal as its parameter (psycopg's client-side binding parsed a 2,000-placeholder
    `IN` in more time than the database took to answer it); on SQLite `IN (SELECT value FROM
    json_each(%s))` with the values as one JSON array; elsewhere `IN (%s, ...)`."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{array})", [_pg_array(values)]
    if connection.vendor == "sqlite":  # one JSON parameter: no bound of 32,766 parameters on a batch
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]  # noqa: S608
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _by_nib(model, column: str, katalog: Katalog, nibs: list[str]) -> list[tuple[str, Any]]:
    """(nib, column) of the tenant's rows of `model` with these NIBs, in plain SQL: a batch's
    thousands of NIBs cost the ORM more to build into a query than the database to answer it."""
    if not nibs:
        return []
    qn = connection.ops.quote_name
    match, params = _one_of("nib", nibs)
    sql = f"SELECT nib, {qn(column)} FROM {qn(model._meta.db_table)} WHERE katalog_id = %s AND {match}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [katalog.pk, *params])
        return cursor.fetchall()


def _vendors(katalog: Katalog, nibs: list[str], *, lock: bool) -> dict[str, Vendor]:
    """The tenant's vendors with these NIBs as model instances (locked with `lock` on PostgreSQL), in
    plain SQL for the same reason as `_by_nib`."""
    if not nibs:
        return {}
    match, params = _one_of("nib", nibs)
    lock_sql = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = f"SELECT * FROM vendors_vendor WHERE katalog_id = %s AND {match}{lock_sql}"  # noqa: S608
    return {v.nib: v for v in Vendor.objects.raw(sql, [katalog.pk, *params])}


def plan_rows(
    *,
    katalog: Katalog,
    rows: list[tuple[int, dict[str, str]]],
    duplicates: dict[int, int],
    checker: RowChecker | None = None,
    chosen: frozenset[int] | set[int] = frozenset(),
    lock: bool = False,
) -> list[RowPlan]:
    """Check one batch of rows and compare each with the vendor of the same NIB. Writes nothing.
    A conflict whose line is in `chosen` (the clerk ticked it) is planned as a change. A row whose
    fingerprint the vendor of its NIB still carries is unchanged at once (nothing to check: the
    same cells gave the fields the vendor holds, and no compared field changed since)."""
    from katalog.insights.models import RegistryFingerprint

    checker = checker or RowChecker(katalog)
    plans: list[RowPlan] = []
    good: dict[str, RowPlan] = {}
    nibs = [validators.digits(values.get("nib")) for _line, values in rows]
    printed = dict(_by_nib(RegistryFingerprint, "row_hash", katalog, [n for n in nibs if n]))
    for (line, values), nib in zip(rows, nibs, strict=True):
        text = row_text(values)
        plan = RowPlan(
            line=line,
            kind=Kind.REJECTED,
            nib=values.get("nib", "")[:20],
            name=values.get("nama_usaha", "")[:200],
            # one search of the joined cells spares looking at each cell of the rows without formulas
            formula=formula_columns(values) if _FORMULA_CELL.search(text) else [],
        )
        plans.append(plan)
        if line in duplicates:
            plan.errors.append(("nib", _("the same NIB is already on line %(first)s") % {"first": duplicates[line]}))
            continue
        plan.row_hash = checker.hash_text(text)
        if printed.get(nib) == plan.row_hash:
            plan.kind, plan.nib = Kind.UNCHANGED, nib
            continue
        fields, errors = checker.check(values)
        if errors:
            plan.errors = errors
            continue
        plan.fields, plan.nib = fields, fields["nib"]
        good[fields["nib"]] = plan
    existing = _vendors(katalog, list(good), lock=lock)
    for nib, plan in good.items():
        vendor = plan.vendor = existing.get(nib)
        if vendor is None:
            plan.kind = Kind.NEW
            continue
        changed = [k for k in COMPARED if getattr(vendor, k) != plan.fields[k]]
        if not changed:
            plan.kind = Kind.UNCHANGED
            continue
        shown = [k for k in changed if k != "district_id"] or changed
        plan.diff = [(FIELD_COLUMNS[k], show(getattr(vendor, k)), show(plan.fields[k])) for k in shown]
        plan.held = _conflict_reasons(vendor, changed, plan.fields)
        plan.kind = Kind.CONFLICT if plan.held and plan.line not in chosen else Kind.CHANGED
    return plans


def outcome_of(plans: list[RowPlan], rows: list[tuple[int, dict[str, str]]] | None = None) -> ImportOutcome:
    """The counts of a batch's plans (rows, not problems), its rejections and conflicts, and the
    own data of every refused or held-back row."""
    outcome = ImportOutcome()
    values = dict(rows or [])
    for plan in plans:
        if plan.kind == Kind.NEW:
            outcome.imported += 1
        elif plan.kind == Kind.CHANGED:
            outcome.updated += 1
        elif plan.kind == Kind.UNCHANGED:
            outcome.unchanged += 1
        elif plan.kind == Kind.REJECTED:
            outcome.rejections.extend((plan.line, col, reason) for col, reason in plan.errors)
        else:
            outcome.conflicts.extend((plan.line, col, reason) for col, reason in plan.held)
        if plan.kind in (Kind.REJECTED, Kind.CONFLICT) and plan.line in values:
            outcome.data[plan.line] = values[plan.line]
    return outcome


_PLAIN = frozenset({str, int, bool})


def _copy_ready(value: Any) -> Any:
    """A prepared value as COPY takes it best: on PostgreSQL a JSON value as its JSON text (the
    server reads it with the column's input function), dumped once here instead of by the driver
    for every row it repeats on."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Json, Jsonb

        if isinstance(value, Json | Jsonb):
            return (value.dumps or json.dumps)(value.obj)
    return value


def _planned_columns(model, given: set[str], common: dict[str, Any], conn) -> tuple[list, list]:
    """The concrete columns of `model` but a database-assigned id, as (field, prepared default):
    those some row carries (`given`, by attname or name) and those given once (`common`, else the
    field's default; its creation time for auto_now fields)."""
    now = timezone.now()
    varying, fixed = [], []  # (field, prepared value a row leaves out)
    for f in model._meta.concrete_fields:
        if f.attname in common or f.name in common:
            value = common[f.attname] if f.attname in common else common[f.name]
        elif f.primary_key:
            value = None
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        else:
            value = None
        default = None if value is None else f.get_db_prep_save(value, conn)
        if f.attname in given or f.name in given:
            varying.append((f, default))
        elif f.primary_key and value is None:
            continue  # an id the database assigns
        else:
            fixed.append((f, default))
    return varying, fixed


def insert_rows(model, rows: list[dict[str, Any]], *, common: dict[str, Any] | None = None) -> None:
    """INSERT the rows (dicts by field name or attname) of `model` in as few statements as the
    database takes (SQLite: one prepared statement run for every row; PostgreSQL: COPY): every
    concrete column but the id. A field a row leaves out gets its value in `common`, else its
    default (its creation time for auto_now fields); a column no row carries is prepared once and
    never looked up per row (so give the values all rows share in `common`). A value goes through
    its field's database preparation only when it is not a plain string, number or None, once per
    distinct value. Runs no model code (no `save`, no signals): for bulk loads of rows already
    checked."""
    if not rows:
        return
    common = common or {}
    meta = model._meta
    conn = connections[DEFAULT_DB_ALIAS]
    given = set().union(*rows)  # every key some row carries
    varying, fixed = _planned_columns(model, given, common, conn)
    fields = [f for f, _d in varying + fixed]
    tail = [_copy_ready(d) for _f, d in fixed]
    qn = connection.ops.quote_name
    column_list = ", ".join(qn(f.column) for f in fields)
    missing = object()
    prepared: dict[tuple, Any] = {}  # a timestamp, a date, an amount or a KBLI list repeats: prepared once
    slots = [
        (f.attname, f.name, _copy_ready(default), lambda v, c, prep=f.get_db_prep_save: _copy_ready(prep(v, c)))
        for f, default in varying
    ]

    def values(row: dict[str, Any], tail: list[Any] = tail) -> list[Any]:
        out = []
        for attname, name, default, prep in slots:
            v = row.get(attname, missing)
            if v is missing:
                v = row.get(name, missing)
                if v is missing:
                    out.append(default)
                    continue
            if v is None or v.__class__ in _PLAIN:
                out.append(v)
                continue
            key = (attname, tuple(v) if isinstance(v, list) else v)
            found = prepared.get(key, missing)
            if found is missing:
                found = prepared[key] = prep(v, conn)
            out.append(found)
        out += tail
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # one prepared statement, run for every row
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = f"INSERT INTO {qn(meta.db_table)} ({column_list}) VALUES {one}"  # noqa: S608
            cursor.executemany(sql, [values(row) for row in rows])
            return
        # PostgreSQL: one COPY, which keeps every constraint and trigger (the statement triggers of
        # the rollups run once for the whole load); a multi-row INSERT of thousands of parameters
        # spent most of its time in the driver's query parsing.
        table = qn(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:  # noqa: S608
            # chunk by chunk: the server takes in one while the next is formatted
            for part in _copy_chunks(rows, values, tail):
                if isinstance(part, str):
                    copy.write(part)
                else:
                    copy.write_row(part)


def insert_columns(model, columns: dict[str, list], *, common: dict[str, Any] | None = None) -> None:
    """`insert_rows` for rows given column by column: `columns` maps a field's name or attname to
    its values, one per row (every list as long). No dict per row and no lookup per value: the rows
    are put together by `zip`, and on PostgreSQL the COPY text is made a column at a time (a column
    of plain text, of whole numbers or of booleans as it is). For a generated load (the demo's
    registry), whose columns are drawn whole."""
    common = common or {}
    count = len(next(iter(columns.values()), []))
    if not count:
        return
    if any(len(values) != count for values in columns.values()):
        raise ValueError("every column needs a value for every row")
    meta = model._meta
    conn = connections[DEFAULT_DB_ALIAS]
    varying, fixed = _planned_columns(model, set(columns), common, conn)
    fields = [f for f, _d in varying + fixed]
    data = [_prepared_column(columns[f.attname if f.attname in columns else f.name], f, conn) for f, _d in varying]
    tail = [_copy_ready(d) for _f, d in fixed]
    qn = connection.ops.quote_name
    column_list = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # one prepared statement, run for every row
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = f"INSERT INTO {qn(meta.db_table)} ({column_list}) VALUES {one}"  # noqa: S608
            cursor.executemany(sql, zip(*data, *(repeat(v, count) for v in tail), strict=True))
            return
        table = qn(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:  # noqa: S608
            try:
                text = [_copy_column(values) for values in data]
                if tail:
                    text.append(repeat("\t".join([_copy_field(v) for v in tail]), count))
            except _NotText:  # a value only the driver writes: row by row
                for row in zip(*data, *(repeat(v, count) for v in tail), strict=True):
                    copy.write_row(row)
                return
            lines = list(map("\t".join, zip(*text, strict=True)))
            for start in range(0, count, 2000):  # the server takes in a part while the next is sent
                copy.write("\n".join(lines[start : start + 2000]) + "\n")


_PLAIN_OR_NONE = _PLAIN | {type(None)}


def _prepared_column(values: list, f, conn) -> list:
    """A column's values as the database takes them: as they are when all are plain (text, whole
    numbers, booleans, None), else each distinct value through its field's preparation once."""
    if set(map(type, values)) <= _PLAIN_OR_NONE:
        return values
    prepared: dict[Any, Any] = {}
    out = []
    for v in values:
        if v is None or v.__class__ in _PLAIN:
            out.append(v)
            continue
        key = tuple(v) if isinstance(v, list) else v
        if key not in prepared:
            prepared[key] = _copy_ready(f.get_db_prep_save(v, conn))
        out.append(prepared[key])
    return out


def _copy_column(values: list) -> list[str]:
    """A prepared column as fields of COPY's text format (see `_copy_field`), whole: text with no
    character to escape and whole numbers without a call per value."""
    kinds = set(map(type, values))
    if kinds == {str} and not _COPY_SPECIAL.search("".join(values)):
        return values
    if kinds == {int}:
        return list(map(str, values))
    return [_copy_field(v) for v in values]


class _NotText(Exception):
    """A value `_copy_field` leaves to the driver."""


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """A prepared value as a field of COPY's text format (the column's input function reads it):
    NULL as \\N, a text with its backslashes, tabs and line breaks escaped, a number or a time as
    its text. Anything else raises `_NotText`."""
    cls = value.__class__
    if cls is str:
        return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value
    if value is None:
        return "\\N"
    if cls is bool:
        return "t" if value else "f"
    if cls is int or cls is Decimal:
        return str(value)
    if cls is datetime.datetime or cls is datetime.date:
        return value.isoformat()
    if isinstance(value, str):  # a choice (TextChoices member): its text, as the driver writes it
        return _copy_field(str.__str__(value))
    raise _NotText(cls)


def _copy_chunks(rows: list[dict[str, Any]], values, tail: list[Any], chunk: int = 2000) -> Iterator[str | list]:
    """The rows as COPY text, `chunk` lines at a time (the shared columns formatted once); a row
    with a value of a type only the driver writes comes alone as its list of values, for
    `write_row` (the driver writes the same text format). Formatting here cost a fifth of psycopg's
    `write_row` per row."""
    field = _copy_field
    try:
        shared = [field(v) for v in tail]
    except _NotText:
        shared = None
    lines: list[str] = []
    for row in rows:
        if shared is not None:
            try:
                lines.append("\t".join([field(v) for v in values(row, [])] + shared) + "\n")
            except _NotText:
                pass
            else:
                if len(lines) == chunk:
                    yield "".join(lines)
                    lines = []
                continue
        if lines:
            yield "".join(lines)
            lines = []
        yield values(row)
    if lines:
        yield "".join(lines)


# The first size-class entry and the fingerprint of each new vendor of a batch, on PostgreSQL in one
# statement that finds the new ids itself (no ids sent back to Python, no rows formatted there).
_PG_NEW_VENDORS_FOLLOW_UP = """
WITH fresh AS (
    SELECT v.id, v.katalog_id, v.nib, v.size_class, v.capital, v.annual_sales, x.row_hash
    FROM unnest(%s::text[], %s::text[]) AS x(nib, row_hash)
    JOIN vendors_vendor v ON v.katalog_id = %s AND v.nib = x.nib
), history AS (
    INSERT INTO vendors_sizeclasschange
        (katalog_id, vendor_id, changed_on, old_class, new_class, capital, annual_sales, reason, evidence, recorded_at)
    SELECT katalog_id, id, %s, '', size_class, capital, annual_sales, %s, '', %s FROM fresh
)
INSERT INTO insights_registryfingerprint (vendor_id, katalog_id, nib, row_hash)
SELECT id, katalog_id, nib, row_hash FROM fresh
"""


def _create_vendors(*, katalog: Katalog, plans: list[RowPlan], now, today, reason: str, history: list[dict]) -> None:
    """INSERT the new vendors of a batch, then their first size-class entry and their fingerprint
    (none can exist yet: the ids are new). On SQLite the entries join `history` (written by the
    caller) and the fingerprints are written here."""
    from katalog.insights.models import RegistryFingerprint
    from katalog.insights.vendor_rollups import counted_in_bulk

    common = {
        "katalog_id": katalog.pk,
        "status": VendorStatus.VERIFIED,
        "source": VendorSource.IMPORT,
        "verified_at": now,
        "submitted_at": now,
        "created_at": now,
        "updated_at": now,
    }
    names = plans[0].fields.keys()
    with counted_in_bulk():
        if all(plan.fields.keys() == names for plan in plans):  # the checker's fields: column by column
            insert_columns(Vendor, {name: [plan.fields[name] for plan in plans] for name in names}, common=common)
        else:
            insert_rows(Vendor, [plan.fields for plan in plans], common=common)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_NEW_VENDORS_FOLLOW_UP,
                [
                    _pg_array([p.nib for p in plans]),
                    _pg_array([p.row_hash for p in plans]),
                    katalog.pk,
                    today,
                    reason,
                    now,
                ],
            )
        return
    ids = dict(_by_nib(Vendor, "id", katalog, [p.nib for p in plans]))
    for plan in plans:
        history.append(
            {
                "katalog_id": katalog.pk,
                "vendor_id": ids[plan.nib],
                "changed_on": today,
                "old_class": "",
                "new_class": plan.fields["size_class"],
                "capital": plan.fields["capital"],
                "annual_sales": plan.fields["annual_sales"],
                "reason": reason,
                "evidence": "",
                "recorded_at": now,
            }
        )
    insert_rows(
        RegistryFingerprint,
        [{"vendor_id": ids[p.nib], "katalog_id": katalog.pk, "nib": p.nib, "row_hash": p.row_hash} for p in plans],
    )


def write_plans(*, katalog: Katalog, plans: list[RowPlan], source_name: str, bulk: bool = False) -> None:
    """Create the new vendors and update the changed ones of one batch (call inside a transaction,
    with the plans made under `lock=True`), and keep the fingerprint of every row written or found
    equal to its vendor. Conflicts, rejected and unchanged rows are not touched. `bulk` (the
    command): on SQLite the new vendors of a batch that outnumber the rows held are inserted with
    the secondary indexes set aside (`indexes_rebuilt`)."""
    from katalog.insights.models import RegistryFingerprint

    today = timezone.localdate()
    now = timezone.now()
    reason = _("Dinas registry import (%(file)s)") % {"file": source_name[:100]}
    new: list[RowPlan] = []
    changed, history, reindex = [], [], []
    printed: dict[int, RowPlan] = {}  # vendor id -> the plan whose row it now holds
    for plan in plans:
        if plan.kind == Kind.NEW:
            new.append(plan)
            continue
        if plan.kind == Kind.UNCHANGED and plan.vendor is not None and plan.row_hash:
            printed[plan.vendor.pk] = plan  # equal, but by another row than the fingerprinted one
            continue
        if plan.kind != Kind.CHANGED:
            continue
        vendor, fields = plan.vendor, plan.fields
        if vendor.size_class != fields["size_class"]:
            history.append(
                {
                    "katalog_id": katalog.pk,
                    "vendor_id": vendor.pk,
                    "changed_on": today,
                    "old_class": vendor.size_class,
                    "new_class": fields["size_class"],
                    "capital": fields["capital"],
                    "annual_sales": fields["annual_sales"],
                    "reason": reason,
                    "evidence": "",
                    "recorded_at": now,
                }
            )
        before = indexed_facts(vendor)
        for k in COMPARED:
            setattr(vendor, k, fields[k])
        if vendor.status != VendorStatus.VERIFIED:
            vendor.status, vendor.verified_at, vendor.status_reason = VendorStatus.VERIFIED, now, ""
        vendor.updated_at = now
        changed.append(vendor)
        printed[vendor.pk] = plan
        if indexed_facts(vendor) != before:
            reindex.append(vendor.pk)
    with indexes_rebuilt(Vendor, SizeClassChange, RegistryFingerprint, rows=len(new) if bulk else 0):
        if new:
            _create_vendors(katalog=katalog, plans=new, now=now, today=today, reason=reason, history=history)
        if not changed:  # else after the changed vendors, whose size-class entries it holds too
            insert_rows(SizeClassChange, history)
            history = []
    if changed:
        columns = COMPARED + ["status", "verified_at", "status_reason", "updated_at"]
        meta = Vendor._meta
        qn = connection.ops.quote_name
        fields = [meta.get_field(name) for name in columns]
        assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [[f.get_db_prep_save(getattr(v, f.attname), connection) for f in fields] + [v.pk] for v in changed],
            )
    insert_rows(SizeClassChange, history)
    if printed:
        match, params = _one_of("vendor_id", list(printed), array="bigint[]")
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM insights_registryfingerprint WHERE {match}", params)  # noqa: S608
        insert_rows(
            RegistryFingerprint,
            [
                {"vendor_id": pk, "katalog_id": katalog.pk, "nib": plan.nib, "row_hash": plan.row_hash}
                for pk, plan in printed.items()
            ],
        )
    # A new size class, district or verification changes the vendor's products in search.
    reindex_products(katalog_id=katalog.pk, vendor_ids=reindex)


def import_rows(
    *,
    katalog: Katalog,
    rows: list[tuple[int, dict[str, str]]],
    duplicates: dict[int, int],
    source_name: str,
    actor=None,
    checker: RowChecker | None = None,
    chosen: frozenset[int] | set[int] = frozenset(),
    dry_run: bool = False,
    bulk: bool = False,
) -> ImportOutcome:
    """Plan and (unless a dry run) write one batch of rows in one transaction (`bulk`: see `write_plans`)."""
    with transaction.atomic():
        plans = plan_rows(
            katalog=katalog, rows=rows, duplicates=duplicates, checker=checker, chosen=chosen, lock=not dry_run
        )
        if not dry_run:
            write_plans(katalog=katalog, plans=plans, source_name=source_name, bulk=bulk)
    return outcome_of(plans, rows)


@contextmanager
def indexes_rebuilt(*models, rows: int) -> Iterator[None]:
    """On SQLite, drop the secondary (not unique) indexes of the models' tables and build them again
    at the end, when the `rows` about to be inserted are at least half the rows the tables hold:
    building an index from the loaded table is cheaper than growing ten of them row by row (the
    demo's registry: a third of its inserting). Use inside the transaction of the load: the indexes are dropped and
    built within it, so a failure rolls back to the indexes as they were. Elsewhere, does nothing."""
    if connection.vendor != "sqlite" or not rows:
        yield
        return
    tables = [m._meta.db_table for m in models]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        held = 0
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            held = max(held, cursor.fetchone()[0])
        if 2 * rows <= held:
            indexes = []
        else:
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%%'",
                tables,
            )
            indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield  # an exception propagates to the transaction, whose rollback restores the indexes
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


@contextmanager
def foreign_keys_checked_after(columns: dict, *, rows: int) -> Iterator[None]:
    """On PostgreSQL, the foreign keys of the given columns ({model: [field name, ...]}) are dropped
    for a bulk load and added again after it, with the same name and definition, when the `rows`
    about to be inserted are at least half the rows the tables hold. Adding a foreign key checks
    every row in one join; left in place, each inserted row queued a check of its own for the
    commit (the demo's registry: 170,000 trigger calls, a fifth of `katalog demo` on PostgreSQL).
    Use inside the load's transaction: a row that breaks a key fails the load when the key is
    added again, and a failure rolls back to the keys as they were. Until the commit the tables
    the keys point to are locked (`ACCESS EXCLUSIVE`): for a first load, not beside other users.
    The checks the transaction had deferred so far are made first (a table with pending checks
    cannot be altered), and the constraints deferred again after. Elsewhere, does nothing."""
    if connection.vendor != "postgresql" or not rows:
        yield
        return
    qn = connection.ops.quote_name
    keys = []  # (table, name, definition)
    with connection.cursor() as cursor:
        held = 0
        for model in columns:
            cursor.execute(f"SELECT COUNT(*) FROM {qn(model._meta.db_table)}")  # noqa: S608
            held = max(held, cursor.fetchone()[0])
        if 2 * rows > held:
            for model, names in columns.items():
                wanted = {model._meta.get_field(name).column for name in names}
                cursor.execute(
                    "SELECT a.attname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                    "WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND cardinality(c.conkey) = 1 "
                    "ORDER BY c.conname",
                    [model._meta.db_table],
                )
                keys += [
                    (model._meta.db_table, name, sql) for column, name, sql in cursor.fetchall() if column in wanted
                ]
        if keys:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _sql in keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
    yield  # an exception propagates to the transaction, whose rollback restores the keys
    if not keys:
        return
    with connection.cursor() as cursor:
        for table, name, sql in keys:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {sql}")
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.condeferrable AND NOT c.condeferred"
        )
        immediate = [name for (name,) in cursor.fetchall()]
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if immediate:  # deferrable but checked at once unless told otherwise: as they were
            cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")


def run_import(
    *,
    katalog: Katalog,
    table: Table,
    source_name: str,
    actor=None,
    dry_run: bool = False,
    chosen: frozenset[int] | set[int] = frozenset(),
) -> ImportOutcome:
    """Import a whole table batch by batch (the command's path): new and changed rows are written
    at once, conflicts are held back (unless their line is in `chosen`). A dry run writes nothing
    and returns the preview's counts."""
    with few_collections():
        return _run_import(
            katalog=katalog, table=table, source_name=source_name, actor=actor, dry_run=dry_run, chosen=chosen
        )


def _run_import(*, katalog, table, source_name, actor, dry_run, chosen) -> ImportOutcome:
    duplicates = find_duplicates(table.rows)
    checker = RowChecker(katalog)
    total = ImportOutcome()
    with transaction.atomic():
        for start in range(0, len(table.rows), COMMAND_BATCH):
            total.add(
                import_rows(
                    katalog=katalog,
                    rows=table.rows[start : start + COMMAND_BATCH],
                    duplicates=duplicates,
                    source_name=source_name,
                    actor=actor,
                    checker=checker,
                    chosen=chosen,
                    dry_run=dry_run,
                    bulk=True,
                )
            )
        if not dry_run:
            audit.record(
                actor=actor,
                action="vendor.import",
                obj=katalog,
                katalog=katalog,
                file=source_name,
                summary=total.summary(),
            )
    if not dry_run and (total.imported or total.updated):
        # Fresh planner statistics after a bulk load (PostgreSQL): stale ones made the dashboards
        # expect one row and sort on disk (docs/performance.md).
        from katalog.insights.vendor_rollups import analyze

        analyze()
    return total


def write_import_report(
    rejections: list[tuple[int, str, str]],
    out,
    *,
    conflicts: list[tuple[int, str, str]] | None = None,
    data: dict[int, dict[str, str]] | None = None,
) -> None:
    """The report: `baris, kolom, alasan`, one line per problem (rejections, then the conflicts held
    back), followed by the row's own cells; every cell escaped against formulas."""
    data = data or {}
    writer = csv.writer(out)
    writer.writerow(["baris", "kolom", "alasan", *COLUMNS])
    problems = sorted(rejections, key=lambda r: (r[0], r[1])) + sorted(conflicts or [], key=lambda r: (r[0], r[1]))
    for line, column, reason in problems:
        row = data.get(int(line), {})
        writer.writerow([line, safe_cell(column), safe_cell(reason), *(safe_cell(row.get(c, "")) for c in COLUMNS)])
