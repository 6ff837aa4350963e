"""Builders for test data. Each returns saved objects with sensible Medan defaults."""

import itertools
from decimal import Decimal

from django.contrib.auth.models import User

from katalog.accounts.models import Membership, Office
from katalog.accounts.selectors import actor_for
from katalog.core.models import Katalog
from katalog.core.permissions import OFFICE_ROLES, Role
from katalog.vendors.models import Vendor, VendorSource, VendorStatus

PASSWORD = "Rahasia-Uji-2026"
_seq = itertools.count(1)


def ensure_regions() -> None:
    """The Kepmendagri regions a data migration loads: a transactional test (`transaction=True`) ends
    with a flush of every table, so the next one puts them back before it makes a tenant."""
    import importlib

    from django.apps import apps

    from katalog.core.models import Region

    if not Region.objects.filter(code="12.71").exists():
        importlib.import_module("katalog.core.migrations.0002_load_regions").load(apps, None)


# A valid 15-digit NPWP (its 9th digit is the Luhn check digit of the first eight).
VALID_NPWP = "021832415000000"


def make_katalog(code: str = "12.71", name: str | None = None) -> Katalog:
    ensure_regions()
    katalog, _ = Katalog.objects.get_or_create(
        region_id=code,
        defaults={"name": name or f"Katalog {code}", "government_name": f"Pemerintah {code}"},
    )
    return katalog


def make_office(katalog: Katalog, code: str | None = None, name: str = "Dinas Pendidikan") -> Office:
    code = code or f"1.01.{next(_seq):02d}"
    office, _ = Office.objects.get_or_create(katalog=katalog, code=code, defaults={"name": name})
    return office


def make_user(katalog: Katalog, role: str, *, username: str | None = None, office: Office | None = None) -> User:
    username = username or f"{role}-{next(_seq)}"
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.id")
    if role in OFFICE_ROLES and office is None:
        office = make_office(katalog)
    Membership.objects.create(user=user, katalog=katalog, role=role, office=office)
    return user


def actor(user, katalog=None):
    return actor_for(user, katalog)


def make_vendor(katalog: Katalog, *, status: str = VendorStatus.VERIFIED, users=(), **fields) -> Vendor:
    n = next(_seq)
    data = dict(
        name=f"UD Uji {n}",
        owner_name="Butet Siregar",
        nib=f"{8120000000000 + n:013d}",
        npwp=VALID_NPWP,
        kbli=["10792"],
        address="Jl. Uji No. 1",
        region_id="12.71.01",
        district_id="12.71.01",
        phone="081234567890",
        email=f"ud{n}@example.id",
        capital=Decimal("500000000"),
        annual_sales=Decimal("800000000"),
        size_class="mikro",
        status=status,
        source=VendorSource.SELF,
    )
    data.update(fields)
    vendor = Vendor.objects.create(katalog=katalog, **data)
    for u in users:
        vendor.users.add(u)
    return vendor


ALL_ROLES = [r.value for r in Role]


# --- Catalogue -----------------------------------------------------------------------------------


def make_category(
    katalog: Katalog, name: str = "Alat Tulis Kantor", *, code: str | None = None, parent=None, required_attributes=()
):
    from katalog.catalogue.models import Category

    return Category.objects.create(
        katalog=katalog,
        name=name,
        code=code or f"K{next(_seq)}",
        parent=parent,
        level=(parent.level + 1) if parent else 1,
        required_attributes=list(required_attributes),
    )


def product_data(category, *, name: str = "Kertas HVS A4", price="55000", **fields):
    """The cleaned data of a product, as a form or an import hands it to the services."""
    from katalog.catalogue.services import ProductData

    unit = fields.pop("unit", "rim")
    return ProductData(name=name, category=category, unit=unit, price=Decimal(str(price)), **fields)


def make_product(
    vendor: Vendor,
    category=None,
    *,
    listed: bool = True,
    submitted: bool = False,
    stock: int = 10,
    verify_claims=None,
    **fields,
):
    """A product of `vendor` made through the services (as the Pengelola's desk would): a draft,
    submitted (`submitted=True`) or listed (the default). Claims are verified at listing, all of
    them unless `verify_claims` names some. The search index follows only when the caller runs
    the on-commit hooks (`django_capture_on_commit_callbacks(execute=True)`)."""
    from katalog.accounts.selectors import system_actor
    from katalog.catalogue import services

    desk = system_actor(vendor.katalog)
    category = category or make_category(vendor.katalog)
    data = product_data(category, **fields)
    product = services.product_create(actor=desk, vendor=vendor, data=data, stock=stock)
    if listed or submitted:
        product = services.product_submit(actor=desk, product=product)
    if listed:
        product = services.product_approve(actor=desk, product=product, verify_claims=verify_claims)
    return product
