"""Who may do what, walked from the URL configuration and the API schema, so that no route is missed.

Every page and API operation declares its right (katalog/core/access.py, or `@require` on the view);
each is then called anonymous, as every role of Medan, on objects of another tenant and of another
office, and the answer must be what the permission catalogue says. A refusal changes nothing."""

import hashlib
import json
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from katalog.buying.models import BudgetLine
from katalog.core import access
from katalog.core.permissions import ROLE_PERMISSIONS, Role
from tests import factories as f

ROLES = [r.value for r in Role]
SKIP_NAMESPACES = ("admin",)


def _routes(patterns=None, prefix="", ns=""):
    """(name, path pattern, view) of every route of the site."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _routes(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
            yield name, prefix + str(p.pattern), p.callback


def _pages():
    for name, path, view in _routes():
        if name.split(":")[0] in SKIP_NAMESPACES or path.startswith(("static/", "media/", "django-admin/")):
            continue
        if getattr(view, "__module__", "").startswith("ninja.") and name.startswith("api:"):
            continue  # an API operation: declared in access.API, checked against the schema
        yield name, path, view


def _declared(name, view):
    needed = getattr(view, "required_permissions", None)
    if needed is not None:
        return tuple(needed), bool(getattr(view, "required_any", False))
    return access.VIEWS.get(name), False


def _holds(role: str, needed: tuple, any_of: bool) -> bool:
    rights = ROLE_PERMISSIONS[Role(role)]
    return any(p in rights for p in needed) if any_of else all(p in rights for p in needed)


def _fingerprint() -> str:
    """A digest of every row the product keeps: a refusal must leave it as it was."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if not model.__module__.startswith("katalog.") and model._meta.label != "auth.User":
            continue
        if model._meta.label == "accounts.SignedInSession":
            continue  # which browsers are signed in (the sign-ins of this test), like Django's sessions
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        digest.update(model._meta.label.encode())
        digest.update(json.dumps(list(rows), default=str).encode())
    return digest.hexdigest()


@pytest.fixture
def people(medan, office, users):
    return {"anonymous": None, **users}


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/akun/masuk/" in response["Location"]


# --- Every route declares who may use it ------------------------------------------------------------


def test_every_page_declares_who_may_open_it(db):
    undeclared = [name or path for name, path, view in _pages() if _declared(name, view)[0] is None]
    assert undeclared == [], f"{undeclared}: declare these in katalog/core/access.py or with @require"
    names = {name for name, _path, _view in _routes()}
    assert sorted(set(access.VIEWS) - names - {"metrics"}) == []


def test_every_api_operation_declares_its_right(client, medan):
    schema = client.get("/api/v1/openapi.json").json()
    published = {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}
    assert sorted(published - set(access.API)) == [], "declare these in katalog/core/access.API"
    assert sorted(set(access.API) - published) == []


# --- Pages without an object: each role gets what the catalogue says -----------------------------------


def test_each_page_answers_each_role_as_the_catalogue_says(client, people):
    wrong = []
    for name, path, view in _pages():
        if "<" in path:
            continue
        declared, any_of = _declared(name, view)
        url = "/" + path
        for who, user in people.items():
            response = _as(client, user).get(url)
            status = response.status_code
            if status >= 500:
                wrong.append((url, who, status))
            elif declared == access.PUBLIC or declared == access.PROVIDER:
                continue
            elif user is None:
                if not _is_login_redirect(response):
                    wrong.append((url, who, status))
            elif declared == access.SIGNED_IN:
                continue
            elif _holds(who, declared, any_of):
                if status == 403:
                    wrong.append((url, who, status))
            elif status != 403:
                wrong.append((url, who, status))
    assert wrong == [], wrong


def test_a_refused_post_to_any_page_changes_nothing(client, people):
    before = _fingerprint()
    wrong = []
    for name, path, view in _pages():
        if "<" in path:
            continue
        declared, any_of = _declared(name, view)
        if not isinstance(declared, tuple):
            continue
        for who, user in people.items():
            if user is not None and _holds(who, declared, any_of):
                continue
            response = _as(client, user).post("/" + path, {"name": "x", "quantity": "1"})
            if not (_is_login_redirect(response) or response.status_code in (403, 405)):
                wrong.append(("/" + path, who, response.status_code))
    assert wrong == [], wrong
    assert _fingerprint() == before


# --- Objects of another tenant and of another office -------------------------------------------------


@pytest.fixture
def elsewhere(binjai, medan, office):
    """Things that belong to Binjai (another tenant), and an order of another Medan office."""
    from tests.buying.conftest import listed_product

    binjai_office = f.make_office(binjai, "1.01.01", "Dinas Pendidikan Binjai")
    owner = f.make_user(binjai, "penyedia")
    vendor = f.make_vendor(binjai, users=[owner])
    product = listed_product(binjai, vendor)
    binjai_pp = f.make_user(binjai, "pp", office=binjai_office)
    f.make_user(binjai, "ppk", office=binjai_office)
    BudgetLine.objects.create(
        katalog=binjai, office=binjai_office, kode_rup="RUP-B-1", name="Pakaian", fiscal_year=2026, ceiling=10**9
    )
    theirs = _order(binjai_pp, product, "RUP-B-1")

    other_office = f.make_office(medan, "1.02.01", "Dinas Kesehatan")
    medan_vendor = f.make_vendor(medan, users=[f.make_user(medan, "penyedia")])
    medan_product = listed_product(medan, medan_vendor, name="Seragam")
    other_pp = f.make_user(medan, "pp", office=other_office)
    f.make_user(medan, "ppk", office=other_office)
    BudgetLine.objects.create(
        katalog=medan, office=other_office, kode_rup="RUP-K-1", name="Seragam", fiscal_year=2026, ceiling=10**9
    )
    next_door = _order(other_pp, medan_product, "RUP-K-1")
    return {"vendor": vendor, "product": product, "order": theirs, "office_order": next_door}


