"""Absurd values at every endpoint of products, vendors and accounts answer a 4xx JSON error naming the
field, never a 500: 40-digit numbers in the query, the path and the body, negative numbers, sen in
money, 10,000-character texts, NUL characters, wrong types. The bound types themselves
(katalog/core/bounds.py) are checked directly at the end."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pydantic import BaseModel, ValidationError

from katalog.core import bounds
from katalog.vendors.models import VendorStatus
from tests import factories as f

HUGE = "9" * 40
LONG = "x" * 10_000


@pytest.fixture
def shop(medan, users):
    return f.make_vendor(medan, users=[users["penyedia"]], name="UD Kertas Deli", nib="8120000000777")


@pytest.fixture
def product(medan, shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search, as in production
        return f.make_product(shop, f.make_category(medan, "Kertas", code="KRT"), name="Kertas HVS A4")


@pytest.fixture
def call(client):
    """`call(method, url, user=None, body=None)`: JSON in, the response out, with the user's bearer token."""
    tokens: dict[str, str] = {}

    def send(method, url, user=None, body=None):
        headers = {}
        if user is not None:
            if user.username not in tokens:
                response = client.post(
                    "/api/v1/auth/token",
                    {"username": user.username, "password": f.PASSWORD},
                    content_type="application/json",
                )
                assert response.status_code == 200, response.content
                tokens[user.username] = response.json()["token"]
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.username]}"
        if method == "get":
            return client.get(url, **headers)
        data = body if isinstance(body, str) else (body if body is not None else {})
        return client.post(url, data, content_type="application/json", **headers)

    return send


