"""Catalogue pages: who may open what, transitions on pages, the curation queue, the public product
page, the search page's fixed query count, the import and synonym pages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from katalog.catalogue import services
from katalog.catalogue.models import Product, ProductStatus
from katalog.core import page_cache
from katalog.search.models import Synonym
from tests import factories as f

S = ProductStatus


def state(product):
    p = Product.objects.get(pk=product.pk)
    return (p.status, p.status_reason, p.listed_version_id, p.latest_version_id)


@pytest.fixture
def mine(shop, paper):
    return f.make_product(shop, paper, name="Kertas HVS A4", listed=False, submitted=True)


# Who may open each page (every other role gets 403). `{pk}` is the vendor's own product.
ACCESS = {
    "/penyedia/produk/": {"penyedia"},
    "/penyedia/produk/baru/": {"penyedia"},
    "/penyedia/produk/{pk}/": {"penyedia"},
    "/kelola/produk/kurasi/": {"catalogue_manager"},
    "/kelola/produk/{pk}/": {"catalogue_manager", "auditor", "admin"},
    "/kelola/produk/sinonim/": {"catalogue_manager"},
    "/kelola/produk/impor/": {"catalogue_manager"},
    "/penyedia/produk/impor/": {"penyedia"},
}


@pytest.mark.parametrize("url", list(ACCESS))
def test_anonymous_visitors_are_sent_to_sign_in(client, mine, url):
    response = client.get(url.format(pk=mine.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


@pytest.mark.parametrize(("url", "role"), [(u, r) for u in ACCESS for r in f.ALL_ROLES])
def test_each_page_opens_for_its_roles_only(client_as, users, mine, url, role):
    response = client_as(users[role]).get(url.format(pk=mine.pk))
    assert response.status_code == (200 if role in ACCESS[url] else 403)


def test_a_vendor_cannot_open_or_change_another_vendors_product(client_as, medan, mine, paper):
    stranger = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[stranger])
    client = client_as(stranger)
    before = state(mine)
    assert client.get(f"/penyedia/produk/{mine.pk}/").status_code == 404
    response = client.post(
        f"/penyedia/produk/{mine.pk}/",
        {
            "name": "Dibajak",
            "category": paper.pk,
            "unit": "rim",
            "price": "1",
            "stock": 0,
            "min_order": 1,
            "lead_time_days": 1,
        },
    )
    assert response.status_code == 404
    assert client.post(f"/produk/{mine.pk}/withdraw/").status_code == 404
    assert state(mine) == before and mine.versions.count() == 1


def test_another_tenants_curator_gets_404s(client_as, binjai, mine):
    client = client_as(f.make_user(binjai, "catalogue_manager"))
    before = state(mine)
    assert client.get(f"/kelola/produk/{mine.pk}/").status_code == 404
    assert client.post(f"/produk/{mine.pk}/approve/").status_code == 404
    assert client.post(f"/produk/{mine.pk}/reject/", {"reason": "Bukan milik Anda"}).status_code == 404
    assert state(mine) == before


# --- Transitions on pages ----------------------------------------------------------------------------


def test_the_curator_approves_on_the_page(client_as, manager, mine):
    response = client_as(manager).post(f"/produk/{mine.pk}/approve/", {"verify_claims": ["pdn"]})
    assert (response.status_code, response["Location"]) == (302, "/kelola/produk/kurasi/")
    p = Product.objects.get(pk=mine.pk)
    assert (p.status, p.listed_version_id) == (S.LISTED, p.latest_version_id)
    assert list(p.listed_version.claims.values_list("kind", "verified_by")) == [("pdn", manager.pk)]


@pytest.mark.parametrize("action", ["reject", "request-revision"])
def test_a_decision_without_a_reason_is_a_422_and_changes_nothing(client_as, manager, mine, action):
    before = state(mine)
    response = client_as(manager).post(f"/produk/{mine.pk}/{action}/", {"reason": ""})
    assert response.status_code == 422
    assert state(mine) == before


def test_a_rejection_on_the_page_keeps_its_reason(client_as, manager, mine):
    response = client_as(manager).post(f"/produk/{mine.pk}/reject/", {"reason": "Foto tidak jelas"})
    assert (response.status_code, response["Location"]) == (302, f"/kelola/produk/{mine.pk}/")
    assert state(mine)[:2] == (S.REJECTED, "Foto tidak jelas")


def test_the_vendor_submits_and_withdraws_on_its_page(client_as, owner, shop, paper):
    product = f.make_product(shop, paper, listed=False)
    client = client_as(owner)
    response = client.post(f"/produk/{product.pk}/submit/")
    assert (response.status_code, response["Location"]) == (302, f"/penyedia/produk/{product.pk}/")
    assert state(product)[0] == S.SUBMITTED
    listed = f.make_product(shop, paper, name="Map Plastik")
    client.post(f"/produk/{listed.pk}/withdraw/")
    assert state(listed)[0] == S.WITHDRAWN


@pytest.mark.parametrize("role", ["auditor", "admin", "penyedia"])
@pytest.mark.parametrize("action", ["approve", "reject", "freeze"])
def test_a_role_that_sees_the_product_but_may_not_decide_gets_403(client_as, users, shop, paper, role, action):
    product = f.make_product(shop, paper, listed=action == "freeze", submitted=True)
    before = state(product)
    response = client_as(users[role]).post(f"/produk/{product.pk}/{action}/", {"reason": "Coba"})
    assert response.status_code == 403
    assert state(product) == before


@pytest.mark.parametrize("role", ["pp", "ppk", "treasurer", "budget_owner"])
def test_buyers_do_not_see_product_records(client_as, users, mine, role):
    before = state(mine)
    assert client_as(users[role]).post(f"/produk/{mine.pk}/approve/").status_code == 404
    assert state(mine) == before


def test_a_transition_needs_a_post(client_as, manager, mine):
    assert client_as(manager).get(f"/produk/{mine.pk}/approve/").status_code == 405
    assert client_as(manager).post(f"/produk/{mine.pk}/sulap/").status_code == 404
    assert state(mine)[0] == S.SUBMITTED


def test_a_page_transition_from_the_wrong_state_changes_nothing(client_as, manager, shop, paper):
    draft = f.make_product(shop, paper, listed=False)
    response = client_as(manager).post(f"/produk/{draft.pk}/approve/")
    assert response.status_code == 302
    assert state(draft)[0] == S.DRAFT


# --- The curation queue --------------------------------------------------------------------------


def test_the_queue_shows_waiting_time_changes_and_price_jumps(client_as, owner, manager, shop, paper, mine):
    # given: a new product waiting three days, and a listed product whose price jumped 30%
    Product.objects.filter(pk=mine.pk).update(submitted_at=timezone.now() - timedelta(days=3, hours=2))
    jumped = f.make_product(shop, paper, name="Map Plastik", price="100000")
    services.product_update(
        actor=f.actor(owner), product=jumped, data=f.product_data(paper, name="Map Plastik", price="130000")
    )
    f.make_product(shop, paper, name="Pulpen")  # listed, nothing waiting
    # when
    response = client_as(manager).get("/kelola/produk/kurasi/")
    # then: oldest first, with the waiting time and the flag
    page = response.content.decode()
    assert response.status_code == 200
    assert [p.pk for p in response.context["products"]] == [mine.pk, jumped.pk]
    row = page.split(f'value="{mine.pk}"')[1].split("</tr>")[0]
    assert "3\xa0" in row and "2\xa0" in row  # "3 days, 2 hours" in the active language
    jumped_row = page.split(f'value="{jumped.pk}"')[1].split("</tr>")[0]
    assert "+30.0%" in jumped_row
    assert "Pulpen" not in page


def test_the_review_page_shows_the_price_jump(client_as, owner, manager, shop, paper):
    product = f.make_product(shop, paper, name="Map Plastik", price="100000")
    services.product_update(
        actor=f.actor(owner), product=product, data=f.product_data(paper, name="Map Plastik", price="130000")
    )
    page = client_as(manager).get(f"/kelola/produk/{product.pk}/").content.decode()
    assert "(+30.0%)" in page


def test_bulk_approve_lists_the_chosen_products_only(client_as, manager, shop, paper, binjai):
    a, b, c = (f.make_product(shop, paper, name=n, listed=False, submitted=True) for n in ("A", "B", "C"))
    theirs = f.make_product(f.make_vendor(binjai), f.make_category(binjai, "Suvenir"), listed=False, submitted=True)
    response = client_as(manager).post("/kelola/produk/kurasi/setujui/", {"products": [a.pk, b.pk, theirs.pk, "x"]})
    assert (response.status_code, response["Location"]) == (302, "/kelola/produk/kurasi/")
    assert [state(p)[0] for p in (a, b, c, theirs)] == [S.LISTED, S.LISTED, S.SUBMITTED, S.SUBMITTED]


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r != "catalogue_manager"])
def test_bulk_approve_is_for_the_curator_only(client_as, users, shop, paper, role):
    product = f.make_product(shop, paper, listed=False, submitted=True)
    response = client_as(users[role]).post("/kelola/produk/kurasi/setujui/", {"products": [product.pk]})
    assert response.status_code == 403
    assert state(product)[0] == S.SUBMITTED


# --- The public product page ---------------------------------------------------------------------


@pytest.mark.parametrize(("size_class", "badge"), [("mikro", True), ("kecil", True), ("menengah", False)])
def test_the_umk_badge_follows_the_vendors_size_class(client, medan, paper, size_class, badge):
    product = f.make_product(f.make_vendor(medan, size_class=size_class), paper)
    page = client.get(f"/produk/{product.pk}/").content.decode()
    assert ('class="badge umk"' in page) is badge


def test_the_product_page_shows_the_price_history_and_verified_claims_only(client, owner, manager, shop, paper):
    product = f.make_product(
        shop,
        paper,
        name="Kertas HVS A4",
        price="55000",
        verify_claims=["halal"],
        claims={"halal": "ID00110022", "sni": "SNI-7274"},
    )
    services.product_update(
        actor=f.actor(owner),
        product=product,
        data=f.product_data(
            paper, name="Kertas HVS A4", price="57500", claims={"halal": "ID00110022", "sni": "SNI-7274"}
        ),
    )
    services.product_approve(actor=f.actor(manager), product=Product.objects.get(pk=product.pk), verify_claims=[])
    services.product_update(
        actor=f.actor(owner),
        product=product,
        data=f.product_data(
            paper, name="Kertas HVS A4", price="99000", claims={"halal": "ID00110022", "sni": "SNI-7274"}
        ),
    )
    response = client.get(f"/produk/{product.pk}/")
    page = response.content.decode()
    history = page.split('data-testid="price-history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 3  # the head and two prices that were on sale
    assert [v.price for v in response.context["history"]] == [55000, 57500]
    assert "99.000" not in page  # the waiting change is not on sale
    assert "ID00110022" in page and "SNI-7274" not in page


# --- The search page -----------------------------------------------------------------------------


def _list_products(shop, paper, n, django_capture_on_commit_callbacks, png):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(n):
            product = f.make_product(
                shop, paper, name=f"Kertas Uji {i}", price=str(10000 + i), claims={"halal": f"ID{i}"}
            )
            services.product_add_photo(
                actor=f.actor(shop.users.get()),
                product=product,
                upload=SimpleUploadedFile("f.png", png, "image/png"),
            )


def test_the_search_page_needs_the_same_queries_for_3_and_20_results(
    client, shop, paper, png, django_capture_on_commit_callbacks
):
    _list_products(shop, paper, 3, django_capture_on_commit_callbacks, png)
    client.get("/cari/?q=kertas")  # the tenant and its categories are cached from the first visit on
    page_cache.clear()  # the page itself is built again (a visitor's is kept: core/page_cache.py)
    with CaptureQueriesContext(connection) as three:
        response = client.get("/cari/?q=kertas")
    assert len(response.context["found"].products) == 3
    _list_products(shop, paper, 17, django_capture_on_commit_callbacks, png)  # the kept page goes
    with CaptureQueriesContext(connection) as twenty:
        response = client.get("/cari/?q=kertas")
    assert len(response.context["found"].products) == 20
    assert response.content.decode().count('class="card product-card"') == 20
    assert len(twenty.captured_queries) == len(three.captured_queries)


def test_the_search_page_shows_listed_products_and_facets(client, shop, paper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listed = f.make_product(shop, paper, name="Kertas HVS A4")
        f.make_product(shop, paper, name="Kertas Draf", listed=False)
    response = client.get("/cari/?q=kertas")
    assert [p.pk for p in response.context["found"].products] == [listed.pk]
    assert "Kertas HVS A4" in response.content.decode() and "Kertas Draf" not in response.content.decode()
    partial = client.get("/cari/?q=kertas", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and f'data-product="{listed.pk}"' in partial


# --- Import pages -------------------------------------------------------------------------------


CSV = (
    "nama,kategori,deskripsi,satuan,harga,stok,minimum_pesan,lead_time_hari,tkdn_persen,pdn,spesifikasi\n"
    "Kertas HVS A4,ATK-KRT,Kertas putih,rim,55.000,100,1,2,40,ya,Ukuran: A4; Berat: 80 gram\n"
    "Pulpen Gel,Alat Tulis Kantor,,kotak,36000,10,1,3,,tidak,\n"
    "Map Rusak,ATK,,buah,gratis,,,,,,\n"
)


def upload(text=CSV, name="produk.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_vendor_imports_to_the_curation_queue(client_as, owner, shop, paper):
    response = client_as(owner).post("/penyedia/produk/impor/", {"file": upload()})
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert (outcome.imported, outcome.updated, outcome.unchanged, outcome.rejected) == (2, 0, 0, 1)
    assert outcome.rejections == [(4, "harga", outcome.rejections[0][2])]
    assert dict(Product.objects.filter(vendor=shop).values_list("name", "status")) == {
        "Kertas HVS A4": S.SUBMITTED,
        "Pulpen Gel": S.SUBMITTED,
    }


def test_the_desk_imports_and_lists_for_a_umkm(client_as, manager, shop, paper):
    response = client_as(manager).post(
        "/kelola/produk/impor/", {"file": upload(), "nib": "8120000000777", "approve": "on"}
    )
    assert response.status_code == 200
    assert response.context["outcome"].imported == 2
    assert set(Product.objects.filter(vendor=shop).values_list("status", flat=True)) == {S.LISTED}


def test_the_desk_import_without_approve_sends_to_the_queue(client_as, manager, shop, paper):
    client_as(manager).post("/kelola/produk/impor/", {"file": upload(), "nib": "8120000000777"})
    assert set(Product.objects.filter(vendor=shop).values_list("status", flat=True)) == {S.SUBMITTED}


@pytest.mark.parametrize("nib", ["8120000000000", "{theirs}", "{unverified}"])
def test_the_desk_import_needs_a_verified_vendor_of_this_tenant(client_as, medan, binjai, manager, paper, nib):
    theirs = f.make_vendor(binjai)
    unverified = f.make_vendor(medan, status="submitted")
    response = client_as(manager).post(
        "/kelola/produk/impor/",
        {"file": upload(), "nib": nib.format(theirs=theirs.nib, unverified=unverified.nib), "approve": "on"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["nib"]
    assert not Product.objects.exists()


def test_an_unreadable_import_file_is_reported_on_the_form(client_as, owner, shop):
    response = client_as(owner).post("/penyedia/produk/impor/", {"file": upload("harga;stok\n1;2\n")})
    assert list(response.context["form"].errors) == ["file"]
    assert not Product.objects.exists()


# --- The vendor's product form ---------------------------------------------------------------------


def form_data(paper, **overrides):
    data = {
        "name": "Kertas HVS A4",
        "category": paper.pk,
        "unit": "rim",
        "price": "55.000",
        "stock": 10,
        "min_order": 1,
        "lead_time_days": 2,
        "is_domestic": "on",
        "specifications": "Ukuran: A4",
    }
    data.update(overrides)
    return data


def test_the_vendor_creates_a_product_with_a_photo(client_as, owner, shop, paper, png):
    response = client_as(owner).post(
        "/penyedia/produk/baru/", {**form_data(paper), "photo": SimpleUploadedFile("f.png", png, "image/png")}
    )
    product = Product.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/penyedia/produk/{product.pk}/")
    v = product.latest_version
    assert (product.status, v.price, v.specifications, product.stock) == (
        S.DRAFT,
        55000,
        {"Ukuran": "A4"},
        10,
    )
    assert product.photos.count() == 1


def test_a_bad_photo_on_the_form_saves_nothing(client_as, owner, shop, paper):
    response = client_as(owner).post(
        "/penyedia/produk/baru/",
        {**form_data(paper), "photo": SimpleUploadedFile("f.jpg", b"bukan foto", "image/jpeg")},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photo"]
    assert not Product.objects.exists()


def test_a_price_change_on_the_form_goes_to_curation(client_as, owner, shop, paper):
    product = f.make_product(
        shop,
        paper,
        name="Kertas HVS A4",
        price="55000",
        stock=10,
        specifications={"Ukuran": "A4"},
        lead_time_days=2,
    )
    client_as(owner).post(f"/penyedia/produk/{product.pk}/", form_data(paper, price="60.000"))
    p = Product.objects.get(pk=product.pk)
    assert (p.status, p.listed_version.price, p.latest_version.price) == (S.LISTED, 55000, 60000)
    assert p.has_pending_change


# --- Synonyms -----------------------------------------------------------------------------------


def test_the_curator_edits_the_synonyms(client_as, manager, medan):
    client = client_as(manager)
    response = client.post(
        "/kelola/produk/sinonim/", {"synonyms": "ATK = Alat Tulis Kantor\n\nPDH = pakaian dinas harian"}
    )
    assert (response.status_code, response["Location"]) == (302, "/kelola/produk/sinonim/")
    assert sorted(Synonym.objects.filter(tenant_id=medan.pk).values_list("term", "expansion")) == [
        ("atk", "alat tulis kantor"),
        ("pdh", "pakaian dinas harian"),
    ]
    response = client.post("/kelola/produk/sinonim/", {"synonyms": "ATK = alat tulis\ntanpa tanda sama dengan"})
    assert response.status_code == 200 and len(response.context["errors"]) == 1
    assert Synonym.objects.filter(tenant_id=medan.pk).count() == 2
