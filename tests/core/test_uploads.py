"""Uploads (issue 10): a pixel bomb is refused from its header before anything decodes it; bodies and
files are capped by their size before they are read; a wrong type behind a right name, SVG and
polyglots are refused with a clear Indonesian message, and the form keeps what was typed."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from katalog.buying.forms import BudgetImportForm, DeliverForm
from katalog.catalogue.models import Product
from katalog.core import uploads
from katalog.vendors.forms import DocumentsForm
from tests import factories as f
from tests.conftest import pdf_bytes, png_bytes

NEW = "/penyedia/produk/baru/"


def image_bytes(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, 0 if mode == "1" else (30, 120, 200)).save(buf, format=fmt)
    return buf.getvalue()


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        z.writestr("Evil.class", b"\xca\xfe\xba\xbe" + b"\x00" * 64)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """13,000 × 13,000 pixels (169 megapixels) in a few hundred KB, as in the issue."""
    buf = io.BytesIO()
    Image.new("1", (13_000, 13_000), 1).save(buf, format="PNG", optimize=True)
    data = buf.getvalue()
    assert len(data) < 1_000_000
    return data


@pytest.fixture
def paper(medan):
    return f.make_category(medan, "Kertas dan Buku", code="ATK-KRT")


@pytest.fixture
def newcomer(medan, users):
    """A brand-new account whose business is not verified yet."""
    owner = users["penyedia"]
    f.make_vendor(medan, users=[owner], name="UD Baru Daftar", status="draft")
    return owner


@pytest.fixture
def shop_owner(medan, users):
    owner = users["penyedia"]
    f.make_vendor(medan, users=[owner], name="UD Kertas Deli")
    return owner


def product_post(paper, photo):
    return {
        "name": "Bika Ambon Zulaikha",
        "price": "150 ribu",
        "unit": "kotak",
        "stock": "20",
        "category": paper.pk,
        "min_order": "1",
        "lead_time_days": "3",
        "delivery_area": ["12.71"],
        "is_domestic": "on",
        "photo": photo,
    }


def post_photo(client, paper, photo):
    response = client.post(NEW, product_post(paper, photo))
    return response


def assert_refused_on_the_page(response, *, contains: str):
    """The page answers 200 with the form again: the error under the photo, what was typed kept, nothing saved."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert "photo" in form.errors, form.errors
    html = response.content.decode()
    assert contains in html, form.errors["photo"]
    assert 'value="Bika Ambon Zulaikha"' in html and 'value="kotak"' in html
    assert not Product.objects.exists()


# --- The pixel bomb -------------------------------------------------------------------------------


def test_a_13000_by_13000_png_is_refused_before_decoding(client_as, shop_owner, paper, bomb):
    client = client_as(shop_owner)
    started = time.process_time()
    response = post_photo(client, paper, SimpleUploadedFile("bom.png", bomb, "image/png"))
    spent = time.process_time() - started
    assert_refused_on_the_page(
        response, contains="Foto ini 169 megapiksel; batasnya 40 megapiksel. Kirim foto yang lebih kecil."
    )
    # Decoding 169 megapixels took about 4 s of CPU; reading the header takes milliseconds.
    assert spent < 2, spent


def test_the_pixel_bomb_is_refused_for_a_brand_new_unverified_account_too(client_as, newcomer, medan, bomb):
    upload = SimpleUploadedFile("bom.png", bomb, "image/png")
    form = DocumentsForm(data={}, files={"nib_document": upload}, katalog=medan)
    assert not form.is_valid()
    assert any("megapiksel" in e for e in form.errors["nib_document"])
    with pytest.raises(uploads.ValidationError) as refused:
        uploads.check_photo(SimpleUploadedFile("bom.png", bomb))
    assert refused.value.code == "too_many_pixels"


