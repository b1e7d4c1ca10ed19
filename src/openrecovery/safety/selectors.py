"""Reads of the suicide-risk pathway (the caller has passed the access gate)."""

import dataclasses
import datetime as dt

from django.utils import timezone

from openrecovery.records.choices import TaskStatus
from openrecovery.records.models import ClinicalAlert, ClinicalTask, EpisodeOfCare, Patient

from .models import PrecautionChecklist, RiskAssessment
from .triage import rescreen_due, rescreen_interval


@dataclasses.dataclass(frozen=True)
class SafetySummary:
    """A patient's current risk level, open tasks and open alerts."""

    risk: RiskAssessment | None
    open_tasks: list[ClinicalTask]
    open_alerts: list[ClinicalAlert]
    rescreen_due: bool
    # The open immediate safety precautions checklist (steps prefetched), or None.
    precautions: PrecautionChecklist | None = None


def risk_current(patient_id: int) -> RiskAssessment | None:
    """Return the patient's newest suicide-risk level (their current one), or None."""
    return (
        RiskAssessment.objects.filter(patient_id=patient_id).order_by("-assessed_at", "-id").first()
    )


def safety_summary(
    patient: Patient, *, now: dt.datetime | None = None, stage: str | None = None
) -> SafetySummary:
    """Return what the pathway knows of ``patient`` (four queries; one more for the steps of
    an open precautions checklist).

    Alerts are sent as one copy per recipient; each raised alert is listed once.
    Whether the level is due again depends on the stage of the open episode
    (``triage.rescreen_due``): pass ``stage`` when known, else a level older than the
    interval costs one more query to read it.
    """
    now = now or timezone.now()
    risk = risk_current(patient.pk)
    tasks = list(
        ClinicalTask.objects.filter(patient=patient, status=TaskStatus.OPEN).order_by(
            "due_at", "opened_at", "id"
        )
    )
    alerts: dict[tuple[str, str, str], ClinicalAlert] = {}
    unresolved = ClinicalAlert.objects.filter(patient=patient, resolved_at__isnull=True)
    for alert in unresolved.order_by("created_at", "id"):
        alerts.setdefault((alert.kind, alert.source_type, alert.source_id), alert)
    due = False
    if risk is not None and now - risk.assessed_at > rescreen_interval():
        if stage is None:
            open_episodes = EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True)
            stage = open_episodes.values_list("stage", flat=True).first()
        due = rescreen_due(assessed_at=risk.assessed_at, stage=stage, now=now)
    precautions = (
        PrecautionChecklist.objects.filter(patient=patient, completed_at__isnull=True)
        .prefetch_related("steps")
        .first()
    )
    return SafetySummary(risk, tasks, list(alerts.values()), due, precautions)
