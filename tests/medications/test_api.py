"""POST /api/v1/taper/preview: the pinned contract, its 422s, auth, and the audited override."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrecovery.accounts.roles import Role
from openrecovery.accounts.tokens import api_token_create
from openrecovery.audit.models import AuditEvent
from openrecovery.medications.services import OBJECT_TYPE_TAPER_OVERRIDE
from tests.support.factories import make_staff, verified_client

URL = "/api/v1/taper/preview"
BASE = {"medication": "clonazepam", "daily_dose_mg": 1, "equivalence_table": "ashton"}
REASON = "Admitted for a supervised inpatient taper; seen daily."


def post(client, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def client(physician):
    return verified_client(physician)


def test_the_response_is_the_pinned_contract(client):
    response = post(client, {**BASE, "daily_dose_mg": 2, "switch_to": "diazepam"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"equivalence_table", "start_diazepam_equivalent_mg", "steps", "warnings"}
    assert body["equivalence_table"] == "ashton"
    assert body["start_diazepam_equivalent_mg"] == 40
    first, switched = body["steps"][0], body["steps"][1]
    assert first == {
        "day": 0,
        "doses": [{"medication": "clonazepam", "daily_mg": 2}],
        "diazepam_equivalent_mg": 40,
    }
    assert switched == {
        "day": 3,
        "doses": [
            {"medication": "clonazepam", "daily_mg": 1.5},
            {"medication": "diazepam", "daily_mg": 10},
        ],
        "diazepam_equivalent_mg": 40,
    }
    assert body["steps"][-1]["doses"] == [{"medication": "diazepam", "daily_mg": 0}]
    assert all(set(s) == {"day", "doses", "diazepam_equivalent_mg"} for s in body["steps"])
    assert "Ashton table" in body["warnings"][0] and "for guidance only" in body["warnings"][0]


def test_defaults_are_ten_percent_every_fourteen_days_to_zero(client):
    body = post(client, {**BASE, "medication": "Valium", "daily_dose_mg": 20}).json()
    days = [s["day"] for s in body["steps"]]
    assert days[:3] == [0, 14, 28]
    assert [s["doses"][0]["daily_mg"] for s in body["steps"][:3]] == [20, 18, 17]
    assert body["steps"][-1]["doses"] == [{"medication": "diazepam", "daily_mg": 0}]


def test_equivalents_are_rounded_for_people(client):
    body = post(client, {**BASE, "medication": "oxazepam", "daily_dose_mg": 10,
                         "equivalence_table": "va_dod_2021"}).json()  # fmt: skip
    assert body["start_diazepam_equivalent_mg"] == 3.333


def test_a_target_above_zero_ends_there(client):
    body = post(client, {**BASE, "daily_dose_mg": 2, "target_dose_mg": 0.5}).json()
    assert body["steps"][-1]["doses"] == [{"medication": "clonazepam", "daily_mg": 0.5}]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"medication": "kratom"}, "medication", "Unknown medication 'kratom'"),
        ({"medication": "etizolam"}, "medication", "designer benzodiazepine"),
        ({"medication": "midazolam"}, "medication", "no diazepam equivalent in the Ashton table"),
        ({"equivalence_table": "bnf"}, "equivalence_table", "Unknown equivalence table 'bnf': "
         "use one of ashton, va_dod_2021."),
        ({"daily_dose_mg": 0}, "daily_dose_mg", "The daily dose must be more than 0 mg."),
        ({"daily_dose_mg": -2}, "daily_dose_mg", "The daily dose must be more than 0 mg."),
        ({"daily_dose_mg": 100}, "daily_dose_mg", "above the plausible maximum of 60 mg a day"),
        ({"daily_dose_mg": 0.3}, "daily_dose_mg", "not a multiple of its dose unit, 0.125 mg"),
        ({"daily_dose_mg": "1"}, "daily_dose_mg", "Enter a number."),
        ({"daily_dose_mg": True}, "daily_dose_mg", "Enter a number."),
        ({"switch_to": "lorazepam"}, "switch_to", "switch to diazepam only"),
        ({"reduction_percent": 30}, "override_reason", "faster than the guideline's default"),
        ({"interval_days": 7}, "override_reason", "steps less than 14 days apart"),
        ({"interval_days": "14"}, "interval_days", "Input should be a valid integer"),
        ({"interval_days": 366}, "interval_days", "less than or equal to 365"),
        ({"daily_dose_mg": 1e400}, "daily_dose_mg", "Enter a number."),
        ({"daily_dose_mg": 1e300}, "daily_dose_mg", "above the plausible maximum"),
        ({"target_dose_mg": 1e300}, "target_dose_mg", "must be below the dose the taper starts"),
        ({"daily_dose_mg": 1e-300}, "daily_dose_mg", "not a multiple of its dose unit"),
        ({"reduction_percent": 100, "override_reason": REASON}, "reduction_percent",
         "An abrupt stop of a physically dependent patient is refused, even with a reason"),
        ({"target_dose_mg": 1}, "target_dose_mg", "must be below the dose the taper starts"),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_refusals_are_422_naming_the_field(client, change, field, message):
    response = post(client, {**BASE, **change})
    assert response.status_code == 422, response.content
    problems = response.json()["detail"]
    assert any(p["field"] == field and message in p["message"] for p in problems), problems
    assert not AuditEvent.objects.filter(object_type=OBJECT_TYPE_TAPER_OVERRIDE).exists()


def test_missing_fields_are_named(client):
    response = post(client, {})
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["detail"]}
    assert fields == {"medication", "daily_dose_mg", "equivalence_table"}


def test_an_override_is_audited_flagged_without_the_reasons_text(client, physician):
    response = post(client, {**BASE, "medication": "diazepam", "daily_dose_mg": 40,
                             "reduction_percent": 20, "interval_days": 7,
                             "override_reason": REASON})  # fmt: skip
    assert response.status_code == 200
    assert any("overridden" in w for w in response.json()["warnings"])
    [event] = AuditEvent.objects.filter(object_type=OBJECT_TYPE_TAPER_OVERRIDE)
    assert event.actor_id == physician.pk and event.flagged and event.patient_id is None
    assert event.detail["overrides"] == [
        "reduction_above_10_percent",
        "interval_below_14_days",
        "cut_above_25_percent_in_14_days",
    ]
    assert event.detail["medication"] == "diazepam"
    assert event.detail["reduction_percent"] == "20" and event.detail["interval_days"] == 7
    assert event.detail["reason_length"] == len(REASON)
    assert "supervised" not in json.dumps(event.detail)


def test_a_plan_at_the_default_pace_writes_no_audit_event(client):
    before = AuditEvent.objects.count()
    assert post(client, {**BASE, "override_reason": REASON}).status_code == 200
    assert AuditEvent.objects.count() == before


def test_authentication_is_required(db):
    response = post(Client(), BASE)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"


def test_a_session_without_mfa_is_refused(physician):
    client = Client()
    client.force_login(physician)
    assert post(client, BASE).status_code == 401


@pytest.mark.parametrize("role", [Role.NURSE, Role.COUNSELOR, Role.CLINICAL_DIRECTOR])
def test_any_staff_member_may_preview(db, role):
    assert post(verified_client(make_staff(role)), BASE).status_code == 200


def test_a_token_works_in_place_of_a_session(physician):
    _row, token = api_token_create(actor=None, user=physician)
    assert post(Client(), BASE, authorization=f"Bearer {token}").status_code == 200


def test_the_openapi_document_has_the_endpoint_and_its_contract(db):
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/taper/preview"]["post"]
    assert set(operation["responses"]) == {"200", "401", "415", "422"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    request = document["components"]["schemas"][name]
    assert set(request["properties"]) == {
        "medication", "daily_dose_mg", "equivalence_table", "switch_to", "reduction_percent",
        "interval_days", "target_dose_mg", "override_reason",
    }  # fmt: skip
    assert request["required"] == ["medication", "daily_dose_mg", "equivalence_table"]
    assert request["properties"]["equivalence_table"]["enum"] == ["ashton", "va_dod_2021"]
    assert request["properties"]["reduction_percent"]["default"] == 10
    assert request["properties"]["interval_days"]["default"] == 14
    assert request["properties"]["interval_days"]["maximum"] == 365
    out = operation["responses"]["200"]["content"]["application/json"]["schema"]
    response = document["components"]["schemas"][out["$ref"].rsplit("/", 1)[1]]
    assert set(response["properties"]) == {
        "equivalence_table", "start_diazepam_equivalent_mg", "steps", "warnings",
    }  # fmt: skip


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=4,
)
FIELD_VALUES = {
    "medication": st.sampled_from(["clonazepam", "Xanax", "lorazepam", "etizolam", "x"]) | ANY_JSON,
    "daily_dose_mg": st.decimals(min_value=-1, max_value=200, places=3).map(float)
    | st.floats(allow_nan=False)
    | ANY_JSON,
    "equivalence_table": st.sampled_from(["ashton", "va_dod_2021", "bnf"]) | ANY_JSON,
    "switch_to": st.sampled_from([None, "diazepam", "lorazepam"]) | ANY_JSON,
    "reduction_percent": st.floats(min_value=-5, max_value=120) | ANY_JSON,
    "interval_days": st.integers(min_value=-3, max_value=400) | ANY_JSON,
    "target_dose_mg": st.decimals(min_value=-1, max_value=50, places=3).map(float)
    | st.floats(allow_nan=False)
    | ANY_JSON,
    "override_reason": st.sampled_from([None, "", REASON]) | ANY_JSON,
}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_any_body_is_answered_200_or_a_422_with_problems(client, body):
    response = post(client, body)
    assert response.status_code in (200, 422), (body, response.content)
    if response.status_code == 422:
        problems = response.json()["detail"]
        assert problems and all(p["message"] for p in problems)
    else:
        plan = response.json()
        assert plan["steps"][0]["day"] == 0 and plan["warnings"]
