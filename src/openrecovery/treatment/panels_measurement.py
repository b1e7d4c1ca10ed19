"""The chart's measurement-based care panel: each instrument's course and schedule."""

import dataclasses
import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.privacy.gates import PatientAccess
from openrecovery.records.models import EpisodeOfCare

from .choices import MeasurementStatus
from .measurement import MEASURED_CODES, RELIABLE_CHANGE
from .measurement_selectors import InstrumentCourse, episode_courses, in_treatment
from .services.measurement import INTERVAL_MAX, INTERVAL_MIN, SCHEDULE_PERMISSION

ADMINISTER_PERMISSION = "instruments.administer_instrument"
_CODE_SLOT = "instrumentcode"  # a slug no instrument has: where each code goes in the URL
# Bootstrap's colour of each status (the status is always written out too).
STATUS_BADGES = {
    MeasurementStatus.REMISSION: "text-bg-success",
    MeasurementStatus.RESPONSE: "text-bg-success",
    MeasurementStatus.RELIABLE_IMPROVEMENT: "text-bg-success",
    MeasurementStatus.RELIABLE_DETERIORATION: "text-bg-danger",
    MeasurementStatus.NOT_ON_TRACK: "text-bg-warning",
    MeasurementStatus.NO_RELIABLE_CHANGE: "text-bg-secondary",
    MeasurementStatus.INSUFFICIENT_DATA: "text-bg-light border",
}


@dataclasses.dataclass(frozen=True)
class CourseRow:
    """One instrument's line in the panel, formatted once."""

    course: InstrumentCourse
    badge: str
    change_text: str  # "+3 (worse)", "-6 (better)", "0", or "" under two administrations
    next_due_text: str  # "2026-12-14", or "" outside treatment
    administer_url: str


def _change_text(course: InstrumentCourse) -> str:
    if course.change is None:
        return ""
    if course.change == 0:
        return "0 (no change)"
    sign, word = ("+", "worse") if course.change > 0 else ("", "better")
    return f"{sign}{course.change} ({word})"


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def measurement_panel(
    user: User, access: PatientAccess, episode: EpisodeOfCare | None
) -> dict[str, Any]:
    """Load each measured instrument's course in the open treatment episode (at most
    three queries); nothing outside treatment."""
    if not in_treatment(episode):
        return {"shown": False}
    courses = episode_courses(episode, timezone.now())
    patient = access.patient
    can_administer = user.has_perm(ADMINISTER_PERMISSION)
    url = reverse("instruments:administer", args=[patient.pk, _CODE_SLOT])
    rows = [
        CourseRow(
            course=c,
            badge=STATUS_BADGES.get(MeasurementStatus(c.status), "text-bg-secondary"),
            change_text=_change_text(c),
            next_due_text=_day(c.next_due_at),
            administer_url=url.replace(_CODE_SLOT, c.code) if can_administer else "",
        )
        for c in courses
    ]
    return {
        "shown": True,
        "patient": patient,
        "rows": rows,
        "due": [r for r in rows if r.course.due],
        "can_schedule": user.has_perm(SCHEDULE_PERMISSION),
        "schedule_url": reverse("treatment:measure_schedule", args=[patient.pk]),
        "interval_min": INTERVAL_MIN,
        "interval_max": INTERVAL_MAX,
        "reliable_change": RELIABLE_CHANGE,
        "codes": MEASURED_CODES,
    }
