"""Intake objects for tests outside this folder (the authorization matrix's world)."""

from typing import Any

from openrecovery.assessment.models import IntakeAssessment, Problem, SubstanceUse
from openrecovery.assessment.services import problem_record_from_dsm
from openrecovery.instruments.engine import score
from openrecovery.instruments.registry import instrument_get
from openrecovery.records.models import Patient

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
