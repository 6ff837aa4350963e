"""Idempotent writes over the API (issue 10): `POST /api/v1/orders` sent again with the same
`Idempotency-Key` answers the first order again and creates nothing; the same key with another body
is a 422; a failed write leaves no key; without a key nothing changes. Also the hidden field the
pages carry, and the keys' lifetime."""

import http.client
import json
import re
import threading
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from katalog.accounts.services import api_token_create
from katalog.buying.models import BudgetLine, Order
from katalog.core.idempotency import purge_expired
from katalog.core.models import IdempotencyKey
from tests import factories as f
from tests.accounts.test_api import bearer, token_for
from tests.buying.conftest import listed_product
from tests.buying.test_concurrency import committed_db, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def shop(medan, office, users):
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    product = listed_product(medan, vendor, stock=100)
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-2026-001", name="Pakaian", fiscal_year=2026, ceiling=10_000_000
    )
    return {"vendor": vendor, "product": product, "line": line}


def order_body(shop, quantity=4, address="Kantor Dinas Pendidikan"):
    return {
        "budget_line": "RUP-2026-001",
        "items": [{"product": shop["product"].pk, "quantity": quantity}],
        "delivery_address": address,
    }


def post_order(client, token, body, key=None):
    headers = bearer(token)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/orders", body, content_type="application/json", **headers)


def test_a_retried_order_with_the_same_key_answers_the_first_order_and_creates_one(client, users, shop):
    token, key = token_for(client, "medan-pp"), str(uuid.uuid4())
    first = post_order(client, token, order_body(shop), key)
    again = post_order(client, token, order_body(shop), key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()  # the same id, status, figures
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Order.objects.count() == 1
    assert Order.objects.get().pk == first.json()["id"]


def test_the_same_body_with_other_spacing_or_key_order_is_the_same_request(client, users, shop):
    token, key = token_for(client, "medan-pp"), "retry-1"
    first = post_order(client, token, order_body(shop), key)
    product = shop["product"].pk
    body = (
        f'{{"delivery_address": "Kantor Dinas Pendidikan",  "items": [{{"quantity": 4, "product": {product}}}],\n'
        '"budget_line": "RUP-2026-001"}'
    )
    again = post_order(client, token, body, key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(client, users, shop):
    token, key = token_for(client, "medan-pp"), str(uuid.uuid4())
    assert post_order(client, token, order_body(shop, quantity=4), key).status_code == 201
    other = post_order(client, token, order_body(shop, quantity=5), key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["message"]
    assert Order.objects.count() == 1 and Order.objects.get().items.get().quantity == 4


def test_without_a_key_each_post_creates_as_before(client, users, shop):
    token = token_for(client, "medan-pp")
    assert post_order(client, token, order_body(shop)).status_code == 201
    assert post_order(client, token, order_body(shop)).status_code == 201
    assert Order.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_key_is_the_users_own(client, users, shop):
    key = str(uuid.uuid4())
    mine = post_order(client, token_for(client, "medan-pp"), order_body(shop), key)
    theirs = post_order(client, token_for(client, "medan-ppk"), order_body(shop), key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert Order.objects.count() == 2


def test_a_refused_write_keeps_no_key_so_the_corrected_retry_creates_once(client, users, shop):
    token, key = token_for(client, "medan-pp"), str(uuid.uuid4())
    refused = post_order(client, token, order_body(shop, quantity=101), key)  # only 100 in stock
    assert refused.status_code == 422 and refused.json()["code"] == "out_of_stock"
    assert not IdempotencyKey.objects.exists() and Order.objects.count() == 0
    assert post_order(client, token, order_body(shop, quantity=10), key).status_code == 201
    assert post_order(client, token, order_body(shop, quantity=10), key).status_code == 201
    assert Order.objects.count() == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "kunci dengan spasi", "kunci\u00e9"])
def test_a_malformed_key_is_a_422_with_the_header_named(client, users, shop, key):
    response = post_order(client, token_for(client, "medan-pp"), order_body(shop), key)
    assert response.status_code == 422, response.content
    assert "Idempotency-Key" in response.content.decode()
    assert Order.objects.count() == 0


def test_the_openapi_schema_documents_the_header(client, users):
    schema = client.get("/api/v1/openapi.json").json()
    create = schema["paths"]["/api/v1/orders"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"] if p["in"] == "header"]


def test_a_key_expires_after_a_day_and_the_sweep_deletes_it(client, users, shop):
    token, key = token_for(client, "medan-pp"), str(uuid.uuid4())
    assert post_order(client, token, order_body(shop), key).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    # A day later, the same key is a new request.
    assert post_order(client, token, order_body(shop), key).status_code == 201
    assert Order.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1  # the old one was deleted when read
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_expired() == 1 and not IdempotencyKey.objects.exists()


def test_the_key_is_written_with_the_order_it_answers(client, users, shop):
    token = token_for(client, "medan-pp")
    response = post_order(client, token, order_body(shop), "k-1")
    row = IdempotencyKey.objects.get()
    assert (row.user, row.scope, row.key, row.status) == (users["pp"], "POST /api/v1/orders", "k-1", 201)
    assert row.body["id"] == response.json()["id"] and Decimal(row.body["total"]) == Decimal("1000000")


# --- The hidden field of the pages ------------------------------------------------------------------


FIELD = re.compile(r'<input type="hidden" name="idempotency_key" value="([0-9a-f]{32})">')


def render_field(request) -> str:
    return Template("{% load idempotency %}{% idempotency_field %}").render(Context({"request": request}))


def test_each_form_shown_gets_a_new_key_and_a_form_shown_again_keeps_its_own():
    factory = RequestFactory()
    one, two = FIELD.fullmatch(render_field(factory.get("/"))), FIELD.fullmatch(render_field(factory.get("/")))
    assert one and two and one.group(1) != two.group(1)
    refused = factory.post("/", {"idempotency_key": one.group(1), "quantity": "x"})
    assert FIELD.fullmatch(render_field(refused)).group(1) == one.group(1)
    forged = factory.post("/", {"idempotency_key": '"><script>'})
    assert FIELD.fullmatch(render_field(forged))  # not echoed: a new key


# --- The same key at the same moment ------------------------------------------------------------------


def _post_together(url: str, token: str, body: dict, key: str, count: int) -> list[tuple[int, dict]]:
    """`count` identical POSTs, each on its own thread and connection, released together."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    barrier = threading.Barrier(count, timeout=60)
    results: list = [None] * count
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key}

    def run(n):
        try:
            conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.connect()
            barrier.wait()
            conn.request("POST", "/api/v1/orders", body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            results[n] = (response.status, json.loads(response.read()))
            conn.close()
        except Exception as exc:  # asserted below
            results[n] = (0, {"error": repr(exc)})

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_order_sent_eight_times_at_once_is_created_once(committed_db, server, users, shop):  # noqa: F811
    token = api_token_create(user=users["pp"])
    with server as live:
        results = _post_together(live.url, token, order_body(shop), str(uuid.uuid4()), 8)
    assert Order.objects.count() == 1, results
    order = Order.objects.get()
    # Each answer is the order (the first, or a replay after it committed) or, on PostgreSQL while the
    # first still runs, a 409 that says to try again; never a second order, never a 500.
    for status, body in results:
        assert (status, body.get("id")) == (201, order.pk) or (status, body.get("code")) == (
            409,
            "idempotency_key_in_use",
        ), results
    assert any(status == 201 for status, _body in results)
