"""Open data: the orders of the catalogue as OCDS 1.1 releases and records (issue 9, docs/decisions.md
"Open data (OCDS)").

Every order that reached the Surat Pesanan (it has an `OrderDocument` of kind "sp") is one contracting
process with its own `ocid`: `KATALOG_OCDS_PREFIX` + "-" + the tenant's code + "-" + the order id, e.g.
`ocds-xxxxxx-12.71-42`. Its releases follow its state changes, each with a stable id
(`<ocid>-<event>`) and the date of the event (city time, WIB):

- `sp`: the PPK approved and the Surat Pesanan was issued: tags `award` and `contract` (award active,
  contract pending until the vendor confirms);
- `confirmed`: the vendor confirmed: `contractUpdate` (contract active);
- `payment-<id>`: a payment was recorded: `implementation`, the payments as `transactions`;
- `completed`: the PPK rated the vendor and closed the order: `contractTermination` (terminated);
- `cancelled`: the order was cancelled after its Surat Pesanan: `awardCancellation` and
  `contractTermination` (award cancelled; contract cancelled, or terminated if it was in force).

Each release repeats what was known at its date (parties, tender, award, contract), so a release read
alone is whole; the compiled record merges them (`compile_record`). Nothing personal is published:
the buyer is the office and the supplier the business, by name and business identifiers only
(never an owner's name, a NIK, a phone number, an address, an e-mail, a document or a user name).
"""

import copy
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from katalog.buying.models import DocumentKind, Order, OrderStatus, Payment, Rating
from katalog.core.models import Katalog
from katalog.vendors.size_class import SizeClass

OCDS_VERSION = "1.1"
SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "ocds" / "1.1.5"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
CURRENCY = "IDR"
METHOD_DETAILS = "e-purchasing katalog elektronik lokal"
# Identifier schemes (not lists of org-id.guide, which has none for Indonesia yet; decisions.md).
SCHEME_NIB = "ID-NIB"  # Nomor Induk Berusaha, issued by OSS
SCHEME_NPWP = "ID-NPWP"  # the tax number of a business (an entity's NPWP only)
SCHEME_OFFICE = "ID-PEMDA-OPD"  # "<tenant region code>/<office code>"
SCHEME_REGION = "ID-KEMENDAGRI"  # the Kepmendagri region code of the regional government

# PP 7/2021 size classes as OCDS `details.scale` (partyScale codelist: micro, sme, large).
SCALE = {
    SizeClass.MIKRO: "micro",
    SizeClass.KECIL: "sme",
    SizeClass.MENENGAH: "sme",
    SizeClass.BESAR: "large",
}


def prefix() -> str:
    return str(getattr(settings, "KATALOG_OCDS_PREFIX", "ocds-xxxxxx")).strip().rstrip("-")


def ocid_for(order: Order) -> str:
    return f"{prefix()}-{order.katalog.code}-{order.pk}"


def order_id_of(katalog: Katalog, ocid: str) -> int | None:
    """The order id an ocid of this tenant names, or None when it names none of the tenant's."""
    head = f"{prefix()}-{katalog.code}-"
    if not ocid.startswith(head):
        return None
    tail = ocid[len(head) :]
    if not tail.isascii() or not tail.isdigit() or len(tail) > 18 or tail.startswith("0"):
        return None
    return int(tail)


# --- Formatting ---------------------------------------------------------------------------------------


def when(value: datetime | date | None) -> str | None:
    """An aware ISO 8601 date-time in city time (WIB), to the second; a date is its midnight."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time.min))
    return timezone.localtime(value).isoformat(timespec="seconds")


def amount(value) -> int | float:
    """A money amount as a JSON number: whole rupiah as an integer, else with its sen."""
    value = Decimal(value or 0)
    return int(value) if value == value.to_integral_value() else float(value)


def money(value) -> dict:
    return {"amount": amount(value), "currency": CURRENCY}


def _digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def business_npwp(npwp: str) -> str | None:
    """The NPWP to publish, or None. Only an entity's NPWP is published (15 digits whose first two,
    the taxpayer kind, are 01-03; or its 16-digit form, a 0 in front): a person's NPWP is personal
    data, and since PMK 112/2022 a person's 16-digit NPWP is their NIK (the vendor form even takes
    the NIK of a business with no NPWP)."""
    digits = _digits(npwp)
    if len(digits) == 16 and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) == 15 and digits[:2] in ("01", "02", "03"):
        return digits
    return None


# --- Events -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    order_id: int
    key: str  # "sp", "confirmed", "payment-12", "completed", "cancelled"
    at: datetime

    @property
    def sort_key(self):
        return (self.at, self.order_id, _KEY_RANK.get(self.key.split("-")[0], 9), self.key)


_KEY_RANK = {"sp": 0, "confirmed": 1, "payment": 2, "completed": 3, "cancelled": 4}


def published_orders(katalog: Katalog):
    """The tenant's orders that reached the Surat Pesanan."""
    return Order.objects.filter(katalog=katalog, documents__kind=DocumentKind.PURCHASE_ORDER).distinct()


