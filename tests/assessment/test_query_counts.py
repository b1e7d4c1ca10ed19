"""The intake page, problem list and chart panel run a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from openrecovery.assessment.choices import ProblemSource, ProblemStatus
from openrecovery.assessment.models import Problem
from openrecovery.assessment.services import (
    addendum_add,
    assessment_sign,
    assessment_start,
    problem_confirm,
    problem_record_from_dsm,
    substance_use_add,
)
from openrecovery.records.choices import Stage
from tests.support.assessment import dsm5_score, fill
from tests.support.factories import make_patient, verified_client
from tests.support.queries import queries_of

pytestmark = pytest.mark.django_db
MAX_QUERIES = 40


def _patient_with(director, counselor, *, rows: int, addenda: int, problems: int, sign: bool):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    assessment = assessment_start(actor=counselor, patient=patient)
    fill(assessment, counselor)
    for _ in range(rows):
        substance_use_add(actor=counselor, assessment=assessment, fields={"substance": "alcohol"})
    if sign:
        assessment_sign(actor=counselor, assessment=assessment)
        for n in range(addenda):
            addendum_add(actor=counselor, assessment=assessment, text=f"Addendum {n}")
    first = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score())
    problem_confirm(actor=director, problem=first)
    Problem.objects.bulk_create(
        Problem(
            patient=patient,
            icd10cm=f"Z{n:02d}.0",
            description=f"Problem {n}",
            status=ProblemStatus.RESOLVED if n % 2 else ProblemStatus.UNCONFIRMED,
            source=ProblemSource.CLINICIAN,
            recorded_by=counselor,
            recorded_at=timezone.now(),
        )
        for n in range(problems - 1)
    )
    return patient


@pytest.mark.parametrize("sign", [False, True])
@pytest.mark.parametrize("name", ["assessment:intake", "assessment:problems", "chart:chart"])
def test_pages_are_constant(director, counselor, name, sign):
    small = _patient_with(director, counselor, rows=0, addenda=1, problems=1, sign=sign)
    large = _patient_with(director, counselor, rows=12, addenda=8, problems=15, sign=sign)
    client = verified_client(counselor)
    small_count, _ = queries_of(client, reverse(name, args=[small.pk]))
    large_count, _ = queries_of(client, reverse(name, args=[large.pk]))
    assert small_count == large_count
    assert large_count <= MAX_QUERIES
