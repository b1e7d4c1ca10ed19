"""GET /api/v1/patients/{patient_id}/measurement (pinned): shape, gate, audit, due times."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.accounts.tokens import api_token_create
from openrecovery.audit.models import AuditEvent
from openrecovery.records.choices import Stage
from openrecovery.records.models import StageTransition
from openrecovery.records.services import episode_move_stage
from openrecovery.treatment.api import MEASUREMENT_OBJECT_TYPE
from openrecovery.treatment.services.measurement import measure_schedule_set
from tests.support.factories import discharge, make_patient, make_staff
from tests.support.measurement import backdate, give

pytestmark = pytest.mark.django_db

ITEM_KEYS = {"code", "baseline", "latest", "status", "next_due_at", "change"}


def get_measurement(user, patient_id):
    _, token = api_token_create(actor=None, user=user, name="test")
    response = Client().get(
        f"/api/v1/patients/{patient_id}/measurement", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json()


def moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def close(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    assert a is not None and b is not None
    return abs(a - b) < dt.timedelta(milliseconds=1)


def test_before_any_measure_every_instrument_is_listed_and_due_now(patient, episode, counselor):
    entered = StageTransition.objects.filter(episode=episode, to_stage=Stage.TREATMENT).get()
    status, body = get_measurement(counselor, patient.pk)
    assert status == 200
    assert list(body) == ["instruments"]
    assert [i["code"] for i in body["instruments"]] == ["phq9", "gad7", "bam"]
    for item in body["instruments"]:
        assert set(item) == ITEM_KEYS
        assert item["baseline"] is None and item["latest"] is None and item["change"] is None
        assert item["status"] == "insufficient_data"
        assert close(moment(item["next_due_at"]), entered.moved_at)  # due since treatment began


def test_baseline_latest_status_and_change(patient, counselor):
    first = give(patient, counselor, "phq9", 15, days_ago=50)
    give(patient, counselor, "phq9", 20, days_ago=20)
    latest = give(patient, counselor, "phq9", 12, days_ago=1)
    give(patient, counselor, "gad7", 10, days_ago=10)
    give(patient, counselor, "bam", 6, days_ago=40)
    bam = give(patient, counselor, "bam", 2)
    status, body = get_measurement(counselor, patient.pk)
    assert status == 200
    phq9, gad7, bam_item = body["instruments"]
    assert phq9["baseline"]["total"] == 15
    assert close(moment(phq9["baseline"]["administered_at"]), first.administered_at)
    assert phq9["latest"]["total"] == 12
    assert close(moment(phq9["latest"]["administered_at"]), latest.administered_at)
    assert set(phq9["baseline"]) == {"total", "administered_at"}
    assert (phq9["status"], phq9["change"]) == ("not_on_track", -3)  # 49 days, down 3
    assert close(moment(phq9["next_due_at"]), latest.administered_at + dt.timedelta(days=14))
    # One GAD-7: its baseline is its latest, too few to judge.
    assert gad7["baseline"]["total"] == gad7["latest"]["total"] == 10
    assert (gad7["status"], gad7["change"]) == ("insufficient_data", None)
    # The BAM's total is its use score; its change is reported, never a reliable one.
    assert (bam_item["baseline"]["total"], bam_item["latest"]["total"]) == (6, 2)
    assert (bam_item["status"], bam_item["change"]) == ("no_reliable_change", -4)
    assert close(moment(bam_item["next_due_at"]), bam.administered_at + dt.timedelta(days=30))


def test_next_due_follows_the_episodes_schedule_over_the_default(patient, episode, counselor):
    given = give(patient, counselor, "gad7", 9, days_ago=3)
    measure_schedule_set(actor=counselor, episode=episode, code="gad7", interval_days=7)
    _, body = get_measurement(counselor, patient.pk)
    gad7 = body["instruments"][1]
    assert close(moment(gad7["next_due_at"]), given.administered_at + dt.timedelta(days=7))


def test_the_default_is_read_when_asked(patient, counselor, settings):
    given = give(patient, counselor, "phq9", 9, days_ago=3)
    settings.MEASUREMENT_SCHEDULE_DAYS = {"phq9": 28, "gad7": 14, "bam": 30}
    _, body = get_measurement(counselor, patient.pk)
    assert close(
        moment(body["instruments"][0]["next_due_at"]), given.administered_at + dt.timedelta(28)
    )


def test_outside_treatment_nothing_is_due(patient, episode, counselor, director):
    give(patient, counselor, "phq9", 9, days_ago=3)
    episode_move_stage(actor=director, episode=episode, to_stage=Stage.AFTERCARE, reason="test")
    _, body = get_measurement(counselor, patient.pk)
    assert [i["next_due_at"] for i in body["instruments"]] == [None, None, None]
    assert body["instruments"][0]["baseline"]["total"] == 9


def test_the_latest_is_by_time_given_and_the_baseline_is_this_episodes_first(patient, counselor):
    now = timezone.now()
    later = give(patient, counselor, "phq9", 20)
    earlier = give(patient, counselor, "phq9", 8)
    backdate(later, now - dt.timedelta(days=1))
    backdate(earlier, now - dt.timedelta(days=30))
    _, body = get_measurement(counselor, patient.pk)
    phq9 = body["instruments"][0]
    assert (phq9["baseline"]["total"], phq9["latest"]["total"]) == (8, 20)
    assert phq9["status"] == "reliable_deterioration"


def test_before_treatment_nothing_is_due_and_the_intake_measure_is_the_baseline(
    director, counselor
):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    give(patient, counselor, "phq9", 9)
    _, body = get_measurement(counselor, patient.pk)
    assert body["instruments"][0]["next_due_at"] is None
    assert body["instruments"][0]["baseline"]["total"] == 9


def test_a_closed_episode_has_no_course(patient, episode, counselor, director):
    give(patient, counselor, "phq9", 9, days_ago=3)
    give(patient, counselor, "phq9", 19)
    discharge(patient, actor=director, reason="test", discharge_type="completed")
    status, body = get_measurement(counselor, patient.pk)
    assert status == 200
    assert [(i["baseline"], i["status"], i["next_due_at"]) for i in body["instruments"]] == [
        (None, "insufficient_data", None)
    ] * 3


def test_an_unrelated_counselor_gets_404_and_the_refusal_is_audited(patient):
    outsider = make_staff(Role.COUNSELOR)
    status, body = get_measurement(outsider, patient.pk)
    assert status == 404
    assert "instruments" not in body
    assert AuditEvent.objects.filter(
        action="access_denied", actor_id=outsider.pk, object_id=str(patient.pk)
    ).exists()


def test_the_read_is_audited(patient, counselor):
    get_measurement(counselor, patient.pk)
    reads = AuditEvent.objects.filter(
        action="view", patient_id=patient.pk, object_type=MEASUREMENT_OBJECT_TYPE
    )
    assert reads.count() == 1
    assert reads.get().actor_id == counselor.pk


@pytest.mark.parametrize("bad", ["0", "9223372036854775807", "true", "x"])
def test_bad_ids_are_refused(counselor, bad):
    _, token = api_token_create(actor=None, user=counselor, name="test")
    response = Client().get(
        f"/api/v1/patients/{bad}/measurement", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code in (404, 422)


def test_without_a_session_or_token_it_is_401(patient):
    assert Client().get(f"/api/v1/patients/{patient.pk}/measurement").status_code == 401


def test_the_schema_declares_the_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/patients/{patient_id}/measurement"]["get"]
    assert {"200", "401", "404", "422"} <= set(operation["responses"])


def test_reads_in_constant_queries(patient, counselor):
    _, token = api_token_create(actor=None, user=counselor, name="test")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(
                f"/api/v1/patients/{patient.pk}/measurement",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 200
        return len(queries)

    give(patient, counselor, "phq9", 9, days_ago=20)
    few = count()
    for days in (15, 10, 5):
        give(patient, counselor, "phq9", 9, days_ago=days)
        give(patient, counselor, "gad7", 5, days_ago=days)
        give(patient, counselor, "bam", 1, days_ago=days)
    assert count() <= few