def events(katalog: Katalog, *, since: datetime | None = None, order_ids=None) -> list[Event]:
    """Every release of the tenant as (order, event, date), oldest first; read from a few columns
    only, so that paging builds the full releases of one page's orders alone."""
    orders = published_orders(katalog)
    if order_ids is not None:
        orders = orders.filter(pk__in=order_ids)
    rows = orders.annotate(
        sp_at=Min("documents__created_at", filter=Q(documents__kind=DocumentKind.PURCHASE_ORDER))
    ).values_list("pk", "approved_at", "sp_at", "confirmed_at", "cancelled_at", "status")
    found: list[Event] = []
    ids = []
    for pk, approved_at, sp_at, confirmed_at, cancelled_at, status in rows:
        ids.append(pk)
        found.append(Event(pk, "sp", approved_at or sp_at))
        if confirmed_at:
            found.append(Event(pk, "confirmed", confirmed_at))
        if status == OrderStatus.CANCELLED and cancelled_at:
            found.append(Event(pk, "cancelled", cancelled_at))
    payments = Payment.objects.filter(invoice__order__katalog=katalog, invoice__order_id__in=ids)
    for order_id, pk, created_at in payments.values_list("invoice__order_id", "pk", "created_at"):
        found.append(Event(order_id, f"payment-{pk}", created_at))
    ratings = Rating.objects.filter(order__katalog=katalog, order_id__in=ids, order__status=OrderStatus.COMPLETED)
    for order_id, created_at in ratings.values_list("order_id", "created_at"):
        found.append(Event(order_id, "completed", created_at))
    if since is not None:
        found = [e for e in found if e.at >= since]
    return sorted(found, key=lambda e: e.sort_key)


# --- Building releases --------------------------------------------------------------------------------


def _orders_by_id(katalog: Katalog, ids) -> dict[int, Order]:
    qs = (
        Order.objects.filter(katalog=katalog, pk__in=list(ids))
        .select_related("katalog", "office", "vendor", "vendor__district", "budget_line")
        .prefetch_related("items__version__category", "documents", "invoice__payments")
    )
    return {o.pk: o for o in qs}


def _organization_ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _buyer(order: Order) -> dict:
    office = order.office
    return {
        "id": f"office-{office.code}",
        "name": office.name,
        "identifier": {
            "scheme": SCHEME_OFFICE,
            "id": f"{order.katalog.code}/{office.code}",
            "legalName": office.name,
        },
        "roles": ["buyer", "procuringEntity", "payer"],
    }


def _supplier(order: Order) -> dict:
    vendor = order.vendor
    identifiers = []
    nib = _digits(vendor.nib)
    if len(nib) == 13:
        identifiers.append({"scheme": SCHEME_NIB, "id": nib, "legalName": vendor.name})
    npwp = business_npwp(vendor.npwp)
    if npwp:
        identifiers.append({"scheme": SCHEME_NPWP, "id": npwp, "legalName": vendor.name})
    party = {
        "id": f"vendor-{vendor.pk}",
        "name": vendor.name,
        "roles": ["supplier", "payee"],
        "details": {"scale": SCALE.get(vendor.size_class, "sme")},
    }
    if identifiers:
        party["identifier"] = identifiers[0]
        if identifiers[1:]:
            party["additionalIdentifiers"] = identifiers[1:]
    if vendor.district_id:
        # The kecamatan only: never the street address (a micro business is often its owner's home).
        party["address"] = {"locality": vendor.district.name, "countryName": "Indonesia"}
    return party


def _items(order: Order) -> list[dict]:
    out = []
    for item in sorted(order.items.all(), key=lambda i: i.pk):
        version = item.version
        out.append(
            {
                "id": str(item.pk),
                "description": version.name,
                "classification": {
                    "scheme": "X-KATALOG-KATEGORI",
                    "id": version.category.code,
                    "description": version.category.name,
                },
                # What the Surat Pesanan ordered (a later refusal that reduces the order is not a change of it).
                "quantity": item.quantity + item.reduced_quantity,
                "unit": {"name": version.unit, "value": money(item.unit_price)},
            }
        )
    return out


