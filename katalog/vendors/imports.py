"""Importing the Dinas UMKM registry (CSV or XLSX).

One reader, one row checker and one planner serve both the `import_umkm` command and the import
page. Each row is planned first (`plan_rows`): new, changed (with the field-by-field difference),
unchanged, rejected (every reason, counted once) or a conflict: a row that would overwrite what a
vendor entered itself after claiming its record, or a verified vendor's name, owner or district.
A conflict is held back unless the clerk chose its line. The page shows the plan as a preview and
writes only when the clerk confirms; the command writes at once (`--dry-run`: the plan only).
Rows are planned and written in batches with one query for the batch's vendors."""

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.core import audit
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
BATCH = 2000
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
    found = [col for col, value in values.items() if str(value).startswith(FORMULA)]
    # In the file's column order: a row read back from a JSON column (PostgreSQL's jsonb) has lost it.
    order = {col: n for n, col in enumerate(COLUMNS)}
    return sorted(found, key=lambda col: (order.get(col, len(order)), col))


class RowChecker:
    """Turns one row into vendor fields, or into a list of (column, reason)."""

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

    def check(self, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        errors: list[tuple[str, str]] = []
        out: dict[str, Any] = {}

        def need(col: str, message: str) -> str:
            value = values.get(col, "").strip()
            if not value:
                errors.append((col, message))
            return value

        out["name"] = need("nama_usaha", _("the business name is empty"))[:200]
        out["owner_name"] = values.get("nama_pemilik", "").strip()[:150]
        for col, key, fn in (
            ("nib", "nib", validators.clean_nib),
            ("npwp", "npwp", validators.clean_npwp),
            ("kbli", "kbli", validators.clean_kbli_list),
            ("telepon", "phone", validators.clean_phone),
        ):
            raw = values.get(col, "").strip()
            if not raw:
                if col == "nib":
                    errors.append((col, _("NIB is empty")))
                out[key] = [] if key == "kbli" else ""
                continue
            try:
                out[key] = fn(raw)
            except ValidationError as exc:
                errors.append((col, exc.messages[0]))
        email = values.get("email", "").strip()
        if email:
            try:
                validate_email(email)
                out["email"] = email.lower()
            except ValidationError:
                errors.append(("email", _("not a valid e-mail address: %(v)s") % {"v": email[:60]}))
        else:
            out["email"] = ""
        out["address"] = values.get("alamat", "").strip()[:300]
        out["sector"] = values.get("sektor", "").strip()[:100]
        code = need("kode_wilayah", _("the region code is empty"))
        if code:
            region, problem = self.find_region(code)
            if region is None:
                errors.append(("kode_wilayah", problem))
            else:
                out["region_id"] = region.code
                out["district_id"] = region.district_code
        amounts: dict[str, Decimal | None] = {}
        for col, key in (("modal_usaha", "capital"), ("omzet_tahunan", "annual_sales")):
            raw = values.get(col, "").strip()
            if not raw:
                amounts[key] = None
                continue
            try:
                amount = parse_rupiah(raw)
                if amount < 0:
                    raise MoneyParseError(raw)
                amounts[key] = amount
            except MoneyParseError:
                errors.append((col, _("not an amount in rupiah: %(v)s") % {"v": raw[:40]}))
        if not any(amounts.values()) and not any(c in ("modal_usaha", "omzet_tahunan") for c, _r in errors):
            errors.append(("modal_usaha", _("give the business capital or the annual sales")))
        out.update(amounts)
        pkp = values.get("pkp", "").strip().lower()
        if pkp in TRUE:
            out["is_vat_registered"] = True
        elif pkp in FALSE:
            out["is_vat_registered"] = False
        else:
            errors.append(("pkp", _("write ya or tidak")))
        if not errors:
            out["size_class"] = classify(capital=out["capital"], annual_sales=out["annual_sales"])
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
    A conflict whose line is in `chosen` (the clerk ticked it) is planned as a change."""
    checker = checker or RowChecker(katalog)
    plans: list[RowPlan] = []
    good: dict[str, RowPlan] = {}
    for line, values in rows:
        plan = RowPlan(
            line=line,
            kind=Kind.REJECTED,
            nib=values.get("nib", "")[:20],
            name=values.get("nama_usaha", "")[:200],
            formula=formula_columns(values),
        )
        plans.append(plan)
        if line in duplicates:
            plan.errors.append(("nib", _("the same NIB is already on line %(first)s") % {"first": duplicates[line]}))
            continue
        fields, errors = checker.check(values)
        if errors:
            plan.errors = errors
            continue
        plan.fields, plan.nib = fields, fields["nib"]
        good[fields["nib"]] = plan
    if not good:
        return plans
    vendors = Vendor.objects.filter(katalog=katalog, nib__in=list(good))
    if lock:
        vendors = vendors.select_for_update()
    existing = {v.nib: v for v in vendors}
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


def write_plans(*, katalog: Katalog, plans: list[RowPlan], source_name: str) -> None:
    """Create the new vendors and update the changed ones of one batch (call inside a transaction,
    with the plans made under `lock=True`). Conflicts, rejected and unchanged rows are not touched."""
    today = timezone.localdate()
    now = timezone.now()
    reason = _("Dinas registry import (%(file)s)") % {"file": source_name[:100]}
    new, changed, history, reindex = [], [], [], []
    for plan in plans:
        if plan.kind == Kind.NEW:
            new.append(
                Vendor(
                    katalog=katalog,
                    status=VendorStatus.VERIFIED,
                    source=VendorSource.IMPORT,
                    verified_at=now,
                    submitted_at=now,
                    **plan.fields,
                )
            )
            continue
        if plan.kind != Kind.CHANGED:
            continue
        vendor, fields = plan.vendor, plan.fields
        if vendor.size_class != fields["size_class"]:
            history.append(
                SizeClassChange(
                    katalog=katalog,
                    vendor=vendor,
                    changed_on=today,
                    old_class=vendor.size_class,
                    new_class=fields["size_class"],
                    capital=fields["capital"],
                    annual_sales=fields["annual_sales"],
                    reason=reason,
                )
            )
        before = indexed_facts(vendor)
        for k in COMPARED:
            setattr(vendor, k, fields[k])
        if vendor.status != VendorStatus.VERIFIED:
            vendor.status, vendor.verified_at, vendor.status_reason = VendorStatus.VERIFIED, now, ""
        vendor.updated_at = now
        changed.append(vendor)
        if indexed_facts(vendor) != before:
            reindex.append(vendor.pk)
    Vendor.objects.bulk_create(new, batch_size=500)
    if new and new[0].pk is None:  # backends that do not return ids (none we support, but be safe)
        ids = dict(Vendor.objects.filter(katalog=katalog, nib__in=[v.nib for v in new]).values_list("nib", "pk"))
        for v in new:
            v.pk = ids[v.nib]
    history += [
        SizeClassChange(
            katalog=katalog,
            vendor=v,
            changed_on=today,
            old_class="",
            new_class=v.size_class,
            capital=v.capital,
            annual_sales=v.annual_sales,
            reason=reason,
        )
        for v in new
    ]
    if changed:
        Vendor.objects.bulk_update(
            changed, COMPARED + ["status", "verified_at", "status_reason", "updated_at"], batch_size=500
        )
    SizeClassChange.objects.bulk_create(history, batch_size=1000)
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
) -> ImportOutcome:
    """Plan and (unless a dry run) write one batch of rows in one transaction."""
    with transaction.atomic():
        plans = plan_rows(
            katalog=katalog, rows=rows, duplicates=duplicates, checker=checker, chosen=chosen, lock=not dry_run
        )
        if not dry_run:
            write_plans(katalog=katalog, plans=plans, source_name=source_name)
    return outcome_of(plans, rows)


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
    duplicates = find_duplicates(table.rows)
    checker = RowChecker(katalog)
    total = ImportOutcome()
    with transaction.atomic():
        for start in range(0, len(table.rows), BATCH):
            total.add(
                import_rows(
                    katalog=katalog,
                    rows=table.rows[start : start + BATCH],
                    duplicates=duplicates,
                    source_name=source_name,
                    actor=actor,
                    checker=checker,
                    chosen=chosen,
                    dry_run=dry_run,
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
