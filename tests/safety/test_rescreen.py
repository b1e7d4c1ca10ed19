"""A risk level is due again after the interval only in withdrawal management and treatment."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage
from openrecovery.safety.selectors import safety_summary
from openrecovery.safety.triage import RESCREEN_STAGES, rescreen_due
from tests.support.factories import make_patient
from tests.support.instruments import CSSRS_LOW

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("stage", list(Stage))
def test_the_rule_depends_on_the_stage(stage):
    old, fresh = NOW - dt.timedelta(days=7, seconds=1), NOW - dt.timedelta(days=6)
    assert rescreen_due(assessed_at=old, stage=stage, now=NOW) is (stage in RESCREEN_STAGES)
    assert not rescreen_due(assessed_at=fresh, stage=stage, now=NOW)
    assert not rescreen_due(assessed_at=old, stage=None, now=NOW)


def test_the_guarded_stages_are_withdrawal_management_and_treatment():
    assert {Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT} == RESCREEN_STAGES


@override_settings(SAFETY_RESCREEN_DAYS=3)
def test_the_interval_is_the_programs():
    assessed = NOW - dt.timedelta(days=3, minutes=1)
    assert rescreen_due(assessed_at=assessed, stage=Stage.TREATMENT, now=NOW)


@pytest.mark.parametrize(("stage", "due"), [(Stage.TREATMENT, True), (Stage.AFTERCARE, False)])
def test_the_summary_reads_the_open_episodes_stage(director, counselor, stage, due):
    patient = make_patient(actor=director, stage=stage, team=[counselor])
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_LOW)
    later = timezone.now() + dt.timedelta(days=8)
    assert safety_summary(patient, now=later).rescreen_due is due
    assert safety_summary(patient, now=later, stage=Stage.TREATMENT).rescreen_due
    assert not safety_summary(patient, now=timezone.now()).rescreen_due