def _sp(order: Order):
    return next((d for d in order.documents.all() if d.kind == DocumentKind.PURCHASE_ORDER), None)


def _contract_value(order: Order, sp) -> dict:
    """What the Surat Pesanan commits: DPP + PPN, as the document fixed it."""
    fixed = (sp.snapshot or {}).get("amount") if sp is not None else None
    return money(fixed if fixed not in (None, "") else Decimal(order.total or 0) + Decimal(order.vat or 0))


def _payments(order: Order) -> list:
    try:
        invoice = order.invoice
    except Order.invoice.RelatedObjectDoesNotExist:
        return []
    return sorted(invoice.payments.all(), key=lambda p: p.pk)


def release(order: Order, key: str, at: datetime, *, site: str = "") -> dict:
    """The release of `order` for its event `key` (see the module's docstring), as known at `at`."""
    ocid = ocid_for(order)
    sp = _sp(order)
    buyer, supplier = _buyer(order), _supplier(order)
    items = _items(order)
    value = _contract_value(order, sp)
    line = order.budget_line
    award_status, contract_status = "active", "pending"
    tags = ["award", "contract"]
    kind = key.split("-")[0]
    confirmed = order.confirmed_at is not None and order.confirmed_at <= at
    if confirmed:
        contract_status = "active"
    payments = [p for p in _payments(order) if p.created_at <= at]
    if kind == "confirmed":
        tags = ["contractUpdate"]
    elif kind == "payment":
        tags = ["implementation"]
    elif kind == "completed":
        tags, contract_status = ["contractTermination"], "terminated"
    elif kind == "cancelled":
        tags = ["awardCancellation", "contractTermination"]
        award_status = "cancelled"
        contract_status = "terminated" if confirmed else "cancelled"
    contract = {
        "id": f"{ocid}-contract",
        "awardID": f"{ocid}-award",
        "title": f"Surat Pesanan {sp.number}" if sp is not None else "Surat Pesanan",
        "status": contract_status,
        "value": value,
        "items": items,
        "period": {"startDate": when(order.approved_at or (sp.created_at if sp else None))},
        "dateSigned": when(order.approved_at or (sp.created_at if sp else None)),
    }
    if order.delivery_deadline:
        contract["period"]["endDate"] = when(order.delivery_deadline)
    if payments:
        contract["implementation"] = {
            "transactions": [
                {
                    "id": f"payment-{p.pk}",
                    "date": when(p.paid_on),
                    "value": money(p.gross or p.amount),
                    "payer": _organization_ref(buyer),
                    "payee": _organization_ref(supplier),
                }
                for p in payments
            ]
        }
    out = {
        "ocid": ocid,
        "id": f"{ocid}-{key}",
        "date": when(at),
        "tag": tags,
        "initiationType": "tender",
        "language": "id",
        "parties": [buyer, supplier],
        "buyer": _organization_ref(buyer),
        "planning": {
            "budget": {
                "id": line.kode_rup,
                "description": line.name,
                "projectID": line.kode_rup,
            }
        },
        "tender": {
            "id": f"{ocid}-tender",
            "title": line.name,
            "status": "complete",
            "procuringEntity": _organization_ref(buyer),
            "items": items,
            "value": value,
            "procurementMethod": "limited",
            "procurementMethodDetails": METHOD_DETAILS,
            "mainProcurementCategory": "goods",
        },
        "awards": [
            {
                "id": f"{ocid}-award",
                "status": award_status,
                "date": when(order.approved_at or (sp.created_at if sp else None)),
                "value": value,
                "suppliers": [_organization_ref(supplier)],
                "items": items,
            }
        ],
        "contracts": [contract],
        "relatedProcesses": [_framework(order.katalog, site)],
    }
    return out


def _framework(katalog: Katalog, site: str) -> dict:
    """The catalogue itself, the framework each purchase is made under."""
    related = {"id": "katalog", "relationship": ["framework"], "title": katalog.name}
    if site:
        related["uri"] = site.rstrip("/") + "/"
    return related


