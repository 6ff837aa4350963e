"""The first product in minutes: the short form (photo, name, price, unit, stock first; the rest under
"Lainnya"), amounts in words, a photo kept across a validation error, and the vendor page's button."""

import os
import re
import time
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.translation import gettext, override

from katalog.catalogue import photos
from katalog.catalogue.models import Product, ProductStatus
from tests import factories as f

NEW = "/penyedia/produk/baru/"


def browser_post(paper, **overrides):
    """What the page posts when the owner fills in only the first fields (the folded ones keep the
    defaults the page shows)."""
    data = {
        "name": "Bika Ambon Zulaikha",
        "price": "150 ribu",
        "unit": "kotak",
        "stock": "20",
        "category": paper.pk,
        "min_order": "1",
        "lead_time_days": "3",
        "delivery_area": ["12.71"],
        "is_domestic": "on",
    }
    data.update(overrides)
    return data


def names_in_order(html: str) -> list[str]:
    return [
        n
        for n in re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)
        if n not in {"csrfmiddlewaretoken", "idempotency_key"}
    ]


def test_the_form_starts_with_the_photo_name_price_unit_and_stock(client_as, owner, shop, paper):
    html = client_as(owner).get(NEW).content.decode()
    form = html.partition('enctype="multipart/form-data"')[2]
    first, _, folded = form.partition('data-testid="more"')
    assert names_in_order(first)[:7] == ["photo", "photo_gallery", "name", "price", "unit", "stock", "category"]
    photo = re.search(r'<input[^>]*name="photo"[^>]*>', html).group(0)
    assert 'accept="image/*"' in photo and "capture" in photo
    gallery = re.search(r'<input[^>]*name="photo_gallery"[^>]*>', html).group(0)
    assert 'accept="image/*"' in gallery and "capture" not in gallery  # the gallery, for a photo already taken
    more = set(names_in_order(folded))
    assert {"description", "specifications", "min_order", "lead_time_days", "delivery_area", "is_domestic"} <= more
    assert {"tkdn_percent", "tkdn_number", "sni_number", "halal_number", "pirt_number", "bpom_number"} <= more
    assert re.search(r'<details class="more" data-testid="more">', html)  # folded, not open
    # Delivery: the whole city (the tenant's region code) is ticked by default.
    assert re.search(r'<input[^>]*name="delivery_area"[^>]*value="12.71"[^>]*checked', html)


def test_the_first_fields_alone_make_a_product_with_sensible_defaults(client_as, owner, shop, paper):
    response = client_as(owner).post(NEW, browser_post(paper, price="1,5 juta", send="1"))
    product = Product.objects.get()
    assert response.status_code == 302
    v = product.latest_version
    assert (v.name, v.price, v.unit, product.stock) == ("Bika Ambon Zulaikha", Decimal("1500000"), "kotak", 20)
    assert (v.min_order, v.lead_time_days, v.delivery_area, v.is_domestic) == (1, 3, [], True)
    assert product.status == ProductStatus.SUBMITTED


def test_folded_fields_missing_from_the_post_keep_their_defaults(client_as, owner, shop, paper):
    data = browser_post(paper, price="50 jt")
    for key in ("min_order", "lead_time_days", "delivery_area"):
        data.pop(key)
    assert client_as(owner).post(NEW, data).status_code == 302
    v = Product.objects.get().latest_version
    assert (v.price, v.min_order, v.lead_time_days, v.delivery_area) == (Decimal("50000000"), 1, 3, [])


@pytest.mark.parametrize(
    ("ticked", "stored"),
    [(["12.71"], []), (["12.71", "12.71.01"], []), (["12.71.01", "12.71.02"], ["12.71.01", "12.71.02"])],
)
def test_the_whole_city_is_stored_as_before_and_districts_as_ticked(client_as, owner, shop, paper, ticked, stored):
    assert client_as(owner).post(NEW, browser_post(paper, delivery_area=ticked)).status_code == 302
    assert Product.objects.get().latest_version.delivery_area == stored


def test_an_error_in_a_folded_field_opens_lainnya(client_as, owner, shop, paper):
    client = client_as(owner)
    html = client.post(NEW, browser_post(paper, min_order="0")).content.decode()
    assert re.search(r'<details class="more" data-testid="more" open>', html)
    html = client.post(NEW, browser_post(paper, unit="")).content.decode()
    assert re.search(r'<details class="more" data-testid="more">', html)  # an error above: stays folded
    assert not Product.objects.exists()


