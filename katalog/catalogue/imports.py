"""Importing a vendor's products (CSV or XLSX), by the vendor or by the Pengelola for a UMKM.

Rows are matched by vendor and product name: a row that says what the product already says changes
nothing; one that differs writes a new version. Every bad row is reported with its reason; the good
ones are kept. A missing category attribute is noted on the product, never a reason to refuse."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core.errors import DomainError
from katalog.core.money import MoneyParseError, parse_rupiah
from katalog.core.tabular import Outcome, Table
from katalog.vendors.models import Vendor

from . import services
from .forms import parse_percent, parse_specifications
from .models import Product, ProductStatus
from .selectors import find_category

COLUMNS = [
    "nama",
    "kategori",
    "deskripsi",
    "satuan",
    "harga",
    "stok",
    "minimum_pesan",
    "lead_time_hari",
    "tkdn_persen",
    "pdn",
    "spesifikasi",
]
REQUIRED = ["nama", "kategori", "satuan", "harga"]
YES = {"ya", "y", "yes", "true", "1", "pdn"}
NO = {"tidak", "t", "no", "n", "false", "0", ""}


def _int(values, col, default, minimum, errors):
    raw = values.get(col, "").strip()
    if not raw:
        return default
    try:
        number = int(Decimal(raw.replace(".", "")) if "," not in raw else Decimal(raw.replace(",", ".")))
    except Exception:  # any unreadable number
        errors.append((col, _("not a whole number: %(v)s") % {"v": raw[:30]}))
        return default
    if number < minimum:
        errors.append((col, _("must be at least %(n)s") % {"n": minimum}))
    return number


def check_row(vendor: Vendor, values: dict[str, str]) -> tuple[services.ProductData | None, int, list]:
    errors: list[tuple[str, str]] = []
    name = values.get("nama", "").strip()
    if not name:
        errors.append(("nama", _("the product name is empty")))
    category = find_category(vendor.katalog, values.get("kategori", ""))
    if category is None:
        errors.append(("kategori", _("unknown category: %(v)s") % {"v": values.get("kategori", "")[:60]}))
    unit = values.get("satuan", "").strip()
    if not unit:
        errors.append(("satuan", _("the unit is empty")))
    price = None
    try:
        price = parse_rupiah(values.get("harga", ""))
        if price <= 0:
            errors.append(("harga", _("the price must be above zero")))
    except MoneyParseError:
        errors.append(("harga", _("not an amount in rupiah: %(v)s") % {"v": values.get("harga", "")[:40]}))
    stock = _int(values, "stok", 0, 0, errors)
    min_order = _int(values, "minimum_pesan", 1, 1, errors)
    lead = _int(values, "lead_time_hari", 3, 0, errors)
    tkdn = None
    try:
        tkdn = parse_percent(values.get("tkdn_persen", ""))
    except ValidationError as exc:
        errors.append(("tkdn_persen", exc.messages[0]))
    pdn = values.get("pdn", "").strip().lower()
    if pdn not in YES | NO:
        errors.append(("pdn", _("write ya or tidak")))
    specs: dict[str, str] = {}
    try:
        specs = parse_specifications(values.get("spesifikasi", ""))
    except ValidationError as exc:
        errors.append(("spesifikasi", exc.messages[0]))
    if errors:
        return None, 0, errors
    data = services.ProductData(
        name=name[:200],
        category=category,
        unit=unit[:30],
        price=price,
        description=values.get("deskripsi", ""),
        specifications=specs,
        min_order=min_order,
        lead_time_days=lead,
        is_domestic=pdn in YES,
        tkdn_percent=tkdn,
    )
    return data, stock, []


def run_import(*, actor: Actor, vendor: Vendor, table: Table, mode: str = "draft") -> Outcome:
    """Import rows for `vendor`. mode: "draft" (leave them for the vendor), "submit" (send to the
    curation queue) or "approve" (list them at once, curated by the actor: the assisted path)."""
    outcome = Outcome()
    seen: dict[str, int] = {}
    existing = {p.name.lower(): p for p in Product.objects.filter(vendor=vendor).select_related("latest_version")}
    for line, values in table.rows:
        key = values.get("nama", "").strip().lower()
        if key and key in seen:
            outcome.rejections.append((line, "nama", _("the same product is already on line %(n)s") % {"n": seen[key]}))
            continue
        data, stock, errors = check_row(vendor, values)
        if errors:
            outcome.rejections.extend((line, col, reason) for col, reason in errors)
            continue
        seen[key] = line
        try:
            with transaction.atomic():
                product = existing.get(key)
                if product is None:
                    product = services.product_create(actor=actor, vendor=vendor, data=data, stock=stock)
                    kind = "imported"
                else:
                    before = (product.latest_version_id, product.stock)
                    product = services.product_update(actor=actor, product=product, data=data, stock=stock)
                    kind = "unchanged" if (product.latest_version_id, product.stock) == before else "updated"
                # Also an unchanged row: a file imported as drafts and again with --submit is sent on.
                _advance(actor=actor, product=product, mode=mode)
        except DomainError as exc:  # the row is rolled back whole and reported
            column = "stok" if "stock" in exc.fields else "nama"
            outcome.rejections.append((line, column, str(exc.message)))
            continue
        existing[key] = product
        setattr(outcome, kind, getattr(outcome, kind) + 1)
    return outcome


def _advance(*, actor: Actor, product: Product, mode: str) -> None:
    if mode == "draft":
        return
    if product.status in (
        ProductStatus.DRAFT,
        ProductStatus.REVISION_REQUESTED,
        ProductStatus.REJECTED,
        ProductStatus.WITHDRAWN,
    ):
        product = services.product_submit(actor=actor, product=product)
    if mode == "approve" and (product.status == ProductStatus.SUBMITTED or product.has_pending_change):
        services.product_approve(actor=actor, product=product)
