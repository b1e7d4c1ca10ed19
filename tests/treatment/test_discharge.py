"""Discharge summaries: against-advice rules, the snapshot, closing the episode."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openrecovery.core.errors import StateConflict
from openrecovery.records.models import EpisodeOfCare
from openrecovery.safety.models import RiskAssessment
from openrecovery.treatment.models import DischargeSummary
from openrecovery.treatment.services import discharge as svc
from tests.support.factories import verified_client


def draft(actor, episode, **extra):
    fields = {"reason": "completed", "course": "Tapered off clonazepam; 28 days residential."}
    fields.update(extra)
    return svc.discharge_save(actor=actor, episode=episode, **fields)


def test_signing_keeps_the_snapshot_and_closes_the_episode(counselor, episode, patient):
    RiskAssessment.objects.create(
        patient=patient,
        level="low",
        assessed_at=timezone.now(),
        assessed_by=counselor,
        source_type="test",
        source_id="1",
    )
    summary = svc.discharge_sign(actor=counselor, summary=draft(counselor, episode))
    assert summary.status == "signed" and summary.risk_level == "low"
    assert [s["code"] for s in summary.scores] == ["phq9", "gad7", "bam"]
    episode = EpisodeOfCare.objects.get(pk=episode.pk)
    assert episode.stage == "closed" and episode.discharge_type == "completed"
    with pytest.raises(StateConflict):
        draft(counselor, episode)


@pytest.mark.parametrize(
    ("risks", "crisis", "missing"),
    [(False, True, svc.ERROR_AMA_RISKS), (True, False, svc.ERROR_AMA_CRISIS)],
)
def test_against_advice_needs_risks_explained_and_crisis_numbers_given(
    counselor, episode, risks, crisis, missing
):
    summary = draft(
        counselor,
        episode,
        reason="against_advice",
        risks_explained=risks,
        crisis_resources_given=crisis,
    )
    with pytest.raises(ValidationError) as caught:
        svc.discharge_sign(actor=counselor, summary=summary)
    assert missing in str(caught.value)
    assert EpisodeOfCare.objects.get(pk=episode.pk).ended_at is None
    assert DischargeSummary.objects.get(pk=summary.pk).status == "draft"


def test_against_advice_with_both_recorded_closes_as_against_advice(counselor, episode):
    summary = draft(
        counselor,
        episode,
        reason="against_advice",
        risks_explained=True,
        crisis_resources_given=True,
    )
    svc.discharge_sign(actor=counselor, summary=summary)
    assert EpisodeOfCare.objects.get(pk=episode.pk).discharge_type == "against_advice"


def test_transfer_closes_as_referred_out(counselor, episode):
    svc.discharge_sign(actor=counselor, summary=draft(counselor, episode, reason="transferred"))
    assert EpisodeOfCare.objects.get(pk=episode.pk).discharge_type == "referred_out"


def test_a_course_is_required(counselor, episode):
    with pytest.raises(ValidationError, match="course of treatment"):
        svc.discharge_sign(actor=counselor, summary=draft(counselor, episode, course=" "))


def test_a_recent_high_risk_needs_a_safety_plan_or_the_reason(counselor, episode, patient):
    RiskAssessment.objects.create(
        patient=patient,
        episode=episode,
        level="high",
        assessed_at=timezone.now(),
        assessed_by=counselor,
        source_type="test",
        source_id="1",
    )
    summary = draft(counselor, episode)
    with pytest.raises(ValidationError):
        svc.discharge_sign(actor=counselor, summary=summary)
    assert DischargeSummary.objects.get(pk=summary.pk).status == "draft"
    svc.discharge_sign(
        actor=counselor, summary=summary, no_plan_reason="Patient refused to make one"
    )
    assert EpisodeOfCare.objects.get(pk=episode.pk).ended_at is not None


def test_the_page_signs_and_then_shows_the_signed_summary(counselor, patient, episode):
    client = verified_client(counselor)
    url = reverse("treatment:discharge", args=[patient.pk])
    page = client.get(url).content.decode()
    assert "1-800-662-4357" in page and "988" in page
    response = client.post(
        url, {"reason": "against_advice", "course": "Left on day 5.", "action": "sign"}
    )
    assert response.status_code == 422 and svc.ERROR_AMA_RISKS in response.content.decode()
    assert not DischargeSummary.objects.exists()  # a refused signature saves nothing
    response = client.post(
        url,
        {
            "reason": "against_advice",
            "course": "Left on day 5.",
            "risks_explained": "on",
            "crisis_resources_given": "on",
            "action": "sign",
        },
        follow=True,
    )
    assert "the episode is closed" in response.content.decode()
    assert "Left on day 5." in client.get(url).content.decode()
