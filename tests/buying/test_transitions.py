"""The order's state table, over the API: every transition refused to every party it does not
name (and nothing changes), refused as a 404 to the same role in another office, another
vendor or another tenant, and then made by the party it names. Plus the rules around it: the PP
threshold, the assigned PPK, drafts reserving nothing (and unseen by the vendor), one vendor per
order, the listed price as a ceiling, and offers that alternate.

Stock is two numbers (on hand and reserved by submitted orders): a submit reserves, it does not
take off on hand."""

from decimal import Decimal

import pytest
from django.utils import timezone

from katalog.buying import services, workflow
from katalog.buying.models import BudgetLine, Offer, Order, OrderStatus
from katalog.catalogue import services as catalogue_services
from katalog.catalogue.models import Product
from tests import factories as f
from tests.accounts.test_api import bearer, token_for
from tests.buying.conftest import listed_product

S = OrderStatus

# The parties each role of the buying office (or the order's vendor) stands as (services.parties_of).
PARTIES_OF_ROLE = {
    "penyedia": {workflow.VENDOR},
    "catalogue_manager": set(),
    "pp": {workflow.BUYER},
    "ppk": {workflow.BUYER, workflow.PPK},
    "budget_owner": set(),
    "treasurer": {workflow.TREASURER},
    "auditor": set(),
    "admin": set(),
}
# Who makes a transition in the success step, when several parties may.
PREFERRED = ["penyedia", "treasurer", "ppk", "pp"]


def post(client, token, url, body=None):
    return client.post(url, body or {}, content_type="application/json", **bearer(token))


# --- Bringing an order to a given status through the services ----------------------------------------


def make_draft(users, shop, *, quantity=2, line=None):
    return services.order_create(
        actor=f.actor(users["pp"]),
        budget_line=line or shop["line"],
        addresses=["Kantor Dinas Pendidikan"],
        items=[services.ItemRequest(shop["product"].pk, quantity)],
    )


def offer_lines(order, price="240000"):
    return [
        {"item": i.pk, "unit_price": price, "quantity": i.quantity, "shipping_cost": "0"} for i in order.items.all()
    ]


def change_listed_version(users, shop, price="260000"):
    """The vendor changes the product's price and the Pengelola approves it: a new listed version."""
    product = Product.objects.get(pk=shop["product"].pk)
    version = product.listed_version
    data = catalogue_services.ProductData(
        name=version.name, category=version.category, unit=version.unit, price=Decimal(price)
    )
    product = catalogue_services.product_update(actor=f.actor(users["penyedia"]), product=product, data=data)
    return catalogue_services.product_approve(actor=f.actor(users["catalogue_manager"]), product=product)


def order_in(status, users, shop, action=None) -> Order:
    """A fresh order of `shop` standing in `status`, made by the right party at each step, with
    what `action` needs there: a changed listed version (reprice), something delivered (refuse), a
    pending request of the vendor (decline-cancel)."""
    pp, ppk, vendor, treasurer = (f.actor(users[r]) for r in ("pp", "ppk", "penyedia", "treasurer"))
    order = make_draft(users, shop)
    if status == S.NEGOTIATING:
        return services.order_propose(actor=pp, order=order, lines=offer_lines(order))
    path = [
        S.AWAITING_APPROVAL,
        S.AWAITING_CONFIRMATION,
        S.IN_PROGRESS,
        S.DELIVERED,
        S.RECEIVED,
        S.INVOICED,
        S.PAID,
        S.COMPLETED,
    ]
    steps = {
        S.AWAITING_APPROVAL: lambda o: services.order_submit(actor=pp, order=o),
        S.AWAITING_CONFIRMATION: lambda o: services.order_approve(actor=ppk, order=o),
        S.IN_PROGRESS: lambda o: services.order_confirm(actor=vendor, order=o),
        S.DELIVERED: lambda o: services.order_deliver(
            actor=vendor,
            order=o,
            address_id=o.addresses.get().pk,
            lines={i.pk: i.quantity for i in o.items.all()},
        ),
        S.RECEIVED: lambda o: services.order_receive(
            actor=ppk, order=o, quantity_ok=True, condition_ok=True, on_time=True
        ),
        S.INVOICED: lambda o: services.order_invoice(actor=vendor, order=o),
        # A payment is dated between the invoice and today.
        S.PAID: lambda o: services.order_pay(
            actor=treasurer, order=o, method="ls", paid_on=timezone.localdate(), reference="SP2D-1"
        ),
        S.COMPLETED: lambda o: services.order_rate(actor=ppk, order=o, quality=5, timeliness=5, service=5, price=5),
    }
    if status != S.DRAFT:
        for step in path[: path.index(status) + 1]:
            steps[step](order)
            order = Order.objects.get(pk=order.pk)
    if action == workflow.REPRICE:
        change_listed_version(users, shop)
    if action == workflow.REFUSE and status == S.IN_PROGRESS:
        services.order_deliver(
            actor=vendor, order=order, address_id=order.addresses.get().pk, lines={order.items.get().pk: 1}
        )
    if action == workflow.DECLINE_CANCEL:
        services.order_request_cancel(actor=vendor, order=order, reason="Bahan baku habis")
    order = Order.objects.get(pk=order.pk)
    assert order.status == status
    return order


