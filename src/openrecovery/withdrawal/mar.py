"""The medication administration record's schedule: the doses an order makes on a day.

Times are local clock times in the program's time zone (``TIME_ZONE``). On the night the
clocks go forward a time that does not exist that day (02:30) is given at the same
elapsed time after midnight, one hour later by the clock (03:30); on the night they go
back a time that happens twice (01:30) is scheduled once, at its first occurrence. A dose
is late once more than ``LATE_AFTER`` has passed since its time.
"""

import dataclasses
import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings

from .models import MedicationOrder, TaperOrder
from .tapering import split_daily, step_on
from .timing import duration_words, elapsed

LATE_AFTER = dt.timedelta(minutes=60)
TAPER = "taper"
ORDER = "order"


@dataclasses.dataclass(frozen=True)
class ScheduledDose:
    """One dose an order schedules: which order, what, and when (an aware UTC datetime)."""

    source: str  # TAPER or ORDER
    order_id: int
    medication: str
    dose_mg: Decimal
    scheduled_for: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.source}:{self.order_id}:{self.medication}:{self.scheduled_for.isoformat()}"


def program_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_moment(day: dt.date, clock: str) -> dt.datetime:
    """Return the moment (in UTC) of local clock time ``clock`` ("HH:MM") on ``day``."""
    hour, minute = (int(part) for part in clock.split(":"))
    # fold=0: an hour that happens twice is the first one; one that never happens is
    # read with the offset before the change, so it falls an hour later by the clock.
    naive = dt.datetime.combine(day, dt.time(hour, minute))
    return naive.replace(tzinfo=program_zone(), fold=0).astimezone(dt.UTC)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Return the start of ``day`` and of the next day (local midnights, as UTC)."""
    zone = program_zone()
    start = dt.datetime.combine(day, dt.time()).replace(tzinfo=zone).astimezone(dt.UTC)
    end = (
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        .replace(tzinfo=zone)
        .astimezone(dt.UTC)
    )
    return start, end


def taper_doses_on(order: TaperOrder, day: dt.date) -> list[ScheduledDose]:
    """Return the doses a taper order schedules on ``day`` (its step in force, split over
    the order's times, each a multiple of the medication's dose unit)."""
    index = step_on(order.steps, order.start_date, day)
    if index is None:
        return []
    units = order.inputs.get("units", {})
    times = sorted(order.times)
    doses = []
    for dose in order.steps[index]["doses"]:
        daily = Decimal(dose["daily_mg"])
        unit = Decimal(units.get(dose["medication"], "0") or "0")
        portions = (
            split_daily(daily, unit, len(times)) if unit > 0 else [daily / len(times)] * len(times)
        )
        for clock, portion in zip(times, portions, strict=True):
            if portion > 0:
                doses.append(
                    ScheduledDose(
                        TAPER, order.pk, dose["medication"], portion, local_moment(day, clock)
                    )
                )
    return sorted(doses, key=lambda d: (d.scheduled_for, d.medication))


def order_doses_on(order: MedicationOrder, day: dt.date) -> list[ScheduledDose]:
    """Return the doses a scheduled order makes on ``day`` (none for an as-needed one)."""
    if order.as_needed or day < order.start_date:
        return []
    return [
        ScheduledDose(ORDER, order.pk, order.medication, order.dose_mg, local_moment(day, clock))
        for clock in sorted(order.times)
        if order.ended_at is None or local_moment(day, clock) < order.ended_at
    ]


def late_words(scheduled_for: dt.datetime, now: dt.datetime) -> str:
    """Return "Late by 1 h 5 min" for a dose not recorded an hour after its time, else ""."""
    waited = elapsed(scheduled_for, now)
    if waited <= LATE_AFTER:
        return ""
    return f"Late by {duration_words(waited)}"
