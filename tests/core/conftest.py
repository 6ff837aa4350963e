"""Fixtures of the page tests (query counts, kept pages)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from katalog.catalogue import services
from tests import factories as f
from tests.conftest import png_bytes


@pytest.fixture
def catalogue(medan, users, django_capture_on_commit_callbacks):
    """Two listed products with a photo and a verified claim, in a two-level category tree, indexed."""
    top = f.make_category(medan, "Pakaian", code="PKN")
    shoes = f.make_category(medan, "Sepatu", code="PKN-SPT", parent=top)
    owner = users["penyedia"]
    shop = f.make_vendor(medan, users=[owner], name="UD Sepatu Deli")
    products = []
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("Sepatu Kulit Hitam", "Sepatu Sekolah Putih"):
            product = f.make_product(shop, shoes, name=name, price="250000", claims={"halal": "ID0001"})
            services.product_add_photo(
                actor=f.actor(owner), product=product, upload=SimpleUploadedFile("s.png", png_bytes(), "image/png")
            )
            products.append(product)
    return products
