"""The API: token sign-in, /me, vendor lookup, and errors that are always JSON."""

import pytest

from katalog.vendors.models import VendorStatus
from tests import factories as f


def token_for(client, username, password=f.PASSWORD):
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_then_me_tells_name_roles_tenant_and_office(client, users):
    token = token_for(client, "medan-pp")
    me = client.get("/api/v1/me", **bearer(token)).json()
    assert me["username"] == "medan-pp"
    assert me["roles"] == ["pp"]
    assert me["tenant"] == {"code": "12.71", "name": "Katalog Lokal Kota Medan"}
    assert me["office"] == {"code": "1.01.01", "name": "Dinas Pendidikan"}


def test_wrong_password_is_a_401_json_error(client, users):
    response = client.post(
        "/api/v1/auth/token", {"username": "medan-pp", "password": "salah"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_repeated_failures_lock_the_account_out(client, users, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(
            "/api/v1/auth/token", {"username": "medan-pp", "password": "salah"}, content_type="application/json"
        )
    response = client.post(
        "/api/v1/auth/token", {"username": "medan-pp", "password": f.PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


@pytest.mark.parametrize("body", ['{"username": "x"}', "not json", '{"username": 1, "password": []}', "[]"])
def test_malformed_bodies_get_a_4xx_json_answer(client, db, body):
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "code" in response.json() and "message" in response.json()


def test_without_a_token_the_api_answers_401_json(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_the_manager_finds_a_vendor_by_nib_with_its_size_class(client, medan, manager):
    f.make_vendor(medan, nib="8120000000321", name="Sepatu Kulit Deli", size_class="kecil")
    f.make_vendor(medan, nib="8120000000322")
    body = client.get("/api/v1/vendors?nib=8120000000321", **bearer(token_for(client, manager.username))).json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == "Sepatu Kulit Deli"
    assert body["results"][0]["size_class"] == "kecil"
    assert body["results"][0]["district"] == "12.71.01"


def test_another_tenants_vendor_is_invisible(client, medan, binjai, manager):
    theirs = f.make_vendor(binjai, nib="8120000000999")
    token = token_for(client, manager.username)
    assert client.get("/api/v1/vendors?nib=8120000000999", **bearer(token)).json()["count"] == 0
    response = client.get(f"/api/v1/vendors/{theirs.pk}", **bearer(token))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ["pp", "ppk", "treasurer", "budget_owner"])
def test_buyers_see_no_vendor_records(client, medan, users, role):
    vendor = f.make_vendor(medan)
    token = token_for(client, users[role].username)
    assert client.get("/api/v1/vendors", **bearer(token)).json()["count"] == 0
    assert client.get(f"/api/v1/vendors/{vendor.pk}", **bearer(token)).status_code == 404


def test_a_vendor_sees_only_itself(client, medan, users):
    mine = f.make_vendor(medan, users=[users["penyedia"]])
    f.make_vendor(medan)
    body = client.get("/api/v1/vendors", **bearer(token_for(client, "medan-penyedia"))).json()
    assert [v["id"] for v in body["results"]] == [mine.pk]


def test_verification_over_the_api(client, medan, manager, users):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    token = token_for(client, manager.username)
    response = client.post(
        f"/api/v1/vendors/{vendor.pk}/reject", {"reason": ""}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    response = client.post(
        f"/api/v1/vendors/{vendor.pk}/request-revision",
        {"reason": "Lengkapi akta"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "revision_requested"
    response = client.post(f"/api/v1/vendors/{vendor.pk}/approve", **bearer(token))
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize("role", ["penyedia", "pp", "ppk", "auditor", "admin", "treasurer", "budget_owner"])
def test_wrong_roles_cannot_approve_over_the_api(client, medan, users, role):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[users["penyedia"]])
    response = client.post(f"/api/v1/vendors/{vendor.pk}/approve", **bearer(token_for(client, users[role].username)))
    assert response.status_code in (403, 404)
    assert "code" in response.json()
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED


def test_openapi_and_docs_are_served_without_a_cdn(client, db):
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Katalog Lokal API"
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


@pytest.mark.parametrize("query", ["offset=-5", "limit=-1", "limit=100000", "offset=99999", "nib=abc"])
def test_odd_paging_is_answered_not_crashed(client, medan, manager, query):
    f.make_vendor(medan)
    response = client.get(f"/api/v1/vendors?{query}", **bearer(token_for(client, manager.username)))
    assert response.status_code == 200
    assert "results" in response.json()


def test_a_nul_character_is_refused_with_400_not_stored(client, medan, manager):
    token = token_for(client, manager.username)
    response = client.get("/api/v1/vendors?q=ab%00cd", **bearer(token))
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert client.get("/cari/?q=ulos%00").status_code == 400


def test_a_nul_character_in_a_json_body_is_refused(client, users):
    body = '{"username": "medan-pp\\u0000", "password": "x"}'
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
