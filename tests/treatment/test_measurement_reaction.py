"""A PHQ-9 or GAD-7 not on track, or reliably worse, opens one plan-review task."""

import datetime as dt

import pytest

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage, TaskKind, TaskStatus
from openrecovery.records.models import ClinicalTask
from openrecovery.records.services import care_team_add, episode_move_stage
from openrecovery.records.tasks import task_close
from openrecovery.treatment.services.measurement import PLAN_REVIEW_KEY, PLAN_REVIEW_WITHIN
from tests.support.factories import make_patient, make_staff
from tests.support.instruments import complete
from tests.support.measurement import answers_scoring, give

pytestmark = pytest.mark.django_db


def reviews(patient):
    return ClinicalTask.objects.filter(patient=patient, kind=TaskKind.PLAN_REVIEW)


def record(patient, actor, code, total):
    return administration_recorded(
        actor=actor, patient=patient, code=code, answers=answers_scoring(code, total)
    )


def test_not_on_track_opens_one_plan_review_for_the_primary_counselor(patient, counselor, nurse):
    give(patient, counselor, "phq9", 14, days_ago=43)
    result = record(patient, nurse, "phq9", 12)  # down 2 after six weeks: not on track
    [task] = reviews(patient)
    assert result.follow_up.tasks == [task]
    assert (task.status, task.key, task.assigned_to_id) == (
        TaskStatus.OPEN,
        PLAN_REVIEW_KEY,
        counselor.pk,
    )
    assert task.episode_id == patient.episodes.get().pk
    assert (task.source_type, task.source_id) == (
        "instrument_administration",
        str(result.administration.pk),
    )
    assert abs(task.due_at - (task.opened_at + PLAN_REVIEW_WITHIN)) < dt.timedelta(seconds=1)
    [notice] = result.follow_up.notices
    assert "not on track" in notice.text and notice.url.endswith(f"/{patient.pk}/#measurement")
    assert AuditEvent.objects.filter(
        object_type="clinical_task", object_id=str(task.pk), action="create"
    ).exists()


def test_it_is_idempotent_while_the_review_is_open(patient, counselor):
    give(patient, counselor, "phq9", 14, days_ago=50)
    record(patient, counselor, "phq9", 14)
    again = record(patient, counselor, "phq9", 15)
    assert again.follow_up.tasks == []  # the open one stands
    assert reviews(patient).count() == 1
    gad = record(patient, counselor, "gad7", 3)
    record(patient, counselor, "gad7", 9)  # GAD-7 reliably worse: the same review
    assert gad.follow_up.tasks == [] and reviews(patient).count() == 1


def test_a_closed_review_is_opened_again_by_a_later_result(patient, counselor):
    give(patient, counselor, "phq9", 14, days_ago=50)
    record(patient, counselor, "phq9", 14)
    task_close(task=reviews(patient).get(), status=TaskStatus.DONE, actor=counselor)
    record(patient, counselor, "phq9", 14)
    assert reviews(patient).filter(status=TaskStatus.OPEN).count() == 1
    assert reviews(patient).count() == 2


def test_a_reliable_deterioration_opens_it_at_any_time(patient, counselor):
    give(patient, counselor, "gad7", 6, days_ago=7)
    result = record(patient, counselor, "gad7", 10)  # up 4 in a week
    assert [t.kind for t in result.follow_up.tasks] == [TaskKind.PLAN_REVIEW]
    assert "reliably worse" in result.follow_up.notices[0].text


@pytest.mark.parametrize(
    ("code", "first", "last", "days"),
    [
        ("phq9", 15, 9, 50),  # reliable improvement
        ("phq9", 14, 7, 50),  # response
        ("phq9", 8, 4, 50),  # remission
        ("phq9", 10, 15, 10),  # up 5: not reliable, before six weeks
        ("phq9", 14, 12, 41),  # no reliable change before six weeks
        ("gad7", 12, 8, 50),  # GAD-7 reliable improvement
        ("gad7", 8, 11, 10),  # up 3: not reliable
        ("bam", 0, 12, 60),  # the BAM never opens one
    ],
)
def test_improvement_or_too_early_opens_nothing(patient, counselor, code, first, last, days):
    give(patient, counselor, code, first, days_ago=days)
    result = record(patient, counselor, code, last)
    assert result.follow_up.tasks == [] and result.follow_up.notices == []
    assert not reviews(patient).exists()


def test_a_single_administration_opens_nothing(patient, counselor):
    result = record(patient, counselor, "phq9", 24)
    assert not reviews(patient).exists() and result.follow_up.notices == []


def test_outside_treatment_it_opens_nothing(director, counselor):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    give(patient, counselor, "phq9", 5, days_ago=1)
    record(patient, counselor, "phq9", 20)
    assert not reviews(patient).exists()
    episode = patient.episodes.get()
    episode_move_stage(actor=director, episode=episode, to_stage=Stage.TREATMENT, reason="t")
    record(patient, counselor, "phq9", 20)  # still 15 up on the episode's baseline
    assert reviews(patient).count() == 1


def test_without_a_primary_counselor_it_is_left_for_the_team(director, nurse):
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    give(patient, nurse, "phq9", 5, days_ago=3)
    record(patient, nurse, "phq9", 11)
    [task] = reviews(patient)
    assert task.assigned_to_id is None


def test_an_inactive_primary_counselor_is_skipped(director):
    gone, here = make_staff(Role.COUNSELOR), make_staff(Role.COUNSELOR)
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[gone, here])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    give(patient, here, "phq9", 5, days_ago=3)
    record(patient, here, "phq9", 11)
    assert reviews(patient).get().assigned_to_id == here.pk


def test_other_instruments_cost_no_query(patient, counselor, django_assert_num_queries):
    from openrecovery.instruments.reactions import Recorded
    from openrecovery.treatment.services.measurement import measurement_follow_up

    answers = complete(INSTRUMENTS["dast10"], {})
    administration = administration_recorded(
        actor=counselor, patient=patient, code="dast10", answers=answers
    ).administration
    recorded = Recorded(administration, patient, patient.episodes.get(), counselor, None)
    with django_assert_num_queries(0):
        assert measurement_follow_up(recorded).tasks == []
