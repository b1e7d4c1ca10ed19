"""The taper planner: a benzodiazepine taper as a pure function of the current regimen.

Rules from the 2025 joint guideline (Brunner et al., J Gen Intern Med 2025; REFERENCE
section 5), enforced on every plan:

- the default pace is 10% of the current dose every 14 days (rec. 6: 5-10% every 2-4
  weeks); each cut rounds down to the medication's dose unit, and is at least one unit;
- no step, and no 14-day window, cuts more than 25% of the diazepam-equivalent dose,
  except the tail: once the dose is at or below three dose units, it steps down one
  unit at a time, ``interval_days`` (at least 14 by default) apart;
- every dose is a multiple of the medication's dose unit;
- a switch to diazepam (rec. 7) replaces one portion of the daily dose at a time over
  1-2 weeks, keeping the diazepam-equivalent dose exactly;
- a faster plan (more than 10% a step, steps under 14 days apart, or a cut beyond the
  25% limit) needs a written reason, which the caller audits; an abrupt stop (rec. 2:
  to zero from more than one dose unit) is refused, whatever the reason.

Equivalents are exact fractions; the caller rounds them for people. Nothing is stored.
"""

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from .catalogue import Medication, medication_get
from .choices import DrugClass
from .equivalence import (
    FOR_GUIDANCE_ONLY,
    EquivalenceTable,
    NoEquivalent,
    diazepam_factor,
    table_get,
)

DEFAULT_REDUCTION_PERCENT = Decimal(10)
DEFAULT_INTERVAL_DAYS = 14
MAX_CUT = Fraction(1, 4)
WINDOW_DAYS = 14
TAIL_UNITS = 3
SWITCH_TARGETS = ("diazepam",)
SWITCH_MAX_PORTIONS = 4
SWITCH_LAST_DAY = 14  # a switch goes over 1-2 weeks, not 1-2 days (REFERENCE section 4)

OVERRIDE_FASTER_PERCENT = "reduction_above_10_percent"
OVERRIDE_SHORTER_INTERVAL = "interval_below_14_days"
OVERRIDE_CUT_LIMIT = "cut_above_25_percent_in_14_days"
OVERRIDE_WORDS = {
    OVERRIDE_FASTER_PERCENT: "reductions above 10% of the current dose",
    OVERRIDE_SHORTER_INTERVAL: "steps less than 14 days apart",
    OVERRIDE_CUT_LIMIT: "more than 25% of the diazepam-equivalent dose cut within 14 days",
}

ERROR_UNKNOWN_MEDICATION = (
    "Unknown medication {name!r}: name a benzodiazepine by its generic or brand name "
    "(for example clonazepam or Klonopin)."
)
ERROR_NOT_BENZODIAZEPINE = (
    "{medication} is {drug_class}, not a benzodiazepine: the planner tapers benzodiazepines only."
)
ERROR_DESIGNER = (
    "{medication} is a designer benzodiazepine with no labeled dose and no equivalent in "
    "either table: a clinician chooses a prescribed benzodiazepine and its starting dose."
)
ERROR_NO_TABLE_ENTRY = (
    "{message} The planner converts only the benzodiazepines of the 2025 guideline's Table 7."
)
ERROR_NOT_TAPERED = "{medication} has no taper dose unit: the planner does not taper it."
ERROR_UNIT_NOT_ALLOWED = (
    "{medication} cannot be measured in steps of {unit} mg: its forms allow {allowed}."
)
ERROR_DOSE_NOT_POSITIVE = "The daily dose must be more than 0 mg."
ERROR_DOSE_IMPLAUSIBLE = (
    "{dose} mg of {medication} a day is above the plausible maximum of {maximum} mg a day "
    "(three times the label's {label} mg): check the dose."
)
ERROR_NOT_A_MULTIPLE = (
    "{dose} mg of {medication} is not a multiple of its dose unit, {unit} mg: no tablets make it."
)
ERROR_SWITCH_TARGET = "A taper can switch to diazepam only (or to nothing: null)."
ERROR_ALREADY_DIAZEPAM = "The medication is diazepam already: there is nothing to switch."
ERROR_SWITCH_INEXACT = (
    "{dose} mg of {medication} a day is {diazepam} mg of diazepam by the {table} table, which "
    "whole {unit} mg diazepam doses cannot make: the switch goes in portions of {portion} mg "
    "of {medication} ({portion_diazepam} mg of diazepam). Start from a multiple of {portion} "
    "mg, or taper {medication} itself."
)
ERROR_TARGET_NEGATIVE = "The target dose cannot be below 0 mg."
ERROR_TARGET_NOT_BELOW = (
    "The target, {target} mg of {medication}, must be below the dose the taper starts from "
    "({start} mg)."
)
ERROR_PERCENT = "The reduction must be more than 0% and at most 100% of the current dose."
ERROR_INTERVAL = "The interval must be at least 1 day."
ERROR_ABRUPT_STOP = (
    "This plan stops {medication} abruptly ({before} mg a day to 0 in one step). An abrupt "
    "stop of a physically dependent patient is refused, even with a reason (2025 guideline, "
    "rec. 2): the last step may take away one dose unit ({unit} mg) only."
)
ERROR_OVERRIDE_NEEDED = (
    "This plan is faster than the guideline's default ({limits}): give an override_reason, "
    "which is audited."
)


