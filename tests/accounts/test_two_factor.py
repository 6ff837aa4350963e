"""Two-factor sign-in (TOTP) for the roles that approve, pay, curate or administer."""

import importlib
import re
import time
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from katalog.accounts.two_factor import needs_two_factor
from tests import factories as f


@pytest.fixture(autouse=True)
def _required(settings):
    settings.KATALOG_REQUIRE_2FA = True


def code(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def sign_in(client, username):
    response = client.post("/akun/masuk/", {"username": username, "password": f.PASSWORD}, follow=True)
    return response


def test_first_sign_in_sets_up_the_app_with_a_qr_code_then_continues(client, users):
    page = sign_in(client, "medan-ppk")
    assert page.redirect_chain[-1][0].startswith("/akun/2fa/")
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="totp-qr"' in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=users["ppk"], confirmed=False)
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    # Nothing else opens before the code: pages send back here, the API refuses.
    assert client.get("/akun/keamanan/")["Location"].startswith("/akun/2fa/")
    assert client.get("/api/v1/me").status_code == 403

    wrong = client.post("/akun/2fa/?next=/akun/", {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    time.sleep(1.1)  # django-otp waits 2^(n-1) s after n wrong codes
    response = client.post("/akun/2fa/", {"code": code(device), "next": "/akun/keamanan/"})
    assert response.status_code == 302 and response["Location"] == "/akun/keamanan/"
    assert client.get("/akun/keamanan/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert TOTPDevice.objects.get(user=users["ppk"]).confirmed


def test_with_a_device_the_password_is_followed_by_a_code(users):
    device = TOTPDevice.objects.create(user=users["treasurer"], name="app", confirmed=True)
    browser = Client()
    page = sign_in(browser, "medan-treasurer")
    assert page.redirect_chain[-1][0].startswith("/akun/2fa/")
    assert "<svg" not in page.content.decode()
    assert browser.get("/akun/").status_code == 302
    response = browser.post("/akun/2fa/", {"code": code(device)})
    assert response.status_code == 302
    assert browser.get("/akun/").status_code == 200


@pytest.mark.parametrize("role", ["ppk", "treasurer", "budget_owner", "catalogue_manager", "admin"])
def test_the_roles_that_approve_pay_curate_or_administer_need_it(users, role):
    assert needs_two_factor(users[role])


@pytest.mark.parametrize("role", ["pp", "penyedia", "auditor"])
def test_other_roles_sign_in_with_the_password_alone(client, users, role):
    assert not needs_two_factor(users[role])
    page = sign_in(client, f"medan-{role}")
    assert not page.redirect_chain[-1][0].startswith("/akun/2fa/")


def test_off_by_setting_the_ppk_signs_in_with_the_password_alone(client, users, settings):
    settings.KATALOG_REQUIRE_2FA = False
    page = sign_in(client, "medan-ppk")
    assert page.redirect_chain[-1][0] == "/akun/"
    assert page.status_code == 200


def test_on_in_production_off_in_the_demo_default():
    assert importlib.import_module("katalog.settings").KATALOG_REQUIRE_2FA is False
    assert importlib.import_module("katalog.settings_production").KATALOG_REQUIRE_2FA is True


def _token(client, body):
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_an_api_token_needs_the_code_too(client, users):
    device = TOTPDevice.objects.create(user=users["ppk"], name="app", confirmed=True)
    body = {"username": "medan-ppk", "password": f.PASSWORD}
    missing = _token(client, body)
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    bad = "000000" if code(device) != "000000" else "111111"
    assert _token(client, {**body, "otp": bad}).status_code == 401
    time.sleep(1.1)  # django-otp waits 2^(n-1) s after n wrong codes
    good = _token(client, {**body, "otp": code(device)})
    assert good.status_code == 200
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {good.json()['token']}")
    assert me.json()["roles"] == ["ppk"]


def test_without_a_device_no_token_until_set_up_on_the_site(client, users):
    response = _token(client, {"username": "medan-ppk", "password": f.PASSWORD, "otp": "123456"})
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_setup_required"


def test_a_pp_gets_a_token_without_a_code(client, users):
    assert _token(client, {"username": "medan-pp", "password": f.PASSWORD}).status_code == 200
