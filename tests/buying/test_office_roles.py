"""Roles are per office membership (issue 10): a user who is PP in office A and PPK in office B is a
PP in A and a PPK in B, never a PPK in A. The order's office decides which roles count."""

from decimal import Decimal

import pytest

from katalog.accounts.models import Membership
from katalog.buying import services
from katalog.buying.models import BudgetLine, Order, OrderStatus
from katalog.catalogue.models import Product
from katalog.core.errors import DomainError
from katalog.core.permissions import Permission, Role
from tests import factories as f
from tests.accounts.test_api import bearer
from tests.buying.conftest import listed_product

S = OrderStatus


@pytest.fixture
def two_offices(medan, office, users, shop):
    """Office A (the `office` fixture, with its own PP and PPK) and office B (Dinas Kesehatan, with its
    own PP); `dual` is PP in A (his first membership) and PPK in B."""
    office_b = f.make_office(medan, "1.02.01", "Dinas Kesehatan")
    dual = f.make_user(medan, Role.PP, username="dual", office=office)
    Membership.objects.create(user=dual, katalog=medan, role=Role.PPK, office=office_b)
    pp_b = f.make_user(medan, Role.PP, username="kesehatan-pp", office=office_b)
    big = listed_product(medan, shop["vendor"], name="Genset 500 kVA", price="2060000", stock=200)
    line_a = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-A-BIG", name="Genset", fiscal_year=2026, ceiling=Decimal("5e8")
    )
    line_b = BudgetLine.objects.create(
        katalog=medan, office=office_b, kode_rup="RUP-B-001", name="Seragam", fiscal_year=2026, ceiling=Decimal("5e7")
    )
    return {"a": office, "b": office_b, "dual": dual, "pp_b": pp_b, "big": big, "line_a": line_a, "line_b": line_b}


def draft(user, line, product, quantity):
    return services.order_create(
        actor=f.actor(user), budget_line=line, addresses=["Kantor"], items=[services.ItemRequest(product.pk, quantity)]
    )


def test_the_actor_knows_the_roles_of_each_office(two_offices, users):
    actor = f.actor(two_offices["dual"])
    a, b = two_offices["a"], two_offices["b"]
    assert actor.roles_in(a) == {Role.PP} and actor.roles_in(b) == {Role.PPK}
    assert actor.offices_with(Role.PPK) == [b] and actor.offices_with(Role.PP, Role.PPK) == [a, b]
    assert actor.can_in(Permission.ORDER_BUY, a) and actor.can_in(Permission.ORDER_BUY, b)
    assert not actor.can_in(Permission.ORDER_BUY, f.make_office(a.katalog, "9.99.99", "Lain"))
    assert actor.office == a  # acting office: the first by default
    assert f.actor(users["treasurer"]).roles_in(a) == {Role.TREASURER}


def test_pp_in_a_and_ppk_in_b_cannot_submit_past_the_pp_limit_in_a(two_offices):
    dual = two_offices["dual"]
    order = draft(dual, two_offices["line_a"], two_offices["big"], 100)  # Rp206.000.000 (+ PPN)
    assert order.total == Decimal("206000000")
    assert order.approver != dual  # he is no PPK of office A
    with pytest.raises(DomainError) as refused:
        services.order_submit(actor=f.actor(dual), order=order)
    assert refused.value.status == 403
    order.refresh_from_db()
    assert order.status == S.DRAFT and order.committed_amount == 0
    assert BudgetLine.objects.get(pk=two_offices["line_a"].pk).committed == 0
    assert Product.objects.get(pk=two_offices["big"].pk).reserved == 0


def test_pp_in_a_and_ppk_in_b_cannot_approve_in_a(two_offices, users, shop):
    dual = two_offices["dual"]
    own = services.order_submit(actor=f.actor(dual), order=draft(dual, shop["line"], shop["product"], 2))
    other = services.order_submit(
        actor=f.actor(users["pp"]), order=draft(users["pp"], shop["line"], shop["product"], 3)
    )
    assert own.approver == users["ppk"]  # the PPK of office A, not him
    for order in (own, other):
        with pytest.raises(DomainError):
            services.order_approve(actor=f.actor(dual), order=order)
        order.refresh_from_db()
        assert order.status == S.AWAITING_APPROVAL and order.approved_at is None
        assert not order.documents.exists()


def test_pp_in_a_and_ppk_in_b_approves_another_pps_order_in_b(two_offices, shop):
    pp_b, dual = two_offices["pp_b"], two_offices["dual"]
    order = draft(pp_b, two_offices["line_b"], shop["product"], 2)
    assert order.office == two_offices["b"] and order.approver == dual
    order = services.order_submit(actor=f.actor(pp_b), order=order)
    order = services.order_approve(actor=f.actor(dual), order=order)
    assert order.status == S.AWAITING_CONFIRMATION


def test_over_the_api_the_order_office_decides_and_lists_show_both_offices(client, two_offices, users, shop):
    from katalog.accounts.services import api_token_create

    dual, pp_b = two_offices["dual"], two_offices["pp_b"]
    token = api_token_create(user=dual)
    big = {
        "budget_line": "RUP-A-BIG",
        "items": [{"product": two_offices["big"].pk, "quantity": 100}],
        "delivery_addresses": ["Kantor"],
    }
    created = client.post("/api/v1/orders", big, content_type="application/json", **bearer(token))
    assert created.status_code == 201, created.content
    refused = client.post(f"/api/v1/orders/{created.json()['id']}/submit", **bearer(token))
    assert refused.status_code == 403 and refused.json()["code"]
    assert Order.objects.get(pk=created.json()["id"]).status == S.DRAFT
    in_b = services.order_submit(actor=f.actor(pp_b), order=draft(pp_b, two_offices["line_b"], shop["product"], 1))
    listed = {o["id"] for o in client.get("/api/v1/orders", **bearer(token)).json()}
    assert {created.json()["id"], in_b.pk} <= listed
    approved = client.post(f"/api/v1/orders/{in_b.pk}/approve", **bearer(token))
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "awaiting_confirmation"


def test_the_acting_office_is_chosen_in_the_header(client_as, two_offices):
    client = client_as(two_offices["dual"])
    page = client.get(f"/belanja/beli/{two_offices['big'].pk}/").content.decode()
    assert "RUP-A-BIG" in page and "RUP-B-001" not in page
    response = client.post("/belanja/kantor/", {"office": two_offices["b"].pk, "next": "/belanja/keranjang/"})
    assert response.status_code == 302 and response["Location"] == "/belanja/keranjang/"
    page = client.get(f"/belanja/beli/{two_offices['big'].pk}/").content.decode()
    assert "RUP-B-001" in page and "RUP-A-BIG" not in page
    # An office where he holds no buyer role cannot be chosen.
    other = f.make_office(two_offices["a"].katalog, "9.99.99", "Lain")
    assert client.post("/belanja/kantor/", {"office": other.pk}).status_code == 404
