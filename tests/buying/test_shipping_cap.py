"""Shipping is capped (issue 10): an offer's shipping cost may be at most KATALOG_SHIPPING_MAX_SHARE of
the line's goods value (10% by default), so a line never costs more than its listed value plus that
share. Refused on the page and over the API, and a refusal changes nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from katalog.accounts.services import api_token_create
from katalog.buying import services
from katalog.buying.models import Offer, OfferSide, Order, OrderStatus
from katalog.core.errors import DomainError
from tests import factories as f
from tests.accounts.test_api import bearer
from tests.buying.conftest import listed_product

S = OrderStatus


@pytest.fixture
def negotiating(medan, users, shop):
    """A Rp50.000 product; the PP proposes the listed price with no shipping."""
    product = listed_product(medan, shop["vendor"], name="Stempel", price="50000")
    order = services.order_create(
        actor=f.actor(users["pp"]),
        budget_line=shop["line"],
        addresses=["Kantor"],
        items=[services.ItemRequest(product.pk, 1)],
    )
    item = order.items.get()
    line = {"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "0"}
    order = services.order_propose(actor=f.actor(users["pp"]), order=order, lines=[line])
    return {"order": order, "item": item}


def snapshot(order):
    order = Order.objects.get(pk=order.pk)
    return order.status, order.total, order.offers.count(), order.committed_amount


def test_the_vendor_cannot_counter_with_shipping_of_49_950_000_on_a_50_000_product(client, users, negotiating):
    order, item = negotiating["order"], negotiating["item"]
    before = snapshot(order)
    token = api_token_create(user=users["penyedia"])
    line = {"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "49950000"}
    with translation.override("id"):
        response = client.post(
            f"/api/v1/orders/{order.pk}/counter", {"lines": [line]}, content_type="application/json", **bearer(token)
        )
    assert response.status_code == 422 and response.json()["code"] == "shipping_above_cap"
    assert "ongkos kirim" in response.json()["message"].lower()
    assert f"shipping_{item.pk}" in response.json()["fields"]
    assert snapshot(order) == before


def test_the_page_refuses_it_too_and_keeps_what_was_typed(client_as, users, negotiating):
    order, item = negotiating["order"], negotiating["item"]
    before = snapshot(order)
    response = client_as(users["penyedia"]).post(
        f"/belanja/pesanan/{order.pk}/counter/",
        {f"price_{item.pk}": "50.000", f"quantity_{item.pk}": "1", f"shipping_{item.pk}": "49.950.000"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Ongkos kirim" in page and "49.950.000" in page
    assert snapshot(order) == before


def test_a_capped_shipping_cost_is_accepted_and_committed(users, negotiating):
    order, item = negotiating["order"], negotiating["item"]
    line = {"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "5000"}  # 10%
    order = services.order_counter(actor=f.actor(users["penyedia"]), order=order, lines=[line])
    order = services.order_accept(actor=f.actor(users["pp"]), order=order)
    assert (order.status, order.total) == (S.DRAFT, Decimal("55000"))
    order = services.order_submit(actor=f.actor(users["pp"]), order=order)
    assert order.committed_amount == Decimal("55000")


def test_one_rupiah_over_the_cap_is_refused_and_the_cap_is_a_setting(users, negotiating, settings):
    order, item = negotiating["order"], negotiating["item"]
    vendor = f.actor(users["penyedia"])
    over = {"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "5001"}
    with pytest.raises(DomainError) as refused:
        services.order_counter(actor=vendor, order=order, lines=[over])
    assert refused.value.code == "shipping_above_cap"
    # A lower agreed price lowers the cap: shipping is a share of the goods' value as agreed.
    cheaper = {"item": item.pk, "unit_price": "40000", "quantity": 1, "shipping_cost": "5000"}
    with pytest.raises(DomainError):
        services.order_counter(actor=vendor, order=order, lines=[cheaper])
    settings.KATALOG_SHIPPING_MAX_SHARE = "0.5"
    big = {"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "25000"}
    assert services.order_counter(actor=vendor, order=order, lines=[big]).status == S.NEGOTIATING


def test_the_buyer_cannot_propose_it_either(users, shop, negotiating):
    order, item = negotiating["order"], negotiating["item"]
    order = services.order_accept(
        actor=f.actor(users["penyedia"]), order=order
    )  # back to a draft with the buyer's figures
    line = {"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "49950000"}
    with pytest.raises(DomainError) as refused:
        services.order_propose(actor=f.actor(users["pp"]), order=order, lines=[line])
    assert refused.value.code == "shipping_above_cap"
    assert Order.objects.get(pk=order.pk).status == S.DRAFT


def test_an_offer_stored_before_the_cap_cannot_be_accepted(users, negotiating):
    order, item = negotiating["order"], negotiating["item"]
    Offer.objects.create(
        order=order,
        side=OfferSide.VENDOR,
        made_by=users["penyedia"],
        lines=[{"item": item.pk, "unit_price": "50000", "quantity": 1, "shipping_cost": "49950000"}],
    )
    before = snapshot(order)
    with pytest.raises(DomainError) as refused:
        services.order_accept(actor=f.actor(users["pp"]), order=order)
    assert refused.value.code == "shipping_above_cap"
    assert snapshot(order) == before
    assert Order.objects.get(pk=order.pk).items.get().shipping_cost == 0
