"""Sign-in limits that hold behind the reverse proxy and against guesses spread over accounts."""

import pytest
from django.core.cache import cache
from django.test import Client

from katalog.accounts.client_ip import client_ip
from tests import factories as f

PROXY = "10.0.0.2"  # every request reaches the app from the proxy's address


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.KATALOG_TRUSTED_PROXY_COUNT = 1
    settings.KATALOG_SIGNIN_ADDRESS_LIMIT = 20
    settings.KATALOG_SIGNIN_ACCOUNT_SLOWDOWN_AFTER = 10
    settings.KATALOG_SIGNIN_ACCOUNT_DELAY = 60
    cache.clear()
    yield
    cache.clear()


def through_proxy(client_address: str, forwarded_by_client: str = "") -> Client:
    """A browser at `client_address` behind the proxy, which appends the address it saw."""
    forwarded = f"{forwarded_by_client}, {client_address}" if forwarded_by_client else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def api_sign_in(client, username, password):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def page_sign_in(client, username, password):
    return client.post("/akun/masuk/", {"username": username, "password": password})


def test_a_stranger_behind_the_proxy_cannot_lock_out_the_ppk(users):
    stranger = through_proxy("203.0.113.66")
    for _ in range(8):
        api_sign_in(stranger, "medan-ppk", "tebakan-salah")
    assert api_sign_in(stranger, "medan-ppk", f.PASSWORD).status_code == 429  # he is locked out himself
    ppk = through_proxy("198.51.100.7")
    assert page_sign_in(ppk, "medan-ppk", f.PASSWORD).status_code == 302
    assert api_sign_in(ppk, "medan-ppk", f.PASSWORD).status_code == 200


def test_guesses_spread_over_twenty_accounts_block_the_address(medan, office):
    accounts = [f.make_user(medan, "pp", username=f"pp-{n:02}", office=office) for n in range(20)]
    sprayer = through_proxy("203.0.113.9")
    answers = [api_sign_in(sprayer, u.username, f"tebakan-{k}").status_code for k in range(4) for u in accounts]
    assert len(answers) == 80
    assert answers[:20] == [401] * 20
    assert set(answers[20:]) == {429}
    # Even the right password is refused from there now, but not from another address.
    assert api_sign_in(sprayer, "pp-00", f.PASSWORD).status_code == 429
    assert api_sign_in(through_proxy("198.51.100.8"), "pp-00", f.PASSWORD).status_code == 200


def test_a_client_cannot_dodge_the_limit_by_writing_x_forwarded_for(medan, office):
    accounts = [f.make_user(medan, "pp", username=f"pp-{n:02}", office=office) for n in range(21)]
    answers = [
        api_sign_in(through_proxy("203.0.113.9", forwarded_by_client=f"192.0.2.{n}"), u.username, "salah").status_code
        for n, u in enumerate(accounts)
    ]
    assert answers[-1] == 429


def test_an_account_attacked_from_many_addresses_slows_down_but_its_own_browser_gets_in(users):
    ppk = through_proxy("198.51.100.7")
    assert page_sign_in(ppk, "medan-ppk", f.PASSWORD).status_code == 302  # this browser is now known
    ppk.post("/akun/keluar/")
    answers = [api_sign_in(through_proxy(f"203.0.113.{n}"), "medan-ppk", "salah").status_code for n in range(14)]
    assert answers[:10] == [401] * 10
    assert 429 in answers[10:]  # one try a minute now, for strangers
    assert api_sign_in(through_proxy("203.0.113.200"), "medan-ppk", f.PASSWORD).status_code == 429
    assert page_sign_in(ppk, "medan-ppk", f.PASSWORD).status_code == 302


def test_without_a_trusted_proxy_the_header_is_ignored(settings, rf):
    settings.KATALOG_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_the_nth_address_from_the_right_is_the_client(settings, rf, count, header, expected):
    settings.KATALOG_TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected
