"""Time helpers: always aware datetimes in UTC."""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """Return the current time, timezone-aware, in UTC."""
    return timezone.now()


def today_local() -> dt.date:
    """Return today's date in the program's time zone."""
    return timezone.localdate()
