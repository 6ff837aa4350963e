"""Identifiers of people: the NIP of a civil servant."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_nip(value: str) -> None:
    """An NIP (Nomor Induk Pegawai, BKN) has 18 digits: birth date YYYYMMDD, appointment YYYYMM,
    sex (1 or 2) and a three-digit number. The dates must be real ones."""
    if not value:
        return
    if not re.fullmatch(r"\d{18}", value):
        raise ValidationError(_("An NIP has 18 digits."), code="nip_digits")
    try:
        born = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
        appointed = date(int(value[8:12]), int(value[12:14]), 1)
    except ValueError:
        raise ValidationError(
            _("This NIP does not hold a valid birth and appointment date."), code="nip_date"
        ) from None
    if appointed <= born or value[14] not in "12":
        raise ValidationError(_("This NIP does not hold a valid birth and appointment date."), code="nip_date")
