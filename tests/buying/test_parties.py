"""The parties of one order are different people (issue 10): whoever works for the vendor may not buy
from it, nor confirm as the vendor an order he bought; whoever created an order does not approve it
as its PPK unless KATALOG_ALLOW_PP_AS_PPK says so."""

import pytest
from django.utils import translation

from katalog.accounts.models import Membership
from katalog.accounts.services import api_token_create
from katalog.buying import services
from katalog.buying.models import BudgetLine, CartItem, Order, OrderStatus
from katalog.catalogue.models import Product
from katalog.core.errors import DomainError
from katalog.core.permissions import Role
from tests import factories as f
from tests.accounts.test_api import bearer

S = OrderStatus


def draft(user, shop, quantity=2):
    return services.order_create(
        actor=f.actor(user),
        budget_line=shop["line"],
        addresses=["Kantor"],
        items=[services.ItemRequest(shop["product"].pk, quantity)],
    )


def make_staff(user, vendor, medan):
    """The PP also becomes a staff member of the vendor's business (a second membership)."""
    Membership.objects.create(user=user, katalog=medan, role=Role.VENDOR)
    vendor.users.add(user)


def test_a_pp_who_works_for_the_vendor_cannot_put_its_products_in_his_cart(users, shop, medan, client_as):
    pp = users["pp"]
    make_staff(pp, shop["vendor"], medan)
    with pytest.raises(DomainError) as refused:
        services.cart_add(actor=f.actor(pp), product=shop["product"], quantity=2)
    assert refused.value.code == "own_business"
    response = client_as(pp).post(f"/belanja/keranjang/tambah/{shop['product'].pk}/", {"quantity": "2"})
    assert response.status_code in (302, 409)
    assert not CartItem.objects.exists()


def test_a_pp_who_works_for_the_vendor_cannot_order_from_it(users, shop, medan, client):
    pp = users["pp"]
    make_staff(pp, shop["vendor"], medan)
    with pytest.raises(DomainError) as refused:
        draft(pp, shop)
    assert refused.value.code == "own_business"
    token = api_token_create(user=pp)
    body = {
        "budget_line": "RUP-2026-001",
        "items": [{"product": shop["product"].pk, "quantity": 2}],
        "delivery_addresses": ["Kantor"],
    }
    with translation.override("id"):
        response = client.post("/api/v1/orders", body, content_type="application/json", **bearer(token))
    assert response.status_code == 409 and response.json()["code"] == "own_business"
    assert "usaha" in response.json()["message"]
    assert not Order.objects.exists()


def test_a_draft_made_before_joining_the_vendor_cannot_be_submitted_nor_confirmed_by_him(users, shop, medan):
    pp = users["pp"]
    order = draft(pp, shop)
    make_staff(pp, shop["vendor"], medan)
    with pytest.raises(DomainError) as refused:
        services.order_submit(actor=f.actor(pp), order=order)
    assert refused.value.code == "own_business"
    order.refresh_from_db()
    assert order.status == S.DRAFT and BudgetLine.objects.get().committed == 0
    assert Product.objects.get(pk=shop["product"].pk).reserved == 0

    # Another order he bought before joining, approved by the PPK: he may not confirm it as the vendor.
    order = services.order_submit(actor=f.actor(users["ppk"]), order=order)
    order = services.order_approve(actor=f.actor(users["ppk"]), order=order)
    with pytest.raises(DomainError) as refused:
        services.order_confirm(actor=f.actor(pp), order=order)
    assert refused.value.code == "own_business"
    order.refresh_from_db()
    assert order.status == S.AWAITING_CONFIRMATION and order.confirmed_at is None
    # The vendor's other people confirm it.
    assert services.order_confirm(actor=f.actor(users["penyedia"]), order=order).status == S.IN_PROGRESS


@pytest.fixture
def two_ppk(medan, office, users):
    """Office A has a second PPK, so a PPK's own order has someone else to approve it."""
    return f.make_user(medan, Role.PPK, username="medan-ppk-2", office=office)


def test_the_ppk_who_created_an_order_does_not_approve_it_by_default(users, shop, two_ppk, client):
    ppk = users["ppk"]
    order = services.order_submit(actor=f.actor(ppk), order=draft(ppk, shop))
    assert order.approver != ppk
    token = api_token_create(user=ppk)
    with translation.override("id"):
        response = client.post(f"/api/v1/orders/{order.pk}/approve", **bearer(token))
    assert response.status_code == 409 and response.json()["code"] == "same_person"
    assert "menyetujui" in response.json()["message"]
    order.refresh_from_db()
    assert order.status == S.AWAITING_APPROVAL and not order.documents.exists()
    assert services.order_approve(actor=f.actor(two_ppk), order=order).status == S.AWAITING_CONFIRMATION


def test_a_user_who_is_pp_and_ppk_of_one_office_does_not_approve_his_own_order(users, shop, medan, office, client_as):
    pp = users["pp"]
    Membership.objects.create(user=pp, katalog=medan, role=Role.PPK, office=office)
    order = services.order_submit(actor=f.actor(pp), order=draft(pp, shop))
    with pytest.raises(DomainError) as refused:
        services.order_approve(actor=f.actor(pp), order=order)
    assert refused.value.code == "same_person"
    response = client_as(pp).post(f"/belanja/pesanan/{order.pk}/approve/")
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == S.AWAITING_APPROVAL and order.approved_at is None
    # The page does not offer what the service refuses.
    assert "/approve/" not in client_as(pp).get(f"/belanja/pesanan/{order.pk}/").content.decode()


def test_the_setting_lets_the_ppk_approve_his_own_order(users, shop, settings):
    settings.KATALOG_ALLOW_PP_AS_PPK = True
    ppk = users["ppk"]
    order = services.order_submit(actor=f.actor(ppk), order=draft(ppk, shop))
    assert order.approver == ppk
    assert services.order_approve(actor=f.actor(ppk), order=order).status == S.AWAITING_CONFIRMATION
