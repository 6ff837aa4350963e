"""The base list of Indonesian procurement synonyms and abbreviations that ships with the product
(`sinonim.csv`, sources in SOURCE.md).

Every new tenant gets the list when it is created (`_new_tenant`, a post_save receiver on core's
Katalog: core depends on no domain app, so this app listens to it). A tenant that existed before
the list, or before a newer version of it, gets the missing pairs with `katalog synonyms_base`.
Either way only pairs the tenant does not have are added, and never a pair its Pengelola removed
on the synonyms page (the audit log keeps what each edit removed): the Pengelola's list wins."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from katalog.core.models import AuditLog, Katalog
from katalog.search.models import Synonym

BASE_FILE = Path(__file__).with_name("sinonim.csv")
# The kinds and sources a row of sinonim.csv may name (SOURCE.md explains each).
KINDS = ("singkatan", "sinonim", "ejaan", "daerah")
SOURCES = ("kbbi", "lkpp", "permendagri", "perpres", "uu", "sni", "umum")


@functools.cache
def base_rows() -> tuple[dict[str, str], ...]:
    """The rows of sinonim.csv: istilah, padanan, jenis, sumber."""
    with BASE_FILE.open(encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


def base_pairs() -> list[tuple[str, str]]:
    """The base list as (term, expansion) pairs, lower case, in file order."""
    return [(row["istilah"].strip().lower(), row["padanan"].strip().lower()) for row in base_rows()]


def removed_by_pengelola(tenant_id: int) -> set[tuple[str, str]]:
    """Pairs this tenant's Pengelola removed from its list (each `search.synonyms` audit entry
    names them as "term = expansion")."""
    removed: set[tuple[str, str]] = set()
    for data in AuditLog.objects.filter(katalog_id=tenant_id, action="search.synonyms").values_list("data", flat=True):
        for text in (data or {}).get("removed", []):
            term, _sep, expansion = str(text).partition(" = ")
            removed.add((term.strip().lower(), expansion.strip().lower()))
    return removed


@transaction.atomic
def add_missing(tenant_id: int, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Add the pairs the tenant does not have yet, except those its Pengelola removed; returns the
    pairs added. Existing pairs are never changed or removed."""
    have = set(Synonym.objects.filter(tenant_id=tenant_id).values_list("term", "expansion"))
    skip = have | removed_by_pengelola(tenant_id)
    wanted = dict.fromkeys((t.strip().lower(), e.strip().lower()) for t, e in pairs)
    new = [(t, e) for t, e in wanted if t and e and (t, e) not in skip]
    Synonym.objects.bulk_create([Synonym(tenant_id=tenant_id, term=t, expansion=e) for t, e in new])
    if new:
        from katalog.search.selectors import forget_synonyms

        forget_synonyms(tenant_id)
        transaction.on_commit(lambda: forget_synonyms(tenant_id))
    return new


def load_base_synonyms(tenant_id: int) -> list[tuple[str, str]]:
    """Add the missing pairs of the base list to a tenant; returns the pairs added."""
    return add_missing(tenant_id, base_pairs())


@receiver(post_save, sender=Katalog, dispatch_uid="search-base-synonyms-for-new-tenant")
def _new_tenant(sender, instance: Katalog, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:  # not when loading fixtures (`loaddata`, a restore)
        load_base_synonyms(instance.pk)
