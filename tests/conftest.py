import io

import pytest
from PIL import Image

from tests import factories as f


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False  # the lockout test turns it back on
    from django.core.cache import cache

    cache.clear()  # sign-in, code and registration limits count in the cache: each test starts at zero
    settings.KATALOG_CACHE_STAMPS_DIR = tmp_path / "cache-stamps"  # core/tenant_cache.py: other runs move var/'s
    # Argon2 is the real hasher (tests/accounts/test_passwords.py checks it); tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def medan(db):
    return f.make_katalog("12.71", "Katalog Lokal Kota Medan")


@pytest.fixture
def binjai(db):
    return f.make_katalog("12.75", "Katalog Lokal Kota Binjai")


@pytest.fixture
def office(medan):
    return f.make_office(medan, "1.01.01", "Dinas Pendidikan")


@pytest.fixture
def users(medan, office):
    """One user per role in Medan, named by role (`users["catalogue_manager"]`)."""
    return {role: f.make_user(medan, role, username=f"medan-{role}", office=office) for role in f.ALL_ROLES}


@pytest.fixture
def manager(users):
    return users["catalogue_manager"]


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    """A real one-page PDF."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "NIB 8120000000001")
    c.save()
    return buf.getvalue()


@pytest.fixture
def pdf():
    return pdf_bytes()


@pytest.fixture
def png():
    return png_bytes()
