"""A CIWA-B of a patient in withdrawal management is judged under the protocol in force."""

import datetime as dt

import pytest
from django.urls import reverse

from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert
from openrecovery.withdrawal.models import CiwabJudgement, Escalation
from openrecovery.withdrawal.services import protocol_current, protocol_revise
from tests.support.factories import make_patient, verified_client
from tests.support.instruments import form_data
from tests.support.withdrawal import ciwab_answers, ciwab_record

pytestmark = pytest.mark.django_db


def test_answers_helper_splits_the_subtotals():
    answers = ciwab_answers(23, 5)
    assert len(answers) == 20 and sum(answers[:17]) == 23 and sum(answers[17:]) == 5


@pytest.mark.parametrize(
    ("total", "band", "hours"),
    [
        (0, "none", 8),
        (12, "mild", 4),
        (30, "moderate", 2),
        (45, "severe", 1),
        (70, "very_severe", 1),
    ],
)
def test_the_next_one_is_due_after_the_bands_interval(patient, nurse, total, band, hours):
    result = ciwab_record(patient, nurse, total=total, observer=min(total, 6))
    judgement = CiwabJudgement.objects.get(administration=result.administration)
    assert judgement.band == band == result.administration.band
    given = result.administration.administered_at
    assert judgement.next_due_at == given + dt.timedelta(hours=hours)
    assert judgement.protocol == protocol_current()
    assert result.follow_up.answer == {"next_due_at": judgement.next_due_at, "protocol_version": 1}


def test_a_severe_band_alerts_the_physician_on_call_for_a_review(
    patient, nurse, physician, on_call
):
    result = ciwab_record(patient, nurse, total=45, observer=6)
    [alert] = result.follow_up.alerts
    assert alert.recipient == physician and alert.kind == "withdrawal_ciwab"
    assert "patient-rated 39, observer-rated 6" in alert.message
    assert "pausing or slowing the taper" in alert.message
    assert "higher level of care" in alert.message
    assert "does not set a dose" in alert.message
    escalation = Escalation.objects.get(pk=alert.source_id)
    assert escalation.reasons == ["severe_band"] and escalation.protocol.version == 1
    assert escalation.fallback is False


def test_a_mild_score_alerts_nobody(patient, nurse, on_call):
    result = ciwab_record(patient, nurse, total=12)
    assert result.follow_up.alerts == [] and not ClinicalAlert.objects.exists()


def test_a_rise_of_ten_points_alerts(patient, nurse, physician, on_call):
    ciwab_record(patient, nurse, total=5)
    quiet = ciwab_record(patient, nurse, total=14)  # +9
    assert quiet.follow_up.alerts == []
    [alert] = ciwab_record(patient, nurse, total=24).follow_up.alerts  # +10
    assert "up 10 points since the last" in alert.message
    assert Escalation.objects.get().reasons == ["rise"]


def test_the_rise_threshold_is_the_protocols(patient, nurse, director, on_call):
    protocol_revise(actor=director, reason="Tighter watch", rise_threshold=5)
    ciwab_record(patient, nurse, total=5)
    [alert] = ciwab_record(patient, nurse, total=10).follow_up.alerts
    assert Escalation.objects.get().protocol.version == 2
    assert alert.kind == "withdrawal_ciwab"


def test_severe_and_rising_is_one_alert_with_both_reasons(patient, nurse, on_call):
    ciwab_record(patient, nurse, total=30)
    [alert] = ciwab_record(patient, nurse, total=45).follow_up.alerts
    assert Escalation.objects.get().reasons == ["severe_band", "rise"]


def test_no_one_on_call_falls_back_to_the_clinical_director(patient, nurse, director):
    [alert] = ciwab_record(patient, nurse, total=45).follow_up.alerts
    assert alert.recipient == director
    assert Escalation.objects.get().fallback is True


def test_a_patient_at_another_stage_is_not_judged(director, nurse):
    other = make_patient(actor=director, stage=Stage.TREATMENT, team=[nurse])
    result = ciwab_record(other, nurse, total=45)
    assert result.follow_up.answer == {} and result.follow_up.alerts == []
    assert not CiwabJudgement.objects.exists()


def test_the_form_says_who_was_alerted_and_what_to_consider(patient, nurse, physician, on_call):
    url = reverse("instruments:administer", args=[patient.pk, "ciwab"])
    response = verified_client(nurse).post(
        url, form_data("ciwab", ciwab_answers(40, 5)), follow=True
    )
    body = response.content.decode()
    assert "The physician on call was alerted for a clinician review" in body
    assert "consider pausing or slowing the taper and a higher level of care" in body
    # Not the suicide-risk flag's words: this alert did not go to the care team.
    assert "urgent alert was sent to the patient&#x27;s care team" not in body
