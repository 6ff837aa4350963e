"""Reads of products. Management reads are scoped by the acting user; public reads show only
listed products of verified vendors, whoever asks."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from katalog.accounts.selectors import Actor
from katalog.core import tenant_cache  # also connects what forgets the cached values (signals)
from katalog.core.models import Katalog, Region, RegionLevel
from katalog.core.permissions import Permission
from katalog.search import selectors as search_selectors
from katalog.search.types import SearchDocument, SearchFilters, SearchResult
from katalog.vendors.models import VendorStatus

from .models import Category, Claim, Product, ProductPhoto, ProductStatus, ProductVersion


def products_visible_to(actor: Actor) -> QuerySet[Product]:
    if not actor.is_authenticated or actor.katalog is None:
        return Product.objects.none()
    qs = Product.objects.filter(katalog=actor.katalog)
    if actor.can(Permission.PRODUCT_VIEW_ALL):
        return qs
    if actor.can(Permission.PRODUCT_EDIT_OWN):
        return qs.filter(vendor__users=actor.user)
    return Product.objects.none()


def get_product(actor: Actor, pk: int) -> Product:
    product = (
        products_visible_to(actor)
        .select_related("vendor", "listed_version__category", "latest_version__category")
        .filter(pk=pk)
        .first()
    )
    if product is None:
        raise Http404
    return product


def curation_queue(actor: Actor) -> QuerySet[Product]:
    """New products waiting, and listed products whose change waits, oldest first."""
    if not actor.can(Permission.PRODUCT_CURATE):
        return Product.objects.none()
    pending_change = Q(status=ProductStatus.LISTED) & ~Q(latest_version=F("listed_version"))
    return (
        products_visible_to(actor)
        .filter(Q(status=ProductStatus.SUBMITTED) | pending_change)
        .select_related("vendor", "latest_version__category", "listed_version")
        .prefetch_related("flags")
        .order_by("submitted_at", "pk")
    )


def public_products(katalog: Katalog) -> QuerySet[Product]:
    """What buyers and visitors may see: listed products of verified vendors of this tenant."""
    return Product.objects.filter(katalog=katalog, status=ProductStatus.LISTED, vendor__status=VendorStatus.VERIFIED)


def verified_claims() -> Prefetch:
    return Prefetch("claims", queryset=Claim.objects.filter(verified_at__isnull=False), to_attr="verified_claims")


def with_card_data(qs: QuerySet[Product]) -> QuerySet[Product]:
    """Everything a result card shows, in a fixed number of queries whatever the page size."""
    return qs.select_related("vendor__district", "listed_version__category").prefetch_related(
        Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
        Prefetch(
            "listed_version__claims",
            queryset=Claim.objects.filter(verified_at__isnull=False),
            to_attr="verified_claims",
        ),
    )


def get_public_product(katalog: Katalog, pk: int) -> Product:
    product = with_card_data(public_products(katalog)).filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def price_history(product: Product) -> QuerySet[ProductVersion]:
    """Prices that were on sale, oldest first (versions the Pengelola approved)."""
    return (
        product.versions.filter(approved_at__isnull=False)
        .order_by("approved_at")
        .only("number", "price", "approved_at", "unit", "product")  # without product: a query per row
    )


def categories_of(katalog: Katalog) -> list[Category]:
    """The tenant's tree as a flat list in display order (parents before children). Kept between
    requests (core/tenant_cache.py; a saved or deleted category forgets it at once): the home page,
    the search page and the search API all show it. Treat the list and its categories as read-only."""
    return tenant_cache.cached(katalog.pk, "categories", lambda: _categories_of(katalog))


def _categories_of(katalog: Katalog) -> list[Category]:
    all_cats = list(Category.objects.filter(katalog=katalog).order_by("level", "position", "name"))
    children: dict[int | None, list[Category]] = {}
    for c in all_cats:
        children.setdefault(c.parent_id, []).append(c)
    ordered: list[Category] = []

    def walk(parent_id):
        for c in children.get(parent_id, []):
            ordered.append(c)
            walk(c.pk)

    walk(None)
    return ordered


def district_names(katalog: Katalog) -> dict[str, str]:
    """The names of the tenant's districts (kecamatan) by code, for the district facet; kept between
    requests like the categories (a changed region forgets it)."""
    return tenant_cache.cached(tenant_cache.ALL_TENANTS, f"districts:{katalog.region_id}", lambda: _districts(katalog))


def _districts(katalog: Katalog) -> dict[str, str]:
    rows = Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT).values_list("code", "name")
    return dict(rows)


def find_category(katalog: Katalog, text: str) -> Category | None:
    """A category by its code or its name (case-insensitive)."""
    text = (text or "").strip()
    if not text:
        return None
    qs = Category.objects.filter(katalog=katalog)
    return qs.filter(code__iexact=text).first() or qs.filter(name__iexact=text).order_by("level").first()


# --- Search --------------------------------------------------------------------------------------


def _document(product: Product) -> SearchDocument:
    v = product.listed_version
    return SearchDocument(
        product_id=product.pk,
        tenant_id=product.katalog_id,
        name=v.name,
        description=" ".join(
            [v.description, *(f"{k} {val}" for k, val in v.specifications.items()), *_category_names(v.category)]
        ),
        category_ids=v.category.ancestor_ids(),
        category_id=v.category_id,
        price=v.price,
        unit=v.unit,
        size_class=product.vendor.size_class,
        district_code=product.vendor.district_id or "",
        vendor_id=product.vendor_id,
        tkdn_percent=float(v.tkdn_percent) if v.tkdn_percent is not None and _tkdn_verified(v) else None,
        is_domestic=v.is_domestic and _pdn_verified(v),
        listed_at=product.listed_at,
    )


def _category_names(category: Category) -> list[str]:
    """The category path (Makanan dan Minuman › Kue dan Roti › Bolu) is searchable text too."""
    names, node = [], category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return names


def _claim_kinds(version: ProductVersion) -> set[str]:
    return {c.kind for c in version.claims.all() if c.verified_at is not None}


def _tkdn_verified(version: ProductVersion) -> bool:
    return "tkdn" in _claim_kinds(version)


def _pdn_verified(version: ProductVersion) -> bool:
    return "pdn" in _claim_kinds(version)


def _searchable() -> QuerySet[Product]:
    return (
        Product.objects.filter(
            status=ProductStatus.LISTED, vendor__status=VendorStatus.VERIFIED, listed_version__isnull=False
        )
        .select_related("vendor", "listed_version__category__parent__parent")
        .prefetch_related("listed_version__claims")
    )


def search_documents(product_ids: list[int]) -> list[SearchDocument]:
    """The loader of the search outbox: documents of those products that should be searchable."""
    return [_document(p) for p in _searchable().filter(pk__in=product_ids)]


def suggestion_names(tenant_id: int, category_ids: set[int], vendor_ids: set[int]) -> list[tuple[str, int, str]]:
    """The namer of the search suggestions (katalog/search/suggest.py): (kind, id, name) of these
    categories ("c") and vendors ("v") of the tenant."""
    from katalog.vendors.models import Vendor

    cats = Category.objects.filter(katalog_id=tenant_id, pk__in=sorted(category_ids)).values_list("pk", "name")
    vendors = Vendor.objects.filter(katalog_id=tenant_id, pk__in=sorted(vendor_ids)).values_list("pk", "name")
    return [("c", pk, name) for pk, name in cats] + [("v", pk, name) for pk, name in vendors]


def all_search_documents(katalog: Katalog) -> Iterator[SearchDocument]:
    for product in _searchable().filter(katalog=katalog).iterator(chunk_size=2000):
        yield _document(product)


@dataclass
class SearchPage:
    result: SearchResult
    products: list[Product]


def search_products(
    katalog: Katalog,
    *,
    q: str = "",
    filters: SearchFilters | None = None,
    sort: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """One page of results: ids from the index, then the products in a fixed number of queries."""
    result = search_selectors.search(katalog.pk, q, filters, sort, page, page_size)
    by_id = {p.pk: p for p in with_card_data(public_products(katalog)).filter(pk__in=result.ids)}
    return SearchPage(result=result, products=[by_id[i] for i in result.ids if i in by_id])


def missing_attributes(category: Category, specifications: dict[str, str], claim_kinds: set[str]) -> list[str]:
    """Labels of the attributes the category (or its parents) asks for that are not given. Shown
    to the vendor and at curation; never a reason to refuse a product."""
    given = {k.strip().lower() for k in specifications} | {k.lower() for k in claim_kinds}
    wanted, node = [], category
    while node is not None:
        wanted += node.required_attributes
        node = node.parent
    return [a["label"] for a in wanted if a["key"].lower() not in given and a["label"].lower() not in given]


def missing_for_version(version: ProductVersion) -> list[str]:
    return missing_attributes(version.category, version.specifications, {c.kind for c in version.claims.all()})
