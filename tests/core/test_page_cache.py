"""Visitors' public pages kept rendered between requests (core/page_cache.py; docs/performance.md,
"Pages and the cost of a request"): what a visitor gets again is what they would get built anew,
a change shows at once, and nothing of one person's page reaches another."""

import re

import pytest

from katalog.catalogue import services, stock
from katalog.catalogue.models import Product
from katalog.core import page_cache
from katalog.search.models import ZeroResultQuery
from tests import factories as f

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response


@pytest.mark.parametrize("url", ["/", "/cari/?q=sepatu", "/api/v1/products?q=sepatu", "product"])
def test_a_visitor_gets_a_kept_page_again_without_a_query(client, catalogue, django_assert_num_queries, url):
    url = f"/produk/{catalogue[0].pk}/" if url == "product" else url
    first = _get(client, url)
    with django_assert_num_queries(0):
        again = _get(client, url)
    strip = lambda body: TOKEN.sub("", re.sub(r'"X-CSRFToken": "[^"]+"', "", body.decode()))  # noqa: E731
    assert strip(again.content) == strip(first.content)


def test_each_visitor_gets_a_token_of_their_own_that_the_site_accepts(catalogue, client, settings):
    from django.test import Client

    settings.LANGUAGE_CODE = "id"
    _get(client, "/cari/?q=sepatu")  # kept now
    other = Client(enforce_csrf_checks=True)
    page = _get(other, "/cari/?q=sepatu").content.decode()
    token = TOKEN.search(page).group(1)
    assert page_cache.PLACEHOLDER not in page
    assert f'"X-CSRFToken": "{token}"' in page
    # the language form of a kept page works for this visitor: their token matches their cookie
    answer = other.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    # and the English page is not the Indonesian one kept for everybody else
    assert 'lang="en"' in _get(other, "/cari/?q=sepatu").content.decode()
    assert 'lang="id"' in _get(client, "/cari/?q=sepatu").content.decode()


def test_a_renamed_product_shows_at_once_on_every_kept_page(
    client, catalogue, users, django_capture_on_commit_callbacks
):
    product = catalogue[0]
    pages = ["/cari/?q=sepatu", f"/produk/{product.pk}/", "/api/v1/products?q=sepatu"]
    for url in pages:
        assert "Sepatu Kulit Hitam" in _get(client, url).content.decode()
    owner, manager = f.actor(users["penyedia"]), f.actor(users["catalogue_manager"])
    data = f.product_data(product.listed_version.category, name="Sepatu Kulit Cokelat", price="250000")
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(actor=owner, product=product, data=data)
        services.product_approve(actor=manager, product=Product.objects.get(pk=product.pk))
    for url in pages:
        body = _get(client, url).content.decode()
        assert "Sepatu Kulit Cokelat" in body and "Sepatu Kulit Hitam" not in body, url


def test_a_stock_change_shows_at_once_on_the_product_page(client, catalogue):
    product = Product.objects.get(pk=catalogue[0].pk)
    url = f"/produk/{product.pk}/"
    before = _get(client, url).content.decode()
    stock.set_on_hand(product, 4321)
    after = _get(client, url).content.decode()
    assert "4.321" in after and "4.321" not in before


def test_a_change_no_signal_sees_shows_within_the_bound(client, catalogue, monkeypatch, settings):
    url = f"/produk/{catalogue[0].pk}/"
    _get(client, url)
    Product.objects.filter(pk=catalogue[0].pk).update(stock=9876)  # a bulk write: no signal
    assert "9.876" not in _get(client, url).content.decode()
    clock = page_cache.time.monotonic() + settings.KATALOG_VISITOR_PAGE_SECONDS + 1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock)
    assert "9.876" in _get(client, url).content.decode()


def test_a_signed_in_user_never_gets_or_leaves_a_kept_page(client, catalogue, users, django_assert_num_queries):
    from django.test import Client

    visitor = Client()
    _get(visitor, "/cari/?q=sepatu")
    client.force_login(users["pp"])
    mine = _get(client, "/cari/?q=sepatu").content.decode()
    assert users["pp"].username in mine or "Keluar" in mine  # their own menu, not the visitor's page
    assert "no-store" in _get(client, "/").headers["Cache-Control"]
    _get(client, "/")  # a signed-in home page is not kept for visitors
    home = _get(visitor, "/").content.decode()
    assert "Keluar" not in home and users["pp"].username not in home


def test_a_search_that_finds_nothing_is_counted_every_time(client, catalogue, django_capture_on_commit_callbacks):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):  # the counter writes after the commit
            _get(client, "/cari/?q=zzqxw")
    assert sum(ZeroResultQuery.objects.values_list("count", flat=True)) == 3


def test_a_page_with_a_message_is_not_kept(client, catalogue):
    from django.test import Client

    url = "/cari/?q=sepatu&price_min=" + "9" * 40  # out of bounds: ignored, and the page says so
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert "diabaikan" in _get(client, url).content.decode()
    with CaptureQueriesContext(connection) as built:
        again = _get(Client(), url).content.decode()  # another visitor: built for them, not kept
    assert "diabaikan" in again and len(built) > 0


def test_health_is_answered_first_and_only_to_get(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "csrftoken" not in response.cookies and "no-store" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_the_operator_can_keep_nothing(client, catalogue, settings, django_assert_max_num_queries):
    settings.KATALOG_VISITOR_PAGE_SECONDS = 0
    _get(client, "/cari/?q=sepatu")
    with django_assert_max_num_queries(20) as built:
        page = _get(client, "/cari/?q=sepatu").content.decode()
    assert len(built) > 0 and page_cache.PLACEHOLDER not in page and "Sepatu Kulit Hitam" in page
