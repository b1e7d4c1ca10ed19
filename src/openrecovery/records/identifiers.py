"""Medical record numbers, and dates of birth as staff type them."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

MRN_DIGITS = 7
# 1967-05-06, 05/06/1967, 5/6/1967, 05061967; then two-digit years: 05/06/67, 05-06-67.
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m%d%Y")
SHORT_YEAR_FORMATS = ("%m/%d/%y", "%m-%d-%y")


def mrn_format(number: int) -> str:
    """Return the MRN for a sequence number: ``MRN`` and seven digits."""
    return f"MRN{number:0{MRN_DIGITS}d}"


@transaction.atomic
def mrn_next() -> str:
    """Return the next unused MRN (one past the highest issued)."""
    from .models import Patient

    last = (
        Patient.objects.select_for_update().order_by("-mrn").values_list("mrn", flat=True).first()
    )
    return mrn_format(int(last[3:]) + 1 if last else 1)


def birth_date_parse(text: str, today: dt.date | None = None) -> dt.date | None:
    """Return the date of birth ``text`` spells, or None.

    A two-digit year is the latest year ending so that is not in the future
    (05/06/67 is 1967; 05/06/21 is 2021 until 2121).
    """
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    for fmt in SHORT_YEAR_FORMATS:
        try:
            born = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
        today = today or timezone.localdate()
        year = today.year - (today.year - born.year) % 100
        try:
            born = born.replace(year=year)
            return born if born <= today else born.replace(year=year - 100)
        except ValueError:  # 29 February in a year that has none
            return None
    return None
