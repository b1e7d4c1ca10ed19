"""The chart's measurement-based care panel and its schedule form."""

import pytest
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden
from openrecovery.records.choices import Stage
from openrecovery.treatment.models import MeasureSchedule
from openrecovery.treatment.services.measurement import (
    ERROR_CODE,
    ERROR_INTERVAL,
    measure_schedule_set,
)
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.measurement import give
from tests.support.queries import queries_of

pytestmark = pytest.mark.django_db


def chart(user, patient) -> str:
    response = verified_client(user).get(reverse("chart:chart", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_shows_each_course_and_what_is_due(patient, counselor):
    give(patient, counselor, "phq9", 15, days_ago=45)
    give(patient, counselor, "phq9", 14, days_ago=1)
    give(patient, counselor, "gad7", 9, days_ago=20)
    page = chart(counselor, patient)
    assert 'id="measurement"' in page and "Measurement-based care" in page
    assert 'data-code="phq9" data-status="not_on_track"' in page
    assert "Not on track" in page and "-1 (better)" in page
    assert 'data-code="gad7" data-status="insufficient_data" class="measure-due"' in page
    assert 'data-code="bam" data-status="insufficient_data" class="measure-due"' in page
    assert page.count("Due now") == 2
    assert reverse("instruments:administer", args=[patient.pk, "bam"]) in page
    assert reverse("treatment:measure_schedule", args=[patient.pk]) in page
    assert "NHS Talking Therapies" in page and "this program's rule" in page


def test_the_panel_is_not_shown_outside_treatment(director, counselor):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    assert 'id="measurement"' not in chart(counselor, patient)


def test_a_nurse_sees_the_panel_without_the_schedule_form(patient, director, nurse):
    from openrecovery.records.services import care_team_add

    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    page = chart(nurse, patient)
    assert 'id="measurement"' in page
    assert 'class="d-flex align-items-end gap-2 measure-schedule"' not in page


def test_the_chart_costs_the_same_with_a_long_history(director, counselor):
    few = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    many = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    give(few, counselor, "phq9", 9, days_ago=1)
    for days in range(2, 60, 7):
        for code in ("phq9", "gad7", "bam"):
            give(many, counselor, code, 3, days_ago=days)
    client = verified_client(counselor)
    small, _ = queries_of(client, reverse("chart:chart", args=[few.pk]))
    large, sql = queries_of(client, reverse("chart:chart", args=[many.pk]))
    assert small == large, sql


def test_the_schedule_form_sets_the_episodes_interval(patient, episode, counselor):
    client = verified_client(counselor)
    url = reverse("treatment:measure_schedule", args=[patient.pk])
    response = client.post(url, {"code": "bam", "interval_days": "21"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#measurement")
    assert "BAM-R is now due every 21 days in this episode." in response.content.decode()
    schedule = MeasureSchedule.objects.get(episode=episode, code="bam")
    assert (schedule.interval_days, schedule.set_by_id) == (21, counselor.pk)
    event = AuditEvent.objects.get(object_type="measure_schedule", object_id=str(schedule.pk))
    assert event.detail == {"episode": episode.pk, "code": "bam", "interval_days": 21}
    client.post(url, {"code": "bam", "interval_days": "28"})
    assert MeasureSchedule.objects.get(episode=episode, code="bam").interval_days == 28
    assert MeasureSchedule.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "366", "x", "", "1.5"])
def test_the_schedule_form_refuses_impossible_intervals(patient, counselor, days):
    client = verified_client(counselor)
    url = reverse("treatment:measure_schedule", args=[patient.pk])
    response = client.post(url, {"code": "phq9", "interval_days": days}, follow=True)
    assert ERROR_INTERVAL in response.content.decode()
    assert not MeasureSchedule.objects.exists()


def test_the_schedule_form_is_behind_the_gate(patient):
    outsider = make_staff(Role.COUNSELOR)
    url = reverse("treatment:measure_schedule", args=[patient.pk])
    response = verified_client(outsider).post(url, {"code": "phq9", "interval_days": "7"})
    assert response.status_code == 404
    assert not MeasureSchedule.objects.exists()


def test_the_service_validates(episode, counselor, nurse):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        measure_schedule_set(actor=counselor, episode=episode, code="dast10", interval_days=7)
    assert caught.value.message_dict == {"code": [ERROR_CODE]}
    for bad in (0, 366, True):
        with pytest.raises(ValidationError):
            measure_schedule_set(actor=counselor, episode=episode, code="phq9", interval_days=bad)
    with pytest.raises(Forbidden):
        measure_schedule_set(actor=nurse, episode=episode, code="phq9", interval_days=7)
    assert (
        measure_schedule_set(
            actor=counselor, episode=episode, code="phq9", interval_days=365
        ).interval_days
        == 365
    )
