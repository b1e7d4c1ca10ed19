"""Reads of measurement-based care: each instrument's course in an episode, what is due.

For a patient whose access gate the caller has passed. Every read runs a fixed number of
queries, whatever the patient's history or the number of patients: one episode's course
reads its administrations, its schedule and (in treatment) its move to treatment,
three prepared queries; the dashboard's due measures read the same facts
for all of a counselor's patients in treatment in one query.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, Subquery

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.core.templatetags.links import url_parts
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import instrument_get
from openrecovery.instruments.services import short_name
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare, Patient, StageTransition

from .measurement import (
    MEASURED_CODES,
    STATUS_LABELS,
    Measure,
    change,
    course_status,
    is_due,
    measured_total,
    next_due,
)
from .models import MeasureSchedule
from .selectors import open_episode

DASHBOARD_DUE_LIMIT = 50
DASHBOARD_EPISODE_LIMIT = 200  # as many as the dashboard's columns show


@dataclasses.dataclass(frozen=True)
class InstrumentCourse:
    """One instrument's course in an episode: baseline, latest, status and when it is due.

    ``change`` is latest minus baseline (positive: worse), None under two administrations;
    ``due`` says whether ``next_due_at`` has come.
    """

    code: str
    label: str
    baseline: Measure | None
    latest: Measure | None
    status: str
    change: int | None
    next_due_at: dt.datetime | None
    due: bool
    count: int = 0
    interval_days: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def default_intervals() -> dict[str, int]:
    """Return the program's default interval (days) of each instrument, read now."""
    days = settings.MEASUREMENT_SCHEDULE_DAYS
    return {code: int(days[code]) for code in MEASURED_CODES}


def instrument_label(code: str) -> str:
    """Return the instrument's short name ("PHQ-9"), or its code if it is not registered."""
    instrument = instrument_get(code)
    return short_name(instrument) if instrument is not None else code


def in_treatment(episode: EpisodeOfCare | None) -> bool:
    """Return True when ``episode`` is open and at the treatment stage."""
    return episode is not None and episode.ended_at is None and episode.stage == Stage.TREATMENT


_EPISODE_MEASURES = PreparedQuery(
    lambda episode_id: (
        Administration.objects.filter(episode_id=episode_id, code__in=MEASURED_CODES)
        .order_by("administered_at", "id")
        .values_list("code", "total", "subscales", "administered_at")
    )
)
_EPISODE_SCHEDULE = PreparedQuery(
    lambda episode_id: (
        MeasureSchedule.objects.filter(episode_id=episode_id)
        .order_by("code")
        .values_list("code", "interval_days")
    )
)
_ENTERED_TREATMENT = PreparedQuery(
    lambda episode_id: (
        StageTransition.objects.filter(episode_id=episode_id, to_stage=Stage.TREATMENT)
        .order_by("-moved_at", "-id")
        .values_list("moved_at")[:1]
    )
)


def entered_treatment_at(episode: EpisodeOfCare) -> dt.datetime:
    """Return when the episode last moved to treatment (its stage change without a move)."""
    found = _ENTERED_TREATMENT.fetch(episode_id=episode.pk)
    return found[0][0] if found else episode.stage_changed_at


def episode_courses(episode: EpisodeOfCare | None, now: dt.datetime) -> list[InstrumentCourse]:
    """Return each measured instrument's course in ``episode`` (PHQ-9, GAD-7, BAM).

    Without an episode every course is empty (insufficient data, nothing due).
    """
    measures: dict[str, list[Measure]] = {code: [] for code in MEASURED_CODES}
    intervals = default_intervals()
    treating = in_treatment(episode)
    entered = None
    if episode is not None:
        for code, total, subscales, at in _EPISODE_MEASURES.fetch(episode_id=episode.pk):
            value = measured_total(code, total, subscales or {})
            if value is not None:
                measures[code].append(Measure(value, at))
        intervals.update(dict(_EPISODE_SCHEDULE.fetch(episode_id=episode.pk)))
        if treating:  # on every read, so that the count does not depend on the history
            entered = entered_treatment_at(episode)
    courses = []
    for code in MEASURED_CODES:
        given = measures[code]
        baseline = given[0] if given else None
        latest = given[-1] if given else None
        due_at = next_due(
            in_treatment=treating,
            latest_at=latest.administered_at if latest else None,
            entered_treatment_at=entered,
            interval_days=intervals[code],
        )
        courses.append(
            InstrumentCourse(
                code=code,
                label=instrument_label(code),
                baseline=baseline,
                latest=latest,
                status=course_status(code, baseline, latest, len(given)).value,
                change=change(baseline, latest, len(given)),
                next_due_at=due_at,
                due=is_due(due_at, now),
                count=len(given),
                interval_days=intervals[code],
            )
        )
    return courses


