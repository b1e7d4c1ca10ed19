"""Screen -> assess -> act: positive screens owe a C-SSRS, each result sets the level."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from openrecovery.assessment.services import assessment_save_draft, assessment_start
from openrecovery.audit.models import AuditEvent
from openrecovery.instruments import reactions
from openrecovery.instruments.models import Administration
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage, TaskKind, TaskStatus
from openrecovery.records.models import ClinicalAlert, ClinicalTask
from openrecovery.records.tasks import task_close
from openrecovery.safety.models import RiskAssessment
from tests.support.factories import make_patient
from tests.support.instruments import (
    CSSRS_HIGH,
    CSSRS_LOW,
    CSSRS_MODERATE,
    CSSRS_NONE,
    PHQ9_ITEM9,
    PHQ9_MODERATE,
)

pytestmark = pytest.mark.django_db


def give(actor, patient, code, answers):
    return administration_recorded(actor=actor, patient=patient, code=code, answers=answers)


def open_tasks(patient):
    return list(
        ClinicalTask.objects.filter(patient=patient, status=TaskStatus.OPEN).values_list(
            "kind", flat=True
        )
    )


def test_phq9_item9_owes_one_cssrs_due_within_an_hour(patient, nurse):
    result = give(nurse, patient, "phq9", PHQ9_ITEM9)
    [task] = result.follow_up.tasks
    assert (task.kind, task.status, task.source_id) == (
        TaskKind.CSSRS_OWED, TaskStatus.OPEN, str(result.administration.pk),
    )  # fmt: skip
    assert task.due_at - task.opened_at == dt.timedelta(hours=1)
    assert AuditEvent.objects.filter(object_type="clinical_task", object_id=str(task.pk)).exists()
    again = give(nurse, patient, "phq9", PHQ9_ITEM9)
    assert again.follow_up.tasks == []  # the open task stands; no duplicate
    assert open_tasks(patient) == [TaskKind.CSSRS_OWED]


def test_a_negative_phq9_owes_nothing(patient, nurse):
    assert give(nurse, patient, "phq9", PHQ9_MODERATE).follow_up.tasks == []
    assert open_tasks(patient) == []


def test_a_cssrs_closes_what_was_owed_and_sets_the_level(patient, nurse, counselor):
    owed = give(nurse, patient, "phq9", PHQ9_ITEM9).follow_up.tasks[0]
    result = give(counselor, patient, "cssrs", CSSRS_LOW)
    owed.refresh_from_db()
    assert (owed.status, owed.closed_by, owed.closed_source_id) == (
        TaskStatus.DONE, counselor, str(result.administration.pk),
    )  # fmt: skip
    level = RiskAssessment.objects.get(patient=patient)
    assert (level.level, level.assessed_by, level.source_id) == (
        "low", counselor, str(result.administration.pk),
    )  # fmt: skip
    assert level.assessed_at == result.administration.administered_at
    assert result.follow_up.tasks == [] and open_tasks(patient) == []
    event = AuditEvent.objects.get(object_type="suicide_risk_level")
    assert "low" not in str(event.detail)  # the level is a clinical value: not in the log


def test_moderate_opens_a_consult_for_a_clinician_and_a_safety_plan(patient, nurse, counselor):
    result = give(nurse, patient, "cssrs", CSSRS_MODERATE)
    kinds = {t.kind: t for t in result.follow_up.tasks}
    assert set(kinds) == {TaskKind.BH_CONSULT, TaskKind.SAFETY_PLAN_OWED}
    assert kinds[TaskKind.BH_CONSULT].assigned_to == counselor  # not the nurse on the team
    assert kinds[TaskKind.SAFETY_PLAN_OWED].assigned_to is None  # the whole team
    assert not ClinicalAlert.objects.exists()
    assert give(nurse, patient, "cssrs", CSSRS_MODERATE).follow_up.tasks == []
    assert sorted(open_tasks(patient)) == sorted([TaskKind.BH_CONSULT, TaskKind.SAFETY_PLAN_OWED])
    assert RiskAssessment.objects.filter(patient=patient).count() == 2


def test_high_raises_the_alert_and_owes_a_safety_plan(patient, nurse, counselor):
    result = give(counselor, patient, "cssrs", CSSRS_HIGH)
    assert [t.kind for t in result.follow_up.tasks] == [TaskKind.SAFETY_PLAN_OWED]
    assert {a.recipient for a in result.follow_up.alerts} == {nurse, counselor}
    assert {a.kind for a in result.follow_up.alerts} == {"suicide_risk_high"}


@pytest.mark.parametrize("answers", [CSSRS_NONE, CSSRS_LOW])
def test_none_and_low_open_no_tasks(patient, counselor, answers):
    assert give(counselor, patient, "cssrs", answers).follow_up.tasks == []
    assert open_tasks(patient) == []


def test_a_task_closed_as_not_done_needs_a_reason(patient, nurse):
    task = give(nurse, patient, "phq9", PHQ9_ITEM9).follow_up.tasks[0]
    with pytest.raises(ValidationError, match="Say why"):
        task_close(task=task, status=TaskStatus.NOT_DONE, actor=nurse, reason="  ")
    closed = task_close(
        task=task, status=TaskStatus.NOT_DONE, actor=nurse, reason="Patient asleep; sedated."
    )
    assert (closed.status, closed.close_reason) == (TaskStatus.NOT_DONE, "Patient asleep; sedated.")
    event = AuditEvent.objects.filter(object_type="clinical_task", action="update").get()
    assert event.detail["status"] == "not_done" and "asleep" not in str(event.detail)


def test_a_failing_reaction_rolls_the_administration_back(patient, nurse, monkeypatch):
    def broken(recorded):
        raise RuntimeError("boom")

    monkeypatch.setattr(reactions, "_REACTIONS", [*reactions.reactions(), broken])
    with pytest.raises(RuntimeError):
        give(nurse, patient, "phq9", PHQ9_ITEM9)
    assert not Administration.objects.exists() and not ClinicalTask.objects.exists()


def test_intake_thoughts_of_suicide_owe_one_cssrs(director, counselor):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    assessment = assessment_start(actor=counselor, patient=patient)
    answers = {"suicidal_thoughts": "no", "overdose_past_year": "no", "falls_recent": "no"}
    assessment = assessment_save_draft(
        actor=counselor, assessment=assessment, section="psychiatric", answers=answers
    )
    assert open_tasks(patient) == []
    for _ in range(2):  # autosave again: still one task
        assessment = assessment_save_draft(
            actor=counselor,
            assessment=assessment,
            section="psychiatric",
            answers=answers | {"suicidal_thoughts": "yes"},
        )
    [task] = ClinicalTask.objects.filter(patient=patient)
    assert (task.kind, task.source_type, task.source_id) == (
        TaskKind.CSSRS_OWED, "intake_assessment", str(assessment.pk),
    )  # fmt: skip
