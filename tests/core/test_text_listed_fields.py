"""The fields the security review broke with a NUL: each refuses it, HTML and API, no 500.

They ran on PostgreSQL (whose text columns cannot hold U+0000) as a DataError; here
they run in both passes of the suite, so the PostgreSQL pass proves the fix there.
"""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.forms import BaseForm
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.core.text import ERROR_CONTROL_CHARACTER
from openrecovery.helpline.models import CallAttempt, Disposition, Inquiry, PreScreen
from openrecovery.helpline.services import inquiry_claim
from openrecovery.privacy.models import BreakGlassGrant
from openrecovery.records.models import ClinicalAlert, Patient
from tests.support.access import AccessWorld, access_world_build
from tests.support.factories import verified_client
from tests.support.helpline import CONVERTED_PERSON

NUL = "Sam\x00"
MESSAGE = ERROR_CONTROL_CHARACTER % {"position": 4}
API = "/api/v1"


@pytest.fixture
def world(db) -> AccessWorld:
    return access_world_build()


@pytest.fixture
def coordinator_client(world) -> Client:
    coordinator = world.staff[Role.ADMISSIONS_COORDINATOR]
    inquiry = Inquiry.objects.get(reference=world.inquiry_reference)
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    return verified_client(coordinator)


def _state(reference: str) -> tuple:
    inquiry = Inquiry.objects.get(reference=reference)
    return (
        inquiry.status,
        CallAttempt.objects.count(),
        PreScreen.objects.count(),
        Disposition.objects.count(),
        Patient.objects.count(),
    )


def _api(client: Client, path: str, body: dict):
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def _problem_fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    problems = response.json()["detail"]
    assert MESSAGE in [p["message"] for p in problems]
    assert "\x00" not in response.content.decode("unicode_escape")
    return [p["field"] for p in problems if p["message"] == MESSAGE]


def _field_error(response, field: str) -> None:
    # The page is drawn again (422, or 200 for the search) with the message on the field.
    assert response.status_code in (200, 422)
    forms = {id(v): v for ctx in response.context for v in ctx.flatten().values()}
    errors = [f.errors.get(field, []) for f in forms.values() if isinstance(f, BaseForm)]
    assert [MESSAGE] in errors
    assert MESSAGE in response.content.decode()


# Patient search --------------------------------------------------------------------------


def test_patient_search_q_api(world):
    client = verified_client(world.staff[Role.CLINICAL_DIRECTOR])
    assert _problem_fields(_api(client, "/patients/search", {"q": NUL})) == ["q"]


def test_patient_search_q_page(world):
    client = verified_client(world.staff[Role.CLINICAL_DIRECTOR])
    _field_error(client.post(reverse("chart:search"), {"q": NUL}), "q")


# The helpline: calls, pre-screen, dispositions, convert ----------------------------------


def _clinician(world: AccessWorld) -> int:
    return world.staff[Role.PHYSICIAN].pk


def _convert_body(world: AccessWorld, **overrides: object) -> dict:
    when = timezone.now() + dt.timedelta(days=2)
    return {
        **CONVERTED_PERSON,
        "scheduled_for": when.isoformat(),
        "clinician_id": _clinician(world),
        **overrides,
    }


API_CASES = [
    ("calls", {"outcome": "reached", "notes": NUL}, ["notes"]),
    ("disposition", {"kind": "not_a_fit", "notes": NUL}, ["notes"]),
    ("prescreen", {"medical_conditions": NUL}, ["medical_conditions"]),
    ("prescreen", {"insurance_member_id": NUL}, ["insurance_member_id"]),
    ("prescreen", {"substances": [{"substance": NUL}]}, ["substances.0.substance"]),
]


@pytest.mark.parametrize(("action", "body", "fields"), API_CASES)
def test_helpline_api_fields(world, coordinator_client, action, body, fields):
    before = _state(world.inquiry_reference)
    path = f"/helpline/inquiries/{world.inquiry_reference}/{action}"
    assert _problem_fields(_api(coordinator_client, path, body)) == fields
    assert _state(world.inquiry_reference) == before


