"""A vendor's size class, district and status are part of its products' search entries: a change
of any of them re-indexes the products through the outbox, in the transaction of the change.

Runs on every engine (the `backend` fixture). The catalogue app registers its loader at start-up;
the `loader` fixture does the same here, so these tests do not depend on the app registry."""

from decimal import Decimal

import pytest

from katalog.accounts.selectors import system_actor
from katalog.catalogue.selectors import search_documents
from katalog.core.errors import ValidationFailed
from katalog.core.models import Region
from katalog.search import services as search_services
from katalog.search.models import SearchOutbox
from katalog.search.selectors import search
from katalog.search.types import SearchFilters
from katalog.vendors import imports, services
from katalog.vendors.models import SizeClassChange, VendorStatus
from tests import factories as f
from tests.vendors.test_import import csv_bytes, good_row

pytestmark = pytest.mark.django_db

B = Decimal("1000000000")


@pytest.fixture(autouse=True)
def loader(monkeypatch):
    monkeypatch.setattr(search_services, "_loader", search_documents)


@pytest.fixture
def listed(backend, medan, django_capture_on_commit_callbacks):
    """A verified micro vendor of Medan Kota with one listed product, in the index."""
    vendor = f.make_vendor(medan, name="UD Ulos Horas", nib="8120000000321", capital=Decimal("500000000"))
    with django_capture_on_commit_callbacks(execute=True):
        product = f.make_product(vendor, name="Kain ulos ragi hotang")
    assert search(medan.pk, "ulos").ids == [product.pk]
    return vendor, product


def ids_of(medan, **filters) -> list[int]:
    return search(medan.pk, "", SearchFilters(**filters)).ids


def test_a_vendor_moved_from_mikro_to_menengah_moves_in_the_size_class_filter(
    listed, medan, django_capture_on_commit_callbacks
):
    vendor, product = listed
    assert (ids_of(medan, size_class="mikro"), ids_of(medan, size_class="menengah")) == ([product.pk], [])
    # when: the Dinas desk records new capital (Rp6 billion: medium)
    with django_capture_on_commit_callbacks(execute=True):
        vendor = services.vendor_update(
            actor=system_actor(medan), vendor=vendor, data={"capital": 6 * B}, evidence="Akta perubahan 2026"
        )
    # then
    assert vendor.size_class == "menengah"
    assert ids_of(medan, size_class="mikro") == []
    assert ids_of(medan, size_class="menengah") == [product.pk]
    assert search(medan.pk, "ulos").facets["size_class"] == {"menengah": 1}
    assert SearchOutbox.objects.count() == 0


def test_a_vendor_moved_to_another_district_moves_in_the_district_filter(
    listed, medan, django_capture_on_commit_callbacks
):
    vendor, product = listed
    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_update(
            actor=system_actor(medan), vendor=vendor, data={"region": Region.objects.get(code="12.71.03")}
        )
    assert ids_of(medan, district="12.71.01") == []
    assert ids_of(medan, district="12.71.03") == [product.pk]


def test_the_outbox_row_is_written_in_the_transaction_of_the_change(listed, medan, django_capture_on_commit_callbacks):
    vendor, product = listed
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        services.vendor_update(actor=system_actor(medan), vendor=vendor, data={"capital": 6 * B})
        # then: queued with the change, applied only after commit
        assert list(SearchOutbox.objects.values_list("tenant_id", "product_id")) == [(medan.pk, product.pk)]
    assert search_services.apply_pending in hooks
    assert ids_of(medan, size_class="mikro") == [product.pk]  # the index has not moved yet


def test_a_change_that_does_not_show_in_search_queues_nothing(listed, medan, django_capture_on_commit_callbacks):
    vendor, _product = listed
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        services.vendor_update(actor=system_actor(medan), vendor=vendor, data={"phone": "081299990000"})
    # Only the kept vendor figures are forgotten (katalog/core/tenant_cache.py); nothing for search.
    assert [h.__module__ for h in hooks] == ["katalog.core.tenant_cache"] * len(hooks)
    assert not SearchOutbox.objects.exists()


def test_a_refused_change_queues_nothing(listed, medan):
    vendor, _product = listed
    f.make_vendor(medan, nib="8120000000999")
    with pytest.raises(ValidationFailed):
        services.vendor_update(
            actor=system_actor(medan), vendor=vendor, data={"capital": 6 * B, "nib": "8120000000999"}
        )
    assert not SearchOutbox.objects.exists()
    assert ids_of(medan, size_class="mikro") == [listed[1].pk]


def test_a_registry_import_that_reclassifies_a_vendor_moves_its_products(
    listed, medan, django_capture_on_commit_callbacks
):
    vendor, product = listed
    table = imports.read_table(
        csv_bytes(
            [
                good_row(
                    1,
                    nib=vendor.nib,
                    kode_wilayah="12.71.01",
                    modal_usaha="7.000.000.000",
                    # a verified vendor's name and owner are never overwritten by the registry (issue 8)
                    **{"Nama Usaha": vendor.name, "NAMA_PEMILIK": vendor.owner_name},
                )
            ]
        ),
        "dinas.csv",
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        outcome = imports.import_rows(katalog=medan, rows=table.rows, duplicates={}, source_name="dinas.csv")
    # then
    assert outcome.updated == 1
    assert SizeClassChange.objects.filter(vendor=vendor, new_class="menengah").exists()
    assert ids_of(medan, size_class="menengah") == [product.pk]
    assert ids_of(medan, size_class="mikro") == []


def test_a_status_change_queues_the_vendors_products(medan, users, pdf, django_capture_on_commit_callbacks):
    # given: a vendor waiting for verification, with a draft product (not searchable)
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[users["penyedia"]])
    category = f.make_category(medan)
    draft = f.make_product(vendor, category, listed=False)
    # when: the Pengelola decides
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        services.vendor_approve(actor=f.actor(users["catalogue_manager"]), vendor=vendor)
        # then: its products are queued in the same transaction (the loader decides what shows)
        assert list(SearchOutbox.objects.values_list("product_id", flat=True)) == [draft.pk]
    assert search_services.apply_pending in hooks
