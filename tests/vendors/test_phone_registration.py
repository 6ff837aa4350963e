"""Self-registration by phone only (issue 8): no e-mail, the phone confirmed by a one-time code
read from the `file` message backend, and no password at all."""

import pytest
from django.contrib.auth.models import User

from katalog.accounts.models import LoginCode, Profile
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from tests import factories as f
from tests.accounts.otp_helpers import outbox_at
from tests.accounts.registration_helpers import register_by_email

E164 = "+6281377778888"
ACCOUNT = {"name": "Keripik Sanjai Medan", "owner_name": "Rina Siregar", "phone": "0813-7777-8888"}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A post whose messages are sent (the sending waits for the commit)."""

    def do(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return do


@pytest.fixture
def outbox(settings, tmp_path):
    from django.core.cache import cache

    yield outbox_at(settings, tmp_path / "messages.jsonl")
    cache.clear()


def test_a_phone_only_registration_is_confirmed_by_a_code_and_has_no_password(client, post, medan, outbox):
    response = post("/penyedia/daftar/", ACCOUNT)
    assert response.status_code == 302 and response["Location"] == "/penyedia/daftar/kode/"
    assert not Vendor.objects.filter(name=ACCOUNT["name"]).exists()  # nothing before the code

    page = client.get("/penyedia/daftar/kode/").content.decode()
    assert "0813" in page
    code = outbox.last_code(E164)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/penyedia/daftar/kode/", {"code": wrong})
    assert response.status_code == 200 and not Vendor.objects.filter(name=ACCOUNT["name"]).exists()

    response = client.post("/penyedia/daftar/kode/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/legal/"
    vendor = Vendor.objects.get(name=ACCOUNT["name"])
    assert (vendor.status, vendor.source, vendor.phone, vendor.email) == (
        VendorStatus.DRAFT,
        VendorSource.SELF,
        "081377778888",
        "",
    )
    user = vendor.users.get()
    assert not user.has_usable_password() and user.email == ""
    assert Profile.objects.get(user=user).phone == E164
    assert user.memberships.filter(katalog=medan, role="penyedia").exists()
    # Signed in: the next step opens; the code is used up.
    assert client.get("/penyedia/usaha-saya/legal/").status_code == 200
    assert not LoginCode.objects.filter(phone=E164, used=False).exists()


def test_the_owner_signs_in_again_later_with_a_code(client, post, medan, outbox):
    post("/penyedia/daftar/", ACCOUNT)
    client.post("/penyedia/daftar/kode/", {"code": outbox.last_code(E164)})
    client.logout()
    response = post("/akun/masuk/hp/", {"phone": "+62 813 7777 8888"})
    assert response.status_code == 302
    response = client.post("/akun/masuk/hp/kode/", {"code": outbox.last_code(E164)})
    assert response.status_code == 302
    assert client.get("/penyedia/usaha-saya/").status_code == 200


def test_no_password_is_asked_or_refused_without_an_e_mail(client, medan, outbox):
    # A password typed by mistake without an e-mail is ignored, never judged "too similar".
    response = client.post("/penyedia/daftar/", {**ACCOUNT, "password1": "rina", "password2": "x"})
    assert response.status_code == 302
    assert "password" not in str(response.content).lower()


def test_a_phone_already_in_use_gets_a_warning_not_a_code_and_the_same_answer(client, post, medan, outbox):
    # Issue 10: the form does not tell that the number has an account (tests/accounts/test_enumeration.py).
    other = f.make_user(medan, "penyedia")
    Profile.objects.create(user=other, phone=E164)
    response = post("/penyedia/daftar/", ACCOUNT)
    assert response.status_code == 302 and response["Location"] == "/penyedia/daftar/kode/"
    assert outbox.codes_to(E164) == []
    assert [line["to"].lstrip("+") for line in outbox.lines()] == [E164.lstrip("+")]


def test_a_registry_vendors_phone_is_led_to_sign_in(client, post, medan, outbox):
    f.make_vendor(medan, phone="081377778888", source=VendorSource.IMPORT)
    response = post("/penyedia/daftar/", ACCOUNT)
    assert response.status_code == 200 and "data UMKM Dinas" in response.content.decode()


def test_an_invalid_phone_is_refused_and_an_e_mail_registration_still_needs_a_password(client, medan, outbox):
    response = client.post("/penyedia/daftar/", {**ACCOUNT, "phone": "12345"})
    assert response.status_code == 200 and not outbox.lines()
    response = client.post("/penyedia/daftar/", {**ACCOUNT, "email": "rina@example.id"})
    assert response.status_code == 200
    assert not User.objects.filter(email="rina@example.id").exists()
    response = register_by_email(
        client,
        {**ACCOUNT, "email": "rina@example.id", "password1": "Sanjai-Pedas-2026", "password2": "Sanjai-Pedas-2026"},
    )
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/legal/"
    assert User.objects.get(username="rina@example.id").has_usable_password()


def test_the_code_page_without_a_pending_registration_goes_back(client, medan):
    assert client.get("/penyedia/daftar/kode/")["Location"] == "/penyedia/daftar/"
