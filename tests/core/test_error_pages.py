"""Error pages in production mode: no traceback, no PHI, unknown and hidden look the same."""

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings

from openrecovery.accounts.roles import Role
from openrecovery.privacy.models import BreakGlassGrant
from openrecovery.records.choices import Stage
from openrecovery.records.models import (
    CareTeamMember,
    EpisodeOfCare,
    StageTransition,
    TimelineEvent,
)
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.pages import page_text

from .urls_boom import BOOM_DETAIL

BOOM_URLCONF = "tests.core.urls_boom"

HUGE_ID = "99999999999999999999"  # beyond any database integer
ERROR_REQUIRED = "This field is required."


@pytest.fixture
def hidden_patient(director):
    """A patient in treatment whose care team is someone other than the counselor fixture."""
    other = make_staff(Role.COUNSELOR, "other_counselor")
    return make_patient(
        actor=director, stage=Stage.TREATMENT, team=[other], given="Hiddengiven", family="Hidden"
    )


def assert_no_phi(body: str, patient) -> None:
    for value in (patient.legal_given_name, patient.legal_family_name, patient.mrn):
        assert value not in body


def test_debug_is_off_in_the_test_settings():
    assert settings.DEBUG is False


@pytest.mark.parametrize("suffix", ["", "print/", "timeline/"])
def test_unknown_and_hidden_patients_get_the_same_404(counselor, hidden_patient, suffix):
    client = verified_client(counselor)
    hidden = client.get(f"/patients/{hidden_patient.pk}/{suffix}")
    unknown = client.get(f"/patients/{hidden_patient.pk + 1000}/{suffix}")
    assert hidden.status_code == unknown.status_code == 404
    assert page_text(hidden) == page_text(unknown)
    assert_no_phi(hidden.content.decode(), hidden_patient)


def test_api_unknown_and_hidden_patients_get_the_same_404(counselor, hidden_patient):
    client = verified_client(counselor)
    hidden = client.get(f"/api/v1/patients/{hidden_patient.pk}")
    unknown = client.get(f"/api/v1/patients/{hidden_patient.pk + 1000}")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content == b'{"detail": "Not found."}'


def test_403_page_carries_no_patient_data(director, hidden_patient):
    editor = make_staff(Role.CONTENT_EDITOR)
    nurse = make_staff(Role.NURSE)
    for user, method, url in [
        (editor, "get", f"/patients/{hidden_patient.pk}/"),
        (editor, "get", f"/patients/{hidden_patient.pk}/print/"),
        (nurse, "post", f"/patients/{hidden_patient.pk}/care-team/"),
    ]:
        response = getattr(verified_client(user), method)(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert_no_phi(body, hidden_patient)
        assert "You do not have access to this page" in body


@override_settings(ROOT_URLCONF=BOOM_URLCONF)
def test_500_page_is_plain_and_self_contained(counselor):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    for leak in [
        "Traceback",
        "RuntimeError",
        BOOM_DETAIL,
        "Boomfamily",
        "secret-db-host",
        settings.SECRET_KEY,
        settings.AUDIT_HMAC_KEY,
        "SECRET_KEY",
        "DATABASES",
        "settings",
        'File "',
    ]:
        assert leak not in body
    # Self-contained: it must render even when static files or templates are what broke.
    for external in ("<link", "<script", "<img", "src=", "/static/", "{%", "{{"):
        assert external not in body
    assert response["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF=BOOM_URLCONF)
def test_500_for_a_signed_in_user_shows_nothing_of_theirs(counselor):
    client = verified_client(counselor, Client(raise_request_exception=False))
    response = client.get("/boom/")
    assert response.status_code == 500
    assert counselor.username not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        f"/patients/{HUGE_ID}/",
        f"/patients/{HUGE_ID}/print/",
        f"/patients/{HUGE_ID}/timeline/",
        "/patients/abc/",
        "/patients/-1/",
        "/patients/1.5/",
        "/no/such/page/",
    ],
)
def test_garbage_ids_in_page_urls_give_404(director, url):
    response = verified_client(director).get(url)
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    "role,url",
    [
        (Role.CLINICAL_DIRECTOR, f"/patients/{HUGE_ID}/stage/"),
        (Role.CLINICAL_DIRECTOR, f"/patients/{HUGE_ID}/care-team/"),
        (Role.CLINICAL_DIRECTOR, f"/patients/{HUGE_ID}/care-team/1/remove/"),
        (Role.CLINICAL_DIRECTOR, f"/break-glass/{HUGE_ID}/review/"),
        (Role.ADMINISTRATOR, f"/accounts/staff/{HUGE_ID}/"),
    ],
)
def test_garbage_ids_in_form_urls_give_404(db, role, url):
    response = verified_client(make_staff(role)).post(url, {"note": "x", "role": "nurse"})
    assert response.status_code == 404


