"""Malformed input never answers 500 (issue 10): every GET page of the URL configuration and every GET
list operation of the OpenAPI schema is called with absurd query values (40-digit numbers, negative
numbers, NUL, 10 KB strings, words where numbers belong) in every query parameter the code reads; and
every `next` parameter stays on this site.

The pages and parameters are found, not listed: the URL patterns come from the resolver, the API
operations and their parameters from the schema, and the page parameters from the source (every
`request.GET.get("…")`, `params.get("…")`): a new page or parameter is walked without editing this
test. Run on SQLite, and on PostgreSQL with DATABASE_URL=postgres://…"""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from katalog.catalogue.models import Product
from tests import factories as f

HUGE = "9" * 40
ABSURD = {
    "huge": HUGE,
    "negative-huge": "-" + HUGE,
    "negative": "-1",
    "zero": "0",
    "nul": "1\x00",
    "long": "x" * 10_000,
    "long-digits": "1" * 10_000,
    "word": "abc",
    "infinity": "1e999",
    "nan": "NaN",
    "fraction": "1.5",
    "comma": "1,5",
    "exponent": "9e99",
}
SOURCE = Path(settings.BASE_DIR) / "katalog"
SKIP_PREFIXES = ("/api/", "/django-admin/", "/media/", "/static/", "/i18n/", "/metrics")


def page_parameters() -> set[str]:
    """Every query parameter a page reads, from the source."""
    names: set[str] = set()
    pattern = re.compile(r"""(?:\bGET|\bparams|\bquery)(?:\.get\(|\.getlist\(|\[)\s*["']([\w.]+)["']""")
    # ...and the names of a `read_query` spec: `"price_min": AmountFilter,`
    spec = re.compile(r"""^\s*["'](\w+)["']:\s*(?:\w*Filter|Page|Limit\(\d+\)|Offset|Id)\b""", re.MULTILINE)
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(pattern.findall(text))
        names.update(spec.findall(text))
    return names | {"page", "next", "limit", "offset", "page_size"}


