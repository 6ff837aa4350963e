"""Sessions end after a working day without activity (8 hours, a setting), and activity extends them."""

import importlib
import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from katalog.accounts.middleware import SEEN_KEY
from tests import factories as f


def sign_in(client, username):
    response = client.post("/akun/masuk/", {"username": username, "password": f.PASSWORD})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_the_real_settings_end_a_session_after_eight_idle_hours():
    real = importlib.import_module("katalog.settings")
    assert real.SESSION_COOKIE_AGE == 8 * 3600


def test_a_new_session_lives_a_working_day_not_two_weeks(client, users):
    session = sign_in(client, "medan-ppk")
    assert client.cookies["sessionid"]["max-age"] == 8 * 3600
    left = session.expire_date - timezone.now()
    assert timedelta(hours=7, minutes=55) < left <= timedelta(hours=8)


def _age(client, *, idle: timedelta):
    """Make the session look as if its last visit was `idle` ago."""
    key = client.cookies["sessionid"].value
    store = client.session
    store[SEEN_KEY] = int(time.time() - idle.total_seconds())
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(hours=8) - idle)
    return key


def test_a_visit_pushes_the_end_back(client, users):
    sign_in(client, "medan-ppk")
    key = _age(client, idle=timedelta(hours=7))
    assert client.get("/akun/").status_code == 200
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert left > timedelta(hours=7, minutes=55)


def test_after_eight_idle_hours_the_user_signs_in_again(client, users):
    sign_in(client, "medan-ppk")
    _age(client, idle=timedelta(hours=8, minutes=1))
    response = client.get("/akun/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")
