"""Products over the API: public search with facets, one product, and one POST per transition."""

from datetime import datetime
from decimal import Decimal

from ninja import Query, Router, Schema

from katalog.accounts.api_auth import actor_of
from katalog.core import page_cache
from katalog.core.api_errors import safe_rows
from katalog.core.bounds import (
    AmountFilter,
    ChoiceFilter,
    Id,
    IdFilter,
    Length,
    Limit,
    Page,
    PercentFilter,
    QuantityOrZero,
    Reason,
    SearchText,
    ShortText,
    YesNoFilter,
)
from katalog.core.errors import NotFound
from katalog.search.types import PRICE_BANDS, SIZE_CLASSES, SearchFilters, Sort
from katalog.vendors.size_class import SizeClass

from . import selectors, services, workflow

router = Router(tags=["products"])

SizeClassFilter = ChoiceFilter(*SIZE_CLASSES)
SortFilter = ChoiceFilter(*(s.value for s in Sort))
DistrictCode = ShortText(Length.REGION_CODE)
PageSize = Limit(100)


class VendorBrief(Schema):
    id: int
    name: str
    size_class: str
    district: str | None
    district_name: str | None


class CategoryBrief(Schema):
    id: int
    name: str


class ProductCard(Schema):
    id: int
    name: str
    price: Decimal
    unit: str
    vendor: VendorBrief
    category: CategoryBrief
    thumbnail: str | None


class FacetCount(Schema):
    value: str
    label: str
    count: int


class Facets(Schema):
    category: list[FacetCount]
    size_class: list[FacetCount]
    district: list[FacetCount]
    price_band: list[FacetCount]


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProductCard]
    facets: Facets


class Claim(Schema):
    kind: str
    number: str


class PricePoint(Schema):
    since: datetime
    price: Decimal


class ProductDetail(ProductCard):
    description: str
    specifications: dict[str, str]
    min_order: int
    lead_time_days: int
    stock: int  # on hand (what the vendor holds)
    available: int  # what can still be ordered: on hand less what submitted orders hold
    tkdn_percent: Decimal | None
    claims: list[Claim]
    price_history: list[PricePoint]
    status: str


class ReasonIn(Schema):
    reason: Reason = ""


class ProductSearch(Schema):
    """The search page's parameters, read the same way: a value that is not understood (`price_min=abc`,
    `size_class=raksasa`, `sort=acak`, `page=x`, an id that cannot exist) is ignored; a number that is
    understood but out of bounds (a 40-digit price, a negative one, one with sen, a TKDN above 100,
    a page beyond 10,000) and a text too long are refused with 422 naming the field."""

    q: SearchText = ""
    category: IdFilter = None
    price_min: AmountFilter = None
    price_max: AmountFilter = None
    size_class: SizeClassFilter = None
    district: DistrictCode = ""
    tkdn_min: PercentFilter = None
    pdn: YesNoFilter = None
    vendor: IdFilter = None
    sort: SortFilter = None
    page: Page = 1
    page_size: PageSize = 20

    def filters(self) -> SearchFilters:
        return SearchFilters(
            category=self.category,
            price_min=self.price_min,
            price_max=self.price_max,
            size_class=self.size_class,
            district=self.district.strip() or None,
            tkdn_min=float(self.tkdn_min) if self.tkdn_min is not None else None,
            pdn=self.pdn,
            vendor=self.vendor,
        )


class StatusOut(Schema):
    id: int
    status: str
    status_reason: str
    listed_version: int | None
    latest_version: int | None


def _card(p) -> dict:
    v = p.listed_version
    photo = next(iter(p.photos.all()), None)
    return {
        "id": p.pk,
        "name": v.name,
        "price": v.price,
        "unit": v.unit,
        "vendor": {
            "id": p.vendor_id,
            "name": p.vendor.name,
            "size_class": p.vendor.size_class,
            "district": p.vendor.district_id,
            "district_name": p.vendor.district.name if p.vendor.district_id else None,
        },
        "category": {"id": v.category_id, "name": v.category.name},
        "thumbnail": photo.thumbnail.url if photo else None,
    }


def _size_class_label(code: str) -> str:
    return str(SizeClass(code).label) if code in SizeClass.values else code


