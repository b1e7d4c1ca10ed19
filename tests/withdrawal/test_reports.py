"""Rater drift (per nurse and shift, 30 days) and the printable shift hand-off."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.withdrawal.models import CiwabJudgement
from openrecovery.withdrawal.reports import rater_drift, shift_of
from openrecovery.withdrawal.services import seizure_precautions_set, vitals_record
from tests.support.factories import make_staff, verified_client
from tests.support.withdrawal import ciwab_record

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def given_at(result, when):
    CiwabJudgement.objects.filter(administration=result.administration).update(administered_at=when)


@pytest.mark.parametrize(
    ("hour", "shift"),
    [(7, "day"), (14, "day"), (15, "evening"), (22, "evening"), (23, "night"), (0, "night"),
     (6, "night")],
)  # fmt: skip
def test_shifts_by_local_hour(hour, shift):
    assert shift_of(hour) == shift


def test_means_per_rater_and_per_shift(patient, nurse, settings):
    settings.TIME_ZONE = "America/New_York"
    other = make_staff(Role.NURSE, "night_nurse", first_name="Noor")
    day = dt.datetime.now(NEW_YORK).replace(hour=10, minute=0, second=0, microsecond=0)
    day -= dt.timedelta(days=1)
    night = day.replace(hour=2)
    with timezone.override(NEW_YORK):
        given_at(ciwab_record(patient, nurse, total=20, observer=4), day)  # 16 + 4
        given_at(ciwab_record(patient, nurse, total=10, observer=2), day)  # 8 + 2
        given_at(ciwab_record(patient, other, total=30, observer=6), night)  # 24 + 6
        old = ciwab_record(patient, other, total=60, observer=12)
        given_at(old, day - dt.timedelta(days=31))  # outside the 30 days
        raters, shifts = rater_drift(nurse)
    by_name = {r.label: r for r in raters}
    assert (by_name[str(nurse)].count, by_name[str(nurse)].patient_mean) == (2, 12.0)
    assert by_name[str(nurse)].observer_mean == 3.0
    assert (by_name[str(other)].count, by_name[str(other)].patient_mean) == (1, 24.0)
    by_shift = {r.label.split(" ")[0]: r for r in shifts}
    assert by_shift["Day"].count == 2 and by_shift["Night"].count == 1
    assert by_shift["Evening"].count == 0


def test_drift_counts_only_patients_the_viewer_may_see(patient, nurse):
    ciwab_record(patient, nurse, total=10)
    assert sum(r.count for r in rater_drift(nurse)[0]) == 1
    raters, shifts = rater_drift(make_staff(Role.COUNSELOR))
    assert raters == [] and sum(s.count for s in shifts) == 0


def test_the_drift_page_is_audited(patient, nurse):
    ciwab_record(patient, nurse, total=10)
    page = verified_client(nurse).get(reverse("withdrawal:drift")).content.decode()
    assert "Per nurse" in page and str(nurse) in page
    event = AuditEvent.objects.filter(object_type="ciwab_rater_drift").get()
    assert event.detail == {"days": 30, "assessments": 1}


def test_the_handoff_shows_the_last_shift(patient, nurse, on_call):
    ciwab_record(patient, nurse, total=12, observer=3)
    ciwab_record(patient, nurse, total=45, observer=6)
    vitals_record(
        actor=nurse,
        patient=patient,
        values={"systolic": 120, "diastolic": 80, "heart_rate": 125, "temperature": "37.0",
                "respiratory_rate": 16, "spo2": 97},
    )  # fmt: skip
    seizure_precautions_set(actor=nurse, patient=patient, on=True)
    url = reverse("withdrawal:handoff", args=[patient.pk])
    page = verified_client(nurse).get(url).content.decode()
    assert "Shift hand-off" in page and patient.mrn in page and "data-print" in page
    assert "+33" in page and "Severe" in page
    assert "CIWA-B: clinician review" in page and "(open)" in page
    assert "Heart rate" in page and "Seizure precautions started" in page
    event = AuditEvent.objects.filter(object_type="withdrawal_handoff").latest("id")
    assert event.action == "print" and event.patient_id == patient.pk


def test_the_handoff_passes_the_gate(patient):
    url = reverse("withdrawal:handoff", args=[patient.pk])
    assert verified_client(make_staff(Role.COUNSELOR)).get(url).status_code == 404
