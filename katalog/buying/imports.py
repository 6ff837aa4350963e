"""Importing budget lines (RUP packages) from the SiRUP export, as CSV or XLSX.

One reader and one row checker serve the `import_rup` command and the upload page, and both
behave like the UMKM import: headers matched without regard to case and spaces, a leading `No`
column ignored, amounts written `1.500.000` or `Rp 1.500.000`, every bad row reported as
(line, column, reason), good rows kept. Lines are matched by (tenant, kode_rup), so importing the
same file again changes nothing.

A ceiling (pagu) may be lowered only down to what orders already committed. The new ceiling is
written by a conditional UPDATE (`… WHERE committed <= new ceiling`), so a purchase reserving
budget at the same moment cannot slip in between the check and the write."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from katalog.accounts.models import Office
from katalog.accounts.selectors import Actor
from katalog.core import audit
from katalog.core.errors import NotAllowed
from katalog.core.models import Katalog
from katalog.core.money import MoneyParseError, format_rupiah, parse_rupiah
from katalog.core.permissions import Permission
from katalog.core.tabular import ImportFileError, Outcome, Table, write_report
from katalog.core.tabular import read_path as _read_path
from katalog.core.tabular import read_table as _read_table

from .models import BudgetLine

COLUMNS = ["kode_rup", "nama_paket", "kode_opd", "pagu", "tahun_anggaran", "sumber_dana"]
REQUIRED_COLUMNS = ["kode_rup", "nama_paket", "kode_opd", "pagu", "tahun_anggaran"]
DEFAULT_FUNDING = "APBD"
COMPARED = ["name", "office_id", "fiscal_year", "funding_source", "ceiling"]

__all__ = ["ImportFileError", "Outcome", "read_path", "read_table", "run_import", "write_report"]


def read_table(data: bytes, filename: str) -> Table:
    return _read_table(data, filename, columns=COLUMNS, required=REQUIRED_COLUMNS)


def read_path(path: str | Path) -> Table:
    return _read_path(path, columns=COLUMNS, required=REQUIRED_COLUMNS)


@dataclass
class Row:
    line: int
    kode_rup: str
    fields: dict


def _check(values: dict[str, str], offices: dict[str, Office]) -> tuple[dict, list[tuple[str, str]]]:
    """One row → the line's fields, or a list of (column, reason)."""
    errors: list[tuple[str, str]] = []
    out: dict = {}
    code = values.get("kode_rup", "").strip()
    if not code:
        errors.append(("kode_rup", _("the RUP code is empty")))
    elif len(code) > 30:
        errors.append(("kode_rup", _("the RUP code is longer than 30 characters")))
    out["kode_rup"] = code
    name = values.get("nama_paket", "").strip()
    if not name:
        errors.append(("nama_paket", _("the package name is empty")))
    out["name"] = name[:300]
    office_code = values.get("kode_opd", "").strip()
    office = offices.get(office_code)
    if not office_code:
        errors.append(("kode_opd", _("the office code is empty")))
    elif office is None:
        errors.append(("kode_opd", _("no office of this catalogue has the code %(code)s") % {"code": office_code[:30]}))
    else:
        out["office_id"] = office.pk
    raw = values.get("pagu", "").strip()
    try:
        ceiling = parse_rupiah(raw)
        if ceiling <= 0:
            raise MoneyParseError(raw)
        out["ceiling"] = ceiling
    except MoneyParseError:
        errors.append(("pagu", _("not a positive amount in rupiah: %(v)s") % {"v": raw[:40]}))
    year = values.get("tahun_anggaran", "").strip()
    if year.isdigit() and 2000 <= int(year) <= 2100:
        out["fiscal_year"] = int(year)
    else:
        errors.append(("tahun_anggaran", _("not a fiscal year: %(v)s") % {"v": year[:20]}))
    funding = values.get("sumber_dana", "").strip() or DEFAULT_FUNDING
    if len(funding) > 30:
        errors.append(("sumber_dana", _("the funding source is longer than 30 characters")))
    out["funding_source"] = funding
    return out, errors


def _rows(katalog: Katalog, table: Table, outcome: Outcome) -> list[Row]:
    """The rows that passed their own checks (duplicates of an earlier line are refused)."""
    offices = {o.code: o for o in Office.objects.filter(katalog=katalog)}
    first: dict[str, int] = {}
    good: list[Row] = []
    for line, values in table.rows:
        fields, errors = _check(values, offices)
        code = fields["kode_rup"]
        if code and code in first:
            errors.insert(0, ("kode_rup", _("the same RUP code is already on line %(first)s") % {"first": first[code]}))
        elif code:
            first[code] = line
        if errors:
            outcome.rejections.extend((line, col, reason) for col, reason in errors)
        else:
            good.append(Row(line, code, fields))
    return good


def _write(katalog: Katalog, rows: list[Row], outcome: Outcome) -> None:
    existing = {
        b.kode_rup: b for b in BudgetLine.objects.filter(katalog=katalog, kode_rup__in=[r.kode_rup for r in rows])
    }
    new = []
    for row in rows:
        line = existing.get(row.kode_rup)
        fields = {k: v for k, v in row.fields.items() if k != "kode_rup"}
        if line is None:
            new.append(BudgetLine(katalog=katalog, kode_rup=row.kode_rup, **fields))
            continue
        if all(getattr(line, k) == fields[k] for k in COMPARED):
            outcome.unchanged += 1
            continue
        if line.office_id != fields["office_id"] and line.orders.exists():
            outcome.rejections.append(
                (
                    row.line,
                    "kode_opd",
                    _("this package already has orders of office %(office)s; it cannot move to another office")
                    % {"office": line.office.code},
                )
            )
            continue
        # Conditional: the ceiling never drops below what is committed, even against a purchase
        # reserving budget right now (the CHECK constraint would refuse it anyway).
        updated = BudgetLine.objects.filter(pk=line.pk, committed__lte=fields["ceiling"]).update(**fields)
        if not updated:
            committed = BudgetLine.objects.filter(pk=line.pk).values_list("committed", flat=True).get()
            outcome.rejections.append(
                (
                    row.line,
                    "pagu",
                    _("the new ceiling %(new)s is below the %(committed)s already committed (ceiling now %(old)s)")
                    % {
                        "new": format_rupiah(fields["ceiling"]),
                        "committed": format_rupiah(committed),
                        "old": format_rupiah(line.ceiling),
                    },
                )
            )
            continue
        outcome.updated += 1
    BudgetLine.objects.bulk_create(new, batch_size=500)
    outcome.imported += len(new)


def run_import(*, actor: Actor, katalog: Katalog, table: Table, source_name: str, dry_run: bool = False) -> Outcome:
    """Check every row and write the good ones in one transaction, with one audit entry.
    A dry run counts the same and rolls everything back."""
    if not actor.can(Permission.BUDGET_MANAGE) or (actor.katalog is not None and actor.katalog.pk != katalog.pk):
        raise NotAllowed()
    outcome = Outcome()
    with transaction.atomic():
        rows = _rows(katalog, table, outcome)
        _write(katalog, rows, outcome)
        audit.record(
            actor=actor.db_user,
            action="budget.import",
            obj=katalog,
            katalog=katalog,
            file=source_name[:200],
            summary=outcome.summary(),
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
    return outcome
