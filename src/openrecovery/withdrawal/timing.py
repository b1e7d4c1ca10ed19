"""Due times in words, in the program's time zone (``TIME_ZONE``): what the board says.

Durations are elapsed time between aware datetimes, so they stay right across midnight
and daylight-saving changes; only the clock time shown is local.
"""

import datetime as dt

from django.utils import timezone

NEVER_ASSESSED = "No CIWA-B yet: due now"


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Return the time from ``start`` to ``end`` (in UTC: Python subtracts two datetimes of
    one local zone by the wall clock, which is an hour off across a daylight-saving change)."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def duration_words(delta: dt.timedelta) -> str:
    """Return a duration as "45 min", "2 h 5 min" or "1 d 3 h" (rounded down to minutes)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def clock_words(moment: dt.datetime, now: dt.datetime) -> str:
    """Return a local clock time, with the day when it is not today: "14:30", "00:30
    tomorrow", "23:10 yesterday" or "08:00 on 2026-03-09"."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    days = (local.date() - today).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return clock
    if days == 1:
        return f"{clock} tomorrow"
    if days == -1:
        return f"{clock} yesterday"
    return f"{clock} on {local:%Y-%m-%d}"


def due_words(next_due_at: dt.datetime | None, now: dt.datetime) -> str:
    """Return when the next CIWA-B is due, in words: "Due in 45 min (14:30)" or
    "Overdue by 1 h 5 min (due 13:00)"."""
    if next_due_at is None:
        return NEVER_ASSESSED
    wait = elapsed(now, next_due_at)
    if wait <= dt.timedelta(0):
        return f"Overdue by {duration_words(-wait)} (due {clock_words(next_due_at, now)})"
    return f"Due in {duration_words(wait)} ({clock_words(next_due_at, now)})"


def age_words(moment: dt.datetime, now: dt.datetime) -> str:
    """Return how long ago something happened: "35 min ago" ("just now" within a minute)."""
    since = elapsed(moment, now)
    if since < dt.timedelta(minutes=1):
        return "just now"
    return f"{duration_words(since)} ago"
