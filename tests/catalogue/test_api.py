"""The products API: one POST per transition (who may, in which state), the public product with its
price history and verified claims, and search with filters, facets, sorting and paging."""

from decimal import Decimal

import pytest

from katalog.catalogue import services
from katalog.catalogue.models import Product, ProductStatus
from katalog.search.services import set_synonyms
from tests import factories as f

S = ProductStatus


def state(product):
    p = Product.objects.get(pk=product.pk)
    return (p.status, p.status_reason, p.listed_version_id, p.latest_version_id)


# action → (state it is allowed in, roles that may do it)
ACTIONS = {
    "submit": ("draft", {"penyedia", "catalogue_manager"}),
    "approve": ("submitted", {"catalogue_manager"}),
    "request-revision": ("submitted", {"catalogue_manager"}),
    "reject": ("submitted", {"catalogue_manager"}),
    "freeze": ("listed", {"catalogue_manager"}),
    "delist": ("listed", {"catalogue_manager"}),
    "withdraw": ("listed", {"penyedia"}),
}
AFTER = {
    "submit": "submitted",
    "approve": "listed",
    "request-revision": "revision_requested",
    "reject": "rejected",
    "freeze": "frozen",
    "delist": "delisted",
    "withdraw": "withdrawn",
}
# Buyers and the treasurer do not see unlisted product records at all: 404, as for another tenant.
BLIND = {"pp", "ppk", "treasurer", "budget_owner"}


