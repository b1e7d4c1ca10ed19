"""Fixtures for the intake assessment and problem list: a patient at Assessment and drafts."""

from typing import Any

import pytest

from openrecovery.accounts.roles import Role
from openrecovery.assessment.models import IntakeAssessment
from openrecovery.assessment.services import (
    assessment_save_draft,
    assessment_start,
    substance_use_add,
)
from openrecovery.records.choices import Stage

from ..factories import make_patient, make_staff

COMPLETE_SECTIONS: dict[str, dict[str, Any]] = {
    "withdrawal_history": {
        "prior_treatment": "Outpatient counseling 2021",
        "withdrawal_seizures": "no",
        "withdrawal_delirium": "no",
        "current_withdrawal": "moderate",
        "withdrawal_notes": "",
    },
    "medical": {"conditions": "None known", "medications": "Clonazepam 2 mg daily"},
    "psychiatric": {
        "history": "Panic disorder",
        "suicidal_thoughts": "no",
        "overdose_past_year": "no",
        "falls_recent": "no",
    },
    "social": {"legal": "", "housing": "stable", "employment": "full_time"},
    "supports": {"family": "Sister", "supports": "Sister and partner"},
    "strengths": {"strengths": "Motivated; steady job", "preferences": "Evening groups"},
}
RATINGS = {f"rating_{d}": 2 for d in range(1, 7)} | {f"notes_{d}": "" for d in range(1, 7)}
CLONAZEPAM = {"substance": "clonazepam", "route": "oral", "amount": "2 mg", "frequency": "daily"}


def fill(assessment: IntakeAssessment, actor: Any, *, level: str = "3.7-WM", **overrides) -> None:
    """Complete every part of a draft that signing needs (``overrides`` replace sections)."""
    substance_use_add(actor=actor, assessment=assessment, fields=CLONAZEPAM)
    for key, answers in {**COMPLETE_SECTIONS, **overrides}.items():
        assessment_save_draft(actor=actor, assessment=assessment, section=key, answers=answers)
    assessment_save_draft(actor=actor, assessment=assessment, section="dimensions", answers=RATINGS)
    assessment_save_draft(
        actor=actor,
        assessment=assessment,
        section="level",
        answers={"level_of_care": level, "level_rationale": "Daily use, moderate withdrawal."},
    )


@pytest.fixture
def physician(db):
    return make_staff(Role.PHYSICIAN, "physician")


@pytest.fixture
def nurse(db):
    return make_staff(Role.NURSE, "nurse")


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