def _order(pp, product, rup) -> int:
    from django.test import Client

    client = Client()
    client.force_login(pp)
    response = client.post(
        "/api/v1/orders",
        {"budget_line": rup, "items": [{"product": product.pk, "quantity": 1}], "delivery_address": "Jl. Uji 1"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    submitted = client.post(f"/api/v1/orders/{order_id}/submit", content_type="application/json")
    assert submitted.status_code == 200, submitted.content
    return order_id


def _fill(name: str, path: str, things: dict, order_key: str) -> str | None:
    """The page's URL with ids of `things`, or None when its arguments are not about them."""
    kinds = {
        "kind": "sp" if name.startswith("buying:") else "nib",
        "action": "approve",
        "step": "usaha",
        "str:kind": "xlsx",
        "delivery_id": "1",
        "photo_id": "1",
    }
    if name.startswith(("buying:order", "buying:delivery")):
        pk = things[order_key]
    elif name.startswith("catalogue:") and name != "catalogue:storefront":
        pk = things["product"].pk
    elif name.startswith("buying:") or name.startswith("vendors:import"):
        return None  # carts, days off and import jobs: their own tests (another tenant's id is a 404)
    else:
        pk = things["vendor"].pk

    def value(match):
        converter_name = match.group(1)
        if converter_name in ("pk", "id:pk", "int:pk"):
            return str(pk)
        if converter_name.endswith("product_id"):
            return str(things["product"].pk)
        if converter_name.endswith("vendor_id"):
            return str(things["vendor"].pk)
        key = converter_name.split(":")[-1]
        return kinds.get(converter_name, kinds.get(key, "1"))

    if "<path:" in path or "uidb64" in path or not re.search(r"<[^>]*(pk|_id)>", path):
        return None  # no object in the address (a format, a step): the role matrix covers it
    return "/" + re.sub(r"<([^>]+)>", value, path)


@pytest.mark.parametrize("order_key", ["order", "office_order"])
def test_another_tenants_or_offices_objects_are_out_of_reach_for_every_role(client, people, elsewhere, order_key):
    before = _fingerprint()
    wrong = []
    for name, path, _view in _pages():
        if "<" not in path:
            continue
        if order_key == "office_order" and not name.startswith(("buying:order", "buying:delivery")):
            continue
        url = _fill(name, path, elsewhere, order_key)
        if url is None:
            continue
        for who, user in people.items():
            if order_key == "office_order" and who in ("catalogue_manager", "auditor", "admin"):
                continue  # they read every order of the tenant (order:view_all)
            for method in ("get", "post"):
                response = getattr(_as(client, user), method)(url)
                ok = response.status_code in (403, 404, 405) or _is_login_redirect(response)
                if not ok:
                    wrong.append((method, url, who, response.status_code))
    assert wrong == [], wrong
    assert _fingerprint() == before


def test_the_api_keeps_another_tenants_or_offices_objects_out_of_reach(client, people, elsewhere):
    schema = client.get("/api/v1/openapi.json").json()
    before = _fingerprint()
    wrong = []
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            for key in ("order", "office_order"):
                ids = {
                    "order_id": elsewhere[key],
                    "product_id": elsewhere["product"].pk,
                    "vendor_id": elsewhere["vendor"].pk,
                    "ocid": f"ocds-xxxxxx-12.75-{elsewhere[key]}",  # Binjai's order as an OCDS process (I9b)
                }
                if key == "office_order" and "{order_id}" not in path:
                    continue
                url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids[m.group(1)]), path)
                for who, user in people.items():
                    if key == "office_order" and who in ("catalogue_manager", "auditor", "admin") and method == "get":
                        continue  # order:view_all reads every order of the tenant
                    response = getattr(_as(client, user), method)(url, {}, content_type="application/json")
                    if response.status_code not in (401, 403, 404, 409, 422):
                        wrong.append((method.upper(), url, who, response.status_code))
    assert wrong == [], wrong
    assert _fingerprint() == before


def test_each_api_list_answers_each_role_as_the_catalogue_says(client, people):
    schema = client.get("/api/v1/openapi.json").json()
    wrong = []
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        declared = access.API[f"GET {path}"]
        for who, user in people.items():
            status = _as(client, user).get(path).status_code
            if declared == access.PUBLIC:
                expected_ok = True
            elif user is None:
                expected_ok = False
            elif declared == access.SIGNED_IN:
                expected_ok = True
            else:
                expected_ok = _holds(who, declared, any_of=False)
            if (
                status >= 500
                or (expected_ok and status in (401, 403))
                or (not expected_ok and status not in (401, 403))
            ):
                wrong.append((path, who, status))
    assert wrong == [], wrong
