"""An owner of two businesses switches which one they act for; every vendor page follows the choice,
and nobody can switch to a business they do not belong to."""

import pytest

from katalog.catalogue.models import Product
from tests import factories as f
from tests.catalogue.test_first_product import browser_post


@pytest.fixture
def paper(medan):
    return f.make_category(medan, "Kertas dan Buku", code="ATK-KRT")


@pytest.fixture
def owner(users):
    return users["penyedia"]


@pytest.fixture
def two(medan, owner):
    return (
        f.make_vendor(medan, users=[owner], name="UD Kertas Deli"),
        f.make_vendor(medan, users=[owner], name="Bika Ambon Zulaikha"),
    )


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_owner_of_two_businesses_switches_and_adds_a_product_to_the_second(client_as, owner, two, paper):
    first, second = two
    client = _english(client_as(owner))
    page = client.get("/penyedia/usaha-saya/").content.decode()
    assert 'data-testid="vendor-switcher"' in page
    assert f'<option value="{first.pk}" selected>UD Kertas Deli</option>' in page
    assert f'<option value="{second.pk}">Bika Ambon Zulaikha</option>' in page

    response = client.post("/penyedia/usaha-saya-pilih/", {"vendor": second.pk})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Bika Ambon Zulaikha</h1>" in page and "You now act for Bika Ambon Zulaikha." in page

    assert client.post("/penyedia/produk/baru/", browser_post(paper, send="1")).status_code == 302
    product = Product.objects.get()
    assert product.vendor_id == second.pk
    assert "Bika Ambon Zulaikha" in client.get("/penyedia/produk/").content.decode()

    # and back: the products page follows the choice
    client.post("/penyedia/usaha-saya-pilih/", {"vendor": first.pk})
    assert "Bika Ambon Zulaikha" not in client.get("/penyedia/produk/").content.decode()


def test_nobody_switches_to_a_business_they_do_not_belong_to(client_as, medan, binjai, owner, two):
    first, _second = two
    strangers = f.make_vendor(medan, name="CV Orang Lain")
    elsewhere = f.make_vendor(binjai, users=[owner], name="UD Binjai")
    client = _english(client_as(owner))
    for pk in (strangers.pk, elsewhere.pk, 999999, "x"):
        response = client.post("/penyedia/usaha-saya-pilih/", {"vendor": pk})
        assert response.status_code == 404
    assert "selected>UD Kertas Deli<" in client.get("/penyedia/usaha-saya/").content.decode()
    # a choice planted in the session that the user does not belong to is ignored
    session = client.session
    session["acting_vendor"] = strangers.pk
    session.save()
    assert "<h1>UD Kertas Deli</h1>" in client.get("/penyedia/usaha-saya/").content.decode()


def test_a_single_business_shows_no_switcher(client_as, medan, owner):
    f.make_vendor(medan, users=[owner])
    assert 'data-testid="vendor-switcher"' not in client_as(owner).get("/penyedia/usaha-saya/").content.decode()


def test_switching_needs_a_post(client_as, owner, two):
    assert client_as(owner).get("/penyedia/usaha-saya-pilih/", {"vendor": two[1].pk}).status_code == 405
