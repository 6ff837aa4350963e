"""Signing in with a phone number: formats, a password with a phone or an e-mail, and one-time
codes (POST /api/v1/auth/otp, the token, the two pages), their limits and their tenant."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from katalog.accounts.models import LoginCode, Profile
from katalog.accounts.phones import PhoneError, normalize_phone
from katalog.vendors.models import VendorSource
from tests import factories as f

from .otp_helpers import ask_code, token_with_code

PHONE = "+6281234567890"


@pytest.mark.parametrize(
    "typed",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "81234567890", "(0812) 3456 7890", "+6281234567890"],
)
def test_indonesian_formats_are_normalised_to_e164(typed):
    assert normalize_phone(typed) == PHONE


@pytest.mark.parametrize("typed", ["", "12345", "+65 9123 4567", "0812-ABC-7890", "0812", "budi@example.id"])
def test_anything_else_is_a_clear_error(typed):
    with pytest.raises(PhoneError) as exc:
        normalize_phone(typed)
    assert "0812-3456-7890" in exc.value.messages[0]


@pytest.fixture
def owner(medan):
    """A vendor's person in Medan with the phone on their profile."""
    user = f.make_user(medan, "penyedia", username="butet")
    Profile.objects.create(user=user, phone=PHONE)
    f.make_vendor(medan, users=[user], phone="0812-3456-7890")
    return user


