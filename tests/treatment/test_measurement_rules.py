"""Measurement-based care's status rules at their boundaries (pure: no database)."""

import datetime as dt

import pytest

from openrecovery.treatment.choices import MeasurementStatus as S
from openrecovery.treatment.measurement import (
    BAM,
    GAD7,
    NOT_ON_TRACK_AFTER,
    PHQ9,
    Measure,
    change,
    course_status,
    is_due,
    measured_total,
    next_due,
)

T0 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


def status(code: str, first: int, last: int, days: float = 14, count: int = 2) -> S:
    baseline = Measure(first, T0)
    latest = Measure(last, T0 + dt.timedelta(days=days))
    return course_status(code, baseline, latest, count)


def test_the_published_and_program_thresholds():
    assert NOT_ON_TRACK_AFTER == dt.timedelta(days=42)


# --- reliable change: PHQ-9 6 points, GAD-7 4 points --------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (20, 15, S.NO_RELIABLE_CHANGE),  # down 5: not reliable
        (20, 14, S.RELIABLE_IMPROVEMENT),  # down 6: reliable
        (10, 15, S.NO_RELIABLE_CHANGE),  # up 5
        (10, 16, S.RELIABLE_DETERIORATION),  # up 6
    ],
)
def test_phq9_reliable_change_is_six_points(first, last, expected):
    assert status(PHQ9, first, last) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (15, 12, S.NO_RELIABLE_CHANGE),  # down 3
        (15, 11, S.RELIABLE_IMPROVEMENT),  # down 4
        (8, 11, S.NO_RELIABLE_CHANGE),  # up 3
        (8, 12, S.RELIABLE_DETERIORATION),  # up 4
        (3, 0, S.NO_RELIABLE_CHANGE),  # no remission or response on the GAD-7
        (16, 4, S.RELIABLE_IMPROVEMENT),  # down 75%: response is PHQ-9 only
    ],
)
def test_gad7_reliable_change_is_four_points(first, last, expected):
    assert status(GAD7, first, last) == expected


# --- response (down 50% or more) and remission (below 5): PHQ-9 only -----------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (20, 10, S.RESPONSE),  # exactly 50% down
        (20, 11, S.RELIABLE_IMPROVEMENT),  # just under 50% down (45%), still 9 points
        (11, 5, S.RESPONSE),  # 5 <= 5.5
        (11, 6, S.NO_RELIABLE_CHANGE),  # 6 > 5.5, down 5
        (10, 5, S.RESPONSE),  # response although the 5-point drop is not reliable
    ],
)
def test_phq9_response_at_exactly_half_the_baseline(first, last, expected):
    assert status(PHQ9, first, last) == expected


@pytest.mark.parametrize(
    ("last", "expected"),
    [(4, S.REMISSION), (5, S.NO_RELIABLE_CHANGE)],
)
def test_phq9_remission_is_below_five(last, expected):
    assert status(PHQ9, 8, last) == expected


# --- not on track: no reliable improvement 42 days or more after baseline (program rule) ---


@pytest.mark.parametrize(
    ("code", "first", "last", "days", "expected"),
    [
        (PHQ9, 15, 12, 41, S.NO_RELIABLE_CHANGE),
        (PHQ9, 15, 12, 42, S.NOT_ON_TRACK),
        (PHQ9, 15, 15, 41.99, S.NO_RELIABLE_CHANGE),
        (PHQ9, 15, 9, 42, S.RELIABLE_IMPROVEMENT),  # reliable improvement: on track
        (PHQ9, 15, 10, 42, S.NOT_ON_TRACK),  # down 5 (33%): not reliable, no response
        (GAD7, 12, 9, 41, S.NO_RELIABLE_CHANGE),
        (GAD7, 12, 9, 42, S.NOT_ON_TRACK),
        (GAD7, 12, 8, 60, S.RELIABLE_IMPROVEMENT),
    ],
)
def test_not_on_track_from_six_weeks_after_baseline(code, first, last, days, expected):
    assert status(code, first, last, days=days) == expected


# --- precedence: remission, response, deterioration, not on track, improvement, none -------


@pytest.mark.parametrize(
    ("code", "first", "last", "days", "expected"),
    [
        # Remission and response and reliable improvement: remission first.
        (PHQ9, 20, 4, 60, S.REMISSION),
        # Remission without reliable improvement past six weeks: remission, not off track.
        (PHQ9, 8, 4, 60, S.REMISSION),
        # Response without reliable improvement past six weeks: response first.
        (PHQ9, 10, 5, 60, S.RESPONSE),
        # Response and reliable improvement: response.
        (PHQ9, 24, 12, 14, S.RESPONSE),
        # Reliable deterioration is also not on track: deterioration is reported.
        (PHQ9, 8, 14, 60, S.RELIABLE_DETERIORATION),
        (GAD7, 5, 9, 60, S.RELIABLE_DETERIORATION),
        # A baseline of 0 and a latest of 0 is remission (below 5), not response.
        (PHQ9, 0, 0, 14, S.REMISSION),
    ],
)
def test_the_first_status_that_applies_is_reported(code, first, last, days, expected):
    assert status(code, first, last, days=days) == expected


# --- insufficient data and the BAM -------------------------------------------------------


@pytest.mark.parametrize("code", [PHQ9, GAD7, BAM])
def test_a_single_administration_is_insufficient_data(code):
    only = Measure(20, T0)
    assert course_status(code, only, only, 1) == S.INSUFFICIENT_DATA
    assert course_status(code, None, None, 0) == S.INSUFFICIENT_DATA
    assert change(only, only, 1) is None


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [(0, 12, 14), (12, 0, 14), (6, 6, 90), (1, 0, 1)],
)
def test_bam_reports_change_never_reliable_change(first, last, days):
    assert status(BAM, first, last, days=days) == S.NO_RELIABLE_CHANGE
    assert change(Measure(first, T0), Measure(last, T0), 2) == last - first


def test_change_is_latest_minus_baseline():
    assert change(Measure(15, T0), Measure(9, T0), 3) == -6
    assert change(Measure(4, T0), Measure(9, T0), 2) == 5


def test_the_bam_total_is_its_use_score():
    assert measured_total(BAM, None, {"use": 7, "risk": 12, "protective": 20}) == 7
    assert measured_total(BAM, 30, {}) is None
    assert measured_total(PHQ9, 14, {}) == 14


# --- next due ------------------------------------------------------------------------------


def test_next_due_is_the_latest_plus_the_interval_in_treatment():
    latest = T0 + dt.timedelta(days=3)
    assert next_due(
        in_treatment=True, latest_at=latest, entered_treatment_at=T0, interval_days=14
    ) == latest + dt.timedelta(days=14)


def test_next_due_before_any_measure_is_entering_treatment():
    assert (
        next_due(in_treatment=True, latest_at=None, entered_treatment_at=T0, interval_days=14) == T0
    )


def test_nothing_is_due_outside_treatment():
    assert (
        next_due(in_treatment=False, latest_at=T0, entered_treatment_at=T0, interval_days=14)
        is None
    )


def test_due_means_the_time_has_come():
    assert is_due(T0, T0)
    assert not is_due(T0 + dt.timedelta(seconds=1), T0)
    assert not is_due(None, T0)
