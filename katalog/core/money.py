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


# Words people put after a number: `50 jt`, `150 ribu`, `1,5 juta`, `2 M`. `m` alone is miliar, as on
# price tags and in the news ("Rp2 M"); never "meter" or "million" here.
_MULTIPLIERS = {
    "rb": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "m": 1_000_000_000,
    "miliar": 1_000_000_000,
    "milyar": 1_000_000_000,
    "triliun": 1_000_000_000_000,
}
_WITH_MULTIPLIER = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?P<word>[a-z]+)\.?$", re.IGNORECASE)


def _parse_plain(s: str, text: object) -> Decimal:
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


def _parse_with_multiplier(s: str, text: object) -> Decimal | None:
    """`1,5 juta` → 1500000; None when `s` has no multiplier word. A decimal mark is read as such only
    where it cannot be a thousands separator: `1,5 jt`, `1.5 jt`, `1,25 juta`, but not `1.500 jt`
    (one and a half thousand million? refused as ambiguous)."""
    match = _WITH_MULTIPLIER.match(s)
    if not match:
        return None
    factor = _MULTIPLIERS.get(match["word"].lower())
    if factor is None:
        raise MoneyParseError(text)
    number = match["number"]
    if re.fullmatch(r"\d+[.,]\d{3}", number):
        raise MoneyParseError(text)  # `1.500 juta`: a thousands separator or a decimal mark? Ask again.
    try:
        amount = Decimal(number.replace(",", ".")) * factor
        # The result is whole rupiah: `1,2345 juta` is refused rather than rounded to something unsaid.
        if amount != amount.to_integral_value():
            raise MoneyParseError(text)
        return round_money(amount)
    except InvalidOperation as exc:
        raise MoneyParseError(text) from exc


def parse_rupiah(text: object) -> Decimal:
    """Read an amount as people write it: `1.500.000`, `1500000`, `Rp 1.500.000`, `1.500.000,50`,
    `50 jt`, `50 juta`, `150 ribu`, `150rb`, `1,5 juta`, `2 M`, `2 miliar`, or a number from a
    spreadsheet cell. Raises MoneyParseError for anything else, and for anything ambiguous."""
    if isinstance(text, bool):
        raise MoneyParseError(text)
    try:
        if isinstance(text, int | Decimal):
            return round_money(text)
        if isinstance(text, float):
            return round_money(Decimal(repr(text)))
    except InvalidOperation as exc:
        raise MoneyParseError(text) from exc
    s = str(text).strip().replace("\u00a0", " ")
    s = re.sub(r"^rp\.?\s*", "", s, flags=re.IGNORECASE).strip()
    if len(s) > 60:
        raise MoneyParseError(text)
    multiplied = _parse_with_multiplier(s, text)
    if multiplied is not None:
        return multiplied
    s = s.replace(" ", "")
    if not s:
        raise MoneyParseError(text)
    return _parse_plain(s, text)


def whole_rupiah(value: Decimal | int | str, *, down: bool = False) -> Decimal:
    """Whole rupiah, as documents and ceilings see money: half up, or down (taxes and penalties are
    rounded down, in the taxpayer's favour, as e-Faktur does). Returned with two places ("1250000.00")
    so it compares and stores like every other amount."""
    rounding = ROUND_FLOOR if down else ROUND_HALF_UP
    return Decimal(value).quantize(Decimal(1), rounding=rounding).quantize(RUPIAH)