def body_for(action, order) -> dict:
    items = list(order.items.all())
    return {
        workflow.PROPOSE: {"lines": offer_lines(order, "230000")},
        workflow.COUNTER: {"lines": offer_lines(order, "235000")},
        workflow.DELIVER: {"address": order.addresses.get().pk, "lines": {i.pk: i.quantity for i in items}},
        workflow.RECEIVE: {"quantity_ok": True, "condition_ok": True, "on_time": True},
        workflow.PAY: {"method": "ls", "reference": "SP2D-0042"},
        workflow.RATE: {"quality": 4, "timeliness": 4, "service": 5, "price": 4},
        workflow.CANCEL: {"reason": "Tidak jadi"},
        workflow.REQUEST_CANCEL: {"reason": "Bahan baku habis"},
        workflow.DECLINE_CANCEL: {"reason": "Pesanan tetap diperlukan"},
        # One unit refused: replaced by the vendor while the order is under way, taken off the
        # order once it was all delivered.
        workflow.REFUSE: {
            "lines": {items[0].pk: 1},
            "mode": "reduce" if order.status == S.DELIVERED else "replace",
            "reason": "Jahitan rusak",
        },
    }.get(action, {})


# The target of a transition the service decides (the table says None), with body_for's bodies.
DECIDED = {
    (S.IN_PROGRESS, workflow.DELIVER): S.DELIVERED,  # the body delivers everything
    (S.IN_PROGRESS, workflow.REFUSE): S.IN_PROGRESS,  # the unit refused is owed again
    (S.DELIVERED, workflow.REFUSE): S.DELIVERED,  # one unit less ordered, the rest delivered
}


def snapshot(order) -> dict:
    """Everything a refused transition must leave as it was."""
    o = Order.objects.get(pk=order.pk)
    return {
        "status": o.status,
        "committed": BudgetLine.objects.get(pk=o.budget_line_id).committed,
        "committed_amount": o.committed_amount,
        "stock": list(
            Product.objects.filter(pk__in=o.items.values("product_id")).values_list("pk", "stock", "reserved")
        ),
        "documents": o.documents.count(),
        "offers": o.offers.count(),
        "deliveries": o.deliveries.count(),
        "refusals": o.refusals.count(),
        "items": list(
            o.items.order_by("pk").values_list(
                "version_id", "unit_price", "quantity", "shipping_cost", "delivered_quantity"
            )
        ),
        "total": (o.total, o.vat),
        "cancel_reason": o.cancel_reason,
        "cancel_requested_at": o.cancel_requested_at,
    }


# --- Strangers: the same roles elsewhere ---------------------------------------------------------------


