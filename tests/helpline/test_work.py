"""Staff work on an inquiry: call attempts, pre-screen, disposition, conversion."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.chart.selectors import dashboard_groups
from openrecovery.helpline.choices import InquiryStatus, Urgency
from openrecovery.helpline.services import (
    ERROR_CLAIM_FIRST,
    ERROR_CLOSED,
    ERROR_NOT_A_MATCH,
    ERROR_OPEN_EPISODE,
    InquiryConflict,
    InquiryTaken,
    LikelyDuplicates,
    call_attempt_record,
    disposition_record,
    inquiry_claim,
    inquiry_log_call,
    prescreen_save,
)
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import CareTeamMember
from tests.support.audit import audit_mark, events_since
from tests.support.factories import discharge, make_patient, make_staff
from tests.support.helpline import VALID, callback, convert


@pytest.fixture
def claimed(coordinator):
    inquiry = callback()
    return inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)


def test_work_needs_the_claim(coordinator, coordinator2):
    inquiry = callback()
    with pytest.raises(InquiryConflict, match=ERROR_CLAIM_FIRST):
        call_attempt_record(actor=coordinator, inquiry_id=inquiry.pk, outcome="reached")
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    with pytest.raises(InquiryTaken):
        call_attempt_record(actor=coordinator2, inquiry_id=inquiry.pk, outcome="reached")


def test_first_reached_call_sets_first_contact(coordinator, claimed):
    call_attempt_record(actor=coordinator, inquiry_id=claimed.pk, outcome="no_answer")
    claimed.refresh_from_db()
    assert claimed.first_contact_at is None
    first = call_attempt_record(actor=coordinator, inquiry_id=claimed.pk, outcome="reached")
    call_attempt_record(actor=coordinator, inquiry_id=claimed.pk, outcome="reached")
    claimed.refresh_from_db()
    assert claimed.first_contact_at == first.attempted_at
    assert claimed.call_attempts.count() == 3


def test_bad_outcome_is_refused(coordinator, claimed):
    with pytest.raises(ValidationError):
        call_attempt_record(actor=coordinator, inquiry_id=claimed.pk, outcome="hung_up")


def test_prescreen_sets_urgency_from_danger_rules_and_audits_a_count(coordinator, claimed):
    mark = audit_mark()
    prescreen_save(
        actor=coordinator,
        inquiry_id=claimed.pk,
        answers={
            "substances": [{"substance": "alprazolam", "dose": "2 mg", "frequency": "daily"}],
            "withdrawal_seizures": True,
            "insurance_provider": "Acme Health",
        },
    )
    claimed.refresh_from_db()
    assert claimed.urgency == Urgency.HIGH
    [event] = events_since(mark, action=Action.UPDATE)
    assert event.detail["rules"] == 2  # how many fired, not which: no clinical values
    assert "Acme" not in str(event.detail)
    prescreen_save(actor=coordinator, inquiry_id=claimed.pk, answers={"suicidal_thoughts": True})
    claimed.refresh_from_db()
    assert claimed.urgency == Urgency.URGENT
    assert claimed.prescreen.substances[0]["dose"] == "2 mg"


def test_prescreen_refuses_bad_rows_and_unknown_fields(coordinator, claimed):
    for answers in ({"substances": [{"drug": "x"}]}, {"payment_per_referral": 100}):
        with pytest.raises(ValidationError):
            prescreen_save(actor=coordinator, inquiry_id=claimed.pk, answers=answers)


def test_referral_disposition_closes_the_inquiry(coordinator, claimed):
    with pytest.raises(ValidationError):
        disposition_record(actor=coordinator, inquiry_id=claimed.pk, kind="referred")
    disposition_record(
        actor=coordinator,
        inquiry_id=claimed.pk,
        kind="referred",
        referral_target="findtreatment_gov",
    )
    claimed.refresh_from_db()
    assert (claimed.status, claimed.disposition_kind) == (InquiryStatus.CLOSED, "referred")
    with pytest.raises(InquiryConflict, match=ERROR_CLOSED):
        call_attempt_record(actor=coordinator, inquiry_id=claimed.pk, outcome="reached")


def test_scheduling_goes_through_conversion(coordinator, claimed):
    with pytest.raises(ValidationError):
        disposition_record(actor=coordinator, inquiry_id=claimed.pk, kind="schedule_assessment")


def test_conversion_creates_patient_at_assessment_on_the_clinicians_dashboard(
    coordinator, claimed, counselor
):
    mark = audit_mark()
    disposition = convert(coordinator, claimed, counselor)
    claimed.refresh_from_db()
    patient = claimed.patient
    assert (claimed.status, disposition.clinician) == (InquiryStatus.CLOSED, counselor)
    episode = patient.episodes.get()
    assert episode.stage == Stage.ASSESSMENT
    assert patient.phone_mobile == VALID["phone"]
    assert patient.preferred_name == "Sam"
    groups, _covered = dashboard_groups(counselor)
    assessment = next(g for g in groups if g.stage == Stage.ASSESSMENT)
    assert [e.patient_id for e in assessment.episodes] == [patient.pk]
    assert patient.timeline.filter(kind=TimelineKind.CONTACT, summary__contains=claimed.reference)
    inquiry_events = events_since(mark, object_type="inquiry")
    assert inquiry_events[-1].detail["kind"] == "schedule_assessment"
    assert inquiry_events[-1].patient_id == patient.pk


def test_likely_duplicates_must_be_confirmed(coordinator, director, counselor):
    existing = make_patient(
        actor=director, given="Samantha", family="Rivera", date_of_birth=dt.date(1990, 5, 4)
    )
    first = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    with pytest.raises(LikelyDuplicates) as dup:
        convert(coordinator, first, counselor)
    assert [m.patient for m in dup.value.matches] == [existing]
    assert dup.value.matches[0].basis == ("name_and_birth_date",)
    convert(coordinator, first, counselor, confirm_not_duplicate=True)
    first.refresh_from_db()
    assert first.patient != existing


def test_same_phone_is_a_likely_duplicate(coordinator, director, counselor):
    existing = make_patient(actor=director, phone_mobile=VALID["phone"])
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    with pytest.raises(LikelyDuplicates) as dup:
        convert(coordinator, inquiry, counselor)
    assert [(m.patient, m.basis) for m in dup.value.matches] == [(existing, ("phone",))]


def test_attach_to_an_existing_patient_readmits_them(coordinator, director, counselor):
    existing = make_patient(actor=director, phone_mobile=VALID["phone"])
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    with pytest.raises(InquiryConflict, match=ERROR_OPEN_EPISODE):
        convert(coordinator, inquiry, counselor, existing_patient_id=existing.pk)
    # The director sees every record, so attaches a discharged patient by id.
    discharge(existing, actor=director, reason="test", discharge_type="not_admitted")
    director_inquiry = inquiry_claim(actor=director, inquiry_id=callback().pk)
    convert(director, director_inquiry, counselor, existing_patient_id=existing.pk)
    assert existing.episodes.filter(ended_at__isnull=True).get().stage == Stage.ASSESSMENT
    assert CareTeamMember.objects.filter(patient=existing, user=counselor, active=True).exists()


@pytest.mark.parametrize("which", ["not_a_match", "no_such_patient"])
def test_only_a_likely_match_can_be_attached(coordinator, director, counselor, which):
    stranger = make_patient(actor=director)  # not this person: another name, no phone
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    target = stranger.pk if which == "not_a_match" else stranger.pk + 10_000
    with pytest.raises(ValidationError) as refused:
        convert(coordinator, inquiry, counselor, existing_patient_id=target)
    # The same answer whether or not the id exists: no way to probe for records.
    assert refused.value.message_dict == {"existing_patient_id": [ERROR_NOT_A_MATCH]}
    inquiry.refresh_from_db()
    assert inquiry.closed_at is None and inquiry.patient_id is None
    assert stranger.episodes.count() == 1


def test_clinician_must_be_clinical(coordinator, claimed):
    with pytest.raises(ValidationError):
        convert(coordinator, claimed, make_staff(Role.CONTENT_EDITOR))


def test_phone_call_is_logged_claimed_and_contacted(coordinator):
    inquiry = inquiry_log_call(actor=coordinator, data={**VALID, "consent": False})
    assert (inquiry.source, inquiry.claimed_by) == ("phone", coordinator)
    assert inquiry.first_contact_at == inquiry.received_at
    assert inquiry.consent is True
