"""Fixtures for withdrawal management: a unit, a patient on it, a physician on call."""

import datetime as dt

import pytest
from django.utils import timezone

from openrecovery.records.choices import Stage
from openrecovery.withdrawal.models import OnCallShift, Unit
from openrecovery.withdrawal.services import unit_assign
from tests.support.factories import make_patient


@pytest.fixture
def unit(db):
    return Unit.objects.create(code="detox-a", name="Detox A")


@pytest.fixture
def patient(director, nurse, unit):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse])
    unit_assign(actor=director, patient=patient, unit=unit)
    return patient


@pytest.fixture
def on_call(unit, physician, director):
    now = timezone.now()
    return OnCallShift.objects.create(
        unit=unit,
        physician=physician,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=11),
        created_by=director,
    )