@pytest.fixture
def strangers(medan, binjai):
    """The acting roles in another office of Medan (and another Medan vendor's owner), and every
    role in Binjai (another tenant, where even the read-everything roles see nothing of Medan)."""
    health = f.make_office(medan, "1.02.01", "Dinas Kesehatan")
    other_office = {
        r: f.make_user(medan, r, username=f"kesehatan-{r}", office=health)
        for r in ("pp", "ppk", "treasurer", "budget_owner")
    }
    other_office["penyedia"] = f.make_user(medan, "penyedia", username="medan-penyedia-lain")
    f.make_vendor(medan, users=[other_office["penyedia"]])
    binjai_office = f.make_office(binjai, "1.01.01", "Dinas Pendidikan Binjai")
    other_tenant = {r: f.make_user(binjai, r, username=f"binjai-{r}", office=binjai_office) for r in f.ALL_ROLES}
    f.make_vendor(binjai, users=[other_tenant["penyedia"]])
    return {"office": other_office, "tenant": other_tenant}


TRANSITION_IDS = [f"{status}-{action}" for status, action in workflow.TRANSITIONS]


@pytest.mark.parametrize(("status", "action"), list(workflow.TRANSITIONS), ids=TRANSITION_IDS)
def test_each_transition_is_refused_to_all_but_its_parties_then_made_by_one(
    client, users, shop, strangers, status, action
):
    # Given an order standing where the transition starts
    rule = workflow.TRANSITIONS[(status, action)]
    order = order_in(status, users, shop, action)
    url = f"/api/v1/orders/{order.pk}/{action}"
    body = body_for(action, order)
    before = snapshot(order)
    right = [r for r in f.ALL_ROLES if PARTIES_OF_ROLE[r] & rule.parties]
    wrong = [r for r in f.ALL_ROLES if r not in right]
    assert set(f.ALL_ROLES) == set(PARTIES_OF_ROLE)

    # When anyone without a token tries: 401
    response = client.post(url, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    assert snapshot(order) == before

    # When each wrong role of the tenant tries: 403 (they may see the order, not move it), except
    # the vendor before the order was sent to it: a buyer's draft is none of its business (404)
    for role in wrong:
        response = post(client, token_for(client, users[role].username), url, body)
        if role == "penyedia" and order.sent_to_vendor_at is None:
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (role, response.content)
        else:
            assert (response.status_code, response.json()["code"]) == (403, "forbidden"), (role, response.content)
        assert response.json()["message"]
        assert snapshot(order) == before, role

    # When the right role in another office (or of another vendor) tries: 404, it is not theirs
    for role in right:
        response = post(client, token_for(client, strangers["office"][role].username), url, body)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), role
        assert snapshot(order) == before, role

    # When anyone of another tenant tries, whatever the role: 404
    for role in f.ALL_ROLES:
        response = post(client, token_for(client, strangers["tenant"][role].username), url, body)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), role
        assert snapshot(order) == before, role

    # Then the party the table names does it
    doer = next(r for r in PREFERRED if r in right)
    response = post(client, token_for(client, users[doer].username), url, body)
    assert response.status_code == 200, (doer, response.content)
    expected = rule.target or DECIDED[(status, action)]
    assert response.json()["status"] == expected
    assert Order.objects.get(pk=order.pk).status == expected


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED])
def test_a_closed_order_moves_no_more(client, users, shop, status):
    order = order_in(S.COMPLETED, users, shop) if status == S.COMPLETED else make_draft(users, shop)
    if status == S.CANCELLED:
        services.order_cancel(actor=f.actor(users["pp"]), order=order, reason="Salah")
    before = snapshot(order)
    for action in workflow.ACTIONS:
        response = post(
            client,
            token_for(client, users["ppk"].username),
            f"/api/v1/orders/{order.pk}/{action}",
            body_for(action, order),
        )
        assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed"), action
        assert snapshot(order) == before


# --- The PP threshold and the assigned PPK ---------------------------------------------------------------


@pytest.fixture
def big_shop(medan, office, shop):
    """A product at Rp2.000.000 with plenty of stock and a budget line of Rp1 miliar."""
    product = listed_product(medan, shop["vendor"], name="Laptop Dinas", price="2000000", stock=1000)
    line = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-900",
        name="Peralatan",
        fiscal_year=2026,
        ceiling=Decimal("1000000000"),
    )
    return {**shop, "product": product, "line": line}


