"""Build intake data for tests here and elsewhere (the authorization matrix and page tour)."""

from typing import Any

from openrecovery.assessment.models import IntakeAssessment, Problem, SubstanceUse
from openrecovery.assessment.services import (
    assessment_save_draft,
    assessment_sign,
    assessment_start,
    problem_record_from_dsm,
    substance_use_add,
)
from openrecovery.instruments.engine import score
from openrecovery.instruments.registry import instrument_get
from openrecovery.records.models import Patient
from tests.support.factories import make_patient

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


MODERATE = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # four criteria met


def dsm5_score(answers: list[int] | None = None, *, medically_supervised: bool = False):
    """Score the DSM-5-TR sedative checklist through the instrument engine."""
    instrument = instrument_get("dsm5-sedative")
    assert instrument is not None
    context = {"medically_supervised": medically_supervised}
    return score(instrument, answers or MODERATE, context)


def intake_objects(patient: Patient, actor: Any) -> tuple[SubstanceUse, Problem]:
    """Give ``patient``'s current episode a draft intake with one substance row, and a problem.

    Built directly (not through assessment_start) so that it works at any stage.
    """
    episode = patient.episodes.get(ended_at__isnull=True)
    assessment = IntakeAssessment.objects.create(episode=episode, author=actor)
    row = SubstanceUse.objects.create(assessment=assessment, substance="alprazolam")
    problem = problem_record_from_dsm(actor=actor, patient=patient, score=dsm5_score())
    return row, problem


def signed_intake_patient(actor: Any) -> Patient:
    """Register a patient at Assessment whose intake ``actor`` completed and signed."""
    patient = make_patient(actor=actor, stage="assessment", team=[actor])
    assessment = assessment_start(actor=actor, patient=patient)
    fill(assessment, actor)
    assessment_sign(actor=actor, assessment=assessment)
    return patient
