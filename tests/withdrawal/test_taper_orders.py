"""Taper orders: adjustments, signing, versions with reasons, the 3-month review, overrides."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden
from openrecovery.withdrawal.models import TaperOrder
from openrecovery.withdrawal.services.orders import review_limit, taper_build, taper_order_sign
from openrecovery.withdrawal.tapering import AdjustmentRefused, adjust, split_daily, step_on

INPUTS = {
    "medication": "clonazepam",
    "daily_dose_mg": "2",
    "equivalence_table": "va_dod_2021",
    "reduction_percent": "10",
    "interval_days": 14,
    "target_dose_mg": "0",
}


def _sign(actor, patient, **extra):
    today = timezone.localdate()
    values = {
        "inputs": INPUTS,
        "start_date": today,
        "times": ["08:00", "20:00"],
        "review_by": today + dt.timedelta(days=60),
    }
    values.update(extra)
    return taper_order_sign(actor=actor, patient=patient, **values)


def _steps():
    return taper_build(INPUTS, [])[1]


def test_pause_moves_every_later_step():
    steps = _steps()
    paused, held = adjust(steps, [], {"op": "pause", "step": 1, "days": 7})
    assert [s["day"] for s in paused[:2]] == [s["day"] for s in steps[:2]]
    assert [s["day"] - 7 for s in paused[2:]] == [s["day"] for s in steps[2:]]
    assert [s["doses"] for s in paused] == [s["doses"] for s in steps]
    assert held == []


def test_slow_doubles_the_intervals_after_the_step():
    steps = _steps()
    slowed, _ = adjust(steps, [], {"op": "slow", "step": 2, "factor": 2})
    base = steps[2]["day"]
    assert [s["day"] for s in slowed[3:]] == [base + 2 * (s["day"] - base) for s in steps[3:]]


def test_hold_then_resume_keeps_the_intervals():
    steps = _steps()
    plateau, held = adjust(steps, [], {"op": "hold", "step": 3})
    assert plateau == steps[:4] and held == steps[4:]
    resumed, held_after = adjust(plateau, held, {"op": "resume", "day": steps[3]["day"] + 30})
    assert held_after == []
    assert resumed[4]["day"] == steps[3]["day"] + 30
    gaps = [b["day"] - a["day"] for a, b in zip(steps[4:], steps[5:], strict=False)]
    assert [b["day"] - a["day"] for a, b in zip(resumed[4:], resumed[5:], strict=False)] == gaps


@pytest.mark.parametrize(
    ("op", "held"),
    [
        ({"op": "resume", "day": 400}, []),
        ({"op": "pause", "step": 0, "days": 0}, []),
        ({"op": "slow", "step": 0, "factor": 5}, []),
        ({"op": "pause", "step": 99, "days": 3}, []),
        ({"op": "faster", "step": 0}, []),
    ],
)
def test_adjustments_refuse_nonsense(op, held):
    with pytest.raises(AdjustmentRefused):
        adjust(_steps(), held, op)


def test_split_daily_keeps_dose_units():
    from decimal import Decimal as D

    assert split_daily(D("1.375"), D("0.125"), 2) == [D("0.75"), D("0.625")]
    assert split_daily(D("0.125"), D("0.125"), 2) == [D("0.125"), D("0")]


def test_step_on_gives_the_step_in_force():
    steps = _steps()
    start = dt.date(2026, 3, 1)
    assert step_on(steps, start, dt.date(2026, 2, 28)) is None
    assert step_on(steps, start, start) == 0
    assert step_on(steps, start, start + dt.timedelta(days=steps[1]["day"])) == 1


@pytest.mark.parametrize(
    ("signed", "limit"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 4, 15)),
        (dt.date(2026, 8, 31), dt.date(2026, 11, 30)),
        (dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
    ],
)
def test_review_limit_is_three_calendar_months(signed, limit):
    assert review_limit(signed) == limit


def test_sign_stores_dated_steps_and_audits(physician, patient):
    order = _sign(physician, patient)
    assert order.version == 1 and order.series == order.pk
    assert order.steps[0]["doses"] == [{"medication": "clonazepam", "daily_mg": "2"}]
    assert order.steps[-1]["doses"][0]["daily_mg"] == "0"
    assert order.inputs["units"] == {"clonazepam": "0.125"}
    assert AuditEvent.objects.filter(object_type="taper_order", object_id=str(order.pk)).exists()


def test_review_date_beyond_three_months_is_refused(physician, patient):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        _sign(physician, patient, review_by=review_limit(today) + dt.timedelta(days=1))
    assert "review_by" in error.value.message_dict
    assert _sign(physician, patient, review_by=review_limit(today)).review_by == review_limit(today)


def test_nurse_may_not_sign(nurse, patient):
    with pytest.raises(Forbidden):
        _sign(nurse, patient)


def test_change_after_signing_is_a_new_version_with_a_reason(physician, patient):
    first = _sign(physician, patient)
    with pytest.raises(ValidationError) as error:
        _sign(physician, patient, adjustments=[{"op": "pause", "step": 1, "days": 14}])
    assert "change_reason" in error.value.message_dict
    second = _sign(
        physician,
        patient,
        adjustments=[{"op": "pause", "step": 1, "days": 14}],
        change_reason="Insomnia at step 2: stay two weeks longer.",
    )
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert (second.version, second.series, second.previous_id) == (2, first.pk, first.pk)
    assert list(TaperOrder.objects.filter(series=first.pk).values_list("version", flat=True)) == [
        2,
        1,
    ]


def test_faster_plan_needs_an_override_reason_which_is_audited(physician, patient):
    fast = {**INPUTS, "interval_days": 7}
    with pytest.raises(ValidationError) as error:
        _sign(physician, patient, inputs=fast)
    assert "override_reason" in error.value.message_dict
    order = _sign(
        physician, patient, inputs={**fast, "override_reason": "Patient's informed choice."}
    )
    assert "interval_below_14_days" in order.overrides
    assert AuditEvent.objects.filter(object_type="taper_override", flagged=True).exists()
    assert AuditEvent.objects.get(object_type="taper_order").flagged


def test_abrupt_stop_is_refused_even_with_a_reason(physician, patient):
    with pytest.raises(ValidationError):
        _sign(
            physician,
            patient,
            inputs={**INPUTS, "reduction_percent": "100", "override_reason": "asked"},
        )