def test_a_pp_submits_up_to_the_threshold(client, users, big_shop, settings):
    assert Decimal(settings.KATALOG_PP_LIMIT) == Decimal("200000000")
    pp = token_for(client, users["pp"].username)
    order = make_draft(users, big_shop, quantity=100, line=big_shop["line"])  # exactly Rp200.000.000

    response = post(client, pp, f"/api/v1/orders/{order.pk}/submit")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["committed_amount"]) == (
        "awaiting_approval",
        "200000000.00",
    )
    assert BudgetLine.objects.get(pk=big_shop["line"].pk).committed == Decimal("200000000")


def test_above_the_threshold_a_pp_is_refused_with_the_figures_and_a_ppk_may(client, users, big_shop):
    # Given a draft of Rp202.000.000
    order = make_draft(users, big_shop, quantity=101, line=big_shop["line"])
    before = snapshot(order)

    # When the PP submits it: refused with the threshold and the amount, nothing reserved
    response = post(client, token_for(client, users["pp"].username), f"/api/v1/orders/{order.pk}/submit")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert "Rp200.000.000" in response.json()["message"] and "Rp202.000.000" in response.json()["message"]
    assert snapshot(order) == before

    # When the PPK submits it: accepted
    response = post(client, token_for(client, users["ppk"].username), f"/api/v1/orders/{order.pk}/submit")
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_approval"
    assert BudgetLine.objects.get(pk=big_shop["line"].pk).committed == Decimal("202000000")
    product = Product.objects.get(pk=big_shop["product"].pk)
    assert (product.stock, product.reserved, product.available) == (1000, 101, 899)  # reserved, not taken


def test_the_threshold_counts_ppn_for_a_pkp_vendor(client, users, big_shop):
    # Rp190.000.000 of goods (the DPP): PPN is 12% of the DPP nilai lain of 11/12, each rounded down
    # to the rupiah: floor(190.000.000 × 11/12) = 174.166.666, × 12% = 20.899.999. The total of
    # Rp210.899.999 is above what a PP may carry.
    big_shop["vendor"].is_vat_registered = True
    big_shop["vendor"].save()
    order = make_draft(users, big_shop, quantity=95, line=big_shop["line"])
    response = post(client, token_for(client, users["pp"].username), f"/api/v1/orders/{order.pk}/submit")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert "Rp210.899.999" in response.json()["message"]


