"""The data that crosses the search interface: documents in, results out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

SIZE_CLASSES = ("mikro", "kecil", "menengah", "besar")

# Fixed price bands in Rupiah (lower bound inclusive, upper exclusive). Fixed, not computed, so a
# facet count means the same thing on every page and every engine.
PRICE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("<100rb", 0, 100_000),
    ("100rb-500rb", 100_000, 500_000),
    ("500rb-1jt", 500_000, 1_000_000),
    ("1jt-5jt", 1_000_000, 5_000_000),
    (">5jt", 5_000_000, None),
)


class Sort(StrEnum):
    """Result orders. Every order ends with newest first, then the higher product id."""

    RELEVANCE = "relevance"  # clauses matched in the product name first (see docs/search.md)
    PRICE = "price"  # cheapest first
    PRICE_DESC = "-price"  # dearest first
    NEWEST = "newest"  # most recently listed first


@dataclass(frozen=True)
class SearchDocument:
    """One product as the index sees it; built by the catalogue app from its own models."""

    product_id: int
    tenant_id: int
    name: str
    description: str
    category_ids: list[int]  # the product's category and all its ancestors
    category_id: int
    price: Decimal
    unit: str
    size_class: str  # 'mikro' | 'kecil' | 'menengah' | 'besar'
    district_code: str  # Kepmendagri code of the vendor's kecamatan, e.g. '12.71.03'
    vendor_id: int
    tkdn_percent: float | None
    is_domestic: bool
    listed_at: datetime


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing conditions, all optional and combined with AND."""

    category: int | None = None  # matches a product in this category or any sub-category
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    size_class: str | None = None
    district: str | None = None
    tkdn_min: float | None = None
    pdn: bool | None = None  # True: domestic products only (PDN); False: imported only
    vendor: int | None = None


@dataclass
class SearchResult:
    """`ids` are product ids of the requested page, in order; `count` and `facets` cover all
    matches. facets = {"category": {id: n}, "size_class": {...}, "district": {...},
    "price_band": {band: n}}; only non-zero counts appear."""

    count: int
    ids: list[int]
    facets: dict[str, dict[Any, int]] = field(default_factory=dict)
    # Relaxed matching (docs/search.md): how many clauses each result matches at least, the user's words
    # behind every clause, those no result matches ("tanpa: ambn"), and whether the query was relaxed.
    min_match: int = 0
    clause_labels: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    relaxed: bool = False


def to_sen(amount: Decimal) -> int:
    """Money as an exact integer number of sen, the form every engine stores and compares."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def band_bounds_sen() -> list[tuple[str, int, int | None]]:
    return [(key, lo * 100, hi * 100 if hi is not None else None) for key, lo, hi in PRICE_BANDS]


def empty_facets() -> dict[str, dict[Any, int]]:
    return {"category": {}, "size_class": {}, "district": {}, "price_band": {}}
