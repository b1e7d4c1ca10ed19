"""The problem list: a DSM-5-TR checklist result records an unconfirmed ICD-10-CM entry."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrecovery.assessment import services
from openrecovery.assessment.choices import ProblemSource, ProblemStatus
from openrecovery.assessment.models import Problem
from openrecovery.assessment.selectors import problems_for
from openrecovery.assessment.services import problem_confirm, problem_record_from_dsm
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import StateConflict
from openrecovery.instruments.engine import score
from openrecovery.instruments.registry import instrument_get
from tests.support.assessment import dsm5_score

pytestmark = pytest.mark.django_db


def _met(count: int) -> list[int]:
    return [1] * count + [0] * (11 - count)


@pytest.mark.parametrize(
    ("met", "code", "description"),
    [
        (2, "F13.10", "Sedative, hypnotic, or anxiolytic use disorder, mild"),
        (3, "F13.10", "Sedative, hypnotic, or anxiolytic use disorder, mild"),
        (4, "F13.20", "Sedative, hypnotic, or anxiolytic use disorder, moderate"),
        (5, "F13.20", "Sedative, hypnotic, or anxiolytic use disorder, moderate"),
        (6, "F13.20", "Sedative, hypnotic, or anxiolytic use disorder, severe"),
        (11, "F13.20", "Sedative, hypnotic, or anxiolytic use disorder, severe"),
    ],
)
def test_severity_maps_to_the_icd10cm_code(patient, counselor, met, code, description):
    problem = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(met)))
    assert (problem.icd10cm, problem.description) == (code, description)
    assert problem.status == ProblemStatus.UNCONFIRMED
    assert problem.source == ProblemSource.DSM5_CHECKLIST
    assert problem.source_data["total"] == met
    assert problem.episode == patient.episodes.get()
    assert problem.source_detail.startswith(f"{met} of 11 criteria counted")
    event = AuditEvent.objects.get(object_type="problem", action="create")
    assert event.detail == {}  # the diagnosis code stays in the record, out of the log


@pytest.mark.parametrize("met", [0, 1])
def test_fewer_than_two_criteria_records_nothing(patient, counselor, met):
    with pytest.raises(ValidationError) as error:
        problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(met)))
    assert error.value.messages == [services.ERROR_BELOW_THRESHOLD]
    assert not Problem.objects.exists()


def test_medical_supervision_leaves_out_tolerance_and_withdrawal(patient, counselor):
    answers = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1]  # 4 met, two of them tolerance and withdrawal
    assert dsm5_score(answers).band == "moderate"
    supervised = dsm5_score(answers, medically_supervised=True)
    assert (supervised.total, supervised.band) == (2, "mild")
    problem = problem_record_from_dsm(actor=counselor, patient=patient, score=supervised)
    assert problem.icd10cm == "F13.10"


def test_another_instrument_is_refused(patient, counselor):
    phq9 = score(instrument_get("phq9"), [3] * 9)
    with pytest.raises(ValidationError, match="DSM-5-TR"):
        problem_record_from_dsm(actor=counselor, patient=patient, score=phq9)


def test_the_same_code_is_not_listed_twice(patient, counselor):
    problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(4)))
    with pytest.raises(StateConflict, match="F13.20 is already on the problem list"):
        problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(7)))


def test_one_severity_code_replaces_the_other_and_keeps_it(patient, counselor):
    moderate = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(4)))
    mild = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(2)))
    moderate.refresh_from_db()
    assert (moderate.status, moderate.replaced_by) == (ProblemStatus.REPLACED, mild)
    assert mild.status == ProblemStatus.UNCONFIRMED
    open_codes = Problem.objects.filter(
        status__in=(ProblemStatus.UNCONFIRMED, ProblemStatus.CONFIRMED)
    ).values_list("icd10cm", flat=True)
    assert list(open_codes) == ["F13.10"]
    assert AuditEvent.objects.filter(
        object_type="problem", object_id=str(moderate.pk), detail__status="replaced"
    ).exists()
    # Back to moderate: the replaced F13.20 does not block a new one, which replaces F13.10.
    again = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score(_met(5)))
    mild.refresh_from_db()
    assert (mild.status, mild.replaced_by) == (ProblemStatus.REPLACED, again)
    assert Problem.objects.count() == 3
    assert [p.status for p in problems_for(patient)][-2:] == ["replaced", "replaced"]


def test_a_physician_confirms(patient, counselor, physician):
    problem = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score())
    confirmed = problem_confirm(actor=physician, problem=problem)
    assert (confirmed.status, confirmed.confirmed_by) == (ProblemStatus.CONFIRMED, physician)
    assert confirmed.confirmed_at is not None
    assert AuditEvent.objects.filter(
        object_type="problem", action="update", detail__status="confirmed"
    ).exists()
    with pytest.raises(StateConflict, match="Only an unconfirmed problem"):
        problem_confirm(actor=physician, problem=problem)


@pytest.mark.parametrize("role", ["counselor", "nurse"])
def test_counselors_and_nurses_do_not_confirm(patient, counselor, nurse, role):
    problem = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score())
    with pytest.raises(PermissionDenied):
        problem_confirm(actor={"counselor": counselor, "nurse": nurse}[role], problem=problem)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.UNCONFIRMED
