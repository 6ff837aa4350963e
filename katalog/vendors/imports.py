"""Importing the Dinas UMKM registry (CSV or XLSX).

One reader and one row checker serve both the `import_umkm` command and the import page.
Every valid row is created or updated (matched by NIB within the tenant); every invalid row is
reported with its line, column and reason; nothing else is lost. Rows are written in batches
with one query to find the batch's existing vendors, so 30,000 rows take seconds."""

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
__all__ = ["ImportFileError", "Outcome", "read_path", "read_table", "run_import", "safe_cell", "write_report"]
TRUE = {"ya", "y", "yes", "true", "1", "pkp", "benar"}
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
        self.katalog = katalog

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
            region = self.regions.get(code)
            if region is None:
                errors.append(
                    (
                        "kode_wilayah",
                        _("%(code)s is not a district or village of %(name)s")
                        % {"code": code[:20], "name": self.katalog.region.name},
                    )
                )
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


def import_rows(
    *,
    katalog: Katalog,
    rows: list[tuple[int, dict[str, str]]],
    duplicates: dict[int, int],
    source_name: str,
    actor=None,
    checker: RowChecker | None = None,
) -> Outcome:
    """Check and write one batch of rows in one transaction."""
    checker = checker or RowChecker(katalog)
    outcome = Outcome()
    good: dict[str, dict[str, Any]] = {}
    for line, values in rows:
        if line in duplicates:
            outcome.rejections.append(
                (line, "nib", _("the same NIB is already on line %(first)s") % {"first": duplicates[line]})
            )
            continue
        fields, errors = checker.check(values)
        if errors:
            outcome.rejections.extend((line, col, reason) for col, reason in errors)
        else:
            good[fields["nib"]] = fields
    if not good:
        return outcome
    today = timezone.localdate()
    now = timezone.now()
    reason = _("Dinas registry import (%(file)s)") % {"file": source_name[:100]}
    with transaction.atomic():
        existing = {v.nib: v for v in Vendor.objects.filter(katalog=katalog, nib__in=list(good))}
        new, changed, history, reindex = [], [], [], []
        for nib, fields in good.items():
            vendor = existing.get(nib)
            if vendor is None:
                new.append(
                    Vendor(
                        katalog=katalog,
                        status=VendorStatus.VERIFIED,
                        source=VendorSource.IMPORT,
                        verified_at=now,
                        submitted_at=now,
                        **fields,
                    )
                )
                continue
            diff = [k for k in COMPARED if getattr(vendor, k) != fields[k]]
            if not diff:
                outcome.unchanged += 1
                continue
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
            for k in diff:
                setattr(vendor, k, fields[k])
            if vendor.status != VendorStatus.VERIFIED:
                vendor.status, vendor.verified_at, vendor.status_reason = VendorStatus.VERIFIED, now, ""
                diff += ["status", "verified_at", "status_reason"]
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
        outcome.imported += len(new)
        outcome.updated += len(changed)
    return outcome


def run_import(*, katalog: Katalog, table: Table, source_name: str, actor=None, dry_run: bool = False) -> Outcome:
    """Import a whole table batch by batch (the command's path). A dry run rolls everything back."""
    duplicates = find_duplicates(table.rows)
    checker = RowChecker(katalog)
    total = Outcome()
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
                )
            )
        audit.record(
            actor=actor,
            action="vendor.import",
            obj=katalog,
            katalog=katalog,
            file=source_name,
            summary=total.summary(),
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
    return total
