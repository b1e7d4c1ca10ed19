"""Referrals to psychiatry and primary care, recorded on the plan with their outcome."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openrecovery.core.errors import StateConflict
from openrecovery.treatment.models import Referral
from openrecovery.treatment.services import referrals as svc
from tests.support.factories import verified_client


def test_a_referral_is_booked_attended_and_then_closed(counselor, episode):
    referral = svc.referral_create(
        actor=counselor,
        episode=episode,
        specialty="psychiatry",
        to_whom="Dr. Example",
        reason="Insomnia",
    )
    assert referral.status == "requested"
    with pytest.raises(ValidationError, match="date and time"):
        svc.referral_update(actor=counselor, referral=referral, status="scheduled")
    svc.referral_update(
        actor=counselor, referral=referral, status="scheduled", appointment_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="what came of it"):
        svc.referral_update(actor=counselor, referral=referral, status="attended")
    done = svc.referral_update(
        actor=counselor, referral=referral, status="attended", outcome="Started sleep hygiene plan"
    )
    assert done.status == "attended" and done.outcome == "Started sleep hygiene plan"
    with pytest.raises(StateConflict):
        svc.referral_update(actor=counselor, referral=referral, status="missed", outcome="x")


def test_referrals_are_recorded_from_the_plan_page(counselor, patient):
    client = verified_client(counselor)
    url = reverse("treatment:plan", args=[patient.pk])
    response = client.post(
        url,
        {
            "action": "referral",
            "specialty": "primary_care",
            "to_whom": "Valley Clinic",
            "reason": "Blood pressure follow-up",
            "appointment_at": "2027-01-10T09:30",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Referral recorded." in page and "Valley Clinic" in page and "Appointment booked" in page
    referral = Referral.objects.get()
    response = client.post(
        url,
        {"action": "referral_update", "referral": referral.pk, "status": "missed", "outcome": ""},
    )
    assert response.status_code == 422 and svc.ERROR_OUTCOME in response.content.decode()
    assert Referral.objects.get().status == "scheduled"
