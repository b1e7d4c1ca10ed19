"""Withdrawal reports: rater drift (per nurse and per shift) and the shift hand-off.

Both read through the privacy gate: drift counts only assessments of patients the viewer
may see; the hand-off is one patient's, whose gate the caller passed.
"""

import dataclasses
import datetime as dt

from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.privacy.gates import patients_visible_to
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import ClinicalAlert, Patient, TimelineEvent
from openrecovery.safety.models import RiskAssessment
from openrecovery.safety.selectors import risk_current

from .models import CiwabJudgement, SeizurePrecautions, VitalSigns

DRIFT_DAYS = 30
HANDOFF_HOURS = 24
# The shifts by the local hour an assessment was given (the program's TIME_ZONE).
SHIFTS = (("day", "Day (07:00-15:00)", 7, 15), ("evening", "Evening (15:00-23:00)", 15, 23))
NIGHT = ("night", "Night (23:00-07:00)")
HANDOFF_NOTE_KINDS = (TimelineKind.NOTE, TimelineKind.OBSERVATION, TimelineKind.MEDICATION)


def shift_of(hour: int) -> str:
    """Return the code of the shift a local hour falls in."""
    for code, _label, start, end in SHIFTS:
        if start <= hour < end:
            return code
    return NIGHT[0]


def shift_labels() -> dict[str, str]:
    return {**{code: label for code, label, _s, _e in SHIFTS}, NIGHT[0]: NIGHT[1]}


@dataclasses.dataclass
class DriftRow:
    """Mean CIWA-B subtotals of one group of assessments (a rater, or a shift)."""

    label: str
    count: int = 0
    patient_sum: int = 0
    observer_sum: int = 0

    @property
    def patient_mean(self) -> float:
        return round(self.patient_sum / self.count, 1) if self.count else 0.0

    @property
    def observer_mean(self) -> float:
        return round(self.observer_sum / self.count, 1) if self.count else 0.0


def rater_drift(
    user: User, *, now: dt.datetime | None = None, days: int = DRIFT_DAYS
) -> tuple[list[DriftRow], list[DriftRow]]:
    """Return mean patient-rated and observer-rated subtotals per rater and per shift over
    the last ``days`` days, of patients ``user`` may see (two grouped queries)."""
    now = now or timezone.now()
    judgements = CiwabJudgement.objects.filter(
        administered_at__gt=now - dt.timedelta(days=days),
        administered_at__lte=now,
        patient__in=patients_visible_to(user),
    ).order_by()
    by_rater = (
        judgements.values("administered_by")
        .annotate(n=Count("id"), p=Sum("patient_rated"), o=Sum("observer_rated"))
        .order_by("administered_by")
    )
    raters_found = list(by_rater)
    names = {
        u.pk: str(u)
        for u in User.objects.filter(pk__in=[r["administered_by"] for r in raters_found])
    }
    raters = [
        DriftRow(names.get(r["administered_by"], "?"), r["n"], r["p"], r["o"]) for r in raters_found
    ]
    raters.sort(key=lambda r: r.label)
    labels = shift_labels()
    shifts = {code: DriftRow(label) for code, label in labels.items()}
    by_hour = (
        judgements.annotate(
            hour=ExtractHour("administered_at", tzinfo=timezone.get_current_timezone())
        )
        .values("hour")
        .annotate(n=Count("id"), p=Sum("patient_rated"), o=Sum("observer_rated"))
        .order_by("hour")
    )
    for row in by_hour:
        target = shifts[shift_of(row["hour"])]
        target.count += row["n"]
        target.patient_sum += row["p"]
        target.observer_sum += row["o"]
    return raters, list(shifts.values())


@dataclasses.dataclass(frozen=True)
class Handoff:
    """One patient's last shift, for the next one: scores, vitals, alerts, notes."""

    patient: Patient
    judgements: list[CiwabJudgement]
    vitals: list[VitalSigns]
    alerts: list[ClinicalAlert]
    notes: list[TimelineEvent]
    seizure: SeizurePrecautions | None
    risk: RiskAssessment | None
    since: dt.datetime


def handoff(patient: Patient, *, now: dt.datetime | None = None) -> Handoff:
    """Return what the next shift needs of ``patient`` (the last 24 hours; six queries)."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=HANDOFF_HOURS)
    judgements = list(
        CiwabJudgement.objects.filter(patient=patient, administered_at__gt=since)
        .select_related("administered_by", "protocol")
        .order_by("administered_at", "id")
    )
    vitals = list(
        VitalSigns.objects.filter(patient=patient, recorded_at__gt=since).order_by(
            "recorded_at", "id"
        )
    )
    alerts: dict[tuple[str, str, str], ClinicalAlert] = {}
    raised = ClinicalAlert.objects.filter(patient=patient).filter(
        created_at__gt=since
    ) | ClinicalAlert.objects.filter(patient=patient, resolved_at__isnull=True)
    for alert in raised.order_by("created_at", "id"):
        alerts.setdefault((alert.kind, alert.source_type, alert.source_id), alert)
    notes = list(
        TimelineEvent.objects.filter(
            patient=patient, occurred_at__gt=since, kind__in=HANDOFF_NOTE_KINDS
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    seizure = SeizurePrecautions.objects.filter(patient=patient, ended_at__isnull=True).first()
    risk = risk_current(patient.pk)
    return Handoff(patient, judgements, vitals, list(alerts.values()), notes, seizure, risk, since)
