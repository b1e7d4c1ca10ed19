"""Fixtures for treatment: a patient in treatment with a counselor on the care team."""

import pytest

from openrecovery.records.choices import Stage
from tests.support.factories import make_patient


@pytest.fixture
def patient(director, counselor):
    return make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])


@pytest.fixture
def episode(patient):
    return patient.episodes.get()