def page_paths(ids: dict[str, int]) -> list[str]:
    """The path of every URL pattern (ids filled with real objects), API, admin and files aside."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                path = "/" + prefix + route
                if path.startswith("/^") or "(?" in path or "<path:" in path:
                    continue
                path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), ids["pk"])), path)
                if not path.startswith(SKIP_PREFIXES) and "<" not in path:
                    found.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


@pytest.fixture
def world(medan, office, users, django_capture_on_commit_callbacks):
    """A tenant with a verified vendor, a listed product (indexed for search), and one user per role."""
    owner = users["penyedia"]
    shop = f.make_vendor(medan, users=[owner], name="UD Kertas Deli", nib="8120000000777")
    with django_capture_on_commit_callbacks(execute=True):
        product = f.make_product(shop, f.make_category(medan, "Kertas", code="KRT"), name="Kertas HVS A4")
    assert Product.objects.filter(pk=product.pk).exists()
    return {"pk": shop.pk, "vendor_id": shop.pk, "product_id": product.pk}


def clients(users) -> list[tuple[str, Client]]:
    out = [("anonymous", Client())]
    for role, user in users.items():
        c = Client()
        c.force_login(user)
        out.append((role, c))
    return out


def assert_no_5xx(response, what: str) -> None:
    assert response.status_code < 500, f"{what} → {response.status_code}"


def test_every_get_page_survives_absurd_query_values(world, users, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    names = sorted(page_parameters())
    assert {"price_min", "price_max", "category", "page", "ids", "next"} <= set(names)
    walked = 0
    everyone = clients(users)
    for path in page_paths(world):
        # Walk each page as the first visitor it answers 200 to (anonymous first, then each role).
        visitor = next(((who, c) for who, c in everyone if c.get(path).status_code == 200), None)
        if visitor is None:
            continue
        who, client = visitor
        walked += 1
        for label, value in ABSURD.items():
            # Every parameter at once, then each number-like parameter alone (so that an early refusal
            # of one does not hide another).
            url = f"{path}?{urlencode(dict.fromkeys(names, value))}"
            assert_no_5xx(client.get(url), f"{who} GET {path} all={label}")
        for name in names:
            for label in ("huge",):
                url = f"{path}?{urlencode({name: ABSURD[label]})}"
                assert_no_5xx(client.get(url), f"{who} GET {path} {name}={label}")
    assert walked >= 15, walked  # the walk reached the public and the signed-in pages


def test_the_search_page_ignores_an_absurd_price_with_a_message(world, client):
    response = client.get("/cari/", {"price_min": HUGE, "q": "kertas"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kertas HVS A4" in html  # the filter is ignored, the search still answers
    assert "Filter yang tidak dapat dibaca diabaikan: harga minimum." in html
    response = client.get("/cari/", {"price_max": "-5", "category": HUGE, "tkdn_min": "1e999", "page": HUGE})
    assert response.status_code == 200


@pytest.fixture
def bearer(client, users):
    tokens = {}
    for role, user in users.items():
        response = client.post(
            "/api/v1/auth/token", {"username": user.username, "password": f.PASSWORD}, content_type="application/json"
        )
        if response.status_code == 200:
            tokens[role] = response.json()["token"]
    return tokens


def test_every_api_list_operation_survives_absurd_query_values(world, client, bearer):
    schema = client.get("/api/v1/openapi.json").json()
    operations = 0
    for path, item in schema["paths"].items():
        get = item.get("get")
        if not get or "{" in path:
            continue
        url = "/api/v1" + path if not path.startswith("/api/") else path
        params = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        headers = [{}] + [{"HTTP_AUTHORIZATION": f"Bearer {t}"} for t in bearer.values()]
        # As the first caller it answers 200 to (anonymous first).
        header = next((h for h in headers if client.get(url, **h).status_code == 200), None)
        if header is None:
            continue
        operations += 1
        for name in params:
            for label, value in ABSURD.items():
                response = client.get(f"{url}?{urlencode({name: value})}", **header)
                assert_no_5xx(response, f"GET {url} {name}={label}")
                if response.status_code >= 400:
                    assert response["Content-Type"].startswith("application/json"), (url, name, label)
        response = client.get(f"{url}?{urlencode(dict.fromkeys(params, HUGE))}", **header)
        assert_no_5xx(response, f"GET {url} all=huge")
    assert operations >= 4, operations


def test_the_issues_own_examples(world, client, bearer):
    assert client.get("/cari/", {"price_min": HUGE}).status_code == 200
    assert client.get("/api/v1/products", {"price_min": HUGE}).status_code == 422
    token = bearer["catalogue_manager"]
    response = client.get("/api/v1/vendors", {"limit": "9" * 20}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422


# --- `next` -----------------------------------------------------------------------------------------

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    " javascript:alert(1)",
    "/ok\r\nLocation: https://evil.example/",
    "http://testserver@evil.example/",
    "x" * 10_000,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_compare_page_never_redirects_off_site(world, client, target):
    response = client.post("/bandingkan/", {"add": world["product_id"], "next": target})
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/bandingkan/"


def test_the_compare_page_follows_a_path_on_this_site(world, client):
    response = client.post("/bandingkan/", {"add": world["product_id"], "next": "/cari/?q=kertas"})
    assert response["Location"] == "/cari/?q=kertas"


@pytest.mark.parametrize("target", OFF_SITE[:8])
def test_sign_in_never_redirects_off_site(users, client, target):
    response = client.post(
        "/akun/masuk/", {"username": users["pp"].username, "password": f.PASSWORD, "next": target}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))


def test_the_safe_redirect_helper(rf):
    from katalog.core.redirects import safe_next

    request = rf.get("/")
    for target in OFF_SITE:
        assert safe_next(request, target, "/home") == "/home", target
    assert safe_next(request, "/penyedia/?page=2") == "/penyedia/?page=2"
    assert safe_next(request, None) == ""