def measurement_summary(patient: Patient, now: dt.datetime) -> list[InstrumentCourse]:
    """Return each measured instrument's course in the patient's open episode."""
    return episode_courses(open_episode(patient), now)


def measures_due(episode: EpisodeOfCare | None, now: dt.datetime) -> list[InstrumentCourse]:
    """Return the courses of ``episode`` whose next measure is due at ``now`` (for the
    session note's reminder: what to give the patient today)."""
    return [course for course in episode_courses(episode, now) if course.due]


@dataclasses.dataclass(frozen=True)
class DueMeasure:
    """A measure due for one patient, as the dashboard lists it."""

    patient_id: int
    patient_name: str
    chart_url: str
    code: str
    label: str
    due_since: dt.datetime
    overdue_days: int


def _latest_of(code: str) -> Subquery:
    # By the patient's index (patient, code, -administered_at), within the episode.
    return Subquery(
        Administration.objects.filter(
            patient_id=OuterRef("patient_id"), episode_id=OuterRef("pk"), code=code
        )
        .order_by("-administered_at")
        .values("administered_at")[:1]
    )


def _interval_of(code: str) -> Subquery:
    return Subquery(
        MeasureSchedule.objects.filter(episode_id=OuterRef("pk"), code=code).values(
            "interval_days"
        )[:1]
    )


# My patients' episodes in treatment with what their due times need (each instrument's
# latest administration and schedule, the move to treatment), in one query whatever
# their number: compiled once per connection (core/prepared.py).
_MY_TREATMENT_EPISODES = PreparedQuery(
    lambda user_id: (
        EpisodeOfCare.objects.filter(
            ended_at__isnull=True,
            stage=Stage.TREATMENT,
            patient__care_team__user_id=user_id,
            patient__care_team__active=True,
        )
        .select_related("patient")
        .only(
            "stage_changed_at",
            "patient__legal_given_name",
            "patient__legal_family_name",
            "patient__preferred_name",
        )
        .annotate(
            **{f"mbc_latest_{code}": _latest_of(code) for code in MEASURED_CODES},
            **{f"mbc_interval_{code}": _interval_of(code) for code in MEASURED_CODES},
            mbc_entered=Subquery(
                StageTransition.objects.filter(episode_id=OuterRef("pk"), to_stage=Stage.TREATMENT)
                .order_by("-moved_at")
                .values("moved_at")[:1]
            ),
        )
        .order_by("-stage_changed_at", "pk")[:DASHBOARD_EPISODE_LIMIT]
    )
)


def dashboard_measures_due(user: User, now: dt.datetime) -> list[DueMeasure]:
    """Return the measures due at ``now`` for the patients in treatment on whose care
    team ``user`` is, longest due first, at most DASHBOARD_DUE_LIMIT: one query.

    Care-team members always pass the patients' access gate, so the list needs no other.
    """
    if not user.has_perm("records.view_chart"):
        return []
    defaults = default_intervals()
    head, tail = url_parts("chart:chart")
    labels = {code: instrument_label(code) for code in MEASURED_CODES}
    rows = []
    for episode in _MY_TREATMENT_EPISODES.fetch(user_id=user.pk):
        entered = getattr(episode, "mbc_entered", None) or episode.stage_changed_at
        for code in MEASURED_CODES:
            due_at = next_due(
                in_treatment=True,
                latest_at=getattr(episode, f"mbc_latest_{code}", None),
                entered_treatment_at=entered,
                interval_days=getattr(episode, f"mbc_interval_{code}", None) or defaults[code],
            )
            if due_at is None or not is_due(due_at, now):
                continue
            rows.append(
                DueMeasure(
                    patient_id=episode.patient_id,
                    patient_name=episode.patient.display_name,
                    chart_url=f"{head}{episode.patient_id}{tail}",
                    code=code,
                    label=labels[code],
                    due_since=due_at,
                    overdue_days=(now - due_at).days,
                )
            )
    rows.sort(key=lambda r: (r.due_since, r.patient_id, MEASURED_CODES.index(r.code)))
    return rows[:DASHBOARD_DUE_LIMIT]
