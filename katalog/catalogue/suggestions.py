"""Suggestions as the buyer types, with their links: shared by the search box (htmx) and the API."""

from urllib.parse import urlencode

from django.urls import reverse

from katalog.search import suggest
from katalog.search.models import SuggestionKind
from katalog.vendors.models import Vendor, VendorStatus

from . import selectors


def suggestion_items(katalog, typed: str) -> list[dict]:
    """[{kind: product|category|vendor, label, url, id}]; a category or vendor that is no longer
    public is left out (the suggestion index keeps names until the next rebuild)."""
    found = suggest.suggestions(katalog.pk, typed)
    if not found:
        return []
    vendor_ids = [s.target_id for s in found if s.kind == SuggestionKind.VENDOR]
    public_vendors = (
        set(
            Vendor.objects.filter(katalog=katalog, pk__in=vendor_ids, status=VendorStatus.VERIFIED).values_list(
                "pk", flat=True
            )
        )
        if vendor_ids
        else set()
    )
    categories = (
        {c.pk for c in selectors.categories_of(katalog)}
        if any(s.kind == SuggestionKind.CATEGORY for s in found)
        else set()
    )
    search_url = reverse("catalogue:search")
    items = []
    for s in found:
        if s.kind == SuggestionKind.CATEGORY:
            if s.target_id not in categories:
                continue
            kind, url = "category", f"{search_url}?category={s.target_id}"
        elif s.kind == SuggestionKind.VENDOR:
            if s.target_id not in public_vendors:
                continue
            kind, url = "vendor", reverse("catalogue:storefront", args=[s.target_id])
        else:
            kind, url = "product", f"{search_url}?{urlencode({'q': s.label})}"
        items.append({"kind": kind, "label": s.label, "url": url, "id": s.target_id})
    return items
