"""No page or endpoint tells whether an e-mail address or a phone number has an account."""

import re

import pytest
from django.core import mail
from django.test import Client

from katalog.accounts.models import Profile
from katalog.vendors.models import Vendor
from tests import factories as f

from .otp_helpers import outbox_at


@pytest.fixture
def sent(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return outbox_at(settings, tmp_path / "messages.jsonl")


def register(email="", phone="0812 7777 8888", name="Kerajinan Rotan Deli"):
    data = {"name": name, "owner_name": "Hasan Lubis", "email": email, "phone": phone}
    if email:
        data |= {"password1": "Rotan-Deli-2026", "password2": "Rotan-Deli-2026"}
    return Client().post("/penyedia/daftar/", data, follow=True)


def _shape(response) -> tuple:
    page = response.content.decode()
    main = re.sub(r"[A-Za-z0-9]{64}", "<csrf>", page)  # the CSRF token differs per browser
    return response.status_code, response.redirect_chain, main


def test_registering_a_taken_email_answers_like_a_new_one(medan, django_capture_on_commit_callbacks, sent):
    owner = f.make_user(medan, "penyedia", username="hasan")
    owner.email = "hasan@example.id"
    owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        taken = register(email="hasan@example.id")
        new = register(email="baru@example.id")
    assert _shape(taken) == _shape(new)
    assert "An account with this e-mail already exists" not in taken.content.decode()
    assert "sudah ada" not in taken.content.decode()
    # The owner is told; the new address gets the link that makes the account.
    to_owner = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(to_owner) == 1 and "/akun/lupa-sandi/" in to_owner[0].body and "/akun/masuk/" in to_owner[0].body
    assert Vendor.objects.count() == 0


def test_the_link_in_the_email_makes_the_account(medan, django_capture_on_commit_callbacks, sent):
    with django_capture_on_commit_callbacks(execute=True):
        register(email="baru@example.id")
    link = re.search(r"https?://[^\s]+/akun/daftar/konfirmasi/[^\s]+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    browser = Client()
    assert browser.get("/" + path).status_code == 200
    assert Vendor.objects.count() == 0  # a GET changes nothing
    response = browser.post("/" + path)
    assert response.status_code == 302 and response["Location"].startswith("/penyedia/usaha-saya/")
    vendor = Vendor.objects.get(name="Kerajinan Rotan Deli")
    assert vendor.users.get().email == "baru@example.id"
    assert Client().login(username="baru@example.id", password="Rotan-Deli-2026")
    # The link works once.
    assert Client().post("/" + path)["Location"] == "/akun/masuk/"
    assert Vendor.objects.count() == 1


def test_registering_a_taken_phone_answers_like_a_new_one(medan, django_capture_on_commit_callbacks, sent):
    owner = f.make_user(medan, "penyedia", username="rina")
    Profile.objects.update_or_create(user=owner, defaults={"phone": "+6281277778888"})
    with django_capture_on_commit_callbacks(execute=True):
        taken = register(phone="0812 7777 8888")
        new = register(phone="0812 5555 6666")
    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain == [("/penyedia/daftar/kode/", 302)]
    assert "already exists" not in taken.content.decode() and "sudah ada" not in taken.content.decode()
    assert sent.codes_to("+6281255556666")  # a code to the new number
    assert not sent.codes_to("+6281277778888")  # a warning, not a code, to the number with an account
    assert any(line["to"].endswith("6281277778888") for line in sent.lines())


def test_password_reset_answers_the_same_for_known_and_unknown(users, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post("/akun/lupa-sandi/", {"email": users["pp"].email}, follow=True)
        unknown = Client().post("/akun/lupa-sandi/", {"email": "tidak-ada@example.id"}, follow=True)
    assert _shape(known) == _shape(unknown)
    assert len(mail.outbox) == 1


def test_registrations_are_limited_per_address(medan, settings, sent):
    settings.KATALOG_REGISTER_LIMIT_PER_ADDRESS = 3
    answers = [register(email=f"u{n}@example.id").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