def test_only_the_assigned_ppk_approves(client, users, shop, office, medan):
    # Given an order assigned to the office's PPK, and a second PPK in the same office
    order = order_in(S.AWAITING_APPROVAL, users, shop)
    assert order.approver == users["ppk"]
    second = f.make_user(medan, "ppk", username="medan-ppk-2", office=office)
    before = snapshot(order)

    # When the second PPK approves: refused, nothing changes
    response = post(client, token_for(client, second.username), f"/api/v1/orders/{order.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert snapshot(order) == before

    # When the assigned one approves: the Surat Pesanan is issued
    response = post(client, token_for(client, users["ppk"].username), f"/api/v1/orders/{order.pk}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_confirmation"
    assert [d["kind"] for d in response.json()["documents"]] == ["sp"]


# --- Drafts, vendors, prices, offers ----------------------------------------------------------------------


def test_a_draft_reserves_nothing(client, users, shop):
    pp = token_for(client, users["pp"].username)
    response = post(
        client,
        pp,
        "/api/v1/orders",
        {
            "budget_line": "RUP-2026-001",
            "delivery_address": "Kantor",
            "items": [{"product": shop["product"].pk, "quantity": 30}],
        },
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["committed_amount"], response.json()["total"]) == (
        "draft",
        "0.00",
        "7500000.00",
    )
    assert BudgetLine.objects.get(pk=shop["line"].pk).committed == 0
    product = Product.objects.get(pk=shop["product"].pk)
    assert (product.stock, product.reserved) == (100, 0)
    assert response.json()["deadline_at"] is None
    # The vendor does not see the buyer's draft: not in its list, a 404 when asked for.
    vendor = token_for(client, users["penyedia"].username)
    assert client.get("/api/v1/orders", **bearer(vendor)).json() == []
    assert client.get(f"/api/v1/orders/{response.json()['id']}", **bearer(vendor)).status_code == 404


def test_an_order_holds_one_vendors_products(client, users, shop, medan):
    other = listed_product(medan, f.make_vendor(medan), name="Sepatu PDH", price="300000")
    response = post(
        client,
        token_for(client, users["pp"].username),
        "/api/v1/orders",
        {
            "budget_line": "RUP-2026-001",
            "delivery_address": "Kantor",
            "items": [{"product": shop["product"].pk, "quantity": 1}, {"product": other.pk, "quantity": 1}],
        },
    )
    assert (response.status_code, response.json()["code"]) == (422, "several_vendors")
    assert response.json()["message"]
    assert Order.objects.count() == 0


def test_a_price_above_the_listed_one_is_refused_in_negotiation(client, users, shop):
    order = make_draft(users, shop)
    pp, vendor = token_for(client, users["pp"].username), token_for(client, users["penyedia"].username)
    url = f"/api/v1/orders/{order.pk}"

    response = post(client, pp, f"{url}/propose", {"lines": offer_lines(order, "250001")})
    assert (response.status_code, response.json()["code"]) == (422, "above_listed_price")
    assert "Rp250.000" in response.json()["message"]
    assert (Order.objects.get(pk=order.pk).status, Offer.objects.count()) == ("draft", 0)
    # Money is whole rupiah: an amount with sen is refused as such, with the field.
    response = post(client, pp, f"{url}/propose", {"lines": offer_lines(order, "249999.99")})
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert list(response.json()["fields"]) == [f"price_{order.items.get().pk}"]
    assert (Order.objects.get(pk=order.pk).status, Offer.objects.count()) == ("draft", 0)

    assert post(client, pp, f"{url}/propose", {"lines": offer_lines(order, "250000")}).status_code == 200
    response = post(client, vendor, f"{url}/counter", {"lines": offer_lines(order, "260000")})
    assert (response.status_code, response.json()["code"]) == (422, "above_listed_price")
    assert Offer.objects.count() == 1


def test_offers_alternate_sides(client, users, shop):
    order = make_draft(users, shop)
    pp, vendor = token_for(client, users["pp"].username), token_for(client, users["penyedia"].username)
    url = f"/api/v1/orders/{order.pk}"

    # The buyer opens; neither may answer their own offer
    assert post(client, pp, f"{url}/propose", {"lines": offer_lines(order, "200000")}).status_code == 200
    for token, action in ((pp, "counter"), (pp, "accept")):
        response = post(client, token, f"{url}/{action}", body_for(action, order) if action == "counter" else None)
        assert (response.status_code, response.json()["code"]) == (422, "not_your_turn"), action
    # The vendor counters, then cannot counter or accept its own offer
    assert post(client, vendor, f"{url}/counter", {"lines": offer_lines(order, "230000")}).status_code == 200
    response = post(client, vendor, f"{url}/counter", {"lines": offer_lines(order, "225000")})
    assert (response.status_code, response.json()["code"]) == (422, "not_your_turn")
    response = post(client, vendor, f"{url}/accept")
    assert (response.status_code, response.json()["code"]) == (422, "not_your_turn")
    # The buyer counters back, the vendor accepts: the order takes the accepted figures
    assert post(client, pp, f"{url}/counter", {"lines": offer_lines(order, "220000")}).status_code == 200
    response = post(client, vendor, f"{url}/accept")
    assert (response.json()["status"], response.json()["total"]) == ("draft", "440000.00")

    offers = list(Offer.objects.filter(order=order).order_by("pk").values_list("side", "accepted"))
    assert offers == [("buyer", False), ("vendor", False), ("buyer", True)]
    assert BudgetLine.objects.get(pk=shop["line"].pk).committed == 0  # still a draft
