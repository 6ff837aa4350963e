"""The demo catalogue: the six kinds of the Medan report, the synonyms, searchable products."""

import io

from django.core.management import call_command

from katalog.catalogue.models import Category, Product, ProductStatus
from katalog.core.models import Katalog
from katalog.search.models import Synonym


def test_the_demo_catalogue_has_the_six_kinds_synonyms_and_searchable_products(
    db, client, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--small", stdout=io.StringIO())
    # then
    katalog = Katalog.objects.get(region_id="12.71")
    top = list(
        Category.objects.filter(katalog=katalog, parent=None).order_by("position").values_list("name", flat=True)
    )
    assert top == [
        "Alat Tulis Kantor",
        "Makanan dan Minuman",
        "Sepatu",
        "Pakaian Dinas dan Kain Tradisional",
        "Seragam Sekolah",
        "Suvenir",
    ]
    deepest = Category.objects.filter(katalog=katalog, level=3).select_related("parent__parent").first()
    assert deepest is not None and deepest.parent.parent.parent_id is None
    terms = set(Synonym.objects.filter(tenant_id=katalog.pk).values_list("term", flat=True))
    assert {"atk", "pdh", "pdl"} <= terms
    listed = Product.objects.filter(katalog=katalog, status=ProductStatus.LISTED)
    assert listed.count() == Product.objects.filter(katalog=katalog).count() > 0
    ulos = client.get("/api/v1/products?q=ulos").json()
    # Products named "ulos" or its kin of the base synonyms (Karo uis, Simalungun hiou, Pakpak oles)
    # first, then those that only mention it.
    kin = ("ulos", "uis ", "hiou", "oles")
    named = [any(word in r["name"].lower() for word in kin) for r in ulos["results"]]
    assert ulos["count"] >= 1 and named[0] and named == sorted(named, reverse=True)
    assert client.get("/api/v1/products").json()["count"] == listed.count()
    pdh = client.get("/api/v1/products?q=pdh").json()
    assert pdh["count"] >= 1
