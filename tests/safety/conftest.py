"""Fixtures for the suicide-risk pathway: a patient in withdrawal management with a team."""

import pytest

from openrecovery.records.choices import Stage
from openrecovery.records.services import care_team_add
from tests.support.factories import make_patient


@pytest.fixture
def patient(director, counselor, nurse):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse])
    care_team_add(actor=director, patient=patient, user=counselor, team_role="primary_counselor")
    return patient
