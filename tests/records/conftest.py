"""Fixtures for the patient-record tests: episodes brought to any stage."""

from collections.abc import Callable

import pytest

from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.models import EpisodeOfCare
from tests.support.factories import discharge, make_patient


@pytest.fixture
def episode_at(director) -> Callable[[str], EpisodeOfCare]:
    """Return a maker of an episode (of a new patient) at ``stage``; closed ones from treatment."""

    def make(stage: str) -> EpisodeOfCare:
        if stage == Stage.CLOSED:
            patient = make_patient(actor=director, stage=Stage.TREATMENT)
            return discharge(
                patient,
                actor=director,
                reason="Completed the program",
                discharge_type=DischargeType.COMPLETED,
            )
        return make_patient(actor=director, stage=stage).episodes.get()

    return make
