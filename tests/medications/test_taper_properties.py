"""Property tests of the taper planner over many random plans (issue 12, "Proof").

The rules are checked here with code of the tests' own, not the planner's helpers:
equivalents never rise, no 14-day window outside the tail cuts more than 25%, the tail
steps one unit at a time at least 14 days apart, every dose is a multiple of its unit,
the plan reaches its target, a switch keeps the equivalent exactly, and no plan, even
an overridden one, stops more than one dose unit at once.
"""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from openrecovery.medications.catalogue import CATALOGUE
from openrecovery.medications.equivalence import diazepam_factor
from openrecovery.medications.taper import TaperPlan, switch_portion_mg, taper_plan_preview

TAPERED = sorted(code for code, m in CATALOGUE.items() if m.equivalents)
TABLES = ("ashton", "va_dod_2021")
DIAZEPAM = CATALOGUE["diazepam"]


@st.composite
def plan_requests(draw: st.DrawFn, *, faster: bool = False) -> dict:
    code = draw(st.sampled_from(TAPERED))
    medication = CATALOGUE[code]
    table = draw(st.sampled_from(TABLES))
    switch = code != "diazepam" and draw(st.booleans())
    # Each medication steps by a unit one of its forms allows (a liquid's is finer).
    units = {code: draw(st.sampled_from(medication.allowed_units_mg()))}
    if switch:
        units["diazepam"] = draw(st.sampled_from(DIAZEPAM.allowed_units_mg()))
    unit = units[code]
    step = unit
    if switch:
        step = switch_portion_mg(unit, diazepam_factor(medication, table), units["diazepam"])
    most = int(medication.max_plausible_daily_mg // step)
    dose = step * draw(st.integers(min_value=1, max_value=most))
    if switch:
        # Whole diazepam units: the dose is made of whole switch portions.
        end_unit = units["diazepam"]
        whole = Fraction(dose) * diazepam_factor(medication, table) / Fraction(end_unit)
        assert whole.denominator == 1
        end = end_unit * whole.numerator
    else:
        end, end_unit = dose, unit
    target = end_unit * draw(st.integers(min_value=0, max_value=int(end / end_unit) - 1))
    if faster:
        percent = draw(st.decimals(min_value=1, max_value=99, places=1))
        interval = draw(st.integers(min_value=1, max_value=28))
    else:
        percent = draw(st.decimals(min_value=1, max_value=10, places=1))
        interval = draw(st.integers(min_value=14, max_value=28))
    return {
        "medication": code,
        "daily_dose_mg": dose,
        "equivalence_table": table,
        "switch_to": "diazepam" if switch else None,
        "reduction_percent": percent,
        "interval_days": interval,
        "target_dose_mg": target,
        "override_reason": "Planned admission for a faster inpatient taper." if faster else "",
        "dose_units_mg": units,
    }


def equivalent(step, table) -> Fraction:
    return sum(
        (Fraction(d.daily_mg) * diazepam_factor(d.medication, table) for d in step.doses),
        Fraction(0),
    )


def reduction_steps(plan: TaperPlan) -> list:
    return [s for s in plan.steps if s.kind in ("reduction", "tail")]


def check_always(plan: TaperPlan, request: dict) -> None:
    steps = plan.steps
    table = request["equivalence_table"]
    first = steps[0]
    assert first.day == 0 and first.kind == "current"
    assert [(d.medication.code, d.daily_mg) for d in first.doses] == [
        (request["medication"], request["daily_dose_mg"])
    ]
    assert plan.start_diazepam_equivalent_mg == first.diazepam_equivalent_mg
    days = [s.day for s in steps]
    assert days == sorted(set(days))
    for step in steps:
        assert step.diazepam_equivalent_mg == equivalent(step, table)
        for dose in step.doses:
            assert dose.daily_mg >= 0
            assert dose.daily_mg % request["dose_units_mg"][dose.medication.code] == 0, dose
    # Non-increasing.
    for before, after in zip(steps, steps[1:], strict=False):
        assert after.diazepam_equivalent_mg <= before.diazepam_equivalent_mg
    # The plan reaches the target, in the medication it ends on.
    last = steps[-1]
    ends_on = request["switch_to"] or request["medication"]
    assert [(d.medication.code, d.daily_mg) for d in last.doses] == [
        (ends_on, request["target_dose_mg"])
    ]
    # Switch steps keep the equivalent exactly; they all come before the first reduction.
    switch = [s for s in steps if s.kind == "switch"]
    for step in switch:
        assert step.diazepam_equivalent_mg == plan.start_diazepam_equivalent_mg
    if request["switch_to"]:
        assert switch and switch[-1].day <= 14 and switch[0].day >= 3
        assert [d.medication.code for d in switch[-1].doses] == ["diazepam"]
        assert steps[len(switch) + 1].day - switch[-1].day == request["interval_days"]
        # One portion at a time: diazepam only rises, the first medication only falls.
        for before, after in zip(steps, switch, strict=False):
            mg = {d.medication.code: d.daily_mg for d in after.doses}
            was = {d.medication.code: d.daily_mg for d in before.doses}
            assert mg.get("diazepam", 0) > was.get("diazepam", 0)
            assert mg.get(request["medication"], 0) < was[request["medication"]]
    else:
        assert not switch
    # Never an abrupt stop: a step to zero takes away one dose unit at most.
    for before, after in zip(steps, steps[1:], strict=False):
        if after.diazepam_equivalent_mg == 0:
            [dose] = before.doses
            assert dose.daily_mg == request["dose_units_mg"][dose.medication.code]


def check_default_pace(plan: TaperPlan, request: dict) -> None:
    """The limits a plan without an override keeps: 25% per 14 days, the tail's pace."""
    assert plan.overrides == ()
    steps = plan.steps
    unit = plan.unit_mg
    for i in range(1, len(steps)):
        before = steps[i - 1]
        [active] = before.doses if len(before.doses) == 1 else [None]
        if active is not None and active.daily_mg <= 3 * unit and steps[i].kind == "tail":
            # The tail: one unit at a time, at least 14 days after the previous step.
            assert active.daily_mg - steps[i].doses[0].daily_mg == unit
            assert steps[i].day - before.day >= 14
            continue
        start = before.diazepam_equivalent_mg
        window = [s for s in steps[i:] if s.day - steps[i].day < 14]
        assert start - window[-1].diazepam_equivalent_mg <= start / 4, (before, window)
    for step in reduction_steps(plan):
        [dose] = step.doses
        assert dose.medication.code == (request["switch_to"] or request["medication"])


@settings(max_examples=400, deadline=None)
@given(plan_requests())
def test_plans_at_the_default_pace_keep_every_rule(request):
    plan = taper_plan_preview(**request)
    check_always(plan, request)
    check_default_pace(plan, request)


@settings(max_examples=300, deadline=None)
@given(plan_requests(faster=True))
def test_overridden_plans_still_never_rise_and_never_stop_abruptly(request):
    plan = taper_plan_preview(**request)
    check_always(plan, request)
    faster = request["reduction_percent"] > 10 or request["interval_days"] < 14
    assert bool(plan.overrides) == faster or "cut_above_25_percent_in_14_days" in plan.overrides


@settings(max_examples=200, deadline=None)
@given(plan_requests())
def test_the_tail_starts_at_three_units_and_not_lower(request):
    plan = taper_plan_preview(**request)
    tail = [s for s in plan.steps if s.kind == "tail"]
    for step in tail:
        assert step.doses[0].daily_mg < 3 * plan.unit_mg
    if request["target_dose_mg"] < plan.unit_mg * 2:
        # Going below two units passes through the tail from three units or less.
        assert tail and tail[0].doses[0].daily_mg + plan.unit_mg <= 3 * plan.unit_mg


def test_the_checks_catch_a_plan_beyond_the_limits():
    """The property checks above are not vacuous: a 50% plan fails the default-pace check."""
    request = {
        "medication": "diazepam",
        "daily_dose_mg": Decimal(40),
        "equivalence_table": "ashton",
        "switch_to": None,
        "reduction_percent": Decimal(50),
        "interval_days": 14,
        "target_dose_mg": Decimal(0),
        "override_reason": "Inpatient.",
        "dose_units_mg": {"diazepam": Decimal(1)},
    }
    plan = taper_plan_preview(**request)
    check_always(plan, request)
    try:
        check_default_pace(plan, request)
    except AssertionError:
        return
    raise AssertionError("a 50% plan passed the default-pace check")
