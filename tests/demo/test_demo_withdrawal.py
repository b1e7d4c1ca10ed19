"""The demo's withdrawal unit: patients on it, a physician on call, a board worth showing."""

import datetime as dt

from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.instruments.models import Administration
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert, EpisodeOfCare
from openrecovery.withdrawal.models import CiwabJudgement, OnCallShift, Unit, VitalSigns
from openrecovery.withdrawal.selectors import unit_board


def test_every_withdrawal_patient_is_on_the_demo_unit(demo):
    unit = Unit.objects.get(code="detox")
    in_stage = EpisodeOfCare.objects.filter(
        ended_at__isnull=True, stage=Stage.WITHDRAWAL_MANAGEMENT
    ).values_list("patient_id", flat=True)
    on_unit = unit.assignments.filter(ended_at__isnull=True).values_list("patient_id", flat=True)
    assert set(in_stage) == set(on_unit) and len(in_stage) >= 5
    shift = OnCallShift.objects.get(unit=unit)
    assert shift.physician.username == "physician"
    assert shift.starts_at <= timezone.now() < shift.ends_at


def test_judgements_keep_their_histories_times(demo):
    judgements = CiwabJudgement.objects.select_related("administration")
    assert (
        judgements.count()
        == Administration.objects.filter(
            code="ciwab", episode__stage=Stage.WITHDRAWAL_MANAGEMENT
        ).count()
    )
    for j in judgements:
        assert j.administered_at == j.administration.administered_at
        interval = j.protocol.intervals[j.band]
        assert j.next_due_at - j.administered_at == dt.timedelta(minutes=interval)


def test_only_todays_vitals_alert_is_open(demo):
    physician = User.objects.get(username="physician")
    [alert] = ClinicalAlert.objects.filter(kind__startswith="withdrawal_", resolved_at__isnull=True)
    assert alert.kind == "withdrawal_vitals" and alert.recipient == physician
    assert VitalSigns.objects.exclude(beyond_limits=[]).count() == 1


def test_the_nurse_sees_the_unit_on_the_board(demo):
    nurse = User.objects.get(username="nurse")
    rows = unit_board(nurse)
    assert rows and all(r.unit_name == "Detox unit" for r in rows)
    assert sum(r.seizure_precautions for r in rows) == 1
    assert rows[0].urgent
