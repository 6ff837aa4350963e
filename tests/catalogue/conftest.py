"""Catalogue fixtures: a small category tree, a verified vendor with its owner, and API calls."""

import pytest

from tests import factories as f


@pytest.fixture
def atk(medan):
    """Alat Tulis Kantor › Kertas dan Buku › Kertas HVS: three levels."""
    return f.make_category(medan, "Alat Tulis Kantor", code="ATK")


@pytest.fixture
def paper(atk):
    return f.make_category(atk.katalog, "Kertas dan Buku", code="ATK-KRT", parent=atk)


@pytest.fixture
def food(medan):
    """A category that asks for a PIRT number (a note for curation, never a reason to refuse)."""
    return f.make_category(
        medan, "Makanan dan Minuman", code="MKN", required_attributes=[{"key": "pirt", "label": "Nomor PIRT"}]
    )


@pytest.fixture
def owner(users):
    return users["penyedia"]


@pytest.fixture
def shop(medan, owner):
    """The verified micro vendor of the `penyedia` user."""
    return f.make_vendor(medan, users=[owner], name="UD Kertas Deli", nib="8120000000777")


@pytest.fixture
def api(client):
    """`api(method, url, user=None, body=None)`: a JSON call with the user's bearer token."""
    tokens: dict[str, str] = {}

    def call(method, url, user=None, body=None):
        headers = {}
        if user is not None:
            if user.username not in tokens:
                response = client.post(
                    "/api/v1/auth/token",
                    {"username": user.username, "password": f.PASSWORD},
                    content_type="application/json",
                )
                assert response.status_code == 200, response.content
                tokens[user.username] = response.json()["token"]
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.username]}"
        if method == "get":
            return client.get(url, **headers)
        return client.post(url, body if body is not None else {}, content_type="application/json", **headers)

    return call
