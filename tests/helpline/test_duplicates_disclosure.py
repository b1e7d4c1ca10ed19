"""The duplicate check of a conversion tells a coordinator that a match exists, never who.

The attacks a security review found: as an admissions coordinator (404 on the patient's
chart), logging a call with a patient's phone and converting answered 409 with her id,
MRN, name and date of birth, and a name plus birth date found an aftercare patient the
same way; nothing was audited. Attaching the made-up inquiry to a closed patient with
``existing_patient_id`` then gave the coordinator that patient's whole chart for good.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden
from openrecovery.helpline.duplicates import match_token
from openrecovery.helpline.services import (
    ERROR_HIDDEN_MATCH,
    ERROR_NOT_A_MATCH,
    LikelyDuplicates,
    callback_request_create,
    inquiry_claim,
    inquiry_convert,
    inquiry_log_call,
)
from openrecovery.privacy.gates import access_basis
from openrecovery.privacy.models import BreakGlassGrant
from openrecovery.records.choices import Stage
from openrecovery.records.models import CareTeamMember
from tests.support.audit import audit_mark, events_since
from tests.support.factories import discharge, make_patient, verified_client

BASE = "/api/v1/helpline/inquiries"
PHONE = "(555) 010-7788"
BIRTH = dt.date(1971, 3, 14)
REASON = "Caller is in active withdrawal and asks for her doctor now."


@pytest.fixture
def linda(director, counselor):
    """A patient in treatment: the coordinator may not open her chart."""
    return make_patient(
        actor=director,
        stage=Stage.TREATMENT,
        given="Linda",
        family="Burke",
        date_of_birth=BIRTH,
        phone_mobile=PHONE,
        team=[counselor],
    )


@pytest.fixture
def discharged(director):
    """A patient whose episodes are all closed: no coordinator covers her."""
    patient = make_patient(actor=director, stage=Stage.TREATMENT, phone_mobile=PHONE)
    discharge(patient, actor=director, reason="Completed care", discharge_type="completed")
    return patient


def _call(coordinator, phone=PHONE):
    data = {"name": "Caller", "phone": phone, "for_whom": "myself", "consent": True}
    return inquiry_log_call(actor=coordinator, data=data)


def _body(clinician, given="Jordan", family="Okafor", birth="1980-01-01", **extra):
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": birth,
        "sex_at_birth": "female",
        "scheduled_for": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "clinician_id": clinician.pk,
        **extra,
    }


def _identifying(patient) -> list[str]:
    return [
        patient.mrn,
        patient.legal_given_name,
        patient.legal_family_name,
        patient.date_of_birth.isoformat(),
    ]


def test_a_phone_match_outside_the_gate_is_reported_without_identifying_her(
    coordinator, counselor, linda
):
    client = verified_client(coordinator)
    assert client.get(reverse("chart:chart", args=[linda.pk])).status_code == 404
    inquiry = _call(coordinator)
    mark = audit_mark()
    response = client.post(
        f"{BASE}/{inquiry.reference}/convert", _body(counselor), content_type="application/json"
    )
    assert response.status_code == 409
    [match] = response.json()["duplicates"]
    assert match == {
        "match": match_token(inquiry, linda.pk),
        "basis": ["phone"],
        "visible": False,
        "id": None,
        "mrn": None,
        "display_name": None,
        "date_of_birth": None,
    }
    assert not [v for v in _identifying(linda) if v in response.content.decode()]
    [shown] = events_since(mark, object_type="duplicate_match")
    assert (shown.action, shown.actor_id, shown.patient_id) == (
        Action.SEARCH,
        coordinator.pk,
        linda.pk,
    )
    assert shown.detail == {"basis": ["phone"], "disclosed": False}


def test_a_name_and_birth_date_probe_finds_only_that_a_record_exists(
    coordinator, counselor, director
):
    aftercare = make_patient(
        actor=director, stage=Stage.AFTERCARE, given="Robin", family="Hale", date_of_birth=BIRTH
    )
    inquiry = _call(coordinator, phone="(555) 010-0000")
    with pytest.raises(LikelyDuplicates) as found:
        inquiry_convert(
            actor=coordinator,
            inquiry_id=inquiry.pk,
            given_name="Robin",
            family_name="Hale",
            date_of_birth=BIRTH,
            sex_at_birth="female",
            scheduled_for=timezone.now() + dt.timedelta(days=1),
            clinician=counselor,
        )
    body = found.value.extra_fields()
    assert body["duplicates"][0]["basis"] == ["name_and_birth_date"]
    assert not [v for v in _identifying(aftercare) if v in str(body)]
    assert AuditEvent.objects.filter(
        object_type="duplicate_match", patient_id=aftercare.pk, detail__disclosed=False
    ).exists()


def test_the_schedule_form_shows_a_hidden_match_without_her_details(coordinator, counselor, linda):
    inquiry = _call(coordinator)
    client = verified_client(coordinator)
    form = {
        "given_name": "Jordan",
        "family_name": "Okafor",
        "date_of_birth": "1980-01-01",
        "sex_at_birth": "female",
        "date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "time": "10:00",
        "clinician": counselor.pk,
    }
    response = client.post(reverse("helpline:console:schedule", args=[inquiry.reference]), form)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Attach to a record you cannot see (same phone number)" in page
    assert f'value="match:{match_token(inquiry, linda.pk)}"' in page
    assert "Emergency reason" in page
    assert not [v for v in _identifying(linda) if v in page]


def test_a_made_up_inquiry_cannot_readmit_a_closed_patient_by_id(
    coordinator, counselor, discharged
):
    inquiry = _call(coordinator)
    client = verified_client(coordinator)
    url = f"{BASE}/{inquiry.reference}/convert"
    body = _body(counselor, existing_patient_id=discharged.pk)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "existing_patient_id", "message": ERROR_NOT_A_MATCH}
    ]
    # The same answer as for an id that is no match at all.
    unknown = client.post(
        url,
        _body(counselor, existing_patient_id=discharged.pk + 999),
        content_type="application/json",
    )
    assert unknown.json() == response.json()
    assert discharged.episodes.filter(ended_at__isnull=True).count() == 0
    assert client.get(reverse("chart:chart", args=[discharged.pk])).status_code == 404
    assert not CareTeamMember.objects.filter(patient=discharged, user=coordinator).exists()


def test_attaching_to_a_hidden_match_needs_a_stated_emergency(coordinator, counselor, discharged):
    inquiry = _call(coordinator)
    token = match_token(inquiry, discharged.pk)
    common = {
        "actor": coordinator,
        "inquiry_id": inquiry.pk,
        "given_name": "Jordan",
        "family_name": "Okafor",
        "date_of_birth": dt.date(1980, 1, 1),
        "sex_at_birth": "female",
        "scheduled_for": timezone.now() + dt.timedelta(days=1),
        "clinician": counselor,
        "existing_match": token,
    }
    with pytest.raises(ValidationError) as refused:
        inquiry_convert(**common)
    assert refused.value.message_dict == {"emergency_reason": [ERROR_HIDDEN_MATCH]}
    with pytest.raises(ValidationError) as short:
        inquiry_convert(**common, emergency_reason="urgent")
    assert "emergency_reason" in short.value.message_dict
    assert not BreakGlassGrant.objects.exists()
    with pytest.raises(ValidationError) as wrong:
        inquiry_convert(**common | {"existing_match": "0" * 24}, emergency_reason=REASON)
    assert wrong.value.message_dict == {"existing_match": [ERROR_NOT_A_MATCH]}


def test_an_emergency_attach_opens_flagged_access_and_adds_nobody_to_the_team(
    coordinator, counselor, discharged
):
    inquiry = _call(coordinator)
    mark = audit_mark()
    disposition = inquiry_convert(
        actor=coordinator,
        inquiry_id=inquiry.pk,
        given_name="Jordan",
        family_name="Okafor",
        date_of_birth=dt.date(1980, 1, 1),
        sex_at_birth="female",
        scheduled_for=timezone.now() + dt.timedelta(days=1),
        clinician=counselor,
        existing_match=match_token(inquiry, discharged.pk),
        emergency_reason=REASON,
    )
    assert disposition.inquiry.patient == discharged
    grant = BreakGlassGrant.objects.get(user=coordinator, patient=discharged)
    assert grant.reason == REASON
    assert events_since(mark, action=Action.BREAK_GLASS)[0].flagged
    assert not CareTeamMember.objects.filter(
        patient=discharged, user__in=[coordinator, counselor]
    ).exists()
    converted = [e for e in events_since(mark, object_type="inquiry") if "disposition" in e.detail]
    assert converted[-1].flagged and converted[-1].detail["emergency"] is True


def test_someone_who_may_see_the_match_is_shown_who_it_is(director, counselor, linda):
    inquiry = inquiry_claim(actor=director, inquiry_id=_call_as_director(director).pk)
    with pytest.raises(LikelyDuplicates) as found:
        inquiry_convert(
            actor=director,
            inquiry_id=inquiry.pk,
            given_name="Linda",
            family_name="Burke",
            date_of_birth=BIRTH,
            sex_at_birth="female",
            scheduled_for=timezone.now() + dt.timedelta(days=1),
            clinician=counselor,
        )
    [match] = found.value.extra_fields()["duplicates"]
    assert (match["visible"], match["id"], match["mrn"]) == (True, linda.pk, linda.mrn)
    assert match["basis"] == ["name_and_birth_date", "phone"]
    assert access_basis(director, linda) is not None
    assert AuditEvent.objects.filter(
        object_type="duplicate_match", patient_id=linda.pk, detail__disclosed=True
    ).exists()


def _call_as_director(director):
    return callback_request_create(
        data={"name": "Caller", "phone": PHONE, "for_whom": "myself", "consent": True},
        source_ip="198.51.100.3",
    )


def test_a_role_without_break_glass_cannot_attach_in_an_emergency(
    coordinator, counselor, discharged, monkeypatch
):
    inquiry = _call(coordinator)
    monkeypatch.setattr(
        type(coordinator), "has_perm", lambda self, perm: perm != "privacy.break_glass"
    )
    with pytest.raises(Forbidden):
        inquiry_convert(
            actor=coordinator,
            inquiry_id=inquiry.pk,
            given_name="Jordan",
            family_name="Okafor",
            date_of_birth=dt.date(1980, 1, 1),
            sex_at_birth="female",
            scheduled_for=timezone.now() + dt.timedelta(days=1),
            clinician=counselor,
            existing_match=match_token(inquiry, discharged.pk),
            emergency_reason=REASON,
        )
    assert not AuditEvent.objects.filter(
        action=Action.BREAK_GLASS, outcome=Outcome.SUCCESS
    ).exists()
