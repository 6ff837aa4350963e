"""What the pages keep between requests (katalog/core/tenant_cache.py) shows a change at once: the
tenant of the host, the categories, the district names and the count of verified UMKM."""

import os
import time

import pytest
from django.db import transaction

from katalog.catalogue.models import Category
from katalog.core import tenant_cache
from katalog.core.models import Katalog, Region
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f


@pytest.fixture
def clothes(medan):
    return f.make_category(medan, "Pakaian", code="PKN")


@pytest.fixture
def listed(medan, clothes, django_capture_on_commit_callbacks):
    shop = f.make_vendor(medan, name="UD Batik Deli")
    with django_capture_on_commit_callbacks(execute=True):
        return f.make_product(shop, clothes, name="Kemeja Batik Medan", price="150000")


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_renamed_category_shows_at_once_on_the_home_page(client, clothes):
    assert "Pakaian" in home(client)  # now cached
    clothes.name = "Busana"
    clothes.save()
    page = home(client)
    assert "Busana" in page and ">Pakaian<" not in page


def test_a_new_and_a_deleted_category_show_at_once(client, medan, clothes):
    assert "Pakaian" in home(client)
    food = f.make_category(medan, "Makanan", code="MKN")
    assert "Makanan" in home(client)
    food.delete()
    assert "Makanan" not in home(client)


def test_a_renamed_category_shows_at_once_in_the_search_facets_and_the_api(client, clothes, listed):
    assert "Pakaian" in client.get("/cari/?q=batik").content.decode()
    assert client.get("/api/v1/products?q=batik").json()["facets"]["category"][0]["label"] == "Pakaian"
    clothes.name = "Busana"
    clothes.save()
    assert "Busana" in client.get("/cari/?q=batik").content.decode()
    assert client.get("/api/v1/products?q=batik").json()["facets"]["category"][0]["label"] == "Busana"


def test_a_newly_verified_vendor_is_counted_at_once_on_the_home_page(client, medan):
    f.make_vendor(medan)
    assert "1 UMKM terverifikasi." in home(client)
    waiting = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    waiting.status = VendorStatus.VERIFIED
    waiting.save()
    assert "2 UMKM terverifikasi." in home(client)


def test_a_renamed_tenant_shows_at_once_in_the_header(client, medan):
    assert "Katalog Lokal Kota Medan" in home(client)
    medan.name = "E-Katalog Kota Medan"
    medan.save()
    assert "E-Katalog Kota Medan" in home(client)


def test_a_tenant_given_the_host_as_its_domain_is_served_at_once(client, medan, binjai):
    assert "Kota Medan" in home(client)  # the default tenant (KATALOG_DEFAULT_TENANT) on 127.0.0.1
    binjai.domain = "testserver"
    binjai.save()
    assert "Katalog Lokal Kota Binjai" in home(client)


def test_a_renamed_district_shows_at_once_in_the_district_facet(client, listed):
    assert "Medan Kota" in client.get("/cari/?q=batik").content.decode()
    Region.objects.filter(code="12.71.01").update(name="Tuntungan Baru")  # no signal: not yet seen
    region = Region.objects.get(code="12.71.01")
    region.save()  # a saved region forgets the names
    assert "Tuntungan Baru" in client.get("/cari/?q=batik").content.decode()


def test_a_change_made_by_another_process_shows_once_it_moves_the_stamp(client, medan, clothes):
    """Another gunicorn worker that saves a category moves the stamp file; this process's copy is then
    not used any more. Simulated: the row changes without a signal here, then the file moves."""
    assert "Pakaian" in home(client)
    Category.objects.filter(pk=clothes.pk).update(name="Busana")  # another process: no signal here
    assert "Pakaian" in home(client)  # the copy is still trusted: the stamp has not moved
    path = tenant_cache._stamp_path(medan.pk)
    later = time.time_ns() + 1_000_000
    os.utime(path, ns=(later, later))  # what tenant_cache.forget does in the other process
    assert "Busana" in home(client)


def test_a_read_between_the_save_and_the_commit_does_not_keep_the_old_name(
    client, clothes, django_capture_on_commit_callbacks
):
    assert "Pakaian" in home(client)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            clothes.name = "Busana"
            clothes.save()
            # another request inside the transaction's lifetime would cache what it reads now
            tenant_cache.cached(clothes.katalog_id, "categories", lambda: ["old"])
    assert "Busana" in home(client)


def test_values_are_kept_at_most_max_seconds(settings):
    assert tenant_cache.MAX_SECONDS <= 60
    calls = []
    assert tenant_cache.cached("t", "x", lambda: calls.append(1) or 1) == 1
    assert tenant_cache.cached("t", "x", lambda: calls.append(1) or 2) == 1
    assert calls == [1]


def test_the_other_tenant_s_copy_is_not_forgotten_by_a_change_here(client, medan, binjai, clothes):
    other = tenant_cache.cached(binjai.pk, "categories", lambda: ["binjai's"])
    clothes.name = "Busana"
    clothes.save()
    assert tenant_cache.cached(binjai.pk, "categories", lambda: ["read again"]) == other
    assert Katalog.objects.count() == 2 and Vendor.objects.count() == 0
