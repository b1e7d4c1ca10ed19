"""Withdrawal protocols as data: the shipped default, validation and small pure judgements.

The CIWA-B's bands and scoring are the instrument's (``instruments/definitions/ciwab.py``);
a protocol only says what each band means for monitoring: how soon the next assessment
is due, which vital signs are beyond limits, and when the physician is alerted. CIWA-B
is a monitoring scale, not a dosing algorithm (REFERENCE section 3): a high score opens a
clinician review, never a dose.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from openrecovery.instruments.definitions.ciwab import CIWAB

from .choices import VitalSign

CIWAB_CODE = CIWAB.code
BAND_CODES = tuple(band.code for band in CIWAB.bands)
BAND_LABELS = {band.code: band.label for band in CIWAB.bands}
SEVERE_BANDS = frozenset({"severe", "very_severe"})
PATIENT_SUBSCALE = "patient"
OBSERVER_SUBSCALE = "observer"

DEFAULT_NAME = "Default withdrawal monitoring protocol"
DEFAULT_INTERVALS = {
    "none": 8 * 60,
    "mild": 4 * 60,
    "moderate": 2 * 60,
    "severe": 60,
    "very_severe": 60,
}
DEFAULT_PRN_REASSESS_MINUTES = 60
DEFAULT_RISE_THRESHOLD = 10
DEFAULT_REESCALATE_MINUTES = 15
# Inclusive limits: a value outside them is accepted and flagged, and alerts the physician.
DEFAULT_VITAL_LIMITS: dict[str, dict[str, float]] = {
    VitalSign.SYSTOLIC: {"low": 90, "high": 180},
    VitalSign.DIASTOLIC: {"low": 50, "high": 110},
    VitalSign.HEART_RATE: {"low": 50, "high": 110},
    VitalSign.TEMPERATURE: {"low": 35.1, "high": 38.0},
    VitalSign.RESPIRATORY_RATE: {"low": 9, "high": 24},
    VitalSign.SPO2: {"low": 92, "high": 100},
}
DEFAULT_SOURCES = (
    "CIWA-B: Busto UE, Sykora K, Sellers EM. A clinical scale to assess benzodiazepine "
    "withdrawal. J Clin Psychopharmacol. 1989;9(6):412-416; severity bands as defined in "
    "the instrument (a local protocol, not from the paper: 0 none, 1-20 mild, 21-40 "
    "moderate, 41-60 severe, 61-80 very severe). Reassessment intervals (none 8 h, mild "
    "4 h, moderate 2 h, severe and very severe 1 h; within 60 minutes after an as-needed "
    "dose) and escalation on a severe band or a rise of 10 points: this program's local "
    "protocol, as specified in OpenRecovery issue 12. Structured assessment, vital signs "
    "and seizure-risk assessment for severe or complicated withdrawal, and pausing or "
    "slowing the taper when symptoms appear: 2025 Joint Clinical Practice Guideline on "
    "Benzodiazepine Tapering (Brunner E et al., J Gen Intern Med 2025, "
    "doi:10.1007/s11606-025-09499-2), recs. 11 and 12. CIWA-B is not validated for "
    "linking a score to a dose: a high score opens a clinician review. Vital-sign limits "
    "follow the single-parameter thresholds of the National Early Warning Score 2 (Royal "
    "College of Physicians, 2017) [check]; a program must review them before use."
)

# What a human body can show at all: a value outside is a typing error, refused.
PLAUSIBLE: dict[str, tuple[Decimal, Decimal]] = {
    VitalSign.SYSTOLIC: (Decimal(40), Decimal(300)),
    VitalSign.DIASTOLIC: (Decimal(20), Decimal(200)),
    VitalSign.HEART_RATE: (Decimal(20), Decimal(250)),
    VitalSign.TEMPERATURE: (Decimal(25), Decimal(45)),
    VitalSign.RESPIRATORY_RATE: (Decimal(3), Decimal(80)),
    VitalSign.SPO2: (Decimal(50), Decimal(100)),
}
MAX_INTERVAL_MINUTES = 24 * 60
MAX_REESCALATE_MINUTES = 240
MAX_RISE = 80

ERROR_INTERVALS = "Give a reassessment interval for every CIWA-B band: %(bands)s."
ERROR_INTERVAL_RANGE = "Reassessment intervals are whole minutes from 15 to 1440 (24 hours)."
ERROR_INTERVAL_ORDER = "A more severe band may not wait longer than a milder one."
ERROR_LIMITS = "Give low and high limits for every vital sign: %(signs)s."
ERROR_LIMIT_RANGE = "%(sign)s: the limits must lie within %(low)s-%(high)s, low below high."
ERROR_RISE = "The rise that alerts is 1 to 80 points."
ERROR_REESCALATE = "Re-escalation waits 1 to 240 minutes."
ERROR_PRN = "Reassessment after an as-needed dose is due within 15 to 240 minutes."


def protocol_defaults() -> dict[str, Any]:
    """Return the fields of the shipped default protocol (version 1)."""
    return {
        "name": DEFAULT_NAME,
        "instrument_version": CIWAB.version,
        "intervals": dict(DEFAULT_INTERVALS),
        "prn_reassess_minutes": DEFAULT_PRN_REASSESS_MINUTES,
        "vital_limits": {str(k): dict(v) for k, v in DEFAULT_VITAL_LIMITS.items()},
        "rise_threshold": DEFAULT_RISE_THRESHOLD,
        "reescalate_minutes": DEFAULT_REESCALATE_MINUTES,
        "sources": DEFAULT_SOURCES,
    }


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def protocol_validate(
    *,
    intervals: Mapping[str, Any],
    vital_limits: Mapping[str, Any],
    rise_threshold: Any,
    reescalate_minutes: Any,
    prn_reassess_minutes: Any,
) -> None:
    """Raise ValidationError (keyed by field) unless the settings make a usable protocol."""
    errors: dict[str, list[str]] = {}
    if set(intervals) != set(BAND_CODES):
        errors["intervals"] = [ERROR_INTERVALS % {"bands": ", ".join(BAND_CODES)}]
    elif not all(
        _whole(intervals[b]) and 15 <= intervals[b] <= MAX_INTERVAL_MINUTES for b in BAND_CODES
    ):
        errors["intervals"] = [ERROR_INTERVAL_RANGE]
    elif any(intervals[a] < intervals[b] for a, b in zip(BAND_CODES, BAND_CODES[1:], strict=False)):
        errors["intervals"] = [ERROR_INTERVAL_ORDER]
    signs = [str(s) for s in VitalSign]
    if set(vital_limits) != set(signs) or not all(
        isinstance(vital_limits[s], Mapping) and set(vital_limits[s]) == {"low", "high"}
        for s in signs
    ):
        errors["vital_limits"] = [ERROR_LIMITS % {"signs": ", ".join(signs)}]
    else:
        for sign in VitalSign:
            low, high = vital_limits[sign]["low"], vital_limits[sign]["high"]
            floor, ceiling = PLAUSIBLE[sign]
            numbers = all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)
            )
            if not numbers or not floor <= Decimal(str(low)) < Decimal(str(high)) <= ceiling:
                errors.setdefault("vital_limits", []).append(
                    ERROR_LIMIT_RANGE % {"sign": sign.label, "low": floor, "high": ceiling}
                )
    if not _whole(rise_threshold) or not 1 <= rise_threshold <= MAX_RISE:
        errors["rise_threshold"] = [ERROR_RISE]
    if not _whole(reescalate_minutes) or not 1 <= reescalate_minutes <= MAX_REESCALATE_MINUTES:
        errors["reescalate_minutes"] = [ERROR_REESCALATE]
    if not _whole(prn_reassess_minutes) or not 15 <= prn_reassess_minutes <= 240:
        errors["prn_reassess_minutes"] = [ERROR_PRN]
    if errors:
        raise ValidationError(errors)


def next_due(administered_at: dt.datetime, band: str, intervals: Mapping[str, int]) -> dt.datetime:
    """Return when the next CIWA-B is due: ``administered_at`` plus the band's interval.

    The interval is elapsed time, added in UTC: a daylight-saving change neither shortens
    nor lengthens the wait (the clock on the wall may jump; the patient's hour does not).
    Python adds to a datetime in a local zone by the wall clock, hence the conversion.
    """
    return administered_at.astimezone(dt.UTC) + dt.timedelta(minutes=intervals[band])


def is_overdue(next_due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Return True when an assessment is due and not done (never assessed counts as due).

    Compared in UTC: two datetimes of one local zone compare by the wall clock.
    """
    return next_due_at is None or next_due_at.astimezone(dt.UTC) <= now.astimezone(dt.UTC)


def beyond_limits(values: Mapping[str, Decimal | int], limits: Mapping[str, Any]) -> list[str]:
    """Return the signs (in VitalSign order) whose value lies outside the inclusive limits."""
    found = []
    for sign in VitalSign:
        value = Decimal(str(values[sign]))
        low, high = limits[sign]["low"], limits[sign]["high"]
        if value < Decimal(str(low)) or value > Decimal(str(high)):
            found.append(str(sign))
    return found


def escalation_due(*, band: str, rise: int | None, threshold: int) -> list[str]:
    """Return why a CIWA-B calls the physician (EscalationReason codes; empty: it does not)."""
    reasons = []
    if band in SEVERE_BANDS:
        reasons.append("severe_band")
    if rise is not None and rise >= threshold:
        reasons.append("rise")
    return reasons
