"""What changes rarely, kept between requests: the tenant of a host, a tenant's categories, the
count of its verified UMKM (docs/performance.md, "Pages and the cost of a request").

A value lives in Django's cache under a key that carries its tenant's *stamp*: a small file in
KATALOG_CACHE_STAMPS_DIR (var/cache-stamps/) whose modification time `forget(tenant_id)` moves on
(now, and again when the transaction commits). Every gunicorn worker on the machine reads the stamp
(one `stat`, about a microsecond) before it trusts its copy, so a change made in one worker shows at
once in all of them; signals on the models call `forget`. A value is also dropped after
`MAX_SECONDS`, the bound for what no signal sees (a bulk update) and for app servers that do not
share the stamps' folder."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

T = TypeVar("T")

MAX_SECONDS = 60
ALL_TENANTS = "all"  # the stamp of what is not one tenant's (the tenant of a host)


def _stamp_path(scope: int | str) -> str:
    # a plain string: read on every kept page (core/page_cache.py), where pathlib cost more than the stat
    return os.path.join(os.fspath(settings.KATALOG_CACHE_STAMPS_DIR), str(scope))


def stamp(scope: int | str) -> int:
    """The tenant's current stamp (0 before anything was forgotten)."""
    try:
        return os.stat(_stamp_path(scope)).st_mtime_ns
    except FileNotFoundError:
        return 0


def _move_stamp(scope: int | str) -> None:
    path = Path(_stamp_path(scope))
    now = time.time_ns()
    try:
        os.utime(path, ns=(now, now))
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        os.utime(path, ns=(now, now))


def forget(scope: int | str | None) -> None:
    """Drop every cached value of a tenant (or of ALL_TENANTS), in every process: now, and again
    after the current transaction commits (a read between the two would cache the old rows)."""
    if scope is None:
        return
    _move_stamp(scope)
    transaction.on_commit(lambda: _move_stamp(scope))


# The values themselves stay in this process (unpickling the categories from the cache on each request
# cost more than their query); Django's cache holds a token per key, so that its expiry and
# `cache.clear()` (each test) drop them too.
_values: dict[str, tuple[str, object]] = {}
_MAX_VALUES = 2000


def cached(scope: int | str, name: str, compute: Callable[[], T]) -> T:
    """`compute()`, or the copy cached for `scope` while its stamp has not moved."""
    key = f"katalog:tenant-cache:{scope}:{stamp(scope)}:{name}"
    token = cache.get(key)
    kept = _values.get(key)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]  # type: ignore[return-value]
    value = compute()
    token = uuid.uuid4().hex
    if len(_values) >= _MAX_VALUES:
        _values.clear()  # old stamps' values: nothing asks for them any more
    _values[key] = (token, value)
    cache.set(key, token, MAX_SECONDS)
    return value


def vendors_scope(tenant_id: int) -> str:
    """The stamp of a tenant's vendor figures (the count of verified UMKM on the home page): vendors
    change more often than categories, so they do not make the categories be read again."""
    return f"vendors-{tenant_id}"


# --- What forgets what (connected when the catalogue app loads: catalogue/selectors.py imports this) ---


@receiver(post_save, sender="core.Katalog", dispatch_uid="tenant-cache-katalog-saved")
@receiver(post_delete, sender="core.Katalog", dispatch_uid="tenant-cache-katalog-deleted")
def _katalog_changed(sender, instance, **kwargs) -> None:
    forget(ALL_TENANTS)  # the tenant of each host
    forget(instance.pk)


@receiver(post_save, sender="core.Region", dispatch_uid="tenant-cache-region-saved")
@receiver(post_delete, sender="core.Region", dispatch_uid="tenant-cache-region-deleted")
def _region_changed(sender, instance, **kwargs) -> None:
    forget(ALL_TENANTS)  # a tenant is cached with its region


@receiver(post_save, sender="catalogue.Category", dispatch_uid="tenant-cache-category-saved")
@receiver(post_delete, sender="catalogue.Category", dispatch_uid="tenant-cache-category-deleted")
def _category_changed(sender, instance, **kwargs) -> None:
    forget(instance.katalog_id)


@receiver(post_save, sender="vendors.Vendor", dispatch_uid="tenant-cache-vendor-saved")
@receiver(post_delete, sender="vendors.Vendor", dispatch_uid="tenant-cache-vendor-deleted")
def _vendor_changed(sender, instance, **kwargs) -> None:
    forget(vendors_scope(instance.katalog_id))


def catalogue_scope(tenant_id: int) -> str:
    """The stamp of what a tenant's public pages show of its products (core/page_cache.py): moved by
    a saved product, version, photo or claim, a synonym, the search index and every stock change."""
    return f"catalogue-{tenant_id}"


def forget_catalogue(tenant_id: int | None) -> None:
    if tenant_id is not None:
        forget(catalogue_scope(tenant_id))


def _tenant_of_product(product_id: int | None) -> int | None:
    from katalog.catalogue.models import Product

    if product_id is None:
        return None
    return Product.objects.filter(pk=product_id).values_list("katalog_id", flat=True).first()


@receiver(post_save, sender="catalogue.Product", dispatch_uid="tenant-cache-product-saved")
@receiver(post_delete, sender="catalogue.Product", dispatch_uid="tenant-cache-product-deleted")
@receiver(post_save, sender="search.Synonym", dispatch_uid="tenant-cache-synonym-saved")
@receiver(post_delete, sender="search.Synonym", dispatch_uid="tenant-cache-synonym-deleted")
def _catalogue_row_changed(sender, instance, **kwargs) -> None:
    forget_catalogue(getattr(instance, "katalog_id", None) or getattr(instance, "tenant_id", None))


@receiver(post_save, sender="catalogue.ProductVersion", dispatch_uid="tenant-cache-version-saved")
@receiver(post_delete, sender="catalogue.ProductVersion", dispatch_uid="tenant-cache-version-deleted")
@receiver(post_save, sender="catalogue.ProductPhoto", dispatch_uid="tenant-cache-photo-saved")
@receiver(post_delete, sender="catalogue.ProductPhoto", dispatch_uid="tenant-cache-photo-deleted")
def _product_part_changed(sender, instance, **kwargs) -> None:
    forget_catalogue(_tenant_of_product(instance.product_id))


@receiver(post_save, sender="catalogue.Claim", dispatch_uid="tenant-cache-claim-saved")
@receiver(post_delete, sender="catalogue.Claim", dispatch_uid="tenant-cache-claim-deleted")
def _claim_changed(sender, instance, **kwargs) -> None:
    from katalog.catalogue.models import ProductVersion

    versions = ProductVersion.objects.filter(pk=instance.version_id)
    forget_catalogue(versions.values_list("product__katalog_id", flat=True).first())
