"""The patient endpoints of the JSON API follow the chart's access rules."""

import pytest

from openrecovery.audit.choices import Action
from openrecovery.records.choices import Stage
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, verified_client


def test_get_patient_returns_demographics_and_current_episode(director, counselor):
    patient = make_patient(actor=director, stage=Stage.AFTERCARE, team=[counselor], pronouns="they")
    mark = audit_mark()
    response = verified_client(counselor).get(f"/api/v1/patients/{patient.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["mrn"] == patient.mrn
    assert body["pronouns"] == "they"
    assert body["current_episode"]["stage"] == "aftercare"
    assert "phone_mobile" not in body
    views = events_since(mark, action=Action.VIEW)
    assert [(e.patient_id, e.actor_id) for e in views] == [(patient.pk, counselor.pk)]


def test_hidden_patient_is_indistinguishable_from_unknown(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    client = verified_client(counselor)
    hidden = client.get(f"/api/v1/patients/{patient.pk}")
    unknown = client.get("/api/v1/patients/987654321")
    assert (hidden.status_code, hidden.content) == (unknown.status_code, unknown.content)
    assert hidden.status_code == 404


@pytest.mark.parametrize("body", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "a", "extra": 1}])
def test_search_rejects_bad_bodies(counselor, body):
    response = verified_client(counselor).post(
        "/api/v1/patients/search", body, content_type="application/json"
    )
    assert response.status_code in (400, 422)


def test_search_is_audited_without_the_query(director, counselor):
    patient = make_patient(actor=director, team=[counselor], family="Vantongeren")
    mark = audit_mark()
    response = verified_client(counselor).post(
        "/api/v1/patients/search", {"q": "vanton"}, content_type="application/json"
    )
    assert [p["id"] for p in response.json()] == [patient.pk]
    searches = events_since(mark, action=Action.SEARCH)
    assert [e.detail for e in searches] == [{"results": 1, "patients": [patient.pk], "via": "api"}]
    assert "vanton" not in str(searches[0].__dict__).lower()