def site_url(katalog: Katalog, request=None) -> str:
    """The public address of the tenant's site: the request's, else its domain, else KATALOG_SITE_URL."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    if katalog.domain:
        return f"https://{katalog.domain}"
    return (getattr(settings, "KATALOG_SITE_URL", "") or "http://localhost").rstrip("/")


def releases_for(katalog: Katalog, chosen: list[Event], *, site: str = "") -> list[dict]:
    orders = _orders_by_id(katalog, {e.order_id for e in chosen})
    return [release(orders[e.order_id], e.key, e.at, site=site) for e in chosen if e.order_id in orders]


# --- Packages -----------------------------------------------------------------------------------------


def publisher(katalog: Katalog, site: str) -> dict:
    return {"name": katalog.government_name or katalog.name, "scheme": SCHEME_REGION, "uid": katalog.code, "uri": site}


def page_size() -> int:
    return max(1, int(getattr(settings, "KATALOG_OCDS_PAGE_SIZE", 100)))


def release_package(
    katalog: Katalog, *, since: datetime | None = None, page: int | None = 1, uri: str, site: str, next_uri=None
) -> dict:
    """A release package: the releases since `since` (inclusive), oldest first, one page of
    `page_size()` (all of them when `page` is None), with `links.next` when another page follows
    (`next_uri(page + 1)` gives its address)."""
    every = everything = events(katalog)
    if since is not None:
        every = [e for e in everything if e.at >= since]
    if page is None:
        chosen, more = every, False
    else:
        size = page_size()
        start = (page - 1) * size
        chosen, more = every[start : start + size], len(every) > start + size
    # Generated on demand: the date of the newest change of the data (OCDS), not of the request.
    newest = max((e.at for e in everything), default=None)
    package = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": when(newest or timezone.now()),
        "publisher": publisher(katalog, site),
        "releases": releases_for(katalog, chosen, site=site),
    }
    if more and next_uri is not None:
        package["links"] = {"next": next_uri(page + 1)}
    return package


def compile_record(releases: list[dict]) -> dict:
    """The compiled release: the releases merged in date order (OCDS merge: a later value replaces an
    earlier one; objects merge field by field; arrays of objects with an `id` merge by id; other
    arrays are replaced whole)."""
    # A stable sort: releases of the same second keep the order of their events (as `events` gives them).
    ordered = sorted(releases, key=lambda r: datetime.fromisoformat(r["date"]))
    compiled: dict = {}
    for rel in ordered:
        _merge(compiled, {k: v for k, v in rel.items() if k not in ("id", "tag")})
    if ordered:
        compiled["id"] = f"{ordered[-1]['ocid']}-compiled"
        compiled["date"] = ordered[-1]["date"]
    compiled["tag"] = ["compiled"]
    return compiled


def _is_identified_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "id" in v for v in value)


def _merge(into: dict, new: dict) -> None:
    for key, value in new.items():
        old = into.get(key)
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(old, dict):
            _merge(old, value)
        elif _is_identified_list(value) and (old is None or _is_identified_list(old)):
            merged = {str(o["id"]): o for o in (old or [])}
            for element in value:
                ident = str(element["id"])
                if ident in merged:
                    _merge(merged[ident], element)
                else:
                    merged[ident] = copy.deepcopy(element)
            into[key] = list(merged.values())
        else:
            into[key] = copy.deepcopy(value)


def record_package(katalog: Katalog, order: Order, *, uri: str, site: str) -> dict:
    chosen = events(katalog, order_ids=[order.pk])
    releases = releases_for(katalog, chosen, site=site)
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": when(chosen[-1].at) if chosen else when(timezone.now()),
        "publisher": publisher(katalog, site),
        "records": [{"ocid": ocid_for(order), "releases": releases, "compiledRelease": compile_record(releases)}],
    }


# --- Validation (offline) -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schemas() -> tuple[dict, dict]:
    release_schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text(encoding="utf-8"))
    return release_schema, package_schema


def validator(which: str = "release-package"):
    """A Draft 4 validator of the official schema `which` ("release-package" or "release"), with the
    release schema's public URL resolved to the local copy: nothing is fetched."""
    from jsonschema import Draft4Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    release_schema, package_schema = _schemas()
    registry = Registry().with_resources(
        [
            (RELEASE_SCHEMA_URL, DRAFT4.create_resource(release_schema)),
            (package_schema["id"], DRAFT4.create_resource(package_schema)),
        ]
    )
    schema = package_schema if which == "release-package" else release_schema
    return Draft4Validator(schema, registry=registry, format_checker=_format_checker())


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _format_checker():
    """jsonschema's format checks, with `date-time` checked as RFC 3339 (its own check needs a package
    this project does not install, and would otherwise pass anything)."""
    from jsonschema import FormatChecker

    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.match(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker
