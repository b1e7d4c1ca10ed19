"""Withdrawal alerts reach the physician on call, fall back to the director, and go further
when nobody acknowledges them within the protocol's time."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.core.errors import Forbidden
from openrecovery.records.alerts import alert_acknowledge
from openrecovery.records.models import ClinicalAlert
from openrecovery.withdrawal.models import Escalation, OnCallShift
from openrecovery.withdrawal.services import (
    escalation_recipients,
    escalations_reescalate,
    on_call_add,
    protocol_revise,
)
from tests.support.factories import make_staff, verified_client
from tests.support.withdrawal import ciwab_record

pytestmark = pytest.mark.django_db


def severe(patient, nurse):
    [alert] = ciwab_record(patient, nurse, total=45).follow_up.alerts
    return alert


def test_the_on_call_shift_is_half_open(patient, unit, physician, director):
    start = timezone.now().replace(microsecond=0)
    OnCallShift.objects.create(
        unit=unit, physician=physician, starts_at=start, ends_at=start + dt.timedelta(hours=8),
        created_by=director,
    )  # fmt: skip
    assert escalation_recipients(patient, unit, start) == ([physician], False)
    end = start + dt.timedelta(hours=8)
    assert escalation_recipients(patient, unit, end - dt.timedelta(seconds=1))[0] == [physician]
    assert escalation_recipients(patient, unit, end) == ([director], True)
    assert escalation_recipients(patient, unit, start - dt.timedelta(seconds=1)) == (
        [director],
        True,
    )


def test_an_inactive_physician_on_call_falls_back(patient, nurse, physician, director, on_call):
    physician.is_active = False
    physician.save()
    assert severe(patient, nurse).recipient == director


def test_a_patient_on_no_unit_goes_to_the_director(patient, nurse, director, on_call):
    patient.unit_stays.update(ended_at=timezone.now())
    assert severe(patient, nurse).recipient == director
    assert Escalation.objects.get().unit is None


def test_without_any_director_the_care_team_hears(patient, nurse, director):
    director.is_active = False
    director.save()
    assert severe(patient, nurse).recipient == nurse


def test_the_physician_is_re_alerted_to_the_director_after_the_protocols_time(
    patient, nurse, physician, director, on_call
):
    alert = severe(patient, nurse)
    raised = alert.created_at
    assert escalations_reescalate(now=raised + dt.timedelta(minutes=14)) == []
    [copy] = escalations_reescalate(now=raised + dt.timedelta(minutes=16))
    assert copy.recipient == director and copy.kind == "withdrawal_ciwab"
    assert copy.message.startswith("Not acknowledged after 15 minutes. CIWA-B 45")
    assert copy.source_id == alert.source_id
    assert escalations_reescalate(now=raised + dt.timedelta(minutes=40)) == []  # once
    assert Escalation.objects.get().reescalated_at is not None


def test_the_wait_is_the_protocols(patient, nurse, physician, director, on_call):
    protocol_revise(actor=director, reason="Page sooner at night", reescalate_minutes=5)
    alert = severe(patient, nurse)
    assert len(escalations_reescalate(now=alert.created_at + dt.timedelta(minutes=6))) == 1


def test_an_acknowledged_alert_goes_no_further(patient, nurse, physician, director, on_call):
    alert = severe(patient, nurse)
    alert_acknowledge(actor=physician, alert=alert)
    assert escalations_reescalate(now=alert.created_at + dt.timedelta(minutes=30)) == []
    assert Escalation.objects.get().settled_at is not None
    assert Escalation.objects.get().reescalated_at is None


def test_a_fallback_alert_goes_to_every_physician_next(patient, nurse, director):
    alert = severe(patient, nurse)  # no one on call: the director has it
    physicians = [make_staff(Role.PHYSICIAN), make_staff(Role.PHYSICIAN)]
    copies = escalations_reescalate(now=alert.created_at + dt.timedelta(minutes=16))
    assert {c.recipient for c in copies} == set(physicians)


def test_the_command_re_escalates_and_says_how_many(patient, nurse, physician, director, on_call):
    severe(patient, nurse)
    Escalation.objects.update(raised_at=timezone.now() - dt.timedelta(minutes=20))
    out = io.StringIO()
    call_command("withdrawal_escalate", stdout=out)
    assert out.getvalue().strip() == "Re-escalated 1 alert copies for 1 patients."
    assert ClinicalAlert.objects.filter(recipient=director).exists()


def test_the_alert_shows_and_is_acknowledged_like_any_urgent_alert(
    patient, nurse, physician, on_call
):
    alert = severe(patient, nurse)
    client = verified_client(physician)
    dashboard = client.get("/").content.decode()
    assert "Alerts for you to acknowledge" in dashboard and "CIWA-B 45" in dashboard
    chart = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert "Urgent: CIWA-B: clinician review" in chart
    url = reverse("instruments:alert_acknowledge", args=[patient.pk, alert.pk])
    assert client.post(url, {"next": "dashboard"}).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == physician


def test_the_rota_is_the_directors(unit, physician, director, nurse):
    start = timezone.now()
    with pytest.raises(Forbidden):
        on_call_add(
            actor=nurse, unit=unit, physician=physician, starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        on_call_add(
            actor=director, unit=unit, physician=nurse, starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        on_call_add(actor=director, unit=unit, physician=physician, starts_at=start, ends_at=start)
    shift = on_call_add(
        actor=director, unit=unit, physician=physician, starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
    )  # fmt: skip
    page = verified_client(nurse).get(reverse("withdrawal:on_call")).content.decode()
    assert "On call now" in page and str(physician) in page
    assert shift.created_by == director


def test_the_rota_page_adds_a_shift(unit, physician, director):
    response = verified_client(director).post(
        reverse("withdrawal:on_call"),
        {
            "unit": unit.pk,
            "physician": physician.pk,
            "starts_at": "2030-01-01T08:00",
            "ends_at": "2030-01-01T20:00",
        },
    )
    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    assert (shift.ends_at - shift.starts_at) == dt.timedelta(hours=12)


def test_the_periodic_loop_runs_every_check(patient, nurse, physician, director, on_call):
    severe(patient, nurse)
    Escalation.objects.update(raised_at=timezone.now() - dt.timedelta(minutes=20))
    out = io.StringIO()
    call_command("periodic", "--once", stdout=out)
    assert "Re-escalated 1 alert copies for 1 patients." in out.getvalue()
    assert ClinicalAlert.objects.filter(recipient=director).exists()


def test_one_failing_check_does_not_stop_the_others(patient, nurse, director, on_call, settings):
    severe(patient, nurse)
    Escalation.objects.update(raised_at=timezone.now() - dt.timedelta(minutes=20))
    settings.PERIODIC_COMMANDS = ["no_such_check", "withdrawal_escalate"]
    out = io.StringIO()
    with pytest.raises(CommandError, match="Failed: no_such_check."):
        call_command("periodic", "--once", stdout=out)
    assert "Re-escalated 1 alert copies" in out.getvalue()
    with pytest.raises(CommandError, match="at least 1 second"):
        call_command("periodic", "--interval", "0")
