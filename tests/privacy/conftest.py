"""Fixtures for the access-gate and break-glass tests."""

import re

import pytest

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from openrecovery.records.services import episode_move_stage
from tests.support.factories import make_patient, make_staff

# The per-response CSRF token, so two rendered pages can be compared byte for byte.
CSRF_VALUE = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"')


def page_text(response) -> str:
    """Return a response body without its CSRF token."""
    return CSRF_VALUE.sub("", response.content.decode())


@pytest.fixture
def nurse(db):
    return make_staff(Role.NURSE, "nurse")


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

    episode_move_stage(
        actor=director,
        episode=closed.episodes.get(),
        to_stage=Stage.CLOSED,
        reason="Finished",
        discharge_type="completed",
    )
    patients[Stage.CLOSED] = closed
    return patients
