"""Taper orders as data: the planner's plan as stored steps, the clinician's adjustments
(pause, slow, hold at a plateau, resume), calendar dates and the doses of each day.

Pure functions, no database. A step is ``{"day", "doses": [{"medication", "daily_mg"}],
"diazepam_equivalent_mg", "kind"}`` with the amounts as exact decimal text; ``day`` counts
from the order's start date (day 0 is the current regimen). An adjustment only ever makes
a plan slower or holds it, never faster, so it needs no override of the guideline's
limits (the planner checked those); it never changes a dose.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from openrecovery.medications.taper import TaperPlan

from .choices import Adjustment

Step = dict[str, Any]
MAX_PAUSE_DAYS = 180
SLOW_FACTORS = (2, 3)
ERROR_STEP = "Choose one of the plan's steps (1 to {count})."
ERROR_LAST_STEP = "Step {number} is the last: there is nothing after it to pause or slow."
ERROR_PAUSE_DAYS = f"A pause lasts 1 to {MAX_PAUSE_DAYS} days."
ERROR_SLOW_FACTOR = "Slow the plan to twice or three times its intervals."
ERROR_NOTHING_HELD = "The plan is not on hold: there is nothing to resume."
ERROR_ALREADY_HELD = "The plan is on hold already: resume it first."
ERROR_RESUME_DAY = "Resume after the plateau's start (day {day}) and within {limit} days of it."
ERROR_UNKNOWN = "Unknown adjustment."


class AdjustmentRefused(ValueError):
    """An adjustment cannot be made: ``message`` says why, for the clinician."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value: Any) -> str:
    text = format(Decimal(str(round(float(value), 3))).normalize(), "f")
    return text if text != "-0" else "0"


def plan_steps(plan: TaperPlan) -> list[Step]:
    """Return the planner's steps as stored data (the medication by catalogue code)."""
    return [
        {
            "day": step.day,
            "doses": [
                {"medication": d.medication.code, "daily_mg": format(d.daily_mg.normalize(), "f")}
                for d in step.doses
            ],
            "diazepam_equivalent_mg": _text(step.diazepam_equivalent_mg),
            "kind": step.kind,
        }
        for step in plan.steps
    ]


def _index(steps: list[Step], op: Mapping[str, Any]) -> int:
    try:
        index = int(op.get("step", -1))
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(steps):
        raise AdjustmentRefused(ERROR_STEP.format(count=len(steps)))
    return index


def adjust(
    steps: list[Step], held: list[Step], op: Mapping[str, Any]
) -> tuple[list[Step], list[Step]]:
    """Apply one adjustment; return the new steps and the steps on hold (not scheduled).

    - pause ``{"op": "pause", "step": i, "days": n}``: stay on step i n days longer (every
      later step moves n days on);
    - slow ``{"op": "slow", "step": i, "factor": 2|3}``: the intervals after step i become
      two or three times as long;
    - hold ``{"op": "hold", "step": i}``: stay on step i until resumed (later steps held);
    - resume ``{"op": "resume", "day": d}``: the held steps start again on day d, their
      intervals kept.
    """
    steps = [dict(s) for s in steps]
    kind = op.get("op")
    if kind == Adjustment.RESUME:
        if not held:
            raise AdjustmentRefused(ERROR_NOTHING_HELD)
        plateau = steps[-1]["day"]
        try:
            day = int(op.get("day", -1))
        except (TypeError, ValueError):
            day = -1
        if not plateau < day <= plateau + MAX_PAUSE_DAYS:
            raise AdjustmentRefused(ERROR_RESUME_DAY.format(day=plateau, limit=MAX_PAUSE_DAYS))
        first = held[0]["day"]
        return steps + [{**s, "day": day + s["day"] - first} for s in held], []
    if kind not in (Adjustment.PAUSE, Adjustment.SLOW, Adjustment.HOLD):
        raise AdjustmentRefused(ERROR_UNKNOWN)
    index = _index(steps, op)
    if kind == Adjustment.HOLD:
        if held:
            raise AdjustmentRefused(ERROR_ALREADY_HELD)
        return steps[: index + 1], steps[index + 1 :]
    if index == len(steps) - 1:
        raise AdjustmentRefused(ERROR_LAST_STEP.format(number=index + 1))
    base = steps[index]["day"]
    if kind == Adjustment.PAUSE:
        try:
            days = int(op.get("days", 0))
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise AdjustmentRefused(ERROR_PAUSE_DAYS)
        moved = [{**s, "day": s["day"] + days} for s in steps[index + 1 :]]
        return steps[: index + 1] + moved, held
    try:
        factor = int(op.get("factor", 0))
    except (TypeError, ValueError):
        factor = 0
    if factor not in SLOW_FACTORS:
        raise AdjustmentRefused(ERROR_SLOW_FACTOR)
    slowed = [{**s, "day": base + (s["day"] - base) * factor} for s in steps[index + 1 :]]
    return steps[: index + 1] + slowed, held


def adjust_all(
    steps: list[Step], adjustments: Iterable[Mapping[str, Any]], held: list[Step] | None = None
) -> tuple[list[Step], list[Step]]:
    """Apply the adjustments in order (each from the plan the one before made)."""
    on_hold = list(held or [])
    for op in adjustments:
        steps, on_hold = adjust(steps, on_hold, op)
    return steps, on_hold


def step_date(start: dt.date, step: Step) -> dt.date:
    """Return the calendar date a step starts on."""
    return start + dt.timedelta(days=int(step["day"]))


def step_on(steps: list[Step], start: dt.date, day: dt.date) -> int | None:
    """Return the index of the step in force on ``day`` (None before the start)."""
    found = None
    for index, step in enumerate(steps):
        if step_date(start, step) <= day:
            found = index
    return found


def split_daily(daily_mg: Decimal, unit_mg: Decimal, times: int) -> list[Decimal]:
    """Split a daily dose into ``times`` doses, each a multiple of the dose unit, the larger
    ones first (1.375 mg in 0.125 mg units twice a day: 0.75 then 0.625); a time with no
    whole unit left gets no dose (0)."""
    units = int(daily_mg / unit_mg)
    share, extra = divmod(units, times)
    return [(share + (1 if i < extra else 0)) * unit_mg for i in range(times)]
