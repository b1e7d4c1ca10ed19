"""Vital signs: impossible readings refused with a clear message; out-of-limit ones flagged."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden
from openrecovery.records.models import ClinicalAlert, TimelineEvent
from openrecovery.withdrawal.models import Escalation, VitalSigns
from openrecovery.withdrawal.services import protocol_revise, vitals_record
from tests.support.factories import make_staff, verified_client

pytestmark = pytest.mark.django_db

NORMAL = {
    "systolic": "120", "diastolic": "80", "heart_rate": "80", "temperature": "36.8",
    "respiratory_rate": "16", "spo2": "98",
}  # fmt: skip


def test_normal_readings_are_saved_unflagged(patient, nurse, on_call):
    vitals, alerts = vitals_record(actor=nurse, patient=patient, values=NORMAL)
    assert (vitals.systolic, vitals.diastolic, str(vitals.temperature)) == (120, 80, "36.8")
    assert vitals.beyond_limits == [] and alerts == [] and vitals.protocol.version == 1
    event = AuditEvent.objects.filter(object_type="vital_signs").get()
    assert event.detail == {"protocol_version": 1, "flagged": 0}
    assert TimelineEvent.objects.filter(
        patient=patient, summary__startswith="Vital signs: BP 120/80"
    )


@pytest.mark.parametrize(
    ("sign", "value", "message"),
    [
        ("heart_rate", "400", "400 is not a possible heart rate (20 to 250)"),
        ("systolic", "12", "12 is not a possible systolic blood pressure (40 to 300)"),
        ("temperature", "98.6", "98.6 is not a possible temperature (25 to 45)"),
        ("spo2", "101", "101 is not a possible spo2 (50 to 100)"),
        ("respiratory_rate", "0", "0 is not a possible respiratory rate (3 to 80)"),
        ("heart_rate", "eighty", "Enter the heart rate as a number."),
        ("heart_rate", "80.5", "Enter the heart rate as a number."),
        ("heart_rate", "nan", "Enter the heart rate as a number."),
        ("spo2", "", "Enter the spo2."),
    ],
)
def test_impossible_readings_are_refused_and_nothing_is_saved(patient, nurse, sign, value, message):
    before = AuditEvent.objects.count(), TimelineEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        vitals_record(actor=nurse, patient=patient, values={**NORMAL, sign: value})
    [text] = refused.value.message_dict[sign]
    assert text.startswith(message)
    assert not VitalSigns.objects.exists()
    assert (AuditEvent.objects.count(), TimelineEvent.objects.count()) == before


def test_diastolic_above_systolic_is_refused(patient, nurse):
    with pytest.raises(ValidationError) as refused:
        vitals_record(
            actor=nurse, patient=patient, values={**NORMAL, "diastolic": "130", "systolic": "120"}
        )
    assert "below the systolic" in refused.value.message_dict["diastolic"][0]


def test_out_of_limit_readings_are_saved_flagged_and_alert(patient, nurse, physician, on_call):
    vitals, [alert] = vitals_record(
        actor=nurse, patient=patient, values={**NORMAL, "heart_rate": "128", "temperature": "38.6"}
    )
    assert vitals.beyond_limits == ["heart_rate", "temperature"]
    assert alert.recipient == physician and alert.kind == "withdrawal_vitals"
    assert "heart rate, temperature" in alert.message and "HR 128" in alert.message
    escalation = Escalation.objects.get(pk=alert.source_id)
    assert escalation.vitals == vitals and escalation.reasons == ["vitals"]


def test_the_limits_are_the_protocols_and_inclusive(patient, nurse, director, on_call):
    vitals, alerts = vitals_record(
        actor=nurse, patient=patient, values={**NORMAL, "heart_rate": "110"}
    )
    assert vitals.beyond_limits == [] and alerts == []
    limits = {k: dict(v) for k, v in vitals.protocol.vital_limits.items()}
    limits["heart_rate"]["high"] = 100
    protocol_revise(actor=director, reason="Lower pulse limit", vital_limits=limits)
    vitals, alerts = vitals_record(
        actor=nurse, patient=patient, values={**NORMAL, "heart_rate": "110"}
    )
    assert vitals.beyond_limits == ["heart_rate"] and vitals.protocol.version == 2
    assert len(alerts) == 1


def test_a_counselor_may_not_record_vitals(patient):
    counselor = make_staff(Role.COUNSELOR)
    with pytest.raises(Forbidden):
        vitals_record(actor=counselor, patient=patient, values=NORMAL)


def test_the_form_refuses_with_a_clear_message(patient, nurse):
    url = reverse("withdrawal:patient", args=[patient.pk])
    response = verified_client(nurse).post(url, {"action": "vitals", **NORMAL, "heart_rate": "400"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "400 is not a possible heart rate (20 to 250); check the reading." in body
    assert "Nothing was saved" in body and not VitalSigns.objects.exists()


def test_the_form_saves_and_says_what_is_flagged(patient, nurse, on_call):
    url = reverse("withdrawal:patient", args=[patient.pk])
    client = verified_client(nurse)
    response = client.post(url, {"action": "vitals", **NORMAL, "spo2": "88"}, follow=True)
    body = response.content.decode()
    assert "Vital signs saved" in body and "Beyond the protocol&#x27;s limits: SpO2 (%)" in body
    assert "The physician on call was alerted." in body
    assert ClinicalAlert.objects.filter(kind="withdrawal_vitals").count() == 1


def test_the_page_passes_the_gate(patient):
    counselor = make_staff(Role.COUNSELOR)
    url = reverse("withdrawal:patient", args=[patient.pk])
    assert verified_client(counselor).get(url).status_code == 404
    denied = AuditEvent.objects.filter(action="access_denied").latest("id")
    assert denied.object_type == "withdrawal_observations"
