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

# A valid 15-digit NPWP (its 9th digit is the Luhn check digit of the first eight).
VALID_NPWP = "021832415000000"


def make_katalog(code: str = "12.71", name: str | None = None) -> Katalog:
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
        name=f"UD Uji {n}", owner_name="Butet Siregar", nib=f"{8120000000000 + n:013d}", npwp=VALID_NPWP,
        kbli=["10792"], address="Jl. Uji No. 1", region_id="12.71.01", district_id="12.71.01",
        phone="081234567890", email=f"ud{n}@example.id", capital=Decimal("500000000"),
        annual_sales=Decimal("800000000"), size_class="mikro", status=status, source=VendorSource.SELF,
    )
    data.update(fields)
    vendor = Vendor.objects.create(katalog=katalog, **data)
    for u in users:
        vendor.users.add(u)
    return vendor


ALL_ROLES = [r.value for r in Role]
