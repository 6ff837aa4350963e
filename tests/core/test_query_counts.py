"""The number of SQL statements each public page costs, fixed (issue 11, "Pages"; docs/performance.md,
"Pages and the cost of a request"). A change that adds a statement to one of these pages fails here:
either it is a regression, or the new figure is written down here and in the docs with its reason.

Each page is opened once first: what is kept between requests (the tenant of the host, the categories,
the district names, the count of verified UMKM: core/tenant_cache.py) is then in the cache, as it is
on a server that has been up for more than a request."""

import pytest

from katalog.catalogue import services
from katalog.catalogue.models import Product
from katalog.core import page_cache
from tests import factories as f

# page → statements for a visitor, then for a signed-in buyer (PP). What they are:
#   signed in, every page: the session, the user, the user's memberships (the actor, once per request)
#   and the unread notifications of the menu (4).
#   home: nothing else (tenant, categories and vendor count are cached).
#   product page: the product with its vendor, district, version and category; its photos; its verified
#   claims; its price history (4).
#   search page: the typo check of the query's words against the index's vocabulary, the page of
#   results, the facet counts, then the products, their photos and verified claims (6).
#   search API: the same six; signed in with the browser's session, the session, user and memberships
#   (the tenant is the user's), no menu; a bearer token is not even read (the search is public).
#   /healthz: SELECT 1, answered by the first middleware (core/health.py), signed in or not.
# A visitor's page is counted as built: once kept (core/page_cache.py) it costs none
# (tests/core/test_page_cache.py), and the figures here are what a change costs it.
EXPECTED = {
    "home": (0, 4),
    "product": (4, 8),
    "search": (6, 10),
    "search_api": (6, 9),
    "healthz": (1, 1),
}
# On PostgreSQL the search engine answers the page and the facets in one statement instead of two, run
# inside a savepoint with two set_config() calls around it (katalog/search/backends/database.py,
# PostgresBackend._SETTINGS): savepoint, settings, the statement, settings back, release = three more.
POSTGRES_SEARCH_EXTRA = 3


def expected(page: str, signed_in: bool) -> int:
    from django.db import connection

    extra = POSTGRES_SEARCH_EXTRA if connection.vendor == "postgresql" and page.startswith("search") else 0
    return EXPECTED[page][1 if signed_in else 0] + extra


def _urls(products) -> dict[str, str]:
    return {
        "home": "/",
        "product": f"/produk/{products[0].pk}/",
        "search": "/cari/?q=sepatu",
        "search_api": "/api/v1/products?q=sepatu",
        "healthz": "/healthz",
    }


def _open(client, page, url, headers=None):
    response = client.get(url, **(headers or {}))
    assert response.status_code == 200, (page, response.status_code)
    return response


@pytest.mark.parametrize("page", list(EXPECTED))
def test_a_visitor_costs_a_fixed_number_of_queries(client, catalogue, django_assert_num_queries, page):
    url = _urls(catalogue)[page]
    first = _open(client, page, url)
    if page in ("search", "search_api"):
        assert "Sepatu Kulit Hitam" in first.content.decode()  # the page shows what it should
    page_cache.clear()  # built again, with what is kept per tenant (the categories, ...) in the cache
    with django_assert_num_queries(expected(page, False)):
        _open(client, page, url)


@pytest.mark.parametrize("page", list(EXPECTED))
def test_a_signed_in_buyer_costs_a_fixed_number_of_queries(client, catalogue, users, django_assert_num_queries, page):
    client.force_login(users["pp"])
    url = _urls(catalogue)[page]
    _open(client, page, url)
    with django_assert_num_queries(expected(page, True)):
        _open(client, page, url)


def test_an_api_client_with_a_token_costs_the_same_as_a_visitor(client, catalogue, users, django_assert_num_queries):
    token = client.post(
        "/api/v1/auth/token",
        {"username": users["pp"].username, "password": f.PASSWORD},
        content_type="application/json",
    ).json()["token"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    _open(client, "search_api", "/api/v1/products?q=sepatu", headers)
    with django_assert_num_queries(expected("search_api", False)):
        _open(client, "search_api", "/api/v1/products?q=sepatu", headers)


def test_the_product_page_costs_the_same_with_a_long_price_history(client, catalogue, users, django_assert_num_queries):
    """The price history was read a row at a time (a deferred field): one query per price."""
    product = catalogue[0]
    owner, manager = f.actor(users["penyedia"]), f.actor(users["catalogue_manager"])
    for price in ("260000", "270000", "280000"):
        data = f.product_data(product.listed_version.category, name="Sepatu Kulit Hitam", price=price)
        services.product_update(actor=owner, product=product, data=data)
        services.product_approve(actor=manager, product=Product.objects.get(pk=product.pk))
    url = f"/produk/{product.pk}/"
    assert "Rp280.000" in _open(client, "product", url).content.decode()
    page_cache.clear()
    with django_assert_num_queries(expected("product", False)):
        _open(client, "product", url)
