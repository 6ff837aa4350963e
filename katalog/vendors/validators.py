"""Indonesian business identifiers: NIB, NPWP, KBLI, phone, bank account. Each returns the normalised value or raises
ValidationError with a message the user can act on."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from . import kbli

_SEPARATORS = re.compile(r"[\s.\-/]")


def digits(value: object) -> str:
    text = str(value or "")
    if text.isascii() and text.isdigit():  # already bare digits (most cells of a registry): nothing to strip
        return text
    return _SEPARATORS.sub("", text).strip()


def clean_nib(value: object) -> str:
    nib = digits(value)
    if not re.fullmatch(r"\d{13}", nib):
        raise ValidationError(_("NIB must be exactly 13 digits (from OSS)."), code="nib")
    return nib


def clean_npwp(value: object) -> str:
    """15 digits whose ninth is a Luhn check digit, or the 16-digit form (PMK 112/2022)."""
    raw = digits(value)
    if not re.fullmatch(r"\d{15}|\d{16}", raw):
        raise ValidationError(_("NPWP must have 15 or 16 digits."), code="npwp")
    try:
        return stdnum_npwp.validate(raw)
    except StdnumError as exc:
        raise ValidationError(_("This NPWP is not valid: please check the digits."), code="npwp") from exc


def clean_kbli_list(value: object) -> list[str]:
    """One or more 5-digit KBLI codes separated by commas, semicolons or spaces, each in the KBLI 2020 list."""
    if isinstance(value, list | tuple):
        parts = [str(p).strip() for p in value]
    else:
        parts = [p for p in re.split(r"[,;\s]+", str(value or "").strip()) if p]
    if not parts:
        raise ValidationError(_("Give at least one KBLI code (5 digits)."), code="kbli")
    bad = [p for p in parts if not re.fullmatch(r"\d{5}", p)]
    if bad:
        raise ValidationError(
            _("KBLI codes have 5 digits; not valid: %(codes)s") % {"codes": ", ".join(bad)}, code="kbli"
        )
    unknown = [p for p in parts if not kbli.is_valid(p)]
    if unknown:
        raise ValidationError(
            _("Not in the KBLI 2020 list: %(codes)s. Type a word of your business to find its code.")
            % {"codes": ", ".join(unknown)},
            code="kbli_unknown",
        )
    return list(dict.fromkeys(parts))


def clean_phone(value: object) -> str:
    phone = re.sub(r"[\s\-()]", "", str(value or ""))
    if phone.startswith("+62"):
        phone = "0" + phone[3:]
    elif phone.startswith("62"):
        phone = "0" + phone[2:]
    elif phone.startswith("8") and 9 <= len(phone) <= 13:
        phone = "0" + phone  # a spreadsheet that stored the number as a number dropped the leading 0
    if not re.fullmatch(r"0\d{8,13}", phone):
        raise ValidationError(_("Write the phone number as 08xx or +62, 9 to 14 digits."), code="phone")
    return phone


def clean_bank_account(value: object) -> str:
    """A bank account number: digits only (spaces, dots and dashes dropped), 6 to 20 of them."""
    number = digits(value)
    if not re.fullmatch(r"\d{6,20}", number):
        raise ValidationError(_("Write the account number in digits, 6 to 20 of them."), code="bank_account")
    return number
