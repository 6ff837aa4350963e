"""Outbox and rebuild: the index follows committed product changes."""

import pytest

from katalog.search.models import SearchOutbox
from katalog.search.selectors import search
from katalog.search.services import apply_outbox, enqueue, index_documents, rebuild

from .catalogue import PRODUCTS, TENANT, document, documents

pytestmark = pytest.mark.django_db


def test_apply_outbox_indexes_loaded_and_removes_missing(backend):
    # given: products 24 and 25 queued; the catalogue still has 24 but 25 was deleted
    rebuild(TENANT, documents(), backend=backend)
    enqueue(TENANT, [24, 25])
    row = list(PRODUCTS[23])
    row[1] = "Keranjang Bambu"
    row[2] = "Kerajinan bambu"
    loaded = {24: document(tuple(row))}
    calls = []

    def loader(product_ids):
        calls.append(product_ids)
        return [loaded[p] for p in product_ids if p in loaded]

    # when
    applied = apply_outbox(loader, backend=backend)
    # then
    assert applied == 2 and calls == [[24, 25]]
    assert SearchOutbox.objects.count() == 0
    assert search(TENANT, "rotan").ids == [26]
    assert search(TENANT, "bambu").ids == [24]
    assert apply_outbox(loader, backend=backend) == 0


def test_failed_loader_leaves_the_outbox_queued(backend):
    enqueue(TENANT, [1])

    def broken(product_ids):
        raise RuntimeError("catalogue down")

    with pytest.raises(RuntimeError):
        apply_outbox(broken, backend=backend)
    assert list(SearchOutbox.objects.values_list("product_id", flat=True)) == [1]


def test_rebuild_replaces_a_tenant(backend):
    index_documents(documents(), backend=backend)
    rebuild(TENANT, documents(), backend=backend)
    assert search(TENANT, "").count == len(PRODUCTS)
    assert rebuild(TENANT, [document(PRODUCTS[13])], backend=backend) == 1
    assert search(TENANT, "").ids == [14]
    assert search(TENANT, "rotan").ids == []
    assert search(2, "ulos").ids == [101]  # the other tenant is untouched
