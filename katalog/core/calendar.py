"""Working days: Monday to Friday, less Indonesia's national holidays and collective leave days
(cuti bersama) from the maintained `holidays` library, less the tenant's own days off."""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from .models import Katalog, LocalDayOff


@lru_cache(maxsize=32)
def national_days_off(year: int) -> frozenset[date]:
    return frozenset(holidays.Indonesia(years=year, categories=("public", "government")).keys())


def is_working_day(day: date, local: frozenset[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in national_days_off(day.year) and day not in local


def local_days_off(katalog: Katalog | None, start: date, end: date) -> frozenset[date]:
    if katalog is None:
        return frozenset()
    return frozenset(
        LocalDayOff.objects.filter(katalog=katalog, date__range=(start, end)).values_list("date", flat=True)
    )


def add_working_days(moment: datetime, days: int, *, katalog: Katalog | None = None) -> datetime:
    """The same clock time `days` working days after `moment` (a Friday 10:00 plus 3 is the
    next Wednesday 10:00 when no holiday falls between)."""
    current = timezone.localtime(moment)  # working days are counted on the WIB calendar
    local = local_days_off(katalog, current.date(), current.date() + timedelta(days=days * 3 + 30))
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current.date(), local):
            remaining -= 1
    return current
