"""The demo is coherent: officials with names, positions and valid NIPs; offices with addresses and
logos; vendors named for what they sell, with bank accounts and valid NPWPs; a picture per
product; and a second run changes nothing."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from PIL import Image

from katalog.accounts.models import Membership, Office
from katalog.accounts.validators import validate_nip
from katalog.buying.models import BudgetLine
from katalog.catalogue.models import Product, ProductPhoto
from katalog.core.models import AuditLog, Katalog
from katalog.vendors.models import SizeClassChange, Vendor
from katalog.vendors.validators import clean_npwp

# What a vendor of each kind of product is called or says it does (name or sector, lower case).
TRADE_WORDS = {
    "ATK": ("atk", "alat tulis"),
    "MKN": ("kue", "katering", "kopi", "makanan", "minuman"),
    "SPT": ("sepatu",),
    "PKN": ("ulos", "konveksi", "pakaian", "kain"),
    "SRG": ("seragam",),
    "SUV": ("rotan", "cenderamata", "suvenir", "kerajinan"),
}
OFFICIALS = {
    "pp": "Pejabat Pengadaan",
    "ppk": "Pejabat Pembuat Komitmen",
    "pa": "Kepala Dinas Pendidikan Kota Medan",
    "bendahara": "Bendahara Pengeluaran",
}


def demo() -> str:
    out = io.StringIO()
    call_command("demo", "--small", stdout=out)
    return out.getvalue()


def image_of(field) -> Image.Image:
    with field.open("rb") as fh:
        img = Image.open(io.BytesIO(fh.read()))
        img.load()
    return img


def top_code(product: Product) -> str:
    category = product.listed_version.category
    while category.parent_id:
        category = category.parent
    return category.code


@pytest.fixture
def katalog(db):
    demo()
    return Katalog.objects.get(region_id="12.71")


def check_officials(katalog):
    for username, position in OFFICIALS.items():
        user = User.objects.get(username=username)
        membership = Membership.objects.get(user=user, katalog=katalog)
        assert user.first_name and user.last_name and user.first_name != username.capitalize()
        assert membership.position == position
        assert membership.office.code == "1.01.01"
        validate_nip(membership.nip)  # 18 digits, real dates, sex 1 or 2
        assert len(membership.nip) == 18
    pa = Membership.objects.get(user__username="pa")
    assert pa.office.name == "Dinas Pendidikan"


def check_offices(katalog):
    assert katalog.place_name == "Medan"
    assert "Medan" in katalog.office_address
    assert image_of(katalog.logo).format == "PNG"
    offices = Office.objects.filter(katalog=katalog)
    assert offices.count() == 12
    for office in offices:
        assert "Medan" in office.address, office
        assert office.phone
        logo = image_of(office.logo)
        assert logo.format == "PNG" and logo.width >= 200, office


def check_products(katalog):
    products = Product.objects.filter(katalog=katalog).select_related("vendor", "listed_version__category__parent")
    assert products.count() >= 29
    for product in products:
        trade = f"{product.vendor.name} {product.vendor.sector}".lower()
        assert any(word in trade for word in TRADE_WORDS[top_code(product)]), (product.name, product.vendor.name)
        if "ulos" in product.name.lower() and top_code(product) == "PKN":
            assert product.vendor.name == "UD Ulos Horas Medan"
        photos = list(product.photos.all())
        assert len(photos) == 1, product.name
        picture = image_of(photos[0].image)
        assert picture.format == "JPEG" and picture.width == photos[0].width > 0
        assert image_of(photos[0].thumbnail).width <= 400
    # The demo user's business sells ulos.
    assert Vendor.objects.get(users__username="penyedia").products.filter(name__icontains="ulos").exists()


def check_vendors(katalog):
    sellers = Vendor.objects.filter(katalog=katalog, products__isnull=False).distinct()
    assert sellers.count() >= 8
    for vendor in sellers:
        assert clean_npwp(vendor.npwp) == vendor.npwp, vendor
        assert vendor.bank_name and vendor.bank_account_name
        assert re.fullmatch(r"\d{10,16}", vendor.bank_account_number), vendor
        assert vendor.is_verified and vendor.nib.startswith("812")
    assert sellers.filter(is_vat_registered=True).exists()  # a PKP: its orders carry PPN
    assert sellers.exclude(pp55_certificate="").exists()  # the 0.5% final PPh
    assert not sellers.filter(is_vat_registered=True).exclude(pp55_certificate="").exists()


def check_budget_lines(katalog):
    lines = BudgetLine.objects.filter(katalog=katalog)
    assert lines.count() == 36
    for line in lines:
        assert re.fullmatch(r"5\.1\.02\.\d{2}\.\d{2}\.\d{4}", line.account_code), line


def test_officials_offices_and_budget_lines_are_ready_for_documents(katalog):
    """The kop and signatures of a Surat Pesanan: tenant and office with address and logo,
    officials with name, position and NIP, budget lines with their account code."""
    check_officials(katalog)
    check_offices(katalog)
    check_budget_lines(katalog)


def test_each_product_is_sold_by_a_vendor_of_its_trade_with_a_picture(katalog):
    check_vendors(katalog)
    check_products(katalog)


def snapshot(katalog) -> dict:
    """Everything the demo writes, as values (so a second run that changed anything shows)."""
    return {
        "katalog": Katalog.objects.filter(pk=katalog.pk).values().get(),
        "offices": list(Office.objects.order_by("code").values()),
        "users": list(User.objects.order_by("username").values("username", "first_name", "last_name", "is_staff")),
        "memberships": list(
            Membership.objects.order_by("pk").values("user_id", "role", "office_id", "position", "nip")
        ),
        "vendors": list(
            Vendor.objects.filter(nib__startswith="812")
            .order_by("nib")
            .values()
            .values_list(
                "nib", "name", "npwp", "bank_account_number", "is_vat_registered", "pp55_certificate", "updated_at"
            )
        ),
        "vendor_count": Vendor.objects.count(),
        "history": SizeClassChange.objects.count(),
        "products": list(
            Product.objects.order_by("pk").values_list(
                "pk", "name", "vendor_id", "status", "latest_version_id", "updated_at"
            )
        ),
        "photos": list(ProductPhoto.objects.order_by("pk").values_list("product_id", "image", "thumbnail")),
        "lines": list(
            BudgetLine.objects.order_by("kode_rup").values_list("kode_rup", "account_code", "ceiling", "committed")
        ),
        "audit": AuditLog.objects.count(),
    }


def test_running_the_demo_twice_changes_nothing(katalog):
    before = snapshot(katalog)
    out = demo()
    assert snapshot(katalog) == before
    assert "0 registry vendors created, 0 products listed" in out


def test_a_demo_made_by_an_older_version_is_completed(katalog):
    # An older demo: no addresses, logos, NIPs or names; products on other vendors; no pictures.
    office = Office.objects.get(katalog=katalog, code="1.01.01")
    Office.objects.filter(pk=office.pk).update(address="", logo="")
    Katalog.objects.filter(pk=katalog.pk).update(place_name="", logo="")
    Membership.objects.filter(user__username="ppk").update(position="", nip="")
    User.objects.filter(username="pp").update(first_name="Pp", last_name="")
    BudgetLine.objects.filter(katalog=katalog).update(account_code="")
    registry_vendor = Vendor.objects.filter(katalog=katalog, nib__startswith="91").first()
    moved = Product.objects.get(katalog=katalog, name="Kursi rotan teras")
    Product.objects.filter(pk=moved.pk).update(vendor=registry_vendor)
    ProductPhoto.objects.filter(product=moved).delete()

    demo()

    office.refresh_from_db()
    katalog.refresh_from_db()
    moved.refresh_from_db()
    assert office.address and office.logo and katalog.place_name == "Medan" and katalog.logo
    assert Membership.objects.get(user__username="ppk").position == "Pejabat Pembuat Komitmen"
    assert User.objects.get(username="pp").first_name == "Fitri"
    assert not BudgetLine.objects.filter(katalog=katalog, account_code="").exists()
    assert moved.vendor.name == "Kerajinan Rotan Karo Sembiring"
    assert moved.photos.count() == 1
