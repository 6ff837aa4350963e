"""Size class of a business under PP 7/2021, Pasal 35.

Capital (modal usaha, excluding land and buildings) and annual sales (hasil penjualan tahunan)
each give a class; a business is in the higher of the two (docs/decisions.md, "Size class").
The boundaries are inclusive at the top: Rp1.000.000.000 of capital is micro, one rupiah
more is small."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    """PP 7/2021 size classes. The API uses these values as they are."""

    MIKRO = "mikro", _("Micro")
    KECIL = "kecil", _("Small")
    MENENGAH = "menengah", _("Medium")
    BESAR = "besar", _("Large")


ORDER = [SizeClass.MIKRO, SizeClass.KECIL, SizeClass.MENENGAH, SizeClass.BESAR]

# Upper bound (inclusive) of each class, in rupiah.
CAPITAL_LIMITS = [
    (Decimal("1000000000"), SizeClass.MIKRO),
    (Decimal("5000000000"), SizeClass.KECIL),
    (Decimal("10000000000"), SizeClass.MENENGAH),
]
SALES_LIMITS = [
    (Decimal("2000000000"), SizeClass.MIKRO),
    (Decimal("15000000000"), SizeClass.KECIL),
    (Decimal("50000000000"), SizeClass.MENENGAH),
]


def _by(limits, amount: Decimal) -> SizeClass:
    for upper, size in limits:
        if amount <= upper:
            return size
    return SizeClass.BESAR


def classify(*, capital: Decimal | None, annual_sales: Decimal | None) -> SizeClass:
    """The class for the given capital and sales; a missing figure counts as zero."""
    by_capital = _by(CAPITAL_LIMITS, capital or Decimal(0))
    by_sales = _by(SALES_LIMITS, annual_sales or Decimal(0))
    return max(by_capital, by_sales, key=ORDER.index)


def is_umk(size: str) -> bool:
    """Micro and small count towards the 40% target (UMK-Koperasi)."""
    return size in (SizeClass.MIKRO, SizeClass.KECIL)