@router.get("", response=ProductPage, auth=None)
def list_products(request, search: Query[ProductSearch]):
    """Search listed products: `q`, filters `category`, `price_min`, `price_max`, `size_class`,
    `district`, `tkdn_min`, `pdn`, `vendor`; `sort` = relevance | price | -price | newest; `page`,
    `page_size` (read as 1..100). A product whose record cannot be shown is left out (and logged)."""
    katalog = request.katalog
    if not katalog:
        raise NotFound()
    page_cache.keep_for_visitors(request, *page_cache.public_scopes(katalog.pk))
    q, page, page_size = search.q.strip(), search.page, search.page_size
    found = selectors.search_products(
        katalog, q=q, filters=search.filters(), sort=search.sort, page=page, page_size=page_size
    )
    facets = found.result.facets
    cats = {c.pk: c.name for c in selectors.categories_of(katalog)}
    districts = selectors.district_names(katalog)  # kept between requests (core/tenant_cache.py)
    return {
        "count": found.result.count,
        "page": page,
        "page_size": page_size,
        "results": safe_rows(found.products, _card, ProductCard),
        "facets": {
            "category": [
                {"value": str(k), "label": cats.get(k, str(k)), "count": n}
                for k, n in facets.get("category", {}).items()
            ],
            "size_class": [
                {"value": k, "label": _size_class_label(k), "count": n} for k, n in facets.get("size_class", {}).items()
            ],
            "district": [
                {"value": k, "label": districts.get(k, k), "count": n} for k, n in facets.get("district", {}).items()
            ],
            "price_band": [
                {"value": key, "label": key, "count": facets.get("price_band", {}).get(key, 0)}
                for key, _lo, _hi in PRICE_BANDS
                if facets.get("price_band", {}).get(key)
            ],
        },
    }


@router.get("/{product_id}", response=ProductDetail, auth=None)
def get_product(request, product_id: Id):
    katalog = request.katalog
    if not katalog:
        raise NotFound()
    p = selectors.get_public_product(katalog, product_id)
    v = p.listed_version
    return {
        **_card(p),
        "description": v.description,
        "specifications": v.specifications,
        "min_order": v.min_order,
        "lead_time_days": v.lead_time_days,
        "stock": p.stock,
        "available": p.available,
        "tkdn_percent": v.tkdn_percent,
        "claims": [{"kind": c.kind, "number": c.number} for c in v.verified_claims],
        "price_history": [{"since": h.approved_at, "price": h.price} for h in selectors.price_history(p)],
        "status": p.status,
    }


class StockIn(Schema):
    on_hand: QuantityOrZero


class StockOut(Schema):
    id: int
    stock: int
    reserved: int
    available: int


@router.post("/{product_id}/stock", response=StockOut)
def set_stock(request, product_id: Id, payload: StockIn):
    """The vendor's stock on hand (`{"on_hand": n}`, 0..10,000,000): never below what submitted orders
    hold (422 `below_reserved`, with the orders that hold it)."""
    actor = actor_of(request)
    product = services.product_set_stock(
        actor=actor, product=selectors.get_product(actor, product_id), stock=payload.on_hand
    )
    product.refresh_from_db(fields=["stock", "reserved"])
    return {"id": product.pk, "stock": product.stock, "reserved": product.reserved, "available": product.available}


def _status(p) -> dict:
    return {
        "id": p.pk,
        "status": p.status,
        "status_reason": p.status_reason,
        "listed_version": p.listed_version.number if p.listed_version_id else None,
        "latest_version": p.latest_version.number if p.latest_version_id else None,
    }


def _transition(request, product_id: int, action: str, reason: str = ""):
    actor = actor_of(request)
    product = selectors.get_product(actor, product_id)
    kwargs = {"reason": reason} if action in workflow.NEEDS_REASON or action == workflow.WITHDRAW else {}
    return _status(services.TRANSITION_SERVICES[action](actor=actor, product=product, **kwargs))


@router.post("/{product_id}/submit", response=StatusOut)
def submit(request, product_id: Id):
    return _transition(request, product_id, workflow.SUBMIT)


@router.post("/{product_id}/approve", response=StatusOut)
def approve(request, product_id: Id):
    return _transition(request, product_id, workflow.APPROVE)


@router.post("/{product_id}/request-revision", response=StatusOut)
def request_revision(request, product_id: Id, payload: ReasonIn):
    return _transition(request, product_id, workflow.REQUEST_REVISION, payload.reason)


@router.post("/{product_id}/reject", response=StatusOut)
def reject(request, product_id: Id, payload: ReasonIn):
    return _transition(request, product_id, workflow.REJECT, payload.reason)


@router.post("/{product_id}/freeze", response=StatusOut)
def freeze(request, product_id: Id, payload: ReasonIn):
    return _transition(request, product_id, workflow.FREEZE, payload.reason)


@router.post("/{product_id}/delist", response=StatusOut)
def delist(request, product_id: Id, payload: ReasonIn):
    return _transition(request, product_id, workflow.DELIST, payload.reason)


@router.post("/{product_id}/withdraw", response=StatusOut)
def withdraw(request, product_id: Id, payload: ReasonIn | None = None):
    return _transition(request, product_id, workflow.WITHDRAW, payload.reason if payload else "")
