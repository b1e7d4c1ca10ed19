"""An unacknowledged high-risk alert re-alerts the clinical director after 15 minutes."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from openrecovery.instruments.services import administration_recorded
from openrecovery.records.alerts import alert_acknowledge
from openrecovery.records.models import ClinicalAlert
from openrecovery.safety.services import alerts_escalate
from tests.support.instruments import CSSRS_HIGH

pytestmark = pytest.mark.django_db


def high(patient, actor):
    administration_recorded(actor=actor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    return timezone.now()


def test_the_director_hears_after_15_minutes_once(patient, counselor, director):
    raised_at = high(patient, counselor)
    assert alerts_escalate(now=raised_at + dt.timedelta(minutes=14)) == []
    [copy] = alerts_escalate(now=raised_at + dt.timedelta(minutes=16))
    assert copy.recipient == director and copy.kind == "suicide_risk_high"
    assert copy.message.startswith("Not acknowledged after 15 minutes.")
    assert alerts_escalate(now=raised_at + dt.timedelta(minutes=30)) == []  # once
    assert ClinicalAlert.objects.filter(recipient=director).count() == 1


def test_an_acknowledged_alert_is_not_escalated(patient, counselor, director):
    raised_at = high(patient, counselor)
    alert_acknowledge(actor=counselor, alert=ClinicalAlert.objects.get(recipient=counselor))
    assert alerts_escalate(now=raised_at + dt.timedelta(minutes=20)) == []


def test_the_interval_is_a_setting(patient, counselor, director, settings):
    settings.SAFETY_REALERT_MINUTES = 5
    raised_at = high(patient, counselor)
    assert len(alerts_escalate(now=raised_at + dt.timedelta(minutes=6))) == 1


def test_the_command_escalates_and_says_how_many(patient, counselor, director):
    high(patient, counselor)
    ClinicalAlert.objects.update(created_at=timezone.now() - dt.timedelta(minutes=20))
    out = io.StringIO()
    call_command("safety_escalate", stdout=out)
    assert out.getvalue().strip() == "Re-alerted 1 director copies for 1 patients."
    assert ClinicalAlert.objects.filter(recipient=director).exists()
