"""Taxes of a purchase, as the vendor bills them and a government treasurer books them. Pure
functions of whole-rupiah amounts; the rates and thresholds are settings (docs/taxes.md cites the
rules). Every amount returned is whole rupiah, rounded down (in the taxpayer's favour, as e-Faktur
does), so the cart, the draft, the SP, the BAST, the invoice and the payment all show the same figures.

- PPN (VAT) only when the vendor is a PKP. PMK 131/2024: for goods that are not luxury goods,
  12% of a DPP "nilai lain" of 11/12 of the price, which is 11% of the price.
- A government treasurer (bendahara) collects that PPN as "pemungut" (PMK 59/2022) and withholds
  PPh 22 of 1.5% of the DPP (PMK 34/2017; twice that for a vendor without an NPWP), both only on a
  purchase above Rp2,000,000. A UMKM holding a PP 55/2022 certificate has 0.5% final PPh withheld
  instead of PPh 22.
- The late penalty (denda keterlambatan) is taken off what is paid."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings

from katalog.core.money import whole_rupiah

ZERO = Decimal("0.00")
PPH22, PPH_FINAL = "pph22", "pph_final"


def _fraction(text: str) -> Fraction:
    return Fraction(str(text).strip())


@dataclass(frozen=True)
class Vat:
    """DPP, the DPP nilai lain the rate applies to, the rate (percent), PPN and the total."""

    dpp: Decimal
    base: Decimal
    rate: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.dpp + self.vat


def vat_of(dpp: Decimal, *, pkp: bool) -> Vat:
    """The PPN on a DPP (whole rupiah) for a vendor that is or is not a PKP."""
    dpp = whole_rupiah(dpp)
    if not pkp:
        return Vat(dpp=dpp, base=ZERO, rate=ZERO, vat=ZERO)
    rate = Decimal(str(settings.KATALOG_VAT_PERCENT))
    factor = _fraction(settings.KATALOG_VAT_DPP_FACTOR)
    # The base is printed on the documents; the PPN is the rate of the printed base, so anyone can
    # check the figure with a calculator.
    base = whole_rupiah(Decimal(dpp) * factor.numerator / factor.denominator, down=True)
    vat = whole_rupiah(base * rate / 100, down=True)
    return Vat(dpp=dpp, base=base, rate=rate, vat=vat)


@dataclass(frozen=True)
class Settlement:
    """What the treasurer pays on an invoice: the gross (DPP + PPN), less the PPN collected, the
    income tax withheld and the late penalty, is the net transferred to the vendor."""

    gross: Decimal
    vat_collected: Decimal
    income_tax_kind: str
    income_tax_rate: Decimal
    income_tax: Decimal
    penalty: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.vat_collected - self.income_tax - self.penalty


def settlement(*, dpp: Decimal, vat: Decimal, penalty: Decimal, pp55: bool, has_npwp: bool) -> Settlement:
    """The treasurer's booking of an invoice of `dpp` + `vat` with a late `penalty`."""
    dpp, vat, penalty = whole_rupiah(dpp), whole_rupiah(vat), whole_rupiah(penalty)
    gross = dpp + vat
    above = gross > Decimal(str(settings.KATALOG_TREASURER_TAX_THRESHOLD))
    if not above:
        return Settlement(gross, ZERO, "", ZERO, ZERO, min(penalty, gross))
    if pp55:
        kind, rate = PPH_FINAL, Decimal(str(settings.KATALOG_PPH_FINAL_PERCENT))
    else:
        kind, rate = PPH22, Decimal(str(settings.KATALOG_PPH22_PERCENT)) * (1 if has_npwp else 2)
    income_tax = whole_rupiah(dpp * rate / 100, down=True)
    # The penalty never takes the net below zero.
    penalty = min(penalty, gross - vat - income_tax)
    return Settlement(gross, vat, kind, rate, income_tax, max(penalty, ZERO))


def late_penalty(*, late_value: Decimal, days: int) -> Decimal:
    """1‰ (a setting) of the value delivered late for each calendar day late, whole rupiah, down."""
    if days <= 0 or late_value <= 0:
        return ZERO
    per_mille = Decimal(str(settings.KATALOG_LATE_PENALTY_PER_MILLE))
    return whole_rupiah(Decimal(late_value) * per_mille * days / 1000, down=True)
