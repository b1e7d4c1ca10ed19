"""The inquiry page: claim, calls, pre-screen, danger banners, dispositions and conversion."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.helpline.choices import InquiryStatus, Urgency
from openrecovery.helpline.console.forms import ERROR_NEXT_IN_PAST, ERROR_ROW_SUBSTANCE
from openrecovery.helpline.duplicates import match_token
from openrecovery.helpline.models import CallAttempt, Disposition, Inquiry, PreScreen
from openrecovery.helpline.rules import SOURCE_988, SOURCE_SUPERVISED
from openrecovery.helpline.services import (
    ERROR_CLAIM_FIRST,
    ERROR_HIDDEN_MATCH,
    ERROR_OPEN_EPISODE,
    ERROR_REFERRAL_TARGET,
    inquiry_claim,
)
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare, Patient
from tests.support.factories import discharge, make_patient, make_staff, verified_client
from tests.support.helpline import CONVERTED_PERSON


def url(inquiry, action=""):
    return f"/admissions/inquiries/{inquiry.reference}/" + (f"{action}/" if action else "")


PRESCREEN = {
    "substance_rows": "3",
    "substance_0": "alprazolam",
    "dose_0": "2 mg",
    "frequency_0": "three times a day",
    "duration_0": "3 years",
    "last_use_0": "this morning",
    "pregnancy": "no",
    "referral_source": "physician",
    "insurance_provider": "Acme Health",
}


def schedule_data(who, **overrides):
    when = timezone.localtime() + dt.timedelta(days=2)
    return {
        **CONVERTED_PERSON,
        "date": when.date().isoformat(),
        "time": "10:30",
        "clinician": str(who.pk),
        **overrides,
    }


def test_page_shows_the_callback_and_audits_the_read(client_c, inquiry):
    response = client_c.get(url(inquiry))
    body = response.content.decode()
    assert response.status_code == 200
    assert "(555) 010-4477" in body and "Do not leave a voicemail" in body
    assert ">Claim</button>" in body
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="inquiry", object_id=str(inquiry.pk)
    ).exists()


def test_claim_then_the_work_forms_appear(client_c, coordinator, inquiry):
    response = client_c.post(url(inquiry, "claim"), follow=True)
    body = response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.claimed_by == coordinator and inquiry.status == InquiryStatus.CLAIMED
    assert "Release to the queue" in body and 'id="prescreen-form"' in body


def test_a_claim_lost_to_a_colleague_says_who_has_it(coordinator2, claimed, coordinator):
    response = verified_client(coordinator2).post(url(claimed, "claim"))
    body = response.content.decode()
    when = timezone.localtime(claimed.claimed_at).strftime("%H:%M")
    assert response.status_code == 409
    assert f"Taken by {coordinator} at {when}." in body
    claimed.refresh_from_db()
    assert claimed.claimed_by == coordinator
    assert 'id="prescreen-form"' not in body


def test_work_on_someone_elses_inquiry_is_refused_with_409(coordinator2, claimed):
    response = verified_client(coordinator2).post(url(claimed, "calls"), {"outcome": "reached"})
    assert response.status_code == 409
    assert not CallAttempt.objects.exists()


def test_release(client_c, claimed):
    response = client_c.post(url(claimed, "release"))
    assert response.status_code == 302 and response["Location"] == "/admissions/"
    claimed.refresh_from_db()
    assert claimed.claimed_by is None and claimed.status == InquiryStatus.OPEN


def test_release_of_an_unclaimed_inquiry_changes_nothing(client_c, inquiry):
    response = client_c.post(url(inquiry, "release"))
    assert response.status_code == 422
    assert "Only the coordinator who claimed" in response.content.decode()


def test_log_a_call_attempt(client_c, claimed, coordinator):
    nxt = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data = {"outcome": "voicemail", "notes": "Left a short message", "next_attempt_at": nxt}
    response = client_c.post(url(claimed, "calls"), data, follow=True)
    attempt = CallAttempt.objects.get()
    assert (attempt.outcome, attempt.notes, attempt.attempted_by) == (
        "voicemail",
        "Left a short message",
        coordinator,
    )
    assert attempt.next_attempt_at is not None
    assert "Left a voicemail" in response.content.decode()
    claimed.refresh_from_db()
    assert claimed.first_contact_at is None
    client_c.post(url(claimed, "calls"), {"outcome": "reached"})
    claimed.refresh_from_db()
    assert claimed.first_contact_at is not None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "This field is required."),
        ({"outcome": "hung_up"}, "Select a valid choice."),
        ({"outcome": "reached", "next_attempt_at": "2001-01-01T10:00"}, ERROR_NEXT_IN_PAST),
    ],
)
def test_call_attempt_errors_change_nothing(client_c, claimed, data, error):
    response = client_c.post(url(claimed, "calls"), data)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_prescreen_with_seizures_shows_the_banner_with_its_source(client_c, claimed):
    data = {**PRESCREEN, "withdrawal_seizures": "on"}
    response = client_c.post(url(claimed, "prescreen"), data, follow=True)
    body = response.content.decode()
    prescreen = PreScreen.objects.get()
    assert prescreen.withdrawal_seizures and prescreen.referral_source == "physician"
    assert prescreen.substances == [
        {
            "substance": "alprazolam",
            "dose": "2 mg",
            "frequency": "three times a day",
            "duration": "3 years",
            "last_use": "this morning",
        }
    ]
    assert 'data-rule="supervised_withdrawal"' in body and escape(SOURCE_SUPERVISED) in body
    assert 'data-rule="no_abrupt_stop"' in body
    assert 'value="alprazolam"' in body  # the saved rows come back in the form
    claimed.refresh_from_db()
    assert claimed.urgency == Urgency.HIGH


def test_suicidal_thoughts_show_the_988_hand_off(client_c, claimed):
    data = {**PRESCREEN, "suicidal_thoughts": "on", "overdose_signs": "on"}
    body = client_c.post(url(claimed, "prescreen"), data, follow=True).content.decode()
    assert "warm hand-off to the 988" in body and 'href="tel:988"' in body
    assert escape(SOURCE_988) in body
    assert 'data-rule="overdose_911"' in body and "Call 911 now" in body
    claimed.refresh_from_db()
    assert claimed.urgency == Urgency.URGENT


def test_prescreen_has_no_referral_payment_field(client_c, claimed):
    body = client_c.get(url(claimed)).content.decode()
    assert "payment" not in body.split('id="prescreen-form"')[1].split("</form>")[0].replace(
        "no payment is ever made", ""
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({**PRESCREEN, "substance_0": "", "dose_0": "2 mg"}, ERROR_ROW_SUBSTANCE),
        ({**PRESCREEN, "pregnancy": "maybe"}, "Select a valid choice."),
        ({**PRESCREEN, "dose_1": "x" * 101}, "at most 100 characters"),
    ],
)
def test_prescreen_errors_change_nothing(client_c, claimed, data, error):
    response = client_c.post(url(claimed, "prescreen"), data)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not PreScreen.objects.exists()


def test_close_as_referred(client_c, claimed):
    data = {"kind": "referred", "referral_target": "findtreatment_gov", "notes": "Out of area"}
    response = client_c.post(url(claimed, "close"), data, follow=True)
    disposition = Disposition.objects.get()
    assert disposition.referral_target == "findtreatment_gov"
    claimed.refresh_from_db()
    assert claimed.is_closed and claimed.disposition_kind == "referred"
    body = response.content.decode()
    assert "Referred elsewhere: FindTreatment.gov" in body
    assert 'id="close-form"' not in body


@pytest.mark.parametrize("kind", ["not_a_fit", "lost_contact"])
def test_close_without_referral(client_c, claimed, kind):
    assert client_c.post(url(claimed, "close"), {"kind": kind}).status_code == 302
    claimed.refresh_from_db()
    assert claimed.disposition_kind == kind


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "This field is required."),
        ({"kind": "schedule_assessment"}, "Select a valid choice."),
        ({"kind": "referred"}, ERROR_REFERRAL_TARGET),
    ],
)
def test_close_errors_change_nothing(client_c, claimed, data, error):
    response = client_c.post(url(claimed, "close"), data)
    assert response.status_code == 422
    assert error in response.content.decode()
    claimed.refresh_from_db()
    assert not claimed.is_closed and not Disposition.objects.exists()


def test_schedule_converts_and_links_to_the_chart(client_c, claimed, physician):
    response = client_c.post(url(claimed, "schedule"), schedule_data(physician), follow=True)
    patient = Patient.objects.get(legal_family_name="Rivera")
    episode = EpisodeOfCare.objects.get(patient=patient)
    assert episode.stage == Stage.ASSESSMENT
    body = response.content.decode()
    assert f'href="/patients/{patient.pk}/"' in body
    assert "Assessment scheduled for" in body and str(physician) in body
    dashboard = verified_client(physician).get("/").content.decode()
    assert patient.display_name in dashboard


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"given_name": ""}, "This field is required."),
        ({"date": "2001-01-01"}, "Choose a date and time in the future."),
        ({"date_of_birth": "2999-01-01"}, "Enter a date of birth in the past."),
        ({"clinician": "999999"}, "Select a valid choice."),
    ],
)
def test_schedule_errors_change_nothing(client_c, claimed, physician, overrides, error):
    response = client_c.post(url(claimed, "schedule"), schedule_data(physician, **overrides))
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not Patient.objects.exists()


def test_schedule_refuses_a_clinician_without_patients(client_c, claimed, db):
    editor = make_staff(Role.CONTENT_EDITOR)
    response = client_c.post(url(claimed, "schedule"), schedule_data(editor))
    assert response.status_code == 422
    assert not Patient.objects.exists()


@pytest.fixture
def twin(coordinator):
    """A former patient with the same name and date of birth, discharged."""
    director = make_staff(Role.CLINICAL_DIRECTOR)
    patient = make_patient(
        actor=director, given="Samantha", family="Rivera", date_of_birth=dt.date(1990, 5, 4)
    )
    discharge(patient, actor=director, reason="test", discharge_type="not_admitted")
    return patient


def test_likely_duplicates_need_an_explicit_choice(client_c, claimed, physician, twin):
    response = client_c.post(url(claimed, "schedule"), schedule_data(physician))
    body = response.content.decode()
    assert response.status_code == 409
    assert 'name="decision" value="new"' in body
    # The coordinator may not see the discharged twin: a match is shown, not who it is.
    assert f'value="match:{match_token(claimed, twin.pk)}"' in body
    assert twin.mrn not in body
    assert Patient.objects.count() == 1
    claimed.refresh_from_db()
    assert not claimed.is_closed


def test_duplicates_resolved_by_registering_a_new_patient(client_c, claimed, physician, twin):
    data = schedule_data(physician, decision="new")
    assert client_c.post(url(claimed, "schedule"), data).status_code == 302
    assert Patient.objects.filter(legal_family_name="Rivera").count() == 2


def test_duplicates_resolved_by_attaching_to_the_existing_patient(
    client_c, claimed, physician, twin
):
    # Without a stated emergency the hidden match cannot be attached.
    decision = f"match:{match_token(claimed, twin.pk)}"
    refused = client_c.post(url(claimed, "schedule"), schedule_data(physician, decision=decision))
    assert refused.status_code == 422
    assert ERROR_HIDDEN_MATCH in refused.content.decode()
    data = schedule_data(
        physician, decision=decision, emergency_reason="Former patient, in crisis on the line."
    )
    done = client_c.post(url(claimed, "schedule"), data, follow=True)
    assert done.redirect_chain[0][1] == 302
    assert "Nobody was added to the care team under emergency access" in done.content.decode()
    assert Patient.objects.count() == 1
    claimed.refresh_from_db()
    assert claimed.patient == twin
    assert twin.episodes.filter(ended_at__isnull=True, stage=Stage.ASSESSMENT).exists()
    assert not twin.care_team.filter(user=physician).exists()  # nobody joins under break-glass


def test_attaching_to_a_patient_not_listed_is_refused(client_c, claimed, physician, twin):
    other = make_patient(actor=make_staff(Role.CLINICAL_DIRECTOR))
    data = schedule_data(physician, decision=str(other.pk))
    response = client_c.post(url(claimed, "schedule"), data)
    assert response.status_code == 422
    claimed.refresh_from_db()
    assert not claimed.is_closed


def test_unknown_or_malformed_reference_is_404(client_c):
    assert client_c.get("/admissions/inquiries/HL-2222-2222/").status_code == 404
    assert client_c.get("/admissions/inquiries/nonsense/").status_code == 404
    assert client_c.post("/admissions/inquiries/HL-2222-2222/claim/").status_code == 404


def test_reference_is_case_forgiving(client_c, inquiry):
    assert client_c.get(f"/admissions/inquiries/{inquiry.reference.lower()}/").status_code == 200


def test_physician_reads_but_cannot_work(physician, claimed):
    client = verified_client(physician)
    body = client.get(url(claimed)).content.decode()
    assert "Taken by" in body and 'id="prescreen-form"' not in body
    for action in ("claim", "release", "calls", "prescreen", "schedule", "close"):
        assert client.post(url(claimed, action)).status_code == 403


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.CONTENT_EDITOR, Role.ADMINISTRATOR])
def test_roles_without_the_permission_get_403(db, inquiry, role):
    client = verified_client(make_staff(role))
    assert client.get(url(inquiry)).status_code == 403
    assert client.post(url(inquiry, "claim")).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.claimed_by is None


def test_anonymous_is_sent_to_sign_in(inquiry):
    response = Client().post(url(inquiry, "claim"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = Client().get(url(inquiry))
    assert response["Location"].startswith("/accounts/login/")


def test_closed_inquiry_cannot_be_claimed(client_c, coordinator2, claimed):
    client_c.post(url(claimed, "close"), {"kind": "lost_contact"})
    response = verified_client(coordinator2).post(url(claimed, "claim"))
    assert response.status_code == 422
    assert "This inquiry is closed." in response.content.decode()


def test_inquiry_query_count_is_bounded(client_c, claimed, django_assert_max_num_queries):
    client_c.post(url(claimed, "prescreen"), {**PRESCREEN, "withdrawal_seizures": "on"})
    for outcome in ("no_answer", "voicemail", "reached"):
        client_c.post(url(claimed, "calls"), {"outcome": outcome})
    client_c.get(url(claimed))
    with django_assert_max_num_queries(25):
        assert client_c.get(url(claimed)).status_code == 200


def test_inquiry_claim_helper_is_shared(coordinator, inquiry):
    """The page and the API claim through the same service."""
    assert inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk).claimed_by == coordinator
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.CLAIMED


def test_work_on_an_unclaimed_inquiry_says_why_above_the_forms(client_c, inquiry):
    # The page offers no close form before the claim (another tab, a stale page).
    response = client_c.post(url(inquiry, "close"), {"kind": "lost_contact"})
    assert response.status_code == 422
    assert response.context["action_errors"] == [ERROR_CLAIM_FIRST]
    assert f'<div class="alert alert-danger" role="alert"><div>{ERROR_CLAIM_FIRST}</div>' in (
        response.content.decode()
    )
    inquiry.refresh_from_db()
    assert not inquiry.is_closed


def test_attaching_to_a_patient_in_care_says_why(client_c, claimed, physician):
    in_care = make_patient(
        actor=make_staff(Role.CLINICAL_DIRECTOR),
        given="Samantha",
        family="Rivera",
        date_of_birth=dt.date(1990, 5, 4),
    )
    data = schedule_data(physician, decision=str(in_care.pk))
    response = client_c.post(url(claimed, "schedule"), data)
    assert response.status_code == 422
    assert response.context["action_errors"] == [ERROR_OPEN_EPISODE]
    assert escape(ERROR_OPEN_EPISODE) in response.content.decode()
    claimed.refresh_from_db()
    assert not claimed.is_closed and in_care.episodes.count() == 1


def test_prescreen_asks_about_withdrawal_now_and_shows_the_urgent_banner(client_c, claimed):
    page = client_c.get(url(claimed)).content.decode()
    assert 'name="withdrawal_now"' in page and 'name="hours_since_last_dose"' in page
    assert 'name="withdrawal_seizure_or_confusion_now"' in page
    data = {**PRESCREEN, "substance_0": "Klonopin", "withdrawal_now": "on"}
    data["hours_since_last_dose"] = "48"
    body = client_c.post(url(claimed, "prescreen"), data, follow=True).content.decode()
    claimed.refresh_from_db()
    assert claimed.urgency == Urgency.URGENT
    assert 'data-rule="withdrawal_now"' in body and "medical assessment today" in body
    assert "Source: 2025 Joint Clinical Practice Guideline" in body
