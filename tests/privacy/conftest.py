"""Fixtures for the access-gate and break-glass tests."""

import pytest

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from tests.support.factories import discharge, make_patient, make_staff


@pytest.fixture
def admissions(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "admissions")


@pytest.fixture
def administrator(db):
    return make_staff(Role.ADMINISTRATOR, "administrator")


@pytest.fixture
def patients_by_stage(director):
    """One patient with an open episode at each stage (no care team), and one discharged."""
    patients = {stage: make_patient(actor=director, stage=stage) for stage in list(Stage)[:-1]}
    closed = make_patient(actor=director, stage=Stage.TREATMENT)

    discharge(closed, actor=director, reason="Finished", discharge_type="completed")
    patients[Stage.CLOSED] = closed
    return patients