def refused(response, field: str, status: int = 422) -> list[str]:
    """The answer is a JSON error with `fields[field]`; its messages are returned."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert field in body["fields"], body
    assert all(isinstance(m, str) and m for m in body["fields"][field])
    return body["fields"][field]


def in_indonesian(msgid: str, **params) -> str:
    """The message as the API says it by default. Until the lead adds the translation to the catalogue,
    this is the English msgid itself; afterwards it is the Indonesian text."""
    with translation.override("id"):
        return gettext(msgid) % params if params else gettext(msgid)


# --- Products ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "msgid", "params"),
    [
        (f"price_min={HUGE}", "price_min", "Must be at most %(limit)s.", {"limit": "1.000.000.000.000"}),
        (f"price_max={HUGE}", "price_max", "Must be at most %(limit)s.", {"limit": "1.000.000.000.000"}),
        ("price_min=-5", "price_min", "Must be at least %(limit)s.", {"limit": "0"}),
        ("price_max=1500.50", "price_max", "Must be whole rupiah, without sen.", {}),
        ("tkdn_min=101", "tkdn_min", "Must be at most %(limit)s.", {"limit": "100"}),
        (f"tkdn_min={HUGE}", "tkdn_min", "Must be at most %(limit)s.", {"limit": "100"}),
        (f"page={HUGE}", "page", "Must be at most %(limit)s.", {"limit": "10.000"}),
        (f"page_size={HUGE}", "page_size", "This number is too large.", {}),
        (f"q={LONG}", "q", "Must be at most %(limit)s characters.", {"limit": "200"}),
        (f"district={LONG}", "district", "Must be at most %(limit)s characters.", {"limit": "13"}),
    ],
)
def test_absurd_search_parameters_are_a_422_naming_the_field(call, product, query, field, msgid, params):
    # New msgids: Indonesian once translated, the English msgid until then (see in_indonesian).
    assert refused(call("get", f"/api/v1/products?{query}"), field) == [in_indonesian(msgid, **params)]


def test_search_parameters_it_cannot_read_are_still_ignored_as_on_the_search_page(call, product):
    # Not numbers, unknown choices, ids that cannot exist: the search page's reading (tests/catalogue).
    response = call("get", f"/api/v1/products?price_min=abc&tkdn_min=banyak&category={HUGE}&vendor=-1&pdn=mungkin")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [product.pk]


def test_a_price_written_as_people_write_it_is_read(call, product):
    assert call("get", "/api/v1/products?price_min=Rp 1.000&price_max=1.000.000").json()["count"] == 1
    assert call("get", "/api/v1/products?price_min=1.000.000").json()["count"] == 0


@pytest.mark.parametrize(("product_id", "msgid"), [(HUGE, "Must be at most %(limit)s."), ("abc", None)])
def test_an_absurd_product_id_is_a_422(call, product_id, msgid, db):
    messages = refused(call("get", f"/api/v1/products/{product_id}"), "product_id")
    if msgid:
        assert messages == [in_indonesian(msgid, limit="999.999.999.999.999.999")]
    else:
        assert messages == [in_indonesian("Must be a whole number.")]


@pytest.mark.parametrize("action", ["reject", "request-revision", "freeze", "delist", "withdraw"])
def test_a_reason_of_10000_characters_is_refused(call, users, product, action):
    user = users["penyedia" if action == "withdraw" else "catalogue_manager"]
    response = call("post", f"/api/v1/products/{product.pk}/{action}", user, {"reason": LONG})
    assert refused(response, "reason") == [in_indonesian("Must be at most %(limit)s characters.", limit="1.000")]


@pytest.mark.parametrize("reason", [12, ["a"], {"a": 1}, None, True])
def test_a_reason_of_the_wrong_type_is_refused(call, manager, product, reason):
    response = call("post", f"/api/v1/products/{product.pk}/freeze", manager, {"reason": reason})
    assert refused(response, "reason") == [in_indonesian("Must be text.")]


@pytest.mark.parametrize("body", ["[]", '"alasan"', "5", "null"])
def test_a_body_that_is_not_an_object_is_read_as_an_empty_one(call, manager, product, body):
    # django-ninja reads a body that is not a JSON object as one without fields: the reason is missing.
    response = call("post", f"/api/v1/products/{product.pk}/freeze", manager, body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["reason"]


def test_a_product_action_on_an_absurd_id_is_a_422(call, manager, db):
    refused(call("post", f"/api/v1/products/{HUGE}/approve", manager), "product_id")
    refused(call("post", "/api/v1/products/-1/approve", manager), "product_id")


@pytest.mark.parametrize(
    ("on_hand", "msgid", "params"),
    [
        (10**12, "Must be at most %(limit)s.", {"limit": "10.000.000"}),
        (int(HUGE), "Must be at most %(limit)s.", {"limit": "10.000.000"}),
        (-1, "Must be at least %(limit)s.", {"limit": "0"}),
        (2.5, "Must be a whole number.", {}),
        (True, "Must be a whole number.", {}),
        ("banyak", "Must be a whole number.", {}),
        (None, "Must be a whole number.", {}),
    ],
)
def test_an_absurd_stock_figure_is_a_422_and_changes_nothing(call, users, product, on_hand, msgid, params):
    response = call("post", f"/api/v1/products/{product.pk}/stock", users["penyedia"], {"on_hand": on_hand})
    assert refused(response, "on_hand") == [in_indonesian(msgid, **params)]
    product.refresh_from_db()
    assert product.stock == 10


def test_the_vendor_sets_its_stock_on_hand(call, users, product):
    response = call("post", f"/api/v1/products/{product.pk}/stock", users["penyedia"], {"on_hand": 10_000_000})
    assert response.status_code == 200, response.content
    assert response.json() == {"id": product.pk, "stock": 10_000_000, "reserved": 0, "available": 10_000_000}
    assert call("post", f"/api/v1/products/{product.pk}/stock", users["pp"], {"on_hand": 1}).status_code == 404


# --- Vendors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "msgid", "params"),
    [
        (f"limit={HUGE}", "limit", "This number is too large.", {}),
        (f"offset={HUGE}", "offset", "This number is too large.", {}),
        (f"offset=-{HUGE}", "offset", "This number is too large.", {}),
        ("limit=abc", "limit", "Must be a whole number.", {}),
        ("limit=1.5", "limit", "Must be a whole number.", {}),
        (f"q={LONG}", "q", "Must be at most %(limit)s characters.", {"limit": "200"}),
        (f"nib={LONG}", "nib", "Must be at most %(limit)s characters.", {"limit": "20"}),
    ],
)
def test_absurd_vendor_search_parameters_are_a_422(call, manager, shop, query, field, msgid, params):
    response = call("get", f"/api/v1/vendors?{query}", manager)
    assert refused(response, field) == [in_indonesian(msgid, **params)]


def test_an_unknown_vendor_status_is_refused_with_the_choices(call, manager, shop):
    [message] = refused(call("get", "/api/v1/vendors?status=raksasa", manager), "status")
    choices = ", ".join(f"'{s}'" for s in VendorStatus.values)
    assert message == in_indonesian("Must be one of: %(expected)s.", expected=choices)
    assert call("get", "/api/v1/vendors?status=verified", manager).json()["count"] == 1
    assert call("get", "/api/v1/vendors?status=", manager).json()["count"] == 1


@pytest.mark.parametrize("vendor_id", [HUGE, "-3", "0", "abc"])
def test_an_absurd_vendor_id_is_a_422(call, manager, vendor_id):
    refused(call("get", f"/api/v1/vendors/{vendor_id}", manager), "vendor_id")
    refused(call("post", f"/api/v1/vendors/{vendor_id}/approve", manager), "vendor_id")


@pytest.mark.parametrize(
    ("body", "msgid", "params"),
    [
        ({"reason": LONG}, "Must be at most %(limit)s characters.", {"limit": "1.000"}),
        ({"reason": 5}, "Must be text.", {}),
        ({"reason": None}, "Must be text.", {}),
    ],
)
def test_a_vendor_refusal_with_an_absurd_reason_is_a_422(call, medan, manager, body, msgid, params):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    response = call("post", f"/api/v1/vendors/{vendor.pk}/reject", manager, body)
    assert refused(response, "reason") == [in_indonesian(msgid, **params)]
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED


# --- Accounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "msgid", "params"),
    [
        ({"username": LONG, "password": "x"}, "username", "Must be at most %(limit)s characters.", {"limit": "150"}),
        (
            {"username": "medan-pp", "password": "x" * 5000},
            "password",
            "Must be at most %(limit)s characters.",
            {"limit": "4.096"},
        ),
        ({"username": 12, "password": "x"}, "username", "Must be text.", {}),
        ({"username": "medan-pp", "password": True}, "password", "Must be text.", {}),
        ("[]", "password", "This field is required.", {}),  # not an object: read as one without fields
        ("not json", "body", "The request body is not valid JSON.", {}),
    ],
)
def test_absurd_sign_in_bodies_are_refused(call, users, body, field, msgid, params):
    response = call("post", "/api/v1/auth/token", None, body)
    status = 400 if body == "not json" else 422
    assert refused(response, field, status) == [in_indonesian(msgid, **params)]


# --- NUL characters (refused before any view by katalog/core/nulls.py) ---------------------------


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/products?q=ab%00cd", None),
        ("get", "/api/v1/vendors?nib=81%00", None),
        ("post", "/api/v1/auth/token", '{"username": "a\\u0000", "password": "x"}'),
        ("post", "/api/v1/vendors/1/reject", '{"reason": "a\\u0000b"}'),
    ],
)
def test_a_nul_character_is_a_400_json_answer(call, manager, method, url, body):
    response = call(method, url, manager, body)
    assert response.status_code == 400
    # The middleware answers before the API, in the API's shape: code, message and the field.
    message = "Permintaan berisi karakter NUL."
    assert response.json() == {"code": "invalid", "message": message, "fields": {"request": [message]}}


# --- Every absurd request: a 4xx JSON answer, never a 500 -----------------------------------------

ABSURD = [
    ("get", f"/api/v1/products?price_min={HUGE}&price_max=-{HUGE}&page={HUGE}&page_size=-{HUGE}", None),
    ("get", f"/api/v1/products?tkdn_min=-{HUGE}&q={LONG}&sort={LONG}&size_class={LONG}", None),
    ("get", f"/api/v1/products/{HUGE}{HUGE}", None),
    ("post", f"/api/v1/products/{HUGE}/freeze", {"reason": LONG}),
    ("post", "/api/v1/products/1/freeze", {"reason": {"nested": [1, 2]}}),
    ("post", "/api/v1/products/1/withdraw", "[" * 5000 + "]" * 5000),
    ("post", "/api/v1/products/1/withdraw", "1" * 5000),
    ("post", f"/api/v1/products/{HUGE}/stock", {"on_hand": 10**12}),
    ("post", "/api/v1/products/1/stock", {"on_hand": [HUGE]}),
    ("get", f"/api/v1/vendors?limit={HUGE}&offset=-{HUGE}&status={LONG}&q={LONG}&nib={LONG}", None),
    ("get", f"/api/v1/vendors/-{HUGE}", None),
    ("post", f"/api/v1/vendors/{HUGE}/request-revision", {"reason": 1e400}),
    ("post", "/api/v1/vendors/1/reject", {}),
    ("post", "/api/v1/auth/token", {"username": [LONG], "password": {"a": HUGE}}),
    ("post", "/api/v1/auth/token", {"username": int(HUGE), "password": -int(HUGE)}),
]


@pytest.mark.parametrize(("method", "url", "body"), ABSURD)
def test_absurd_requests_are_answered_not_crashed(call, manager, method, url, body):
    response = call(method, url, manager, body)
    assert 400 <= response.status_code < 500, response.content
    answer = response.json()
    assert answer["code"] and answer["message"] and answer["fields"]


# --- The bound types -----------------------------------------------------------------------------


class Order(BaseModel):
    product: bounds.Id = 1
    quantity: bounds.Quantity = 1
    price: bounds.Money = Decimal(1)
    shipping: bounds.MoneyOrZero = Decimal(0)
    delivered: bounds.QuantityOrZero = 0
    tkdn: bounds.Percent = Decimal(0)
    on: bounds.Date = date(2026, 1, 5)
    year: bounds.FiscalYear = 2026
    name: bounds.ShortText(bounds.Length.NAME) = ""
    reason: bounds.Reason = ""
    note: bounds.LongText = ""


def error_types(**data) -> dict[str, str]:
    try:
        Order.model_validate(data)
    except ValidationError as exc:
        return {".".join(map(str, e["loc"])): e["type"] for e in exc.errors()}
    return {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"quantity": 10**12}, "less_than_equal"),
        ({"quantity": 10_000_001}, "less_than_equal"),
        ({"quantity": 0}, "greater_than_equal"),
        ({"quantity": -1}, "greater_than_equal"),
        ({"quantity": True}, "int_type"),
        ({"quantity": 1.5}, "int_from_float"),
        ({"quantity": "sepuluh"}, "int_parsing"),
        ({"product": 10**18}, "less_than_equal"),
        ({"product": int(HUGE)}, "less_than_equal"),
        ({"product": 0}, "greater_than_equal"),
        ({"price": 0}, "greater_than"),
        ({"price": "1500000.50"}, "whole_rupiah"),
        ({"price": 1500000.5}, "whole_rupiah"),
        ({"price": 10**12 + 1}, "less_than_equal"),
        ({"price": HUGE}, "less_than_equal"),
        ({"price": "NaN"}, "finite_number"),
        ({"price": "Infinity"}, "finite_number"),
        ({"price": True}, "decimal_type"),
        ({"shipping": -1}, "greater_than_equal"),
        ({"delivered": -1}, "greater_than_equal"),
        ({"tkdn": "100.5"}, "less_than_equal"),
        ({"tkdn": "45.125"}, "decimal_max_places"),
        ({"on": "1899-12-31"}, "greater_than_equal"),
        ({"on": "2101-01-01"}, "less_than_equal"),
        ({"on": "2026-02-30"}, "date_from_datetime_parsing"),
        ({"on": "2026-01-05T10:00:00"}, "date_from_datetime_inexact"),
        ({"year": 1999}, "greater_than_equal"),
        ({"name": "x" * 201}, "string_too_long"),
        ({"name": "a\x00b"}, "nul_character"),
        ({"reason": "x" * 1001}, "string_too_long"),
        ({"note": "x" * 2001}, "string_too_long"),
        ({"note": 5}, "string_type"),
    ],
)
def test_a_bound_refuses(data, expected):
    assert error_types(**data) == {next(iter(data)): expected}


def test_the_limits_are_the_settings(settings):
    assert (bounds.MAX_QUANTITY, bounds.MAX_MONEY) == (settings.KATALOG_MAX_QUANTITY, settings.KATALOG_MAX_MONEY)
    edge = Order(
        product=10**18 - 1,
        quantity=10_000_000,
        price=10**12,
        shipping=0,
        tkdn="100",
        on="2100-12-31",
        name="x" * 200,
        reason="x" * 1000,
        note="x" * 2000,
    )
    assert (edge.quantity, edge.price, edge.shipping) == (10_000_000, Decimal(10**12), Decimal(0))


def test_money_is_read_as_whole_rupiah():
    assert Order(price="1500000").price == Decimal("1500000")
    assert Order(price="1500000.00").price == Decimal("1500000")
    assert str(Order(price="1.5E+6").price) == "1500000"


class Paging(BaseModel):
    limit: bounds.Limit(200) = 50
    offset: bounds.Offset = 0
    page: bounds.Page = 1
    price_min: bounds.AmountFilter = None
    tkdn_min: bounds.PercentFilter = None
    vendor: bounds.IdFilter = None
    pdn: bounds.YesNoFilter = None
    size: bounds.ChoiceFilter("mikro", "kecil") = None
    status: bounds.Choice("draft", "verified") = None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"limit": "-1"}, 1),
        ({"limit": "0"}, 1),
        ({"limit": "100000"}, 200),
        ({"offset": "-5"}, 0),
        ({"offset": "99999"}, 99999),
        ({"page": "x"}, 1),
        ({"page": ""}, 1),
        ({"page": "-3"}, 1),
        ({"page": "10000"}, 10_000),
        ({"price_min": "abc"}, None),
        ({"price_min": "Rp 1.500.000"}, Decimal(1_500_000)),
        ({"price_min": "0"}, Decimal(0)),
        ({"tkdn_min": "banyak"}, None),
        ({"tkdn_min": "35,5"}, Decimal("35.5")),
        ({"vendor": HUGE}, None),
        ({"vendor": "0"}, None),
        ({"vendor": "7"}, 7),
        ({"pdn": "ya"}, True),
        ({"pdn": "tidak"}, False),
        ({"pdn": "mungkin"}, None),
        ({"size": "raksasa"}, None),
        ({"size": "kecil"}, "kecil"),
        ({"status": ""}, None),
        ({"status": "verified"}, "verified"),
    ],
)
def test_paging_is_clamped_and_lenient_filters_ignore_what_they_cannot_read(data, expected):
    [(key, value)] = data.items()
    assert getattr(Paging.model_validate(data), key) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"limit": HUGE}, "number_too_large"),
        ({"offset": f"-{HUGE}"}, "number_too_large"),
        ({"limit": True}, "int_type"),
        ({"page": "10001"}, "less_than_equal"),
        ({"page": HUGE}, "less_than_equal"),
        ({"price_min": HUGE}, "less_than_equal"),
        ({"price_min": "-1"}, "greater_than_equal"),
        ({"price_min": "100.50"}, "whole_rupiah"),
        ({"tkdn_min": "101"}, "less_than_equal"),
        ({"status": "raksasa"}, "literal_error"),
    ],
)
def test_paging_and_filters_refuse_absurd_numbers(data, expected):
    with pytest.raises(ValidationError) as caught:
        Paging.model_validate(data)
    assert [e["type"] for e in caught.value.errors()] == [expected]