@pytest.mark.parametrize("name", ["0812-3456-7890", "+62 812 3456 7890", "BUTET@example.id", "butet"])
def test_a_password_sign_in_takes_a_phone_an_email_or_a_user_name(client, owner, name):
    response = client.post(
        "/api/v1/auth/token", {"username": name, "password": f.PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    response = client.post("/akun/masuk/", {"username": name, "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_wrong_password_with_a_phone_is_refused(client, owner):
    response = client.post(
        "/api/v1/auth/token", {"username": "0812-3456-7890", "password": "salah"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_an_email_shared_by_two_accounts_signs_in_neither(client, owner, medan):
    other = f.make_user(medan, "pp", username="kembar")
    other.email = owner.email
    other.save()
    response = client.post(
        "/api/v1/auth/token", {"username": owner.email, "password": f.PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 401


def test_known_and_unknown_numbers_get_the_same_202_and_only_the_known_a_code(
    client, owner, outbox, django_capture_on_commit_callbacks
):
    known = ask_code(client, "0812-3456-7890", django_capture_on_commit_callbacks)
    unknown = ask_code(client, "0813-9999-0000", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(outbox.codes_to(PHONE)) == 1
    assert outbox.codes_to("+6281399990000") == []
    assert LoginCode.objects.count() == 1


def test_a_number_that_is_not_a_phone_is_a_422(client, db, outbox):
    response = client.post("/api/v1/auth/otp", {"phone": "halo"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_phone"


def test_a_code_gives_an_api_token_once(client, owner, outbox, django_capture_on_commit_callbacks):
    ask_code(client, "0812 3456 7890", django_capture_on_commit_callbacks)
    code = outbox.last_code(PHONE)
    response = token_with_code(client, "+62 812-3456-7890", code)
    assert response.status_code == 200, response.content
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}").json()
    assert me["username"] == "butet"
    assert token_with_code(client, PHONE, code).status_code == 401  # used


def test_the_pages_sign_in_in_two_steps(client, owner, outbox, django_capture_on_commit_callbacks):
    page = client.get("/akun/masuk/")
    assert b"/akun/masuk/hp/" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/akun/masuk/hp/", {"phone": "0812-3456-7890"})
    assert response.status_code == 302 and response["Location"] == "/akun/masuk/hp/kode/"
    assert b"0812-3456-7890" in client.get("/akun/masuk/hp/kode/").content  # shown as people write it
    response = client.post("/akun/masuk/hp/kode/", {"code": outbox.last_code(PHONE)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_code_page_keeps_the_visitor_on_a_wrong_code(client, owner, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/akun/masuk/hp/", {"phone": "0812-3456-7890"})
    wrong = "000000" if outbox.last_code(PHONE) != "000000" else "111111"
    response = client.post("/akun/masuk/hp/kode/", {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_number_goes_back_to_the_first_step(client, db):
    assert client.get("/akun/masuk/hp/kode/")["Location"] == "/akun/masuk/hp/"


def test_five_wrong_codes_void_it(client, owner, outbox, django_capture_on_commit_callbacks):
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    code = outbox.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert token_with_code(client, PHONE, wrong).status_code == 401
    assert LoginCode.objects.get().attempts == 5
    assert token_with_code(client, PHONE, code).status_code == 401


def test_four_wrong_codes_still_leave_the_right_one(client, owner, outbox, django_capture_on_commit_callbacks):
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    code = outbox.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        token_with_code(client, PHONE, wrong)
    assert token_with_code(client, PHONE, code).status_code == 200


def test_a_code_expires_after_ten_minutes(client, owner, outbox, django_capture_on_commit_callbacks):
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    sent = LoginCode.objects.get()
    assert timedelta(minutes=9) < sent.expires_at - timezone.now() <= timedelta(minutes=10)
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_with_code(client, PHONE, outbox.last_code(PHONE)).status_code == 401


def test_a_new_code_replaces_the_older_one(client, owner, outbox, django_capture_on_commit_callbacks):
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    first = outbox.last_code(PHONE)
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    second = outbox.last_code(PHONE)
    if first != second:
        assert token_with_code(client, PHONE, first).status_code == 401
    assert token_with_code(client, PHONE, second).status_code == 200


def test_sending_is_limited_per_number(client, owner, outbox, django_capture_on_commit_callbacks):
    answers = [ask_code(client, PHONE, django_capture_on_commit_callbacks).status_code for _ in range(4)]
    assert answers == [202, 202, 202, 429]
    assert len(outbox.codes_to(PHONE)) == 3
    # An unknown number is counted the same way, so the limit tells nothing either.
    unknown = [ask_code(client, "0813-9999-0000", django_capture_on_commit_callbacks).status_code for _ in range(4)]
    assert unknown == [202, 202, 202, 429]


def test_sending_is_limited_per_client_address(client, owner, outbox, settings, django_capture_on_commit_callbacks):
    settings.KATALOG_OTP_LIMIT_PER_ADDRESS = (2, 900)
    here = {"REMOTE_ADDR": "10.0.0.7"}
    assert ask_code(client, "0813-1111-0001", django_capture_on_commit_callbacks, **here).status_code == 202
    assert ask_code(client, "0813-1111-0002", django_capture_on_commit_callbacks, **here).status_code == 202
    response = ask_code(client, PHONE, django_capture_on_commit_callbacks, **here)
    assert response.status_code == 429 and response.json()["code"] == "too_many_codes"
    assert outbox.codes_to(PHONE) == []
    elsewhere = ask_code(client, PHONE, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.8")
    assert elsewhere.status_code == 202


def test_the_page_says_when_the_limit_is_reached(client, owner, outbox, django_capture_on_commit_callbacks):
    for _ in range(3):
        ask_code(client, PHONE, django_capture_on_commit_callbacks)
    response = client.post("/akun/masuk/hp/", {"phone": PHONE})
    assert response.status_code == 200
    assert b"15" in response.content  # "try again in 15 minutes"


def test_a_number_of_another_tenant_gets_nothing_here(
    client, medan, binjai, outbox, django_capture_on_commit_callbacks
):
    # Given a Binjai vendor's person and a Binjai registry vendor; the visitor is in Medan.
    person = f.make_user(binjai, "penyedia", username="binjai-owner")
    Profile.objects.create(user=person, phone=PHONE)
    f.make_vendor(binjai, users=[person], phone="081234567890")
    f.make_vendor(binjai, source=VendorSource.IMPORT, phone="0812-3456-7891", nib="8129999999991")
    users_before = User.objects.count()
    for number in (PHONE, "0812-3456-7891"):
        response = ask_code(client, number, django_capture_on_commit_callbacks)
        assert response.status_code == 202
    assert outbox.lines() == []
    assert LoginCode.objects.count() == 0
    assert token_with_code(client, PHONE, "123456").status_code == 401
    assert User.objects.count() == users_before


def test_a_staff_member_without_a_profile_phone_gets_in_with_the_vendors_phone(
    client, medan, outbox, django_capture_on_commit_callbacks
):
    user = f.make_user(medan, "penyedia", username="lama")
    f.make_vendor(medan, users=[user], phone="0812-3456-7890")
    ask_code(client, "081234567890", django_capture_on_commit_callbacks)
    assert token_with_code(client, PHONE, outbox.last_code(PHONE)).status_code == 200
    assert Profile.objects.get(user=user).phone == PHONE


@pytest.mark.parametrize(
    "body",
    [
        '{"phone": "0812"}',
        '{"otp": "123456"}',
        '{"username": "a", "otp": "1"}',
        '{"phone": "1", "otp": "1", "username": "x", "password": "y"}',
    ],
)
def test_the_token_wants_one_pair(client, db, body):
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_axes_still_locks_out_repeated_failures_with_a_phone(client, owner, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    body = {"username": "0812-3456-7890", "password": "salah"}
    for _ in range(3):
        client.post("/api/v1/auth/token", body, content_type="application/json")
    response = client.post("/api/v1/auth/token", {**body, "password": f.PASSWORD}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
