"""Leaving withdrawal management or treatment at risk needs a plan; discharge follows up."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from openrecovery.audit.models import AuditEvent
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage, TaskKind, TaskOutcome, TaskStatus
from openrecovery.records.models import ClinicalTask, TimelineEvent
from openrecovery.records.tasks import task_close
from openrecovery.safety.models import RiskAssessment
from openrecovery.safety.services import (
    episode_move_checked,
    safety_plan_draft,
    safety_plan_save,
    safety_plan_sign,
)
from tests.support.instruments import CSSRS_LOW, CSSRS_MODERATE

pytestmark = pytest.mark.django_db

PLAN = {
    "warning_signs": "Not sleeping.",
    "coping_strategies": "Walk.",
    "means_medications": "Sister holds the medications.",
}


def move(patient, actor, to_stage, **kwargs):
    episode = patient.episodes.get(ended_at__isnull=True)
    return episode_move_checked(
        actor=actor, episode=episode, to_stage=to_stage, reason="Planned move", **kwargs
    )


def signed_plan(patient, actor):
    plan = safety_plan_draft(actor=actor, patient=patient)
    safety_plan_save(actor=actor, plan=plan, data=PLAN)
    return safety_plan_sign(actor=actor, plan=plan, patient_signed_name="Pat")


def test_a_move_after_a_moderate_level_asks_for_a_plan(patient, counselor):
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    with pytest.raises(ValidationError) as error:
        move(patient, counselor, Stage.TREATMENT)
    assert "no signed safety plan" in error.value.message_dict["no_plan_reason"][0]
    assert patient.episodes.get().stage == Stage.WITHDRAWAL_MANAGEMENT  # nothing changed
    signed_plan(patient, counselor)
    assert move(patient, counselor, Stage.TREATMENT).stage == Stage.TREATMENT


def test_a_recorded_reason_lets_the_move_go_ahead(patient, counselor):
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    moved = move(patient, counselor, Stage.TREATMENT, no_plan_reason="Transferred to hospital.")
    assert moved.stage == Stage.TREATMENT
    summaries = TimelineEvent.objects.values_list("summary", flat=True)
    assert "Moved without a signed safety plan: Transferred to hospital." in summaries
    waived = AuditEvent.objects.get(detail__safety_plan_waived=True)
    assert "hospital" not in str(waived.detail)


def test_low_or_old_levels_do_not_hold_a_move(patient, counselor):
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_LOW)
    assert move(patient, counselor, Stage.TREATMENT).stage == Stage.TREATMENT
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    RiskAssessment.objects.filter(level="moderate").update(
        assessed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert move(patient, counselor, Stage.AFTERCARE).stage == Stage.AFTERCARE


def test_discharge_at_risk_opens_caring_contacts_at_1_7_and_30_days(patient, counselor):
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    signed_plan(patient, counselor)
    closed = move(patient, counselor, Stage.CLOSED, discharge_type="against_advice")
    contacts = list(ClinicalTask.objects.filter(kind=TaskKind.CARING_CONTACT).order_by("due_at"))
    assert [t.due_at - closed.ended_at for t in contacts] == [
        dt.timedelta(hours=24), dt.timedelta(days=7), dt.timedelta(days=30),
    ]  # fmt: skip
    assert all(t.assigned_to is None and t.status == TaskStatus.OPEN for t in contacts)
    first = task_close(
        task=contacts[0], status=TaskStatus.DONE, actor=counselor,
        outcome=TaskOutcome.REACHED, reason="Doing well; going to meetings.",
    )  # fmt: skip
    assert (first.outcome, first.close_reason) == ("reached", "Doing well; going to meetings.")
    second = task_close(
        task=contacts[1], status=TaskStatus.DONE, actor=counselor,
        outcome=TaskOutcome.NOT_REACHED, reason="Voicemail left.",
    )  # fmt: skip
    assert second.outcome == "not_reached"


def test_discharge_without_a_recent_elevated_level_opens_none(patient, counselor):
    move(patient, counselor, Stage.CLOSED, discharge_type="against_advice")
    assert not ClinicalTask.objects.filter(kind=TaskKind.CARING_CONTACT).exists()
