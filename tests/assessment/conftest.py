"""Fixtures for the intake assessment and problem list: a patient at Assessment and drafts."""

import pytest

from openrecovery.assessment.models import IntakeAssessment
from openrecovery.assessment.services import assessment_start
from openrecovery.records.choices import Stage
from tests.support.assessment import fill
from tests.support.factories import make_patient


@pytest.fixture
def patient(director, counselor, physician, nurse):
    """A patient at Assessment with a counselor, physician and nurse on the care team."""
    return make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor, physician, nurse])


@pytest.fixture
def draft(patient, counselor) -> IntakeAssessment:
    return assessment_start(actor=counselor, patient=patient)


@pytest.fixture
def complete_draft(draft, counselor) -> IntakeAssessment:
    fill(draft, counselor)
    draft.refresh_from_db()
    return draft
