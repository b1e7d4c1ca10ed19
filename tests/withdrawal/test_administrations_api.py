"""The administrations API's 201 answer adds next_due_at and protocol_version (pinned)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from openrecovery.records.choices import Stage
from openrecovery.withdrawal.services import protocol_revise
from tests.support.factories import make_patient, verified_client
from tests.support.instruments import PHQ9_MODERATE
from tests.support.withdrawal import ciwab_answers

pytestmark = pytest.mark.django_db

KEYS = {
    "id", "code", "total", "band", "flags", "subscales", "administered_at", "opened_tasks",
    "alerts",
}  # fmt: skip


def post(user, patient, body):
    response = verified_client(user).post(
        f"/api/v1/patients/{patient.pk}/administrations",
        json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_a_ciwab_in_withdrawal_management_says_when_the_next_is_due(patient, nurse):
    given = (timezone.now() - dt.timedelta(minutes=30)).replace(microsecond=0)
    status, body = post(
        nurse,
        patient,
        {"code": "ciwab", "answers": ciwab_answers(25, 5), "administered_at": given.isoformat()},
    )
    assert status == 201
    assert set(body) == KEYS | {"next_due_at", "protocol_version"}
    assert (body["total"], body["band"]) == (30, "moderate")
    assert dt.datetime.fromisoformat(body["next_due_at"]) == given + dt.timedelta(hours=2)
    assert body["protocol_version"] == 1


def test_the_answer_names_the_version_in_force(patient, nurse, director):
    protocol_revise(
        actor=director,
        reason="Mild every 3 hours",
        intervals={"none": 480, "mild": 180, "moderate": 120, "severe": 60, "very_severe": 60},
    )
    status, body = post(nurse, patient, {"code": "ciwab", "answers": ciwab_answers(5)})
    assert status == 201 and body["protocol_version"] == 2
    given = dt.datetime.fromisoformat(body["administered_at"])
    assert dt.datetime.fromisoformat(body["next_due_at"]) == given + dt.timedelta(hours=3)


def test_a_severe_score_reports_the_alert_it_raised(patient, nurse, on_call):
    status, body = post(nurse, patient, {"code": "ciwab", "answers": ciwab_answers(40, 5)})
    assert status == 201 and body["band"] == "severe"
    assert [a["kind"] for a in body["alerts"]] == ["withdrawal_ciwab"]
    assert body["alerts"][0]["severity"] == "urgent"


def test_other_patients_answers_are_unchanged(director, nurse):
    other = make_patient(actor=director, stage=Stage.TREATMENT, team=[nurse])
    status, body = post(nurse, other, {"code": "ciwab", "answers": ciwab_answers(5)})
    assert status == 201 and set(body) == KEYS


def test_other_instruments_answers_are_unchanged(patient, nurse):
    status, body = post(nurse, patient, {"code": "phq9", "answers": PHQ9_MODERATE})
    assert status == 201 and set(body) == KEYS


def test_the_schema_declares_the_added_fields_as_optional(client):
    schema = client.get("/api/v1/openapi.json").json()
    out = schema["components"]["schemas"]["AdministrationOut"]
    assert {"next_due_at", "protocol_version"} <= set(out["properties"])
    assert "next_due_at" not in out.get("required", [])
    assert "protocol_version" not in out.get("required", [])