class TaperRefused(ValueError):
    """The plan cannot be made as asked: ``field`` says which input, ``message`` why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class Dose:
    """One medication's total daily dose in a step."""

    medication: Medication
    daily_mg: Decimal


@dataclasses.dataclass(frozen=True)
class TaperStep:
    """The regimen from ``day`` (0: the current regimen) until the next step."""

    day: int
    doses: tuple[Dose, ...]
    diazepam_equivalent_mg: Fraction
    kind: str  # "current", "switch", "reduction" or "tail"


@dataclasses.dataclass(frozen=True)
class TaperPlan:
    """A previewed taper: its steps, its warnings in words and the limits it overrides."""

    table: EquivalenceTable
    start_diazepam_equivalent_mg: Fraction
    steps: tuple[TaperStep, ...]
    warnings: tuple[str, ...]
    overrides: tuple[str, ...]
    unit_mg: Decimal  # the dose unit of the medication the taper reduces
    dose_units_mg: dict[str, Decimal]  # the unit each medication of the plan steps by
    tail_from_mg: Decimal  # at or below this dose (three units) the taper is in its tail


def _mg(value: Decimal | Fraction) -> str:
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _is_multiple(dose: Decimal, unit: Decimal) -> bool:
    return dose % unit == 0


def _unit(medication: Medication, chosen: Mapping[str, Decimal] | None) -> Decimal:
    """Return the dose unit to step by: the default, or a finer one a form allows."""
    default = medication.taper_unit_mg
    if default is None:
        raise TaperRefused("medication", ERROR_NOT_TAPERED.format(medication=medication))
    if not chosen or medication.code not in chosen:
        return default
    unit = chosen[medication.code]
    allowed = medication.allowed_units_mg()
    if unit not in allowed:
        raise TaperRefused(
            "dose_units_mg",
            ERROR_UNIT_NOT_ALLOWED.format(
                medication=medication,
                unit=_mg(unit),
                allowed=", ".join(f"{_mg(a)} mg" for a in allowed),
            ),
        )
    return unit


def _taperable(
    name: str, table: str, units: Mapping[str, Decimal] | None = None
) -> tuple[Medication, Fraction, Decimal]:
    """Return the medication, its diazepam factor in ``table`` and its unit, or refuse."""
    medication = medication_get(name, clinical=True)
    if medication is None:
        raise TaperRefused("medication", ERROR_UNKNOWN_MEDICATION.format(name=name))
    try:
        table_get(table)
    except NoEquivalent as error:
        raise TaperRefused("equivalence_table", str(error)) from error
    if medication.drug_class != DrugClass.BENZODIAZEPINE:
        article = "an" if medication.drug_class.label[0] in "AEIOU" else "a"
        raise TaperRefused(
            "medication",
            ERROR_NOT_BENZODIAZEPINE.format(
                medication=medication.generic_name,
                drug_class=f"{article} {medication.drug_class.label.lower()}",
            ),
        )
    if medication.designer:
        raise TaperRefused("medication", ERROR_DESIGNER.format(medication=medication))
    try:
        factor = diazepam_factor(medication, table)
    except NoEquivalent as error:
        raise TaperRefused("medication", ERROR_NO_TABLE_ENTRY.format(message=str(error))) from error
    return medication, factor, _unit(medication, units)


def _check_dose(medication: Medication, dose: Decimal, unit: Decimal) -> None:
    if dose <= 0:
        raise TaperRefused("daily_dose_mg", ERROR_DOSE_NOT_POSITIVE)
    maximum = medication.max_plausible_daily_mg
    if maximum is not None and dose > maximum:
        raise TaperRefused(
            "daily_dose_mg",
            ERROR_DOSE_IMPLAUSIBLE.format(
                dose=_mg(dose), medication=medication, maximum=_mg(maximum),
                label=_mg(medication.label_max_daily_mg or Decimal(0)),
            ),
        )  # fmt: skip
    if not _is_multiple(dose, unit):
        raise TaperRefused(
            "daily_dose_mg",
            ERROR_NOT_A_MULTIPLE.format(dose=_mg(dose), medication=medication, unit=_mg(unit)),
        )


