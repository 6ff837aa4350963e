"""A vendor's facts that are part of its products' search entries: its size class and district
(facets of a search), and its status (only a verified vendor's products are searchable). When
one changes, the vendor's products are queued in the search outbox in the same transaction, and
the index follows after commit. The search app decides nothing here: its loader (registered by
the catalogue app) reloads each product and drops those that are no longer searchable."""

from collections.abc import Iterable

from katalog.search import services as search_services

from .models import Vendor

# The vendor fields a product's search entry carries (or depends on).
INDEXED_FIELDS = ("size_class", "district_id", "status")


def indexed_facts(vendor: Vendor) -> tuple:
    return tuple(getattr(vendor, name) for name in INDEXED_FIELDS)


def reindex_products(*, katalog_id: int, vendor_ids: Iterable[int]) -> int:
    """Queue every product of these vendors (through the reverse relation: this app imports no
    catalogue code). Call it inside the transaction that changed them. Returns products queued."""
    products = Vendor._meta.get_field("products").related_model._default_manager
    ids = products.filter(vendor_id__in=list(vendor_ids)).values_list("pk", flat=True)
    return search_services.refresh_products(katalog_id, ids)
