"""An inquiry for someone else (issue 10, point 1): the caller becomes the patient's
contact, never the patient's name or phone."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.helpline.services import (
    ERROR_CALLER_CONSENT,
    ERROR_CALLER_RELATIONSHIP,
    LikelyDuplicates,
    inquiry_claim,
)
from openrecovery.records.models import PatientContact
from tests.support.factories import make_patient, verified_client
from tests.support.helpline import callback
from tests.support.helpline import convert as convert_inquiry

SISTER = {"name": "Jordan K", "phone": "(555) 010-2233", "for_whom": "someone_else"}


BROTHER = {
    "given_name": "Alex",
    "family_name": "Kowalski",
    "date_of_birth": dt.date(1988, 3, 9),
    "sex_at_birth": "male",
}


def convert(actor, inquiry, clinician, **extra):
    return convert_inquiry(actor, inquiry, clinician, **BROTHER, **extra)


def test_the_sisters_alias_and_phone_do_not_become_the_brothers(coordinator, counselor):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(**SISTER).pk)
    convert(coordinator, inquiry, counselor, caller_relationship="sister")
    inquiry.refresh_from_db()
    patient = inquiry.patient
    assert patient.display_name == "Alex Kowalski"
    assert patient.preferred_name == "" and patient.phone_mobile == ""
    contact = PatientContact.objects.get(patient=patient)
    assert (contact.name, contact.relationship, contact.phone) == (
        "Jordan K",
        "sister",
        "(555) 010-2233",
    )
    assert contact.may_be_told is False and inquiry.reference in contact.source


def test_the_patients_own_phone_is_kept_and_may_be_told_needs_consent(coordinator, counselor):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(**SISTER).pk)
    with pytest.raises(ValidationError) as refused:
        convert(coordinator, inquiry, counselor, caller_may_be_told=True)
    assert refused.value.message_dict == {
        "caller_relationship": [ERROR_CALLER_RELATIONSHIP],
        "caller_consent_note": [ERROR_CALLER_CONSENT],
    }
    convert(
        coordinator,
        inquiry,
        counselor,
        caller_relationship="sister",
        caller_may_be_told=True,
        caller_consent_note="Alex agreed on the phone; consent form to sign at assessment",
        patient_phone="555-010-7788",
    )
    inquiry.refresh_from_db()
    assert inquiry.patient.phone_mobile == "555-010-7788"
    assert inquiry.patient.contacts.get().may_be_told is True


def test_the_callers_phone_is_not_a_reason_to_offer_a_duplicate(coordinator, director, counselor):
    # The sister is a patient herself: her number must not make her brother "a match".
    make_patient(actor=director, given="Jordan", family="Kowalski", phone_mobile=SISTER["phone"])
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(**SISTER).pk)
    convert(coordinator, inquiry, counselor, caller_relationship="sister")  # no LikelyDuplicates
    inquiry.refresh_from_db()
    assert inquiry.patient.display_name == "Alex Kowalski"


def test_for_myself_the_alias_is_still_the_preferred_name(coordinator, director, counselor):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(name="Lex").pk)
    convert(coordinator, inquiry, counselor)
    inquiry.refresh_from_db()
    assert inquiry.patient.display_name == "Lex Kowalski"
    assert not inquiry.patient.contacts.exists()
    make_patient(actor=director, phone_mobile="555-010-0001")
    same_phone = inquiry_claim(actor=coordinator, inquiry_id=callback(phone="555-010-0001").pk)
    with pytest.raises(LikelyDuplicates):
        convert(coordinator, same_phone, counselor)


def test_the_schedule_form_asks_for_the_patients_names_and_the_caller_as_contact(
    coordinator, counselor
):
    client = verified_client(coordinator)
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(**SISTER).pk)
    url = f"/admissions/inquiries/{inquiry.reference}/"
    page = client.get(url).content.decode()
    assert "Patient&#x27;s legal given name" in page
    assert 'id="caller-contact"' in page and 'name="caller_relationship"' in page
    when = timezone.localtime() + dt.timedelta(days=2)
    data = {
        "given_name": "Alex",
        "family_name": "Kowalski",
        "date_of_birth": "1988-03-09",
        "sex_at_birth": "male",
        "date": when.date().isoformat(),
        "time": "10:30",
        "clinician": str(counselor.pk),
    }
    refused = client.post(url + "schedule/", data)
    assert refused.status_code == 422 and not PatientContact.objects.exists()
    response = client.post(url + "schedule/", {**data, "caller_relationship": "sister"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.patient.display_name == "Alex Kowalski"
    assert inquiry.patient.contacts.get().relationship == "sister"


def test_myself_inquiries_show_no_caller_fields(coordinator):
    client = verified_client(coordinator)
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    page = client.get(f"/admissions/inquiries/{inquiry.reference}/").content.decode()
    assert 'name="caller_relationship"' not in page


def test_the_api_takes_the_caller_as_contact(coordinator, counselor):
    client = verified_client(coordinator)
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(**SISTER).pk)
    body = {
        "given_name": "Alex",
        "family_name": "Kowalski",
        "date_of_birth": "1988-03-09",
        "sex_at_birth": "male",
        "scheduled_for": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "clinician_id": counselor.pk,
        "caller_relationship": "sister",
    }
    url = f"/api/v1/helpline/inquiries/{inquiry.reference}/convert"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    contact = PatientContact.objects.get(patient_id=response.json()["patient_id"])
    assert contact.name == "Jordan K"


def test_the_chart_timeline_shows_the_caller_as_a_contact_to_tell_nothing(coordinator, counselor):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(**SISTER).pk)
    convert(coordinator, inquiry, counselor, caller_relationship="sister")
    inquiry.refresh_from_db()
    body = verified_client(counselor).get(f"/patients/{inquiry.patient.pk}/").content.decode()
    assert "caller Jordan K (sister) is a contact: tell nothing" in body
