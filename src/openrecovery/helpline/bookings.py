"""Assessment bookings: when a clinician is already booked, and the warning it gives.

An assessment booked through the admissions console is a ``Disposition`` with a time and a
clinician. Two assessments with one clinician overlap when they start less than
``ASSESSMENT_LENGTH`` apart. A double booking is sometimes right (the clinician agreed),
so it is a warning the coordinator acknowledges, never a silent block: the conversion
refuses with ``ClinicianBooked`` until the booking is confirmed.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.core.errors import StateConflict

from .choices import DispositionKind
from .models import Disposition

# How long an intake assessment takes in the diary.
ASSESSMENT_LENGTH = dt.timedelta(hours=1)
ERROR_CLINICIAN_BOOKED = (
    "{name} already has an assessment booked at that time. Choose another time or "
    "clinician, or confirm the double booking."
)


class ClinicianBooked(StateConflict):
    """The clinician has assessments overlapping the chosen time (409) until confirmed.

    ``bookings`` are the start times of those assessments; nothing about whom they are
    with, since the coordinator may not see those patients.
    """

    def __init__(self, clinician: User, bookings: list[dt.datetime]) -> None:
        super().__init__(ERROR_CLINICIAN_BOOKED.format(name=clinician))
        self.clinician = clinician
        self.bookings = bookings

    def extra_fields(self) -> dict[str, Any]:
        return {"bookings": [timezone.localtime(b).isoformat() for b in self.bookings]}


def clinician_bookings(clinician: User, when: dt.datetime) -> list[dt.datetime]:
    """Return the start times of ``clinician``'s assessments overlapping one at ``when``."""
    starts = (
        Disposition.objects.filter(
            kind=DispositionKind.SCHEDULE_ASSESSMENT,
            clinician=clinician,
            scheduled_for__gt=when - ASSESSMENT_LENGTH,
            scheduled_for__lt=when + ASSESSMENT_LENGTH,
        )
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
    )
    return [start for start in starts if start is not None]


def booking_check(*, clinician: User, when: dt.datetime, confirmed: bool) -> None:
    """Raise ClinicianBooked when ``clinician`` is booked at ``when``, unless ``confirmed``."""
    if confirmed:
        return
    bookings = clinician_bookings(clinician, when)
    if bookings:
        raise ClinicianBooked(clinician, bookings)


def booking_slot(clinician: User, when: dt.datetime) -> str:
    """Return the key of one clinician at one time, which a confirmation must repeat.

    A confirmed double booking holds only for the slot it was confirmed for: after the
    coordinator picks another time or clinician the warning shows again.
    """
    return f"{clinician.pk}@{timezone.localtime(when):%Y-%m-%dT%H:%M}"