@pytest.mark.parametrize("field", ["given_name", "notes"])
def test_convert_api_fields(world, coordinator_client, field):
    before = _state(world.inquiry_reference)
    path = f"/helpline/inquiries/{world.inquiry_reference}/convert"
    body = _convert_body(world, **{field: NUL})
    assert _problem_fields(_api(coordinator_client, path, body)) == [field]
    assert _state(world.inquiry_reference) == before


def _page(world: AccessWorld, action: str) -> str:
    return f"/admissions/inquiries/{world.inquiry_reference}/{action}/"


def _schedule_data(world: AccessWorld, **overrides: str) -> dict:
    when = timezone.localtime() + dt.timedelta(days=2)
    return {
        **CONVERTED_PERSON,
        "date": when.date().isoformat(),
        "time": "10:30",
        "clinician": str(_clinician(world)),
        **overrides,
    }


PAGE_CASES = [
    ("calls", {"outcome": "reached", "notes": NUL}, "notes"),
    ("close", {"kind": "not_a_fit", "notes": NUL}, "notes"),
    ("prescreen", {"substance_rows": "1", "medical_conditions": NUL}, "medical_conditions"),
    ("prescreen", {"substance_rows": "1", "insurance_member_id": NUL}, "insurance_member_id"),
    ("prescreen", {"substance_rows": "1", "substance_0": NUL}, "substance_0"),
]


@pytest.mark.parametrize(("action", "data", "field"), PAGE_CASES)
def test_helpline_page_fields(world, coordinator_client, action, data, field):
    before = _state(world.inquiry_reference)
    _field_error(coordinator_client.post(_page(world, action), data), field)
    assert _state(world.inquiry_reference) == before


@pytest.mark.parametrize("field", ["given_name", "notes"])
def test_schedule_page_fields(world, coordinator_client, field):
    before = _state(world.inquiry_reference)
    response = coordinator_client.post(
        _page(world, "schedule"), _schedule_data(world, **{field: NUL})
    )
    _field_error(response, field)
    assert _state(world.inquiry_reference) == before


@pytest.mark.parametrize("action", ["", "claim", "calls", "prescreen", "schedule", "close"])
def test_a_reference_with_a_nul_is_not_found(world, coordinator_client, action):
    # The path itself: no inquiry has such a reference (on PostgreSQL the lookup raised).
    path = "/admissions/inquiries/HL%00/" + (f"{action}/" if action else "")
    method = coordinator_client.get if not action else coordinator_client.post
    assert method(path).status_code == 404


@pytest.mark.parametrize("action", ["", "/claim", "/calls", "/prescreen"])
def test_an_api_reference_with_a_nul_is_refused(world, coordinator_client, action):
    path = f"{API}/helpline/inquiries/HL%00{action}"
    if action:
        response = coordinator_client.post(path, "{}", content_type="application/json")
    else:
        response = coordinator_client.get(path)
    assert response.status_code == 422
    assert "reference" in [p["field"] for p in response.json()["detail"]]


# Break-glass review and alert resolution ------------------------------------------------


def test_break_glass_review_note(world):
    client = verified_client(world.staff[Role.CLINICAL_DIRECTOR])
    response = client.post(reverse("privacy:review", args=[world.grant.pk]), {"note": NUL})
    assert response.status_code == 422
    assert MESSAGE in response.context["refused_form"].errors["note"]
    assert BreakGlassGrant.objects.get(pk=world.grant.pk).reviewed_at is None


def test_alert_resolution_note(world):
    client = verified_client(world.staff[Role.CLINICAL_DIRECTOR])
    path = reverse("instruments:alert_resolve", args=[world.patient.pk, world.alert.pk])
    response = client.post(path, {"note": NUL})
    assert response.status_code == 422
    assert MESSAGE in response.context["form"].errors["note"]
    assert ClinicalAlert.objects.get(pk=world.alert.pk).resolved_at is None


# Text a view reads without a form -------------------------------------------------------


def test_a_next_address_with_a_control_character_is_not_followed(world):
    client = verified_client(world.staff[Role.CLINICAL_DIRECTOR])
    response = client.get("/accounts/mfa/?next=/patients/%00/")
    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert client.get("/accounts/mfa/?next=/patients/").url == "/patients/"
