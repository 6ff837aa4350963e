"""Money is Decimal, never float. One place rounds, formats and parses Rupiah."""

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

RUPIAH = Decimal("0.01")


def round_money(value: Decimal | int | str) -> Decimal:
    """Round to the sen (two places), half up, as the treasury does."""
    return Decimal(value).quantize(RUPIAH, rounding=ROUND_HALF_UP)


def format_rupiah(value: Decimal | int | float | str | None) -> str:
    """`Rp1.250.000` (dots between thousands, a comma before sen only when there are sen)."""
    if value is None or value == "":
        return ""
    amount = round_money(Decimal(str(value)))
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    sen = int((amount - whole) * 100)
    text = f"{whole:,}".replace(",", ".")
    if sen:
        text += f",{sen:02d}"
    return f"{sign}Rp{text}"


_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class MoneyParseError(ValueError):
    pass


def parse_rupiah(text: object) -> Decimal:
    """Read an amount as people write it: `1.500.000`, `1500000`, `Rp 1.500.000`, `1.500.000,50`,
    or a number from a spreadsheet cell. Raises MoneyParseError for anything else."""
    if isinstance(text, bool):
        raise MoneyParseError(text)
    try:
        if isinstance(text, int | Decimal):
            return round_money(text)
        if isinstance(text, float):
            return round_money(Decimal(repr(text)))
    except InvalidOperation as exc:
        raise MoneyParseError(text) from exc
    s = str(text).strip()
    s = re.sub(r"^rp\.?\s*", "", s, flags=re.IGNORECASE).replace(" ", "").replace("\u00a0", "")
    if not s:
        raise MoneyParseError(text)
    if "," in s:
        whole, _, frac = s.rpartition(",")
        if not re.fullmatch(r"\d{1,2}", frac):
            raise MoneyParseError(text)
        whole = whole.replace(".", "") if (_THOUSANDS.match(whole) or whole.isdigit()) else "x"
        s = f"{whole}.{frac}"
    elif _THOUSANDS.match(s):
        s = s.replace(".", "")
    elif not re.fullmatch(r"\d+(\.\d{1,2})?", s):
        raise MoneyParseError(text)
    try:
        # An amount of forty digits is no amount: rounding it overflows the context (InvalidOperation).
        return round_money(Decimal(s))
    except InvalidOperation as exc:
        raise MoneyParseError(text) from exc


def whole_rupiah(value: Decimal | int | str, *, down: bool = False) -> Decimal:
    """Whole rupiah, as documents and ceilings see money: half up, or down (taxes and penalties are
    rounded down, in the taxpayer's favour, as e-Faktur does). Returned with two places ("1250000.00")
    so it compares and stores like every other amount."""
    rounding = ROUND_FLOOR if down else ROUND_HALF_UP
    return Decimal(value).quantize(Decimal(1), rounding=rounding).quantize(RUPIAH)
