"""Writes to the search index: what the catalogue app calls when products change.

This app depends on no domain app. The app that owns products registers, once at start-up, the
loader that turns product ids into documents (`register_loader`); any app whose change alters
products' entries (a vendor's size class, district or status) then calls `refresh_products` in
its transaction: the outbox row commits with the change, and the index follows after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from katalog.core import audit, tenant_cache
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import Katalog
from katalog.core.permissions import Permission
from katalog.search import suggest
from katalog.search.analysis import vocabulary
from katalog.search.backends import get_backend
from katalog.search.backends.base import PreparedDocument, SearchBackend, prepare
from katalog.search.models import SearchOutbox, SearchTerm, Synonym
from katalog.search.types import SearchDocument

Loader = Callable[[list[int]], list[SearchDocument]]
logger = logging.getLogger(__name__)

# The loader of the app that owns products (see `register_loader`); None until it registers.
_loader: Loader | None = None


class ActingUser(Protocol):
    """What a service here needs of the acting user (accounts' `Actor` fits; this app imports
    no domain app)."""

    @property
    def katalog(self) -> Katalog | None: ...

    @property
    def user(self) -> Any: ...

    def can(self, permission: Permission, /) -> bool: ...


def _remember_words(prepared: Sequence[PreparedDocument]) -> None:
    """Add the documents' words to the tenant vocabulary that typo tolerance corrects against.
    Words are never removed until a rebuild: a stale word can only widen a typo to nothing."""
    rows: dict[tuple[int, str], str] = {}
    for p in prepared:
        for word, root in vocabulary(f"{p.doc.name} {p.doc.description}"):
            rows[(p.doc.tenant_id, word)] = root
    SearchTerm.objects.bulk_create(
        [SearchTerm(tenant_id=t, word=w, stem=s) for (t, w), s in rows.items()],
        ignore_conflicts=True,
        batch_size=500,
    )


def index_documents(docs: Iterable[SearchDocument], *, backend: SearchBackend | None = None) -> int:
    """Insert or replace documents. With the database backend, call it inside the transaction
    that changes the product, so both commit together. Returns the number indexed."""
    prepared = [prepare(d) for d in docs]
    if not prepared:
        return 0
    with transaction.atomic():
        _remember_words(prepared)
        suggest.remember([p.doc for p in prepared])
        (backend or get_backend()).index(prepared)
        for tenant_id in {p.doc.tenant_id for p in prepared}:
            tenant_cache.forget_catalogue(tenant_id)  # visitors' kept pages (core/page_cache.py)
    return len(prepared)


def remove_documents(tenant_id: int, product_ids: Sequence[int], *, backend: SearchBackend | None = None) -> None:
    """Remove products from the index (delisted, frozen, deleted); unknown ids are ignored."""
    if product_ids:
        suggest.forget(tenant_id, list(product_ids))
        (backend or get_backend()).remove(tenant_id, list(product_ids))
        tenant_cache.forget_catalogue(tenant_id)


def _batches(docs: Iterable[SearchDocument], size: int, names: suggest.BulkLoad) -> Iterator[list[PreparedDocument]]:
    iterator = iter(docs)
    while batch := list(islice(iterator, size)):
        prepared = [prepare(d) for d in batch]
        _remember_words(prepared)
        names.add(p.doc for p in prepared)
        yield prepared
    names.finish()  # before the engine commits: a failure here leaves the old index in place


def rebuild(
    tenant_id: int,
    docs_iter: Iterable[SearchDocument],
    *,
    backend: SearchBackend | None = None,
    batch_size: int = 2000,
) -> int:
    """Replace all of a tenant's documents with `docs_iter` (streamed in batches). On the database
    backend it is one transaction; on Tantivy one commit. Returns the number indexed."""
    engine = backend or get_backend()
    tenant_cache.forget_catalogue(tenant_id)
    with transaction.atomic():
        SearchTerm.objects.filter(tenant_id=tenant_id).delete()
        suggest.clear(tenant_id)
        return engine.rebuild(
            tenant_id,
            (
                [p for p in batch if p.doc.tenant_id == tenant_id]
                for batch in _batches(docs_iter, batch_size, suggest.BulkLoad(tenant_id))
            ),
        )


def enqueue(tenant_id: int, product_ids: Iterable[int]) -> None:
    """Record that these products changed. Call it in the transaction that changes them: the row
    commits with the change, and `apply_outbox` brings the index up to date afterwards."""
    SearchOutbox.objects.bulk_create([SearchOutbox(tenant_id=tenant_id, product_id=p) for p in set(product_ids)])


def apply_outbox(loader: Loader, *, backend: SearchBackend | None = None, batch_size: int = 500) -> int:
    """Drain the outbox: reload each queued product through `loader(product_ids)` (given by the
    catalogue app, returning the products that should be searchable) and index them; products the
    loader no longer returns are removed. Each batch is one transaction; a failure leaves the
    batch queued and is retried on the next call (indexing is idempotent). Returns rows applied."""
    engine = backend or get_backend()
    done = 0
    while True:
        with transaction.atomic():
            rows = list(SearchOutbox.objects.select_for_update(skip_locked=True).order_by("id")[:batch_size])
            if not rows:
                return done
            wanted: dict[int, set[int]] = {}
            for row in rows:
                wanted.setdefault(row.tenant_id, set()).add(row.product_id)
            ids = sorted({row.product_id for row in rows})
            docs = [d for d in loader(ids) if d.product_id in wanted.get(d.tenant_id, set())]
            index_documents(docs, backend=engine)
            loaded = {(d.tenant_id, d.product_id) for d in docs}
            for tenant_id, product_ids in wanted.items():
                gone = sorted(p for p in product_ids if (tenant_id, p) not in loaded)
                remove_documents(tenant_id, gone, backend=engine)
            SearchOutbox.objects.filter(id__in=[row.id for row in rows]).delete()
            done += len(rows)


def register_loader(loader: Loader) -> None:
    """Name the loader `apply_pending` drains the outbox with. Called once, from the `ready()` of
    the app that owns products (this app must not import it)."""
    global _loader
    _loader = loader


def apply_pending() -> int:
    """Drain the outbox with the registered loader; run after commit. It never raises: the change
    is committed already, and a row that could not be applied stays queued for the next drain
    (the next change, or `katalog search_worker`). Returns rows applied."""
    if _loader is None:
        logger.warning("no search loader registered; the outbox waits for `katalog search_worker`")
        return 0
    try:
        return apply_outbox(_loader)
    except Exception:
        logger.exception("applying the search outbox failed; its rows stay queued")
        return 0


def refresh_products(tenant_id: int, product_ids: Iterable[int]) -> int:
    """Queue these products in the caller's transaction and bring the index up to date after it
    commits. For changes made outside the product's own app (e.g. its vendor's size class).
    Returns the number of products queued."""
    ids = sorted(set(product_ids))
    if ids:
        enqueue(tenant_id, ids)
        transaction.on_commit(apply_pending)
    return len(ids)


def set_synonyms(tenant_id: int, pairs: Iterable[tuple[str, str]]) -> None:
    """Replace a tenant's synonym list with `pairs` of (term, expansion), in one transaction.
    Unchecked and unaudited: for the demo loader and the system; people use `synonyms_replace`."""
    with transaction.atomic():
        Synonym.objects.filter(tenant_id=tenant_id).delete()
        unique = dict.fromkeys((t.strip().lower(), e.strip().lower()) for t, e in pairs)
        Synonym.objects.bulk_create([Synonym(tenant_id=tenant_id, term=t, expansion=e) for t, e in unique])
    from katalog.search.selectors import forget_synonyms  # bulk_create sends no signal

    forget_synonyms(tenant_id)
    tenant_cache.forget_catalogue(tenant_id)  # visitors' kept pages (core/page_cache.py)


TERM_MAX, EXPANSION_MAX = 100, 200  # the columns of `Synonym`


def _clean_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    clean = []
    for n, (term, expansion) in enumerate(pairs, start=1):
        term, expansion = (term or "").strip().lower(), (expansion or "").strip().lower()
        if not term or not expansion or len(term) > TERM_MAX or len(expansion) > EXPANSION_MAX:
            message = _("Synonym %(n)s: write a term (at most %(t)s characters) and its words (at most %(e)s).") % {
                "n": n,
                "t": TERM_MAX,
                "e": EXPANSION_MAX,
            }
            raise ValidationFailed(message, code="invalid", fields={"synonyms": [message]})
        clean.append((term, expansion))
    return list(dict.fromkeys(clean))


@transaction.atomic
def synonyms_replace(*, actor: ActingUser, pairs: Iterable[tuple[str, str]]) -> int:
    """The Pengelola replaces the tenant's synonym list with `pairs` of (term, expansion). Synonyms
    apply at query time, so nothing is re-indexed. Audited with what was added and removed.
    Returns the number of synonyms now in the list."""
    katalog = actor.katalog
    if katalog is None or not actor.can(Permission.SYNONYM_MANAGE):
        raise NotAllowed()
    new = _clean_pairs(pairs)
    old = set(Synonym.objects.filter(tenant_id=katalog.pk).values_list("term", "expansion"))
    set_synonyms(katalog.pk, new)
    audit.record(
        actor=actor.user,
        action="search.synonyms",
        obj=katalog,
        katalog=katalog,
        added=[f"{t} = {e}" for t, e in new if (t, e) not in old],
        removed=sorted(f"{t} = {e}" for t, e in old - set(new)),
        count=len(new),
    )
    return len(new)