def test_a_photo_survives_a_validation_error(client_as, owner, shop, paper, png):
    client = client_as(owner)
    response = client.post(NEW, browser_post(paper, unit="", photo=SimpleUploadedFile("bika.png", png, "image/png")))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["unit"]
    html = response.content.decode()
    assert 'data-testid="kept-photo"' in html and 'src="data:image/jpeg;base64,' in html
    token = re.search(r'name="kept_photo" value="([0-9a-f]{32})"', html).group(1)
    assert default_storage.exists(f"tmp/{token}.jpg")
    assert not Product.objects.exists()
    # Corrected, without picking the photo again.
    response = client.post(NEW, browser_post(paper, kept_photo=token, send="1"))
    product = Product.objects.get()
    assert response.status_code == 302 and product.status == ProductStatus.SUBMITTED
    assert product.photos.count() == 1
    assert not default_storage.exists(f"tmp/{token}.jpg")  # the kept copy went with the save


def test_a_second_error_still_keeps_the_photo(client_as, owner, shop, paper, png):
    client = client_as(owner)
    html = client.post(NEW, browser_post(paper, unit="", photo=SimpleUploadedFile("b.png", png, "image/png"))).content
    token = re.search(r'name="kept_photo" value="([0-9a-f]{32})"', html.decode()).group(1)
    html = client.post(NEW, browser_post(paper, price="", kept_photo=token)).content.decode()
    assert 'data-testid="kept-photo"' in html and f'value="{token}"' in html


def test_a_photo_from_the_gallery_button_is_saved_too(client_as, owner, shop, paper, png):
    client = client_as(owner)
    client.post(NEW, browser_post(paper, photo_gallery=SimpleUploadedFile("g.png", png, "image/png")))
    assert Product.objects.get().photos.count() == 1


def test_a_bad_photo_is_an_error_at_once_and_nothing_is_kept(client_as, owner, shop, paper):
    response = client_as(owner).post(
        NEW, browser_post(paper, unit="", photo=SimpleUploadedFile("x.jpg", b"bukan foto", "image/jpeg"))
    )
    assert set(response.context["form"].errors) == {"photo", "unit"}
    assert 'data-testid="kept-photo"' not in response.content.decode()


def test_a_kept_photo_serves_only_the_session_that_sent_it(client_as, owner, shop, paper, png, medan):
    client = client_as(owner)
    html = client.post(NEW, browser_post(paper, unit="", photo=SimpleUploadedFile("b.png", png, "image/png"))).content
    token = re.search(r'name="kept_photo" value="([0-9a-f]{32})"', html.decode()).group(1)
    other = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[other])
    stranger = Client()
    stranger.force_login(other)
    assert stranger.post(NEW, browser_post(paper, kept_photo=token)).status_code == 302
    assert Product.objects.get().photos.count() == 0
    assert default_storage.exists(f"tmp/{token}.jpg")  # still the owner's


def test_kept_photos_older_than_a_day_are_cleaned(db):
    old, fresh = "tmp/" + "a" * 32 + ".jpg", "tmp/" + "b" * 32 + ".jpg"
    for name in (old, fresh):
        default_storage.save(name, ContentFile(b"x"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    assert photos.clean_kept_photos() == 1
    assert not default_storage.exists(old) and default_storage.exists(fresh)


def test_the_edit_form_shows_the_whole_city_for_an_existing_product(client_as, owner, shop, paper):
    product = f.make_product(shop, paper, name="Kertas HVS A4", listed=False)
    html = client_as(owner).get(f"/penyedia/produk/{product.pk}/").content.decode()
    assert re.search(r'<input[^>]*name="delivery_area"[^>]*value="12.71"[^>]*checked', html)


# --- The vendor's page leads to the first product ----------------------------------------------------


def test_the_verified_vendors_page_leads_to_the_first_product(client_as, owner, shop, paper):
    client = client_as(owner)
    with override("id"):
        first, another = gettext("Add your first product"), gettext("Add a product")
    html = client.get("/penyedia/usaha-saya/").content.decode()
    button = re.search(r'data-testid="add-product">(.*?)</p>', html, re.S).group(1)
    assert 'href="/penyedia/produk/baru/"' in button and first in button
    f.make_product(shop, paper, name="Kertas HVS A4")
    html = client.get("/penyedia/usaha-saya/").content.decode()
    button = re.search(r'data-testid="add-product">(.*?)</p>', html, re.S).group(1)
    assert 'href="/penyedia/produk/baru/"' in button and another in button and first not in button


def test_an_unverified_vendors_page_has_no_product_button(client_as, medan):
    user = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[user], status="draft")
    assert 'data-testid="add-product"' not in client_as(user).get("/penyedia/usaha-saya/").content.decode()
