"""The chart header always shows the suicide-risk level, its age, assessor and re-screen due."""

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from openrecovery.chart.pathway import (
    NOT_ASSESSED,
    age_label,
    due_text,
    relative_label,
    risk_line,
    when_label,
)
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage
from openrecovery.safety.models import RiskAssessment
from tests.support.factories import discharge, make_patient, verified_client
from tests.support.instruments import CSSRS_HIGH, CSSRS_LOW, CSSRS_MODERATE, CSSRS_NONE

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)


def header(client, patient) -> str:
    body = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    found = re.search(r'<p class="mb-2 small" id="risk-level">.*?</p>', body, re.S)
    assert found is not None
    return " ".join(found.group(0).split())


def assessed(patient, counselor, answers, days_ago: float):
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=answers)
    when = timezone.now() - dt.timedelta(days=days_ago)
    RiskAssessment.objects.filter(patient=patient).update(assessed_at=when)
    return when


@pytest.mark.parametrize(
    ("answers", "label"),
    [
        (CSSRS_NONE, "No risk identified"),
        (CSSRS_LOW, "Low"),
        (CSSRS_MODERATE, "Moderate"),
        (CSSRS_HIGH, "High"),
    ],
)
def test_the_header_shows_the_level_with_its_age_and_assessor(director, counselor, answers, label):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    when = assessed(patient, counselor, answers, days_ago=3)
    shown = header(verified_client(counselor), patient)
    assert f">{label}</span>" in shown
    exact = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
    iso = timezone.localtime(when).isoformat()
    assert f'<time datetime="{iso}" title="{exact}">3 days ago</time>' in shown
    assert f"by {counselor}" in shown
    assert "Re-screen due" not in shown


def test_a_patient_never_assessed_shows_not_assessed(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    shown = header(verified_client(counselor), patient)
    assert f">{NOT_ASSESSED}</span>" in shown and 'data-level="not_assessed"' in shown


def test_the_newest_level_is_the_current_one(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    assessed(patient, counselor, CSSRS_HIGH, days_ago=2)
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_LOW)
    shown = header(verified_client(counselor), patient)
    assert 'data-level="low"' in shown and "just now" in shown


@pytest.mark.parametrize(
    ("stage", "due"),
    [
        (Stage.WITHDRAWAL_MANAGEMENT, True),
        (Stage.TREATMENT, True),
        (Stage.ASSESSMENT, False),
        (Stage.AFTERCARE, False),
    ],
)
def test_an_old_level_is_due_again_only_in_withdrawal_management_and_treatment(
    director, counselor, stage, due
):
    patient = make_patient(actor=director, stage=stage, team=[counselor])
    assessed(patient, counselor, CSSRS_LOW, days_ago=8)
    shown = header(verified_client(counselor), patient)
    assert ("Re-screen due" in shown) is due
    assert "8 days ago" in shown


def test_a_level_within_the_interval_is_not_due(director, counselor):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor])
    assessed(patient, counselor, CSSRS_LOW, days_ago=6.9)
    assert "Re-screen due" not in header(verified_client(counselor), patient)


@override_settings(SAFETY_RESCREEN_DAYS=2)
def test_the_programs_interval_is_used(director, counselor):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor])
    assessed(patient, counselor, CSSRS_LOW, days_ago=3)
    shown = header(verified_client(counselor), patient)
    assert "Re-screen due" in shown and "older than 2 days" in shown


def test_a_discharged_patients_old_level_is_not_due(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    assessed(patient, counselor, CSSRS_LOW, days_ago=30)
    discharge(patient, actor=director, reason="Completed", discharge_type="completed")
    shown = header(verified_client(counselor), patient)
    assert 'data-level="low"' in shown and "Re-screen due" not in shown
    # The rule itself: no open episode, no stage, nothing due; in treatment, due.
    now = timezone.now()
    assert not risk_line(patient.pk, None, now).due
    assert risk_line(patient.pk, Stage.TREATMENT, now).due


def test_the_print_summary_shows_the_level_too(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    assessed(patient, counselor, CSSRS_MODERATE, days_ago=1)
    body = verified_client(counselor).get(reverse("chart:print", args=[patient.pk])).content
    assert b'id="risk-level"' in body and b"Moderate" in body and b"1 day ago" in body


@pytest.mark.parametrize(
    ("ago", "label"),
    [
        (dt.timedelta(seconds=30), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(minutes=59), "59 minutes ago"),
        (dt.timedelta(hours=2, minutes=5), "2 hours ago"),
        (dt.timedelta(days=1, hours=3), "1 day ago"),
        (dt.timedelta(days=3), "3 days ago"),
        (-dt.timedelta(minutes=5), "just now"),  # a clock a little ahead
    ],
)
def test_age_labels(ago, label):
    assert age_label(NOW - ago, NOW) == label


def test_due_labels_say_when_and_how_far():
    with timezone.override(dt.UTC):
        soon = NOW + dt.timedelta(minutes=45)
        assert relative_label(soon, NOW) == "in 45 minutes"
        assert when_label(soon, NOW) == "today 15:45"
        assert due_text(soon, NOW) == "due today 15:45 (in 45 minutes)"
        past = NOW - dt.timedelta(hours=2)
        assert due_text(past, NOW) == "was due today 13:00 (2 hours ago)"
        assert when_label(NOW + dt.timedelta(days=1), NOW) == "tomorrow 15:00"
        assert when_label(NOW - dt.timedelta(days=1), NOW) == "yesterday 15:00"
        assert when_label(NOW + dt.timedelta(days=7), NOW) == "Dec 9, 15:00"
        assert when_label(NOW + dt.timedelta(days=40), NOW) == "Jan 11, 2027 15:00"
        assert due_text(None, NOW) == ""