def test_garbage_member_id_on_a_visible_patient_gives_404(director):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[director])
    response = verified_client(director).post(f"/patients/{patient.pk}/care-team/{HUGE_ID}/remove/")
    assert response.status_code == 404
    assert CareTeamMember.objects.filter(patient=patient, active=True).count() == 1


@pytest.mark.parametrize("before", [HUGE_ID, "abc", "-5", ""])
def test_garbage_timeline_cursor_is_ignored(director, before):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[director])
    response = verified_client(director).get(f"/patients/{patient.pk}/timeline/?before={before}")
    assert response.status_code == 200


@pytest.mark.parametrize("patient_id", [HUGE_ID, "0", "-1", "abc", "1.5", "true"])
def test_api_garbage_patient_ids_give_a_client_error(director, patient_id):
    response = verified_client(director).get(f"/api/v1/patients/{patient_id}")
    assert response.status_code in (404, 422)
    assert "Traceback" not in response.content.decode()


def test_audit_report_with_garbage_filter_shows_field_errors(db):
    admin = make_staff(Role.ADMINISTRATOR)
    response = verified_client(admin).get(f"/audit/?patient_id={HUGE_ID}&since=yesterday")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid date." in body
    assert "Ensure this value is less than or equal to" in body


def _stage_state(patient):
    return (
        list(EpisodeOfCare.objects.filter(patient=patient).values_list("stage", "ended_at")),
        StageTransition.objects.filter(episode__patient=patient).count(),
        TimelineEvent.objects.filter(patient=patient).count(),
    )


def test_stage_move_without_reason_shows_field_error_and_changes_nothing(director):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[director])
    before = _stage_state(patient)
    response = verified_client(director).post(
        f"/patients/{patient.pk}/stage/", {"to_stage": Stage.TREATMENT, "reason": ""}
    )
    assert response.status_code == 422
    body = response.content.decode()
    reason_field = re.search(r'<textarea name="reason"[^>]*>', body).group(0)
    assert "is-invalid" in reason_field
    # Once beside the field, once in the summary at the top of the form, linking to it.
    assert body.count(ERROR_REQUIRED) == 2
    assert f'<a class="alert-link" href="#id_reason">Reason: {ERROR_REQUIRED}</a>' in body
    error = f'<div class="invalid-feedback d-block" id="id_reason_error">{ERROR_REQUIRED}</div>'
    assert error in body
    assert 'aria-describedby="id_reason_error"' in reason_field
    assert _stage_state(patient) == before


def test_stage_move_to_a_forbidden_stage_shows_field_error_and_changes_nothing(director):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[director])
    before = _stage_state(patient)
    response = verified_client(director).post(
        f"/patients/{patient.pk}/stage/", {"to_stage": Stage.AFTERCARE, "reason": "Doing well."}
    )
    assert response.status_code == 422
    to_stage_field = re.search(r'<select name="to_stage"[^>]*>', response.content.decode())
    assert "is-invalid" in to_stage_field.group(0)
    assert "Select a valid choice." in response.content.decode()
    assert _stage_state(patient) == before


def test_care_team_add_with_bad_input_changes_nothing(director):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[director])
    before = CareTeamMember.objects.filter(patient=patient).count()
    response = verified_client(director).post(
        f"/patients/{patient.pk}/care-team/", {"user": HUGE_ID, "team_role": "chef"}
    )
    assert response.status_code == 422
    # Each beside its field and in the summary at the top of the form.
    assert response.content.decode().count("Select a valid choice.") == 4
    assert CareTeamMember.objects.filter(patient=patient).count() == before


def test_break_glass_with_short_reason_changes_nothing(counselor, hidden_patient):
    response = verified_client(counselor).post(
        "/break-glass/", {"mrn": hidden_patient.mrn, "reason": "urgent"}
    )
    assert response.status_code == 422
    assert "Ensure this value has at least 15 characters" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
