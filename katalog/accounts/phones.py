"""Indonesian phone numbers, normalised to E.164 (+6281234567890) with `phonenumbers`.

Accepted as typed by people and spreadsheets: `0812-3456-7890`, `+62 812 3456 7890`,
`6281234567890`, `81234567890` (a spreadsheet that stored the number as a number dropped the 0).
Only Indonesian numbers: the catalogue reaches its vendors by WhatsApp or SMS at home."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REGION = "ID"
COUNTRY_CODE = 62

INVALID_PHONE = _("Write an Indonesian phone number, for example 0812-3456-7890 or +62 812 3456 7890.")


class PhoneError(ValidationError):
    """Not an Indonesian phone number (a ValidationError, so forms show it as it is)."""

    def __init__(self):
        super().__init__(INVALID_PHONE, code="phone")


def normalize_phone(value: object) -> str:
    """The E.164 form of an Indonesian number, or PhoneError."""
    raw = str(value or "").strip()
    # Letters are refused here: phonenumbers would read "0812-ABC" as a vanity number.
    if not raw or re.search(r"[^\d\s\-().+/]", raw) or len(raw) > 30:
        raise PhoneError()
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        raise PhoneError() from None
    if number.country_code != COUNTRY_CODE or not phonenumbers.is_valid_number(number):
        raise PhoneError()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(value: object) -> str | None:
    """The E.164 form, or None when `value` is not an Indonesian number."""
    try:
        return normalize_phone(value)
    except PhoneError:
        return None


def looks_like_phone(value: object) -> bool:
    """A sign-in name made only of digits and phone punctuation (a user name has letters)."""
    return bool(re.fullmatch(r"\+?[\d\s\-().]{8,25}", str(value or "").strip()))


def as_typed_q(field: str, e164: str) -> Q:
    """A filter for a text column holding phone numbers as typed (`0812-3456-7890`, `62812...`):
    the national digits with any punctuation between them at the end of the value. It may match a
    little more than the number (another prefix), so callers confirm with normalize_phone."""
    national = e164.removeprefix(f"+{COUNTRY_CODE}")
    pattern = r"[^0-9]*".join(national) + r"[^0-9]*$"
    return Q(**{f"{field}__regex": pattern})


def display_phone(e164: str) -> str:
    """How an Indonesian reads a number: `0812-3456-7890` (the national form), or the text as it is."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "-")
