"""Fixtures for the patient-record tests: episodes brought to any stage."""

from collections.abc import Callable

import pytest

from openrecovery.audit.models import AuditEvent
from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.models import EpisodeOfCare, StageTransition, TimelineEvent
from openrecovery.records.services import episode_move_stage
from tests.support.factories import make_patient


@pytest.fixture
def episode_at(director) -> Callable[[str], EpisodeOfCare]:
    """Return a maker of an episode (of a new patient) at ``stage``; closed ones from treatment."""

    def make(stage: str) -> EpisodeOfCare:
        if stage == Stage.CLOSED:
            patient = make_patient(actor=director, stage=Stage.TREATMENT)
            return episode_move_stage(
                actor=director,
                episode=patient.episodes.get(),
                to_stage=Stage.CLOSED,
                reason="Completed the program",
                discharge_type=DischargeType.COMPLETED,
            )
        return make_patient(actor=director, stage=stage).episodes.get()

    return make


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