def product_in(shop, paper, status):
    return f.make_product(shop, paper, listed=status == "listed", submitted=status == "submitted")


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in ACTIONS for r in f.ALL_ROLES])
def test_each_transition_is_allowed_to_its_roles_only(api, users, shop, paper, action, role):
    # given: a product in the state the action starts from
    status, allowed = ACTIONS[action]
    product = product_in(shop, paper, status)
    before = state(product)
    # when
    response = api("post", f"/api/v1/products/{product.pk}/{action}", users[role], {"reason": "Foto buram"})
    # then
    if role in allowed:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["id"], body["status"]) == (product.pk, AFTER[action])
        assert state(product)[0] == AFTER[action]
    else:
        assert response.status_code == (404 if role in BLIND else 403)
        assert response.json()["code"] == ("not_found" if role in BLIND else "forbidden")
        assert state(product) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_transitions_need_a_token(api, shop, paper, action):
    product = product_in(shop, paper, ACTIONS[action][0])
    before = state(product)
    response = api("post", f"/api/v1/products/{product.pk}/{action}", None, {"reason": "Foto buram"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert state(product) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_another_tenants_product_is_not_found(api, binjai, shop, paper, action):
    product = product_in(shop, paper, ACTIONS[action][0])
    before = state(product)
    role = "penyedia" if action in ("submit", "withdraw") else "catalogue_manager"
    stranger = f.make_user(binjai, role)
    if role == "penyedia":
        f.make_vendor(binjai, users=[stranger])
    response = api("post", f"/api/v1/products/{product.pk}/{action}", stranger, {"reason": "Foto buram"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert state(product) == before


def test_another_vendors_product_is_not_found(api, medan, shop, paper):
    product = f.make_product(shop, paper, listed=False)
    stranger = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[stranger])
    response = api("post", f"/api/v1/products/{product.pk}/submit", stranger)
    assert response.status_code == 404
    assert state(product)[0] == S.DRAFT


@pytest.mark.parametrize("action", ["request-revision", "reject", "freeze", "delist"])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_a_missing_reason_is_a_422_and_changes_nothing(api, manager, shop, paper, action, body):
    product = product_in(shop, paper, ACTIONS[action][0])
    before = state(product)
    response = api("post", f"/api/v1/products/{product.pk}/{action}", manager, body)
    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    assert list(response.json()["fields"]) == ["reason"]
    assert state(product) == before


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", "draft"),
        ("reject", "listed"),
        ("freeze", "submitted"),
        ("submit", "listed"),
        ("withdraw", "draft"),
        ("delist", "draft"),
    ],
)
def test_a_transition_from_the_wrong_state_is_a_409(api, users, shop, paper, action, status):
    product = product_in(shop, paper, status)
    before = state(product)
    user = users["penyedia" if action in ("submit", "withdraw") else "catalogue_manager"]
    response = api("post", f"/api/v1/products/{product.pk}/{action}", user, {"reason": "Alasan"})
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert state(product) == before


def test_an_unverified_vendor_cannot_submit_over_the_api(api, medan, users, paper):
    vendor = f.make_vendor(medan, users=[users["penyedia"]], status="submitted")
    product = f.make_product(vendor, paper, listed=False)
    response = api("post", f"/api/v1/products/{product.pk}/submit", users["penyedia"])
    assert response.status_code == 422
    assert response.json()["code"] == "vendor_not_verified"
    assert state(product)[0] == S.DRAFT


def test_the_status_answer_names_both_versions(api, owner, manager, shop, paper):
    product = f.make_product(shop, paper, price="55000")
    services.product_update(actor=f.actor(owner), product=product, data=f.product_data(paper, price="60000"))
    body = api("post", f"/api/v1/products/{product.pk}/reject", manager, {"reason": "Harga naik tanpa alasan"}).json()
    assert body == {
        "id": product.pk,
        "status": "listed",
        "status_reason": "Harga naik tanpa alasan",
        "listed_version": 1,
        "latest_version": 1,
    }


# --- The public product -------------------------------------------------------------------------


def test_the_public_product_shows_the_listed_version_and_its_price_history(api, client, owner, manager, shop, paper):
    # given: listed at Rp55.000, then a change to Rp60.000 approved, then one to Rp62.000 waiting
    product = f.make_product(shop, paper, name="Kertas HVS A4", price="55000", specifications={"Ukuran": "A4"})
    services.product_update(
        actor=f.actor(owner),
        product=product,
        data=f.product_data(paper, name="Kertas HVS A4", price="60000", specifications={"Ukuran": "A4"}),
    )
    services.product_approve(actor=f.actor(manager), product=Product.objects.get(pk=product.pk))
    services.product_update(
        actor=f.actor(owner),
        product=product,
        data=f.product_data(paper, name="Kertas HVS A4 Baru", price="62000", specifications={"Ukuran": "F4"}),
    )
    # when
    body = api("get", f"/api/v1/products/{product.pk}").json()
    # then: the approved version is on sale; the waiting change is invisible
    assert (body["name"], body["price"], body["specifications"]) == (
        "Kertas HVS A4",
        "60000.00",
        {"Ukuran": "A4"},
    )
    assert [p["price"] for p in body["price_history"]] == ["55000.00", "60000.00"]
    assert body["vendor"] == {
        "id": shop.pk,
        "name": "UD Kertas Deli",
        "size_class": "mikro",
        "district": "12.71.01",
        "district_name": body["vendor"]["district_name"],
    }
    assert body["vendor"]["district_name"]
    assert body["category"] == {"id": paper.pk, "name": "Kertas dan Buku"}
    assert (body["status"], body["stock"], body["thumbnail"]) == ("listed", 10, None)


def test_only_verified_claims_reach_buyers(api, shop, paper):
    product = f.make_product(
        shop,
        paper,
        tkdn_percent=Decimal("45"),
        verify_claims=["halal"],
        claims={"halal": "ID00110022", "sni": "SNI 7274:2008"},
    )
    body = api("get", f"/api/v1/products/{product.pk}").json()
    assert body["claims"] == [{"kind": "halal", "number": "ID00110022"}]


@pytest.mark.parametrize(
    "status", ["draft", "submitted", "revision_requested", "rejected", "frozen", "delisted", "withdrawn"]
)
def test_a_product_not_listed_is_not_public(api, client, owner, manager, shop, paper, status):
    product = f.make_product(
        shop, paper, listed=status in ("frozen", "delisted", "withdrawn"), submitted=status != "draft"
    )
    me, boss = f.actor(owner), f.actor(manager)
    if status == "revision_requested":
        services.product_request_revision(actor=boss, product=product, reason="Lengkapi foto")
    elif status == "rejected":
        services.product_reject(actor=boss, product=product, reason="Bukan produk lokal")
    elif status == "frozen":
        services.product_freeze(actor=boss, product=product, reason="Diperiksa")
    elif status == "delisted":
        services.product_delist(actor=boss, product=product, reason="Tidak dijual")
    elif status == "withdrawn":
        services.product_withdraw(actor=me, product=product)
    assert Product.objects.get(pk=product.pk).status == status
    assert api("get", f"/api/v1/products/{product.pk}").status_code == 404
    assert client.get(f"/produk/{product.pk}/").status_code == 404


def test_a_listed_product_of_a_vendor_no_longer_verified_is_not_public(api, client, shop, paper):
    product = f.make_product(shop, paper)
    type(shop).objects.filter(pk=shop.pk).update(status="revision_requested")
    assert api("get", f"/api/v1/products/{product.pk}").status_code == 404
    assert client.get(f"/produk/{product.pk}/").status_code == 404


def test_another_tenants_product_is_not_public_here(api, binjai, paper):
    theirs = f.make_product(f.make_vendor(binjai), f.make_category(binjai, "Suvenir"))
    assert api("get", f"/api/v1/products/{theirs.pk}").status_code == 404


# --- Search --------------------------------------------------------------------------------------


@pytest.fixture
def shelf(medan, shop, atk, paper, food, django_capture_on_commit_callbacks):
    """Five listed products of three vendors, indexed through the outbox as in production."""
    sepatu = f.make_category(medan, "Sepatu", code="SPT")
    small = f.make_vendor(medan, name="CV Jahit Rapi", size_class="kecil", district_id="12.71.03", region_id="12.71.03")
    medium = f.make_vendor(
        medan, name="PT Boga Deli", size_class="menengah", district_id="12.71.02", region_id="12.71.02"
    )
    with django_capture_on_commit_callbacks(execute=True):
        products = {
            "hvs": f.make_product(shop, paper, name="Kertas HVS A4 80 gram", price="55000", tkdn_percent=Decimal("40")),
            "paket": f.make_product(
                shop,
                atk,
                name="Paket Pulpen dan Pensil",
                price="150000",
                tkdn_percent=Decimal("30"),
                verify_claims=["pdn"],
            ),
            "penjahit": f.make_product(small, sepatu, name="Sepatu Dinas Penjahit Kulit", price="450000"),
            "jahitan": f.make_product(
                small, sepatu, name="Sepatu Pantofel Jahitan Tangan", price="650000", is_domestic=False
            ),
            "bolu": f.make_product(medium, food, name="Bolu Meranti Gulung", price="95000", verify_claims=[]),
        }
    return products


def ids(response):
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_search_results_carry_what_a_card_shows(api, shelf, shop, paper):
    body = api("get", "/api/v1/products?q=kertas").json()
    hvs = shelf["hvs"]
    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 20)
    card = body["results"][0]
    assert card == {
        "id": hvs.pk,
        "name": "Kertas HVS A4 80 gram",
        "price": "55000.00",
        "unit": "rim",
        "vendor": {
            "id": shop.pk,
            "name": "UD Kertas Deli",
            "size_class": "mikro",
            "district": "12.71.01",
            "district_name": card["vendor"]["district_name"],
        },
        "category": {"id": paper.pk, "name": "Kertas dan Buku"},
        "thumbnail": None,
    }


