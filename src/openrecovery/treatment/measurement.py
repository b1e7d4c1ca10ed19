"""Measurement-based care's rules: a patient's course on one instrument, and when it is due.

Pure functions of totals and times (no ORM), each rule with its source (REFERENCE
section 10). Baseline is the first administration in the episode, latest the most recent;
a higher total is worse on all three instruments (the BAM's total here is its use score).
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from .choices import MeasurementStatus

PHQ9 = "phq9"
GAD7 = "gad7"
BAM = "bam"
# The instruments measurement-based care follows, in the order every list shows them.
MEASURED_CODES = (PHQ9, GAD7, BAM)
# The BAM's score followed over time: its use subscale (items 4, 5, 6; 0-12), as the
# instrument's definition stores it (instruments/definitions/bam.py), never re-scored.
BAM_USE_SUBSCALE = "use"

# Reliable change: a change of at least this many points is beyond measurement error
# (NHS Talking Therapies manual, formerly IAPT: PHQ-9 6 points, GAD-7 4 points).
# The BAM has no published reliable-change threshold: its change is reported, never
# called reliable (REFERENCE section 10).
RELIABLE_CHANGE: dict[str, int] = {PHQ9: 6, GAD7: 4}
# PHQ-9 only (Kroenke 2001 and later consensus): remission is a total below 5; response
# is a total down by at least 50% from baseline (latest <= half the baseline).
REMISSION_BELOW: dict[str, int] = {PHQ9: 5}
RESPONSE_CODES = frozenset({PHQ9})
# OpenRecovery's own rule, not a published one: not on track is no reliable improvement
# when the latest administration is six weeks (42 days) or more after baseline, or a
# reliable deterioration at any time.
NOT_ON_TRACK_AFTER = dt.timedelta(days=42)
# The statuses that call for a review of the treatment plan.
REVIEW_STATUSES = frozenset(
    {MeasurementStatus.NOT_ON_TRACK, MeasurementStatus.RELIABLE_DETERIORATION}
)
STATUS_LABELS = {str(code): str(label) for code, label in MeasurementStatus.choices}


@dataclasses.dataclass(frozen=True)
class Measure:
    """One administration as measurement-based care reads it: its total and when."""

    total: int
    administered_at: dt.datetime


def measured_total(code: str, total: int | None, subscales: Mapping[str, Any]) -> int | None:
    """Return the score followed for an administration: the BAM's use score, else its total."""
    if code == BAM:
        value = subscales.get(BAM_USE_SUBSCALE)
        return value if isinstance(value, int) else None
    return total


def change(baseline: Measure | None, latest: Measure | None, count: int) -> int | None:
    """Return latest minus baseline (positive: worse), or None under two administrations."""
    if count < 2 or baseline is None or latest is None:
        return None
    return latest.total - baseline.total


def course_status(
    code: str, baseline: Measure | None, latest: Measure | None, count: int
) -> MeasurementStatus:
    """Return the course's status: the first that applies of remission, response,
    reliable deterioration, not on track, reliable improvement and no reliable change;
    insufficient data under two administrations (``count``)."""
    difference = change(baseline, latest, count)
    if difference is None or baseline is None or latest is None:
        return MeasurementStatus.INSUFFICIENT_DATA
    remission_below = REMISSION_BELOW.get(code)
    if remission_below is not None and latest.total < remission_below:
        return MeasurementStatus.REMISSION
    if code in RESPONSE_CODES and latest.total * 2 <= baseline.total:
        return MeasurementStatus.RESPONSE
    threshold = RELIABLE_CHANGE.get(code)
    if threshold is None:  # no published threshold (BAM): change, never reliable change
        return MeasurementStatus.NO_RELIABLE_CHANGE
    if difference >= threshold:
        return MeasurementStatus.RELIABLE_DETERIORATION
    improved = -difference >= threshold
    if not improved and latest.administered_at - baseline.administered_at >= NOT_ON_TRACK_AFTER:
        return MeasurementStatus.NOT_ON_TRACK
    if improved:
        return MeasurementStatus.RELIABLE_IMPROVEMENT
    return MeasurementStatus.NO_RELIABLE_CHANGE


def next_due(
    *,
    in_treatment: bool,
    latest_at: dt.datetime | None,
    entered_treatment_at: dt.datetime | None,
    interval_days: int,
) -> dt.datetime | None:
    """Return when an instrument is next due: ``interval_days`` after the episode's latest
    administration of it, or when the episode entered treatment (due at once) before any;
    None outside the treatment stage."""
    if not in_treatment:
        return None
    if latest_at is not None:
        return latest_at + dt.timedelta(days=interval_days)
    return entered_treatment_at


def is_due(next_due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Return whether a measure due at ``next_due_at`` is due at ``now``."""
    return next_due_at is not None and next_due_at <= now
