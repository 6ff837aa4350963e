"""Price-jump flags leave the queue once decided; a draft import sent on by a second import."""

import io
import os
from decimal import Decimal

from django.core.management import call_command

from katalog.catalogue import services
from katalog.catalogue.models import Product, ProductFlag
from tests import factories as f


def test_a_decided_price_jump_leaves_the_queue(shop, paper, manager):
    product = f.make_product(shop, paper, price="100000")
    services.product_update(
        actor=f.actor(shop.users.get()), product=product, data=f.product_data(paper, price="150000")
    )
    flag = ProductFlag.objects.get(product=product)
    assert flag.resolved_at is None
    services.product_approve(actor=f.actor(manager), product=Product.objects.get(pk=product.pk))
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert Product.objects.get(pk=product.pk).listed_version.price == Decimal("150000")


def test_drafts_imported_once_are_submitted_by_a_second_import_with_submit(shop, paper, tmp_path):
    src = tmp_path / "produk.csv"
    src.write_text("nama,kategori,satuan,harga,stok\nKertas HVS A4,ATK-KRT,rim,55000,10\n", encoding="utf-8")
    call_command("import_products", str(src), "--vendor", shop.nib, stdout=io.StringIO())
    assert Product.objects.get().status == "draft"
    out = io.StringIO()
    call_command("import_products", str(src), "--vendor", shop.nib, "--submit", stdout=out)
    assert out.getvalue().strip() == "imported 0, updated 0, unchanged 1, rejected 0"
    assert Product.objects.get().status == "submitted"


def test_absurd_numbers_are_answered_not_crashed(client, medan, users, office):
    from katalog.buying.models import BudgetLine

    BudgetLine.objects.create(katalog=medan, office=office, kode_rup="R1", name="x", fiscal_year=2026, ceiling=1000)
    huge = "9" * 30
    assert client.get(f"/produk/{huge}/").status_code == 404
    assert client.get(f"/cari/?category={huge}&vendor={huge}&page={huge}").status_code == 200
    assert client.get(f"/api/v1/products?category={huge}").status_code == 200
    assert client.get(f"/api/v1/products/{huge}").status_code in (404, 422)
    from tests.accounts.test_api import bearer, token_for

    token = token_for(client, users["pp"].username)
    response = client.post(
        "/api/v1/orders",
        {"budget_line": "R1", "items": [{"product": int(huge), "quantity": 1}], "delivery_address": "Kantor"},
        content_type="application/json",
        **bearer(token),
    )
    assert 400 <= response.status_code < 500 and "code" in response.json()
    assert client.get(f"/api/v1/orders/{huge}", **bearer(token)).status_code in (404, 422)


def test_the_vendor_removes_a_photo_and_others_cannot(
    client_as, shop, paper, users, medan, django_capture_on_commit_callbacks
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 30)).save(buf, format="JPEG")
    product = f.make_product(shop, paper)
    photo = services.product_add_photo(
        actor=f.actor(shop.users.get()),
        product=product,
        upload=SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg"),
    )
    url = f"/penyedia/produk/{product.pk}/foto/{photo.pk}/hapus/"
    other_owner = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[other_owner])
    assert client_as(other_owner).post(url).status_code == 404
    assert client_as(users["pp"]).post(url).status_code == 403
    assert product.photos.count() == 1
    files = [photo.image.path, photo.thumbnail.path]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_as(shop.users.get()).post(url)
    assert response.status_code == 302
    assert product.photos.count() == 0
    # The files stay until the removal commits, then go.
    assert all(os.path.exists(path) for path in files)
    for callback in callbacks:
        callback()
    assert not any(os.path.exists(path) for path in files)
