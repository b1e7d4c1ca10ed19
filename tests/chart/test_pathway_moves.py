"""The chart's stage move goes through the safety-plan check (suicide-risk pathway)."""

import pytest
from django.urls import reverse

from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage, TaskKind
from openrecovery.records.models import ClinicalTask
from openrecovery.safety.services import (
    ERROR_PLAN_NEEDED,
    safety_plan_draft,
    safety_plan_save,
    safety_plan_sign,
)
from tests.support.factories import make_patient, verified_client
from tests.support.instruments import CSSRS_LOW, CSSRS_MODERATE
from tests.support.records import record_state

pytestmark = pytest.mark.django_db

PLAN = {
    "warning_signs": "Not sleeping.",
    "coping_strategies": "Walk.",
    "means_medications": "Sister holds the medications.",
}


@pytest.fixture
def at_risk(director, counselor):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor])
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    return patient


def move(client, patient, to_stage, **extra):
    data = {"to_stage": to_stage, "reason": "Planned move", **extra}
    return client.post(reverse("chart:stage_move", args=[patient.pk]), data)


def episode_of(patient):
    return patient.episodes.order_by("-started_at").first()


def test_a_move_without_a_plan_is_refused_with_the_reason_field_and_a_plan_link(at_risk, counselor):
    client = verified_client(counselor)
    episode = episode_of(at_risk)
    before = record_state(episode)
    response = move(client, at_risk, Stage.TREATMENT)
    assert response.status_code == 422
    body = response.content.decode()
    form = response.context["stage_form"]
    assert form.errors["no_plan_reason"] == [ERROR_PLAN_NEEDED]
    # The error in the summary and on the field, the field itself and the plan's link.
    assert body.count("no signed safety plan") >= 2
    assert 'name="no_plan_reason"' in body and 'id="safety-plan-needed"' in body
    assert f'href="{reverse("safety:plan", args=[at_risk.pk])}"' in body
    assert record_state(episode) == before  # nothing changed


def test_the_blank_chart_does_not_ask_for_a_no_plan_reason(at_risk, counselor):
    body = verified_client(counselor).get(reverse("chart:chart", args=[at_risk.pk])).content
    assert b'name="no_plan_reason"' not in body
    assert b'name="to_stage"' in body


def test_a_recorded_reason_lets_the_move_go_ahead(at_risk, counselor):
    client = verified_client(counselor)
    response = move(client, at_risk, Stage.TREATMENT, no_plan_reason="Transferred to hospital.")
    assert response.status_code == 302
    assert episode_of(at_risk).stage == Stage.TREATMENT
    summaries = list(at_risk.timeline.values_list("summary", flat=True))
    assert "Moved without a signed safety plan: Transferred to hospital." in summaries


def test_a_blank_reason_is_no_reason(at_risk, counselor):
    response = move(verified_client(counselor), at_risk, Stage.TREATMENT, no_plan_reason="   ")
    assert response.status_code == 422
    assert episode_of(at_risk).stage == Stage.WITHDRAWAL_MANAGEMENT
    # Once filled (even blank), the field stays on the page with the error.
    assert 'name="no_plan_reason"' in response.content.decode()


def test_a_signed_plan_lets_the_move_go_ahead(at_risk, counselor):
    plan = safety_plan_draft(actor=counselor, patient=at_risk)
    safety_plan_save(actor=counselor, plan=plan, data=PLAN)
    safety_plan_sign(actor=counselor, plan=plan, patient_signed_name="Pat")
    response = move(verified_client(counselor), at_risk, Stage.TREATMENT)
    assert response.status_code == 302
    assert episode_of(at_risk).stage == Stage.TREATMENT


def test_a_discharge_goes_through_the_same_check(at_risk, counselor):
    client = verified_client(counselor)
    episode = episode_of(at_risk)
    before = record_state(episode)
    response = move(client, at_risk, Stage.CLOSED, discharge_type="against_advice")
    assert response.status_code == 422
    assert response.context["stage_form"].errors["no_plan_reason"] == [ERROR_PLAN_NEEDED]
    assert record_state(episode) == before
    response = move(
        client,
        at_risk,
        Stage.CLOSED,
        discharge_type="against_advice",
        no_plan_reason="Left before the plan could be written.",
    )
    assert response.status_code == 302
    assert episode_of(at_risk).ended_at is not None
    # A discharge at risk opens the caring-contact follow-ups (through the chart, too).
    assert ClinicalTask.objects.filter(patient=at_risk, kind=TaskKind.CARING_CONTACT).count() == 3


def test_a_low_level_does_not_hold_the_move(director, counselor):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor])
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_LOW)
    response = move(verified_client(counselor), patient, Stage.TREATMENT)
    assert response.status_code == 302
    assert episode_of(patient).stage == Stage.TREATMENT
