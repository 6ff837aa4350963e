import pytest

from katalog.catalogue.models import Category
from tests import factories as f


def test_the_manager_builds_a_three_level_tree(client_as, medan, manager):
    client = client_as(manager)
    client.post(
        "/kelola/produk/kategori/",
        {"name": "Makanan dan Minuman", "code": "mkn", "attributes": "pirt: Nomor PIRT\nhalal: Sertifikat halal"},
    )
    top = Category.objects.get(code="MKN")
    assert (top.level, top.required_attributes) == (
        1,
        [{"key": "pirt", "label": "Nomor PIRT"}, {"key": "halal", "label": "Sertifikat halal"}],
    )
    client.post("/kelola/produk/kategori/", {"name": "Kue", "code": "MKN-KUE", "parent": top.pk})
    mid = Category.objects.get(code="MKN-KUE")
    client.post("/kelola/produk/kategori/", {"name": "Bolu", "code": "MKN-KUE-BOLU", "parent": mid.pk})
    assert Category.objects.get(code="MKN-KUE-BOLU").level == 3
    deep = Category.objects.get(code="MKN-KUE-BOLU")
    response = client.post("/kelola/produk/kategori/", {"name": "Terlalu dalam", "code": "X", "parent": deep.pk})
    assert response.status_code == 200 and not Category.objects.filter(code="X").exists()


def test_a_taken_code_is_refused_and_what_was_typed_is_kept(client_as, medan, manager):
    f.make_category(medan, "Sepatu", code="SPT")
    page = client_as(manager).post("/kelola/produk/kategori/", {"name": "Sandal", "code": "spt"}).content.decode()
    assert 'value="Sandal"' in page
    assert Category.objects.filter(katalog=medan).count() == 1


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r != "catalogue_manager"])
def test_only_the_manager_edits_categories(client_as, users, role):
    client = client_as(users[role])
    assert client.get("/kelola/produk/kategori/").status_code == 403
    assert client.post("/kelola/produk/kategori/", {"name": "X", "code": "X"}).status_code == 403
    assert not Category.objects.exists()
