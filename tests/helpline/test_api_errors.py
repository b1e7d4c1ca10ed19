"""The helpline endpoints answer the services' typed errors in their documented shapes."""

import datetime as dt

from django.utils import timezone

from openrecovery.core.errors import ERROR_RATE_LIMITED, ERROR_TOO_LARGE
from openrecovery.helpline.duplicates import match_token
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.services import (
    ERROR_CLOSED,
    ERROR_DUPLICATES,
    ERROR_OPEN_EPISODE,
    inquiry_claim,
)
from openrecovery.records.models import Patient
from tests.support.factories import make_patient, verified_client
from tests.support.helpline import CONVERTED_PERSON, VALID, callback

BASE = "/api/v1/helpline/inquiries"


def _convert_body(clinician, **extra):
    return {
        **CONVERTED_PERSON,
        "scheduled_for": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "clinician_id": clinician.pk,
        **extra,
    }


def test_likely_duplicates_are_409_listing_them(coordinator, director, counselor):
    twin = make_patient(
        actor=director, given="Samantha", family="Rivera", date_of_birth=dt.date(1990, 5, 4)
    )
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    client = verified_client(coordinator)
    url = f"{BASE}/{inquiry.reference}/convert"
    response = client.post(url, _convert_body(counselor), content_type="application/json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": ERROR_DUPLICATES,
        "duplicates": [
            {
                "match": match_token(inquiry, twin.pk),
                "basis": ["name_and_birth_date"],
                "visible": True,
                "id": twin.pk,
                "mrn": twin.mrn,
                "display_name": twin.display_name,
                "date_of_birth": "1990-05-04",
            }
        ],
    }
    assert Patient.objects.count() == 1
    # Attaching to the twin, who still has an open episode, is a conflict too.
    body = _convert_body(counselor, existing_patient_id=twin.pk)
    response = client.post(url, body, content_type="application/json")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": ERROR_OPEN_EPISODE, "claimed_by": None},
    )


def test_convert_answers_the_new_patient_and_episode(coordinator, counselor):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    response = verified_client(coordinator).post(
        f"{BASE}/{inquiry.reference}/convert",
        _convert_body(counselor),
        content_type="application/json",
    )
    assert response.status_code == 201
    patient = Patient.objects.get()
    episode = patient.episodes.get()
    assert response.json() == {
        "patient_id": patient.pk,
        "mrn": patient.mrn,
        "episode_id": episode.pk,
        "stage": "assessment",
    }


def test_work_on_a_closed_inquiry_is_409(coordinator):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    client = verified_client(coordinator)
    ref = f"{BASE}/{inquiry.reference}"
    closed = client.post(
        f"{ref}/disposition", {"kind": "not_a_fit"}, content_type="application/json"
    )
    assert closed.status_code == 201 and closed.json()["disposition"]["kind"] == "not_a_fit"
    response = client.post(f"{ref}/calls", {"outcome": "reached"}, content_type="application/json")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": ERROR_CLOSED, "claimed_by": None},
    )


def test_a_service_field_error_is_422_naming_the_field(coordinator):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    response = verified_client(coordinator).post(
        f"{BASE}/{inquiry.reference}/disposition",
        {"kind": "referred"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "referral_target", "message": "Choose where the person was referred."}]
    }


def test_logging_a_call_without_the_permission_is_404(nurse):
    call = {k: v for k, v in VALID.items() if k != "consent"}  # a caller consents by calling
    response = verified_client(nurse).post(BASE, call, content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert not Inquiry.objects.exists()


def test_callback_refusals_have_their_documented_bodies(db, client, settings):
    url = "/api/v1/helpline/callbacks"
    settings.HELPLINE_MAX_BODY_BYTES = 500
    too_large = client.post(url, {**VALID, "message": "x" * 600}, content_type="application/json")
    assert (too_large.status_code, too_large.json()) == (413, {"detail": ERROR_TOO_LARGE})
    settings.HELPLINE_MAX_BODY_BYTES = 10_000
    settings.HELPLINE_RATE_LIMIT = "1/m"
    assert client.post(url, VALID, content_type="application/json").status_code == 201
    limited = client.post(url, VALID, content_type="application/json")
    retry_after = int(limited["Retry-After"])
    assert (limited.status_code, limited.json()) == (
        429,
        {"detail": ERROR_RATE_LIMITED % retry_after},
    )
    assert Inquiry.objects.count() == 1
