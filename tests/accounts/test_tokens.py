"""API tokens: listed and revoked by their owner, and gone when the password changes or is reset."""

import re

from django.core import mail

from katalog.accounts.models import ApiToken
from tests import factories as f


def token_for(client, username, password=f.PASSWORD, agent="sipd-sync/1.0"):
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        HTTP_USER_AGENT=agent,
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def sign_in(client, username, password=f.PASSWORD):
    """Through the sign-in page, as a browser does."""
    response = client.post("/akun/masuk/", {"username": username, "password": password})
    assert response.status_code == 302, response.content
    return client


def me_status(token) -> int:
    """GET /api/v1/me with the token alone (a fresh client: no session to fall back on)."""
    from django.test import Client

    return Client().get("/api/v1/me", **bearer(token)).status_code


def test_the_owner_lists_tokens_without_their_secret(client, users):
    first = token_for(client, "medan-pp", agent="laptop-script")
    token_for(client, "medan-pp", agent="phone-app")
    token_for(client, "medan-ppk")
    response = client.get("/api/v1/auth/token", **bearer(first))
    assert response.status_code == 200
    listed = response.json()
    assert sorted(t["label"] for t in listed) == ["laptop-script", "phone-app"]
    assert [t["current"] for t in listed if t["label"] == "laptop-script"] == [True]
    assert {"id", "created_at", "last_used_at", "expires_at"} <= set(listed[0])
    assert first not in response.content.decode()


def test_delete_revokes_the_token_used_for_the_call(client, users):
    token = token_for(client, "medan-pp")
    assert me_status(token) == 200
    assert client.delete("/api/v1/auth/token", **bearer(token)).status_code == 204
    assert me_status(token) == 401


def test_delete_with_an_id_revokes_that_token_only(client, users):
    keep = token_for(client, "medan-pp", agent="keep")
    lost = token_for(client, "medan-pp", agent="lost")
    lost_id = ApiToken.objects.get(label="lost").pk
    response = client.delete("/api/v1/auth/token", {"id": lost_id}, content_type="application/json", **bearer(keep))
    assert response.status_code == 204
    assert me_status(lost) == 401
    assert me_status(keep) == 200
    # The same by the query string.
    other = token_for(client, "medan-pp", agent="other")
    other_id = ApiToken.objects.get(label="other").pk
    assert client.delete(f"/api/v1/auth/token?id={other_id}", **bearer(keep)).status_code == 204
    assert me_status(other) == 401


def test_another_users_token_id_is_404_and_stays(client, users):
    mine = token_for(client, "medan-pp")
    theirs = token_for(client, "medan-ppk", agent="ppk-tool")
    theirs_id = ApiToken.objects.get(label="ppk-tool").pk
    response = client.delete(f"/api/v1/auth/token?id={theirs_id}", **bearer(mine))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert me_status(theirs) == 200


def test_a_password_reset_revokes_every_token_and_session(client, users, django_capture_on_commit_callbacks, settings):
    from django.test import Client

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    token = token_for(client, "medan-pp")
    elsewhere = Client()
    elsewhere.force_login(users["pp"])
    assert elsewhere.get("/akun/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/akun/lupa-sandi/", {"email": users["pp"].email})
    link = re.search(r"/akun/sandi/[^/\s]+/[^/\s]+/", mail.outbox[-1].body).group(0)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Sandi-Baru-2027", "new_password2": "Sandi-Baru-2027"})

    assert me_status(token) == 401
    assert not ApiToken.objects.filter(user=users["pp"]).exists()
    assert elsewhere.get("/akun/").status_code == 302  # signed out


def test_a_password_change_revokes_tokens_and_other_sessions_but_not_this_one(client, users):
    from django.test import Client

    token = token_for(client, "medan-pp")
    elsewhere = Client()
    sign_in(elsewhere, "medan-pp")
    sign_in(client, "medan-pp")
    response = client.post(
        "/akun/sandi/ubah/",
        {"old_password": f.PASSWORD, "new_password1": "Sandi-Baru-2027", "new_password2": "Sandi-Baru-2027"},
    )
    assert response.status_code == 302
    assert me_status(token) == 401
    assert elsewhere.get("/akun/").status_code == 302
    assert client.get("/akun/").status_code == 200


def test_the_security_page_lists_and_revokes_tokens_and_sessions(client, users):
    from django.test import Client

    token = token_for(client, "medan-pp", agent="sipd-sync/1.0")
    elsewhere = Client(HTTP_USER_AGENT="Firefox di kantor")
    sign_in(elsewhere, "medan-pp")
    sign_in(client, "medan-pp")
    assert "/akun/keamanan/" in client.get("/akun/profil/").content.decode()  # reached from "My account"
    page = client.get("/akun/keamanan/").content.decode()
    assert "sipd-sync/1.0" in page and "Firefox di kantor" in page
    assert token not in page

    token_id = ApiToken.objects.get(user=users["pp"]).pk
    client.post("/akun/keamanan/token/cabut/", {"id": token_id})
    assert me_status(token) == 401

    from katalog.accounts.models import SignedInSession

    office_browser = SignedInSession.objects.get(user_agent="Firefox di kantor")
    client.post("/akun/keamanan/sesi/akhiri/", {"id": office_browser.pk})
    assert elsewhere.get("/akun/").status_code == 302
    assert client.get("/akun/").status_code == 200


def test_nobody_revokes_another_users_session_from_the_page(client, users):
    from django.test import Client

    from katalog.accounts.models import SignedInSession

    victim = Client()
    sign_in(victim, "medan-ppk")
    row = SignedInSession.objects.get(user=users["ppk"])
    sign_in(client, "medan-pp")
    client.post("/akun/keamanan/sesi/akhiri/", {"id": row.pk})
    assert victim.get("/akun/").status_code == 200