def switch_portion_mg(unit: Decimal, factor: Fraction, diazepam_unit: Decimal) -> Decimal:
    """Return the smallest multiple of ``unit`` whose diazepam equivalent is whole units."""
    per_unit = Fraction(unit) * factor / Fraction(diazepam_unit)
    return unit * per_unit.denominator


def _portions(total: int, count: int) -> list[int]:
    """Split ``total`` quanta into ``count`` near-equal whole parts, largest first."""
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _equivalent(doses: tuple[Dose, ...], factors: dict[str, Fraction]) -> Fraction:
    return sum((Fraction(d.daily_mg) * factors[d.medication.code] for d in doses), Fraction(0))


def _switch_steps(
    medication: Medication,
    dose: Decimal,
    diazepam: Medication,
    units: tuple[Decimal, Decimal],
    factors: dict[str, Fraction],
    table: EquivalenceTable,
) -> list[TaperStep]:
    """Return the steps that replace ``dose`` of ``medication`` with diazepam, portion by
    portion, keeping the equivalent dose; refuse a dose whole diazepam units cannot make."""
    unit, diazepam_unit = units
    factor = factors[medication.code]
    portion = switch_portion_mg(unit, factor, diazepam_unit)
    if not _is_multiple(dose, portion):
        raise TaperRefused(
            "switch_to",
            ERROR_SWITCH_INEXACT.format(
                dose=_mg(dose), medication=medication, table=table.name,
                diazepam=_mg(Fraction(dose) * factor), unit=_mg(diazepam_unit),
                portion=_mg(portion), portion_diazepam=_mg(Fraction(portion) * factor),
            ),
        )  # fmt: skip
    quanta = int(dose / portion)
    count = min(SWITCH_MAX_PORTIONS, quanta)
    spacing = SWITCH_LAST_DAY // 2 if count <= 2 else (SWITCH_LAST_DAY - 2) // count
    left, taken = dose, Decimal(0)
    steps = []
    for number, part in enumerate(_portions(quanta, count), start=1):
        left -= portion * part
        # Whole diazepam units, by the choice of the portion.
        whole = Fraction(portion * part) * factor / Fraction(diazepam_unit)
        taken += diazepam_unit * whole.numerator
        doses: tuple[Dose, ...] = (Dose(diazepam, taken),)
        if left:
            doses = (Dose(medication, left), *doses)
        steps.append(TaperStep(number * spacing, doses, _equivalent(doses, factors), "switch"))
    return steps