def test_the_pixel_limit_is_a_setting_and_pillow_follows_it(settings):
    settings.KATALOG_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(uploads.ValidationError) as refused:
        uploads.check_photo(SimpleUploadedFile("a.png", image_bytes("PNG", (40, 30))))  # 1,200 pixels
    assert refused.value.code == "too_many_pixels"
    assert uploads.check_photo(SimpleUploadedFile("a.png", image_bytes("PNG", (30, 30)))) == "PNG"
    assert Image.MAX_IMAGE_PIXELS == 1000
    settings.KATALOG_MAX_IMAGE_PIXELS = 40_000_000
    uploads.check_photo(SimpleUploadedFile("a.png", image_bytes("PNG", (30, 30))))
    assert Image.MAX_IMAGE_PIXELS == 40_000_000


def test_the_default_limit_is_40_megapixels(settings):
    from django.conf import settings as live

    assert live.KATALOG_MAX_IMAGE_PIXELS == 40_000_000


# --- Sizes, before reading ------------------------------------------------------------------------


def test_a_photo_larger_than_the_limit_is_refused_from_its_size(client_as, shop_owner, paper, settings):
    settings.KATALOG_MAX_PHOTO_BYTES = 1024 * 1024
    big = image_bytes("PNG", (40, 30)) + b"\x00" * (1024 * 1024 + 1)  # judged by its size, never opened

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("a file over the limit must not be read")

    with pytest.raises(uploads.ValidationError) as refused:
        uploads.check_photo(Unreadable("besar.png", big))
    assert refused.value.code == "too_large"
    response = post_photo(client_as(shop_owner), paper, SimpleUploadedFile("besar.png", big, "image/png"))
    assert_refused_on_the_page(response, contains="Berkas terlalu besar (1.0 MB); batasnya 1 MB.")


@pytest.mark.parametrize("path", [NEW, "/api/v1/orders"])
def test_a_request_body_over_the_cap_is_answered_413_before_it_is_read(client_as, shop_owner, settings, path):
    settings.KATALOG_MAX_REQUEST_BYTES = 64 * 1024
    client = client_as(shop_owner)
    body = b"x" * (65 * 1024)
    if path.startswith("/api/"):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 413
        assert response.json()["code"] == "too_large"
        assert "Permintaan terlalu besar; batasnya 0.1 MB." in response.json()["message"]
    else:
        response = client.post(path, {"photo": SimpleUploadedFile("a.png", body, "image/png")})
        assert response.status_code == 413
        assert "Permintaan terlalu besar" in response.content.decode()