def test_search_facets_count_all_matches(api, shelf, atk, paper, food):
    facets = api("get", "/api/v1/products").json()["facets"]
    assert {(x["value"], x["count"]) for x in facets["size_class"]} == {
        ("mikro", 2),
        ("kecil", 2),
        ("menengah", 1),
    }
    assert {(x["value"], x["count"]) for x in facets["district"]} == {
        ("12.71.01", 2),
        ("12.71.03", 2),
        ("12.71.02", 1),
    }
    assert [(x["value"], x["count"]) for x in facets["price_band"]] == [
        ("<100rb", 2),
        ("100rb-500rb", 2),
        ("500rb-1jt", 1),
    ]
    categories = {x["label"]: x["count"] for x in facets["category"]}
    assert (categories["Alat Tulis Kantor"], categories["Kertas dan Buku"], categories["Sepatu"]) == (2, 1, 2)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["bolu", "jahitan", "penjahit", "paket", "hvs"]),  # newest first
        ("sort=price", ["hvs", "bolu", "paket", "penjahit", "jahitan"]),
        ("sort=-price", ["jahitan", "penjahit", "paket", "bolu", "hvs"]),
        ("sort=newest", ["bolu", "jahitan", "penjahit", "paket", "hvs"]),
        ("price_min=90000&price_max=450000&sort=price", ["bolu", "paket", "penjahit"]),
        ("size_class=kecil&sort=price", ["penjahit", "jahitan"]),
        ("district=12.71.02", ["bolu"]),
        ("vendor={small}&sort=price", ["penjahit", "jahitan"]),
        ("category={atk}&sort=price", ["hvs", "paket"]),  # a parent category includes its children
        ("category={paper}", ["hvs"]),
        ("tkdn_min=35", ["hvs"]),  # the 30% TKDN of the package is not verified, so it counts for nothing
        ("tkdn_min=25", ["hvs"]),
        (
            "pdn=1&sort=price",
            ["hvs", "paket", "penjahit"],
        ),  # bolu's PDN claim is not verified; jahitan imported
        ("q=jahit&sort=price", ["penjahit", "jahitan"]),  # stemming: penjahit, jahitan → jahit
        ("q=sepatu+jahit&size_class=kecil&price_max=500000", ["penjahit"]),
    ],
)
def test_search_filters_and_sorts(api, shelf, atk, paper, query, expected):
    small = shelf["penjahit"].vendor_id
    url = "/api/v1/products?" + query.format(small=small, atk=atk.pk, paper=paper.pk)
    assert ids(api("get", url)) == [shelf[k].pk for k in expected]


