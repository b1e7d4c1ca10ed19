"""Patient-record state for tests: what a refused change must leave as it was."""

from openrecovery.audit.models import AuditEvent
from openrecovery.records.models import EpisodeOfCare, StageTransition, TimelineEvent


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