def test_form_fields_and_api_bodies_are_capped_without_a_500(client_as, shop_owner, settings):
    """Beyond DATA_UPLOAD_MAX_MEMORY_SIZE (but under the request cap) a JSON body is a 4xx."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024
    response = client_as(shop_owner).post(
        "/api/v1/orders", '{"note": "' + "x" * 40_000 + '"}', content_type="application/json"
    )
    assert 400 <= response.status_code < 500


# --- Wrong type, SVG, polyglots -------------------------------------------------------------------

SVG_WITH_SCRIPT = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_PLAIN = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/auth/token')</script></body></html>"

REFUSED = [
    ("pdf-named-jpg", "nota.jpg", lambda: pdf_bytes(), "Unggah foto JPG, PNG, atau WebP."),
    ("html-named-png", "foto.png", lambda: HTML, "Berkas ini halaman web, bukan foto atau dokumen."),
    ("svg-with-script", "logo.svg", lambda: SVG_WITH_SCRIPT, "Berkas SVG tidak diterima"),
    ("svg-without-script", "logo.svg", lambda: SVG_PLAIN, "Berkas SVG tidak diterima"),
    ("svg-named-png", "logo.png", lambda: SVG_PLAIN, "Berkas SVG tidak diterima"),
    ("png-named-svg", "logo.svg", lambda: png_bytes(), "Berkas SVG tidak diterima"),
    ("jpeg-plus-zip", "foto.jpg", lambda: image_bytes("JPEG") + zip_bytes(), "menyembunyikan berkas lain"),
    ("jpeg-plus-html", "foto.jpg", lambda: image_bytes("JPEG") + HTML, "menyembunyikan berkas lain"),
    ("png-plus-zip", "foto.png", lambda: image_bytes("PNG") + zip_bytes(), "menyembunyikan berkas lain"),
    ("webp-plus-html", "foto.webp", lambda: image_bytes("WEBP") + HTML, "menyembunyikan berkas lain"),
    ("gifar", "foto.gif", lambda: image_bytes("GIF", mode="P") + zip_bytes(), "Unggah foto JPG, PNG, atau WebP."),
    ("jpeg-named-png", "foto.png", lambda: image_bytes("JPEG"), "Nama berkas menyebut PNG, tetapi isinya JPEG."),
]


@pytest.mark.parametrize("name,content,message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_wrong_or_dangerous_photo_is_refused_and_the_form_keeps_what_was_typed(
    client_as, shop_owner, paper, name, content, message
):
    response = post_photo(client_as(shop_owner), paper, SimpleUploadedFile(name, content(), "image/jpeg"))
    assert_refused_on_the_page(response, contains=message)


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("nib.jpg", pdf_bytes, "name_mismatch"),
        ("nib.png", lambda: HTML, "markup"),
        ("nib.pdf", lambda: SVG_WITH_SCRIPT, "svg"),
        ("nib.jpg", lambda: image_bytes("JPEG") + zip_bytes(), "polyglot"),
        ("nib.pdf", lambda: pdf_bytes() + b"\n" + HTML, "polyglot"),
        ("nib.pdf", lambda: pdf_bytes() + zip_bytes(), "polyglot"),
    ],
)
def test_vendor_documents_refuse_the_same(name, content, code):
    with pytest.raises(uploads.ValidationError) as refused:
        uploads.check_document(SimpleUploadedFile(name, content()))
    assert refused.value.code == code


def test_good_files_still_pass():
    for name, data in [
        ("foto.jpg", image_bytes("JPEG")),
        ("foto.JPEG", image_bytes("JPEG")),
        ("foto.png", image_bytes("PNG")),
        ("foto.webp", image_bytes("WEBP")),
        ("blob", image_bytes("JPEG")),  # a camera upload without an extension is judged by its bytes
    ]:
        assert uploads.check_photo(SimpleUploadedFile(name, data)) in ("JPEG", "PNG", "WEBP")
    assert uploads.check_document(SimpleUploadedFile("nib.pdf", pdf_bytes())) == ("pdf", "application/pdf")
    assert uploads.check_document(SimpleUploadedFile("nib.jpg", image_bytes("JPEG"))) == ("jpg", "image/jpeg")
    uploads.check_table_file(SimpleUploadedFile("rup.csv", b"kode_rup;nama\n1;Kertas\n"))
    buf = io.BytesIO()
    from openpyxl import Workbook

    Workbook().save(buf)
    uploads.check_table_file(SimpleUploadedFile("rup.xlsx", buf.getvalue()))


def test_delivery_and_refusal_photos_use_the_same_checks(bomb):
    form = DeliverForm(
        data={"delivered_on": "2026-11-30"},
        files={"photo": SimpleUploadedFile("serah.jpg", image_bytes("JPEG") + HTML)},
        addresses=[],
        items=[],
    )
    assert not form.is_valid()
    assert "menyembunyikan berkas lain" in " ".join(form.errors["photo"])
    form = DeliverForm(
        data={"delivered_on": "2026-11-30"},
        files={"photo": SimpleUploadedFile("serah.png", bomb)},
        addresses=[],
        items=[],
    )
    assert not form.is_valid() and "megapiksel" in " ".join(form.errors["photo"])


def test_an_import_refuses_a_pdf_or_a_web_page_named_csv():
    for name, content in [("rup.csv", pdf_bytes()), ("rup.csv", HTML), ("rup.xlsx", image_bytes("PNG"))]:
        form = BudgetImportForm(data={}, files={"file": SimpleUploadedFile(name, content)})
        assert not form.is_valid()
        assert form.errors["file"], name