def test_search_pages(api, shelf):
    first = api("get", "/api/v1/products?sort=price&page_size=2").json()
    second = api("get", "/api/v1/products?sort=price&page_size=2&page=2").json()
    last = api("get", "/api/v1/products?sort=price&page_size=2&page=3").json()
    assert (first["count"], second["count"], last["count"]) == (5, 5, 5)
    assert [r["id"] for r in first["results"] + second["results"] + last["results"]] == [
        shelf[k].pk for k in ["hvs", "bolu", "paket", "penjahit", "jahitan"]
    ]
    assert (second["page"], second["page_size"]) == (2, 2)


def test_synonyms_expand_the_query(api, medan, shelf):
    set_synonyms(medan.pk, [("pdh", "pakaian dinas harian")])  # a list without the base list's "atk"
    assert ids(api("get", "/api/v1/products?q=atk")) == []
    set_synonyms(medan.pk, [("atk", "pulpen pensil")])
    assert ids(api("get", "/api/v1/products?q=atk")) == [shelf["paket"].pk]


def test_an_abbreviation_finds_the_words_it_stands_for(api, medan, shop, django_capture_on_commit_callbacks):
    # given: an office-stationery package in a category whose name does not say "alat tulis"
    goods = f.make_category(medan, "Perlengkapan", code="PRL")
    with django_capture_on_commit_callbacks(execute=True):
        paket = f.make_product(shop, goods, name="Paket Alat Tulis Kantor Lengkap", price="150000")
        f.make_product(shop, goods, name="Meja Kantor Kayu", price="950000")
    set_synonyms(medan.pk, [("atk", "alat tulis kantor")])
    # when / then
    assert ids(api("get", "/api/v1/products?q=atk")) == [paket.pk]


