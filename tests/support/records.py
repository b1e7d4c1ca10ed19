"""Patient-record state for tests: what a refused change must leave as it was; alerts."""

from openrecovery.accounts.models import User
from openrecovery.audit.models import AuditEvent
from openrecovery.records.alerts import alert_raise
from openrecovery.records.choices import AlertKind, AlertSeverity
from openrecovery.records.models import (
    ClinicalAlert,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)


def urgent_alert(patient: Patient, recipient: User) -> ClinicalAlert:
    """Raise a high-suicide-risk alert for ``patient`` to one recipient; return its copy."""
    [alert] = alert_raise(
        patient=patient,
        kind=AlertKind.SUICIDE_RISK_HIGH,
        severity=AlertSeverity.URGENT,
        message="C-SSRS screener: high suicide risk.",
        source_type="instrument_administration",
        source_id="0",
        recipients=[recipient],
    )
    return alert


def record_state(episode: EpisodeOfCare) -> tuple:
    """Return everything a refused move must leave unchanged."""
    fresh = EpisodeOfCare.objects.get(pk=episode.pk)
    return (
        fresh.stage,
        fresh.stage_changed_at,
        fresh.ended_at,
        fresh.discharge_type,
        StageTransition.objects.filter(episode=episode).count(),
        TimelineEvent.objects.filter(patient_id=episode.patient_id).count(),
        # Writes only: a refused move through the chart still audits the chart view.
        AuditEvent.objects.filter(patient_id=episode.patient_id)
        .exclude(action__in=["view", "access_denied"])
        .count(),
        EpisodeOfCare.objects.filter(patient_id=episode.patient_id).count(),
    )
