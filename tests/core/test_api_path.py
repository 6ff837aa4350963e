"""An API request with a bearer token and no session cookie takes the API's shorter middleware chain
(katalog/core/api_path.py); it answers as before, keeps every check, and anything else takes the
whole chain."""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f

# What only a browser's session or a page needs: left out of the API's chain on purpose.
PAGE_ONLY = {
    "katalog.core.health.HealthMiddleware",  # /healthz, before the fork
    "katalog.core.api_path.BearerApiMiddleware",  # the fork itself
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "katalog.core.page_cache.VisitorPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "katalog.accounts.middleware.SlidingSessionMiddleware",
    "katalog.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
}


def token_for(client, username, password=f.PASSWORD):
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_the_api_chain_is_the_whole_chain_without_the_page_only_middleware():
    """A middleware added to MIDDLEWARE must be added to API_BEARER_MIDDLEWARE too (same order), or
    be named here as serving pages only."""
    expected = [m for m in settings.MIDDLEWARE if m not in PAGE_ONLY]
    assert settings.API_BEARER_MIDDLEWARE == expected


def test_a_bearer_call_answers_with_the_headers_every_answer_carries(users):
    token = token_for(Client(), "medan-pp")
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == "medan-pp"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Language"] == "id"
    assert "Content-Security-Policy" in response
    assert not response.cookies  # no session, no CSRF cookie for a program
    assert "Cookie" not in response.get("Vary", "")  # the session was not read (the whole chain reads it)


def test_a_wrong_bearer_token_without_a_session_is_a_401_json_answer(db):
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["code"]


def test_a_page_script_with_a_session_and_a_stale_token_is_still_served_by_its_session(client, users):
    """A bearer header with a session cookie takes the whole chain: the session still counts."""
    client.force_login(users["pp"])
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer stale-token")
    assert response.status_code == 200
    assert response.json()["username"] == "medan-pp"


def test_the_english_cookie_still_sets_the_language_of_a_bearer_call(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"


def test_a_nul_character_is_still_refused_on_the_api_chain(users):
    token = token_for(Client(), "medan-pp")
    response = Client().get("/api/v1/products", {"q": "kain\x00"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400


@pytest.mark.parametrize("header", ["Bearer x", "bearer x"])
def test_a_bearer_header_does_not_lift_the_sign_in_lockout(client, users, settings, header):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(
            "/api/v1/auth/token",
            {"username": "medan-pp", "password": "salah"},
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "medan-pp", "password": f.PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