def test_a_change_waiting_for_curation_is_not_searchable_until_approved(
    api, owner, manager, shop, paper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        product = f.make_product(shop, paper, name="Kertas HVS A4", price="55000")
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(
            actor=f.actor(owner),
            product=product,
            data=f.product_data(paper, name="Kertas Folio F4", price="60000"),
        )
    body = api("get", "/api/v1/products?q=kertas").json()
    assert [(r["name"], r["price"]) for r in body["results"]] == [("Kertas HVS A4", "55000.00")]
    assert ids(api("get", "/api/v1/products?q=folio")) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.product_approve(actor=f.actor(manager), product=Product.objects.get(pk=product.pk))
    body = api("get", "/api/v1/products?q=kertas").json()
    assert [(r["name"], r["price"]) for r in body["results"]] == [("Kertas Folio F4", "60000.00")]
    assert ids(api("get", "/api/v1/products?q=hvs")) == []


@pytest.mark.parametrize("action", ["freeze", "delist", "withdraw"])
def test_taking_a_product_off_sale_removes_it_from_search(
    api, users, shop, paper, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        product = f.make_product(shop, paper, name="Kertas HVS A4")
    assert ids(api("get", "/api/v1/products?q=kertas")) == [product.pk]
    user = users["penyedia" if action == "withdraw" else "catalogue_manager"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api("post", f"/api/v1/products/{product.pk}/{action}", user, {"reason": "Laporan warga"})
    assert response.status_code == 200
    assert len(callbacks) >= 1
    body = api("get", "/api/v1/products?q=kertas").json()
    assert (body["count"], body["results"]) == (0, [])


def test_drafts_and_submitted_products_are_never_searchable(api, shop, paper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f.make_product(shop, paper, name="Kertas Draf", listed=False)
        f.make_product(shop, paper, name="Kertas Antre", listed=False, submitted=True)
    assert api("get", "/api/v1/products?q=kertas").json()["count"] == 0


def test_another_tenants_products_are_not_found(api, binjai, shop, paper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f.make_product(f.make_vendor(binjai), f.make_category(binjai, "Kertas"), name="Kertas Binjai")
        mine = f.make_product(shop, paper, name="Kertas Medan")
    assert ids(api("get", "/api/v1/products?q=kertas")) == [mine.pk]


def test_bad_search_parameters_are_ignored(api, shelf):
    response = api("get", "/api/v1/products?price_min=abc&size_class=raksasa&sort=acak&page=x&tkdn_min=banyak")
    assert response.status_code == 200
    assert response.json()["count"] == 5


@pytest.mark.parametrize(("role", "expected"), [("auditor", 403), ("admin", 403), ("pp", 404)])
def test_a_wrong_role_learns_nothing_about_an_unverified_vendor(api, medan, users, paper, role, expected):
    vendor = f.make_vendor(medan, users=[users["penyedia"]], status="submitted")
    product = f.make_product(vendor, paper, listed=False)
    response = api("post", f"/api/v1/products/{product.pk}/submit", users[role])
    assert response.status_code == expected
    assert state(product)[0] == S.DRAFT


def test_withdraw_needs_no_body(client, owner, shop, paper):
    product = f.make_product(shop, paper)
    client.force_login(owner)
    response = client.generic("POST", f"/api/v1/products/{product.pk}/withdraw")  # no body at all
    assert response.status_code == 200, response.content
    assert state(product)[:2] == (S.WITHDRAWN, "")


def test_the_page_size_is_capped(api, shelf):
    body = api("get", "/api/v1/products?page_size=500").json()
    assert (body["page_size"], body["count"], len(body["results"])) == (100, 5, 5)