def _reduction_steps(
    medication: Medication,
    unit: Decimal,
    start: Decimal,
    target: Decimal,
    percent: Decimal,
    interval: int,
    first_day: int,
    factors: dict[str, Fraction],
) -> list[TaperStep]:
    dose, day, steps = start, first_day, []
    while dose > target:
        if dose <= unit * TAIL_UNITS:
            after, kind = dose - unit, "tail"
        else:
            cut = max(unit, (dose * percent / 100 // unit) * unit)
            after, kind = dose - cut, "reduction"
        after = max(after, target)
        if after == 0 and dose > unit:
            raise TaperRefused(
                "reduction_percent",
                ERROR_ABRUPT_STOP.format(medication=medication, before=_mg(dose), unit=_mg(unit)),
            )
        day += interval
        doses = (Dose(medication, after),)
        steps.append(TaperStep(day, doses, _equivalent(doses, factors), kind))
        dose = after
    return steps


def cuts_beyond_limit(steps: tuple[TaperStep, ...], tail_from: Fraction) -> bool:
    """Return True if a cut, or the cuts within any 14 days, take more than 25% of the
    diazepam-equivalent dose, leaving out cuts made from the tail (``tail_from`` and
    below, in diazepam equivalents)."""
    for i in range(1, len(steps)):
        before = steps[i - 1].diazepam_equivalent_mg
        if before <= tail_from or steps[i].diazepam_equivalent_mg >= before:
            continue
        lowest = before
        for later in steps[i:]:
            if later.day - steps[i].day >= WINDOW_DAYS:
                break
            lowest = min(lowest, later.diazepam_equivalent_mg)
        if before - lowest > before * MAX_CUT:
            return True
    return False


def _warnings(
    table: EquivalenceTable,
    medication: Medication,
    switch: list[TaperStep],
    interval: int,
    target: Decimal,
    overrides: list[str],
) -> list[str]:
    warnings = [
        f"Diazepam equivalents use the {table.name} table (2025 guideline, Table 7) and are "
        f"{FOR_GUIDANCE_ONLY}: tables differ by up to twofold, and a clinician confirms "
        "every dose before it becomes an order.",
        "Do not stop suddenly. Assess withdrawal signs and symptoms at each reduction "
        "(rec. 9); if they appear, pause or slow the taper first (rec. 11).",
        "Reassess the plan's risks and benefits at least every 3 months (rec. 1).",
    ]
    if switch:
        warnings.append(
            f"The switch to diazepam replaces one portion of the daily dose at a time (for "
            f"example the evening dose first), over {switch[-1].day} days, without reducing "
            f"the equivalent dose (rec. 7); reductions start {interval} days after it."
        )
    if target > 0:
        warnings.append("The goal is a lower dose rather than zero (rec. 6).")
    if overrides:
        limits = "; ".join(OVERRIDE_WORDS[o] for o in overrides)
        warnings.append(f"Faster than the guideline's default pace ({limits}): overridden.")
    if medication.note:
        warnings.append(medication.note)
    return warnings


def taper_plan_preview(
    *,
    medication: str,
    daily_dose_mg: Decimal,
    equivalence_table: str,
    switch_to: str | None = None,
    reduction_percent: Decimal = DEFAULT_REDUCTION_PERCENT,
    interval_days: int = DEFAULT_INTERVAL_DAYS,
    target_dose_mg: Decimal = Decimal(0),
    override_reason: str = "",
    dose_units_mg: Mapping[str, Decimal] | None = None,
) -> TaperPlan:
    """Plan a taper from ``daily_dose_mg`` of ``medication`` down to ``target_dose_mg``.

    ``target_dose_mg`` is in the medication the taper ends on (diazepam after a switch).
    ``dose_units_mg`` may choose, per medication code, a finer unit one of its forms
    allows (a liquid's); by default each steps by its tablets' unit.
    Raise TaperRefused naming the input at fault; return the plan, whose ``overrides``
    list the default limits it goes beyond (each covered by ``override_reason``).
    """
    start, factor, unit = _taperable(medication, equivalence_table, dose_units_mg)
    table = table_get(equivalence_table)
    _check_dose(start, daily_dose_mg, unit)
    if not 0 < reduction_percent <= 100:
        raise TaperRefused("reduction_percent", ERROR_PERCENT)
    if interval_days < 1:
        raise TaperRefused("interval_days", ERROR_INTERVAL)
    factors = {start.code: factor}
    current = (Dose(start, daily_dose_mg),)
    steps = [TaperStep(0, current, _equivalent(current, factors), "current")]
    active, active_unit, dose = start, unit, daily_dose_mg
    switch: list[TaperStep] = []
    if switch_to is not None:
        if switch_to not in SWITCH_TARGETS:
            raise TaperRefused("switch_to", ERROR_SWITCH_TARGET)
        if start.code == switch_to:
            raise TaperRefused("switch_to", ERROR_ALREADY_DIAZEPAM)
        active, factors[switch_to], active_unit = _taperable(
            switch_to, equivalence_table, dose_units_mg
        )
        units = (unit, active_unit)
        switch = _switch_steps(start, daily_dose_mg, active, units, factors, table)
        steps += switch
        dose = switch[-1].doses[0].daily_mg
    if target_dose_mg < 0:
        raise TaperRefused("target_dose_mg", ERROR_TARGET_NEGATIVE)
    # Below the start before the unit: a huge number's remainder overflows Decimal.
    if target_dose_mg >= dose:
        raise TaperRefused(
            "target_dose_mg",
            ERROR_TARGET_NOT_BELOW.format(
                target=_mg(target_dose_mg), medication=active, start=_mg(dose)
            ),
        )
    if not _is_multiple(target_dose_mg, active_unit):
        raise TaperRefused(
            "target_dose_mg",
            ERROR_NOT_A_MULTIPLE.format(
                dose=_mg(target_dose_mg), medication=active, unit=_mg(active_unit)
            ),
        )
    steps += _reduction_steps(
        active,
        active_unit,
        dose,
        target_dose_mg,
        reduction_percent,
        interval_days,
        steps[-1].day,
        factors,
    )
    tail_from = active_unit * TAIL_UNITS
    overrides = []
    if reduction_percent > DEFAULT_REDUCTION_PERCENT:
        overrides.append(OVERRIDE_FASTER_PERCENT)
    if interval_days < DEFAULT_INTERVAL_DAYS:
        overrides.append(OVERRIDE_SHORTER_INTERVAL)
    if cuts_beyond_limit(tuple(steps), Fraction(tail_from) * factors[active.code]):
        overrides.append(OVERRIDE_CUT_LIMIT)
    if overrides and not override_reason.strip():
        limits = "; ".join(OVERRIDE_WORDS[o] for o in overrides)
        raise TaperRefused("override_reason", ERROR_OVERRIDE_NEEDED.format(limits=limits))
    return TaperPlan(
        table=table,
        start_diazepam_equivalent_mg=steps[0].diazepam_equivalent_mg,
        steps=tuple(steps),
        warnings=tuple(_warnings(table, start, switch, interval_days, target_dose_mg, overrides)),
        overrides=tuple(overrides),
        unit_mg=active_unit,
        dose_units_mg={start.code: unit, active.code: active_unit},
        tail_from_mg=tail_from,
    )
