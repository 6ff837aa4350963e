import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.OperationalError("database is gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_home_says_what_the_catalogue_is_and_how_to_join(client, medan):
    page = client.get("/").content.decode()
    assert "Katalog Lokal Kota Medan" in page
    assert "UMKM" in page
    assert "/penyedia/daftar/" in page


def test_interface_is_indonesian_by_default_and_english_on_request(client, medan):
    assert "Daftarkan usaha saya" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Register my business" in client.get("/").content.decode()


def test_regions_are_loaded_from_the_kepmendagri_list(db):
    from katalog.core.models import Region

    assert Region.objects.get(code="12.71").name == "Kota Medan"
    assert Region.objects.filter(parent_id="12.71", level="kecamatan").count() == 21
    assert Region.objects.get(code="12.71.03").parent_id == "12.71"
    assert Region.objects.filter(level="provinsi").count() == 38
