"""Fixtures for administering instruments: a patient with a counselor and a nurse on the team."""

import pytest

from openrecovery.records.choices import Stage
from openrecovery.records.services import care_team_add
from tests.support.factories import make_patient


@pytest.fixture
def patient(director, counselor, nurse):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Ada", family="Lovelace"
    )
    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    return patient
