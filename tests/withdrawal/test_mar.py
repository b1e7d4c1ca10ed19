"""The medication administration record: dose schedules (midnight, DST), recording, PRN
limits and effect checks, witnesses for controlled substances, addenda."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden
from openrecovery.withdrawal.choices import DoseStatus
from openrecovery.withdrawal.mar import (
    day_bounds,
    late_words,
    local_moment,
    order_doses_on,
    taper_doses_on,
)
from openrecovery.withdrawal.models import DoseRecord
from openrecovery.withdrawal.services.doses import (
    dose_correct,
    dose_record,
    prn_dose_record,
)
from openrecovery.withdrawal.services.orders import medication_order_create
from tests.support.auth import totp_code
from tests.support.factories import PASSWORD, make_staff

from .test_taper_orders import _sign

NY = "America/New_York"


def _request():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post("/mar/", REMOTE_ADDR="127.0.0.1")
    request.user = AnonymousUser()  # the views' request has the nurse; the audit takes actor
    return request


def _witness(user, code=None):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return {"username": user.username, "password": PASSWORD, "code": code or totp_code(device)}


@override_settings(TIME_ZONE=NY)
def test_spring_forward_keeps_each_dose_once_and_skips_the_missing_hour():
    # 8 March 2026: 02:00 EST becomes 03:00 EDT.
    day = dt.date(2026, 3, 8)
    assert local_moment(day, "08:00") == dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
    assert local_moment(day, "02:30") == dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)
    assert timezone.localtime(local_moment(day, "02:30")).strftime("%H:%M") == "03:30"
    start, end = day_bounds(day)
    assert end - start == dt.timedelta(hours=23)


@override_settings(TIME_ZONE=NY)
def test_fall_back_schedules_the_repeated_hour_once():
    # 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
    day = dt.date(2026, 11, 1)
    assert local_moment(day, "01:30") == dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
    start, end = day_bounds(day)
    assert end - start == dt.timedelta(hours=25)


@override_settings(TIME_ZONE=NY)
def test_taper_doses_follow_steps_across_dst_and_midnight(physician, patient):
    order = _sign(physician, patient, times=["08:00", "20:00", "00:00"])
    order.start_date = dt.date(2026, 3, 7)
    doses_before = taper_doses_on(order, dt.date(2026, 3, 7))
    doses_dst = taper_doses_on(order, dt.date(2026, 3, 8))
    # 2 mg in 0.125 mg units over three times: 6 + 5 + 5 units, midnight first.
    assert [d.dose_mg for d in doses_before] == [Decimal("0.750"), Decimal("0.625"),
                                                 Decimal("0.625")]  # fmt: skip
    assert sum(d.dose_mg for d in doses_dst) == Decimal(2)
    assert [timezone.localtime(d.scheduled_for).strftime("%H:%M") for d in doses_dst] == [
        "00:00",
        "08:00",
        "20:00",
    ]
    # The 08:00 dose is 24 h after the day before's in local time, 23 h in elapsed time.
    assert doses_dst[1].scheduled_for - doses_before[1].scheduled_for == dt.timedelta(hours=23)
    assert taper_doses_on(order, dt.date(2026, 3, 6)) == []
    second = dt.date(2026, 3, 7) + dt.timedelta(days=order.steps[1]["day"])
    assert sum(d.dose_mg for d in taper_doses_on(order, second)) == Decimal(
        order.steps[1]["doses"][0]["daily_mg"]
    )


def test_late_dose_words():
    now = timezone.now()
    assert late_words(now - dt.timedelta(minutes=30), now) == ""
    assert late_words(now - dt.timedelta(minutes=95), now) == "Late by 1 h 35 min"


@pytest.fixture
def prn(physician, patient):
    return medication_order_create(
        actor=physician,
        patient=patient,
        medication="gabapentin",  # not controlled: no witness (see the lorazepam test)
        dose_mg="300",
        as_needed=True,
        max_daily_mg="600",
        min_interval_minutes=240,
        indication="restlessness",
    )


def test_prn_maximum_refuses_and_saves_nothing(nurse, patient, prn):
    now = timezone.now()
    prn_dose_record(
        actor=nurse, patient=patient, order=prn, occurred_at=now - dt.timedelta(hours=9)
    )
    prn_dose_record(
        actor=nurse, patient=patient, order=prn, occurred_at=now - dt.timedelta(hours=4)
    )
    with pytest.raises(ValidationError) as error:
        prn_dose_record(actor=nurse, patient=patient, order=prn, occurred_at=now)
    assert "above the order's maximum of 600 mg" in error.value.messages[0]
    assert DoseRecord.objects.count() == 2


def test_prn_maximum_counts_a_rolling_24_hours(nurse, patient, prn):
    now = timezone.now()
    prn_dose_record(
        actor=nurse,
        patient=patient,
        order=prn,
        occurred_at=now - dt.timedelta(hours=23, minutes=59, seconds=30),
    )
    prn_dose_record(
        actor=nurse, patient=patient, order=prn, occurred_at=now - dt.timedelta(hours=5)
    )
    with pytest.raises(ValidationError):
        prn_dose_record(actor=nurse, patient=patient, order=prn, occurred_at=now)
    prn_dose_record(
        actor=nurse, patient=patient, order=prn, occurred_at=now + dt.timedelta(seconds=45),
    )  # fmt: skip
    assert DoseRecord.objects.count() == 3


def test_prn_minimum_interval(nurse, patient, prn):
    now = timezone.now()
    prn_dose_record(
        actor=nurse, patient=patient, order=prn, occurred_at=now - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as error:
        prn_dose_record(actor=nurse, patient=patient, order=prn, occurred_at=now)
    assert "at least 240 min" in error.value.messages[0]


def test_prn_keeps_latest_observations_and_schedules_effect_check(nurse, patient, prn):
    from openrecovery.withdrawal.services import vitals_record

    vitals, _ = vitals_record(
        actor=nurse,
        patient=patient,
        values={"systolic": 120, "diastolic": 80, "heart_rate": 80, "temperature": "36.8",
                "respiratory_rate": 16, "spo2": 98},
    )  # fmt: skip
    now = timezone.now()
    record = prn_dose_record(actor=nurse, patient=patient, order=prn, occurred_at=now)
    assert record.vitals == vitals and record.ciwab is None
    assert record.effect_check_due_at == now + dt.timedelta(minutes=60)
    assert AuditEvent.objects.filter(object_type="dose_record", object_id=str(record.pk)).exists()


def test_refused_needs_a_reason_and_counterparts_have_no_effect_check(nurse, patient, prn):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        prn_dose_record(
            actor=nurse, patient=patient, order=prn, occurred_at=now, status=DoseStatus.REFUSED
        )
    assert "reason" in error.value.message_dict
    record = prn_dose_record(
        actor=nurse, patient=patient, order=prn, occurred_at=now,
        status=DoseStatus.REFUSED, reason="Patient declined: feels calmer.",
    )  # fmt: skip
    assert record.effect_check_due_at is None


def test_counselor_may_not_record(patient, prn):
    counselor = make_staff(Role.COUNSELOR, "c_mar")
    with pytest.raises(Forbidden):
        prn_dose_record(actor=counselor, patient=patient, order=prn, occurred_at=timezone.now())


@pytest.fixture
def taper(physician, patient):
    return _sign(physician, patient)


def _today_dose(order):
    return taper_doses_on(order, timezone.localdate())[0]


def test_controlled_dose_needs_a_witness(nurse, patient, taper):
    with pytest.raises(ValidationError) as error:
        dose_record(
            actor=nurse, patient=patient, dose_key=_today_dose(taper).key,
            status=DoseStatus.GIVEN, occurred_at=timezone.now(), request=_request(),
        )  # fmt: skip
    assert "controlled substance" in error.value.messages[0]
    assert not DoseRecord.objects.exists()


def test_witness_confirms_with_password_and_code(nurse, physician, patient, taper):
    record = dose_record(
        actor=nurse, patient=patient, dose_key=_today_dose(taper).key, status=DoseStatus.GIVEN,
        occurred_at=timezone.now(), witness=_witness(physician), request=_request(),
    )  # fmt: skip
    assert record.witness == physician and record.dose_mg == Decimal("1")


def test_witness_cannot_be_the_nurse_herself(nurse, patient, taper):
    with pytest.raises(ValidationError) as error:
        dose_record(
            actor=nurse, patient=patient, dose_key=_today_dose(taper).key, status="given",
            occurred_at=timezone.now(), witness=_witness(nurse), request=_request(),
        )  # fmt: skip
    assert "another staff member" in error.value.messages[0]
    assert AuditEvent.objects.filter(object_type="dose_witness", outcome="failure").exists()


def test_wrong_code_is_refused_audited_and_counts_toward_lockout(nurse, physician, patient, taper):
    from axes.models import AccessAttempt

    with pytest.raises(ValidationError) as error:
        dose_record(
            actor=nurse, patient=patient, dose_key=_today_dose(taper).key, status="given",
            occurred_at=timezone.now(), witness=_witness(physician, code="000000"),
            request=_request(),
        )  # fmt: skip
    assert "could not be confirmed" in error.value.messages[0]
    assert not DoseRecord.objects.exists()
    assert AuditEvent.objects.filter(object_type="dose_witness", outcome="failure").exists()
    assert AccessAttempt.objects.filter(username=physician.username).exists()


def test_wrong_password_is_refused(nurse, physician, patient, taper):
    witness = {**_witness(physician), "password": "not it"}
    with pytest.raises(ValidationError):
        dose_record(
            actor=nurse, patient=patient, dose_key=_today_dose(taper).key, status="given",
            occurred_at=timezone.now(), witness=witness, request=_request(),
        )  # fmt: skip
    assert not DoseRecord.objects.exists()


def test_witness_needs_a_clinical_role(nurse, patient, taper):
    clerk = make_staff(Role.ADMISSIONS_COORDINATOR, "clerk_w")
    with pytest.raises(ValidationError) as error:
        dose_record(
            actor=nurse, patient=patient, dose_key=_today_dose(taper).key, status="given",
            occurred_at=timezone.now(), witness=_witness(clerk), request=_request(),
        )  # fmt: skip
    assert "nurse, physician or clinical director" in error.value.messages[0]


def test_refused_dose_needs_no_witness_and_is_recorded_once(nurse, patient, taper):
    key = _today_dose(taper).key
    record = dose_record(
        actor=nurse, patient=patient, dose_key=key, status="refused",
        reason="Patient asleep, declined when woken.", occurred_at=timezone.now(),
    )  # fmt: skip
    assert record.witness is None
    with pytest.raises(ValidationError) as error:
        dose_record(
            actor=nurse, patient=patient, dose_key=key, status="held",
            reason="again", occurred_at=timezone.now(),
        )  # fmt: skip
    assert "addendum" in error.value.messages[0]


def test_unscheduled_dose_is_refused(nurse, patient, taper):
    with pytest.raises(ValidationError):
        dose_record(
            actor=nurse, patient=patient, dose_key=f"taper:{taper.pk}:clonazepam:2020-01-01",
            status="refused", reason="x", occurred_at=timezone.now(),
        )  # fmt: skip


def test_correction_is_an_addendum(nurse, physician, patient, taper):
    original = dose_record(
        actor=nurse, patient=patient, dose_key=_today_dose(taper).key, status="missed",
        reason="Off the unit.", occurred_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        dose_correct(
            actor=nurse, original=original, status="refused", reason="",
            occurred_at=timezone.now(),
        )  # fmt: skip
    addendum = dose_correct(
        actor=nurse, original=original, status="given", reason="Given at the desk; charted late.",
        occurred_at=timezone.now(), witness=_witness(physician), request=_request(),
    )  # fmt: skip
    original.refresh_from_db()
    assert (original.status, original.reason) == ("missed", "Off the unit.")
    assert addendum.corrects == original and addendum.witness == physician
    with pytest.raises(ValidationError):
        dose_correct(
            actor=nurse, original=addendum, status="refused", reason="r",
            occurred_at=timezone.now(),
        )  # fmt: skip


def test_scheduled_order_doses(physician, patient):
    order = medication_order_create(
        actor=physician, patient=patient, medication="gabapentin", dose_mg="300",
        as_needed=False, times=["21:00", "09:00"],
    )  # fmt: skip
    doses = order_doses_on(order, timezone.localdate())
    assert [timezone.localtime(d.scheduled_for).strftime("%H:%M") for d in doses] == [
        "09:00",
        "21:00",
    ]
    with pytest.raises(ValidationError):
        medication_order_create(
            actor=physician, patient=patient, medication="lorazepam", dose_mg="1",
            as_needed=True,
        )  # fmt: skip


def test_controlled_prn_needs_its_witness(nurse, physician, patient):
    order = medication_order_create(
        actor=physician, patient=patient, medication="lorazepam", dose_mg="1",
        as_needed=True, max_daily_mg="4", min_interval_minutes=60,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        prn_dose_record(actor=nurse, patient=patient, order=order, occurred_at=timezone.now())
    record = prn_dose_record(
        actor=nurse, patient=patient, order=order, occurred_at=timezone.now(),
        witness=_witness(physician), request=_request(),
    )  # fmt: skip
    assert record.witness == physician


def test_repeated_witness_failures_lock_the_witness_out(nurse, physician, patient, settings):
    taper = _sign(physician, patient)
    key = _today_dose(taper).key
    for _ in range(settings.AXES_FAILURE_LIMIT):
        with pytest.raises(ValidationError):
            dose_record(
                actor=nurse, patient=patient, dose_key=key, status="given",
                occurred_at=timezone.now(), request=_request(),
                witness={**_witness(physician), "password": "wrong"},
            )  # fmt: skip
    # Locked out like a sign-in: even the right password and code no longer confirm.
    with pytest.raises(ValidationError):
        dose_record(
            actor=nurse, patient=patient, dose_key=key, status="given",
            occurred_at=timezone.now(), witness=_witness(physician), request=_request(),
        )  # fmt: skip
    assert not DoseRecord.objects.exists()


def test_a_dose_recorded_under_an_earlier_version_still_counts(nurse, physician, patient):
    from openrecovery.withdrawal.mar_views import mar_context

    first = _sign(physician, patient)
    dose = _today_dose(first)
    dose_record(
        actor=nurse, patient=patient, dose_key=dose.key, status="refused",
        reason="Asleep", occurred_at=timezone.now(),
    )  # fmt: skip
    second = _sign(
        physician, patient, change_reason="Pause step 2 a week.",
        adjustments=[{"op": "pause", "step": 1, "days": 7}],
    )  # fmt: skip
    again = _today_dose(second)
    assert again.scheduled_for == dose.scheduled_for
    with pytest.raises(ValidationError) as error:
        dose_record(
            actor=nurse, patient=patient, dose_key=again.key, status="refused",
            reason="Twice", occurred_at=timezone.now(),
        )  # fmt: skip
    assert "addendum" in error.value.messages[0]
    with pytest.raises(ValidationError):  # the old version no longer schedules doses
        dose_record(
            actor=nurse, patient=patient, dose_key=_today_dose(first).key, status="held",
            reason="x", occurred_at=timezone.now(),
        )  # fmt: skip
    lines = mar_context(patient, timezone.localdate(), timezone.now())["lines"]
    assert lines[0].record is not None and lines[0].record.reason == "Asleep"
