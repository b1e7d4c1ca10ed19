"""The taper planner on worked examples, and each refusal with its message."""

from decimal import Decimal
from fractions import Fraction

import pytest

from openrecovery.medications.taper import (
    OVERRIDE_CUT_LIMIT,
    OVERRIDE_FASTER_PERCENT,
    OVERRIDE_SHORTER_INTERVAL,
    TaperRefused,
    taper_plan_preview,
)

D = Decimal


def plan(**change):
    request = {"medication": "clonazepam", "daily_dose_mg": D(1), "equivalence_table": "ashton"}
    return taper_plan_preview(**{**request, **change})


def regimen(step):
    return [(d.medication.code, format(d.daily_mg.normalize(), "f")) for d in step.doses]


def test_clonazepam_one_mg_at_the_default_pace():
    result = plan()
    assert result.start_diazepam_equivalent_mg == 20
    assert [(s.day, regimen(s)[0][1]) for s in result.steps] == [
        (0, "1"), (14, "0.875"), (28, "0.75"), (42, "0.625"), (56, "0.5"),
        (70, "0.375"), (84, "0.25"), (98, "0.125"), (112, "0"),
    ]  # fmt: skip
    assert [s.kind for s in result.steps][-3:] == ["tail", "tail", "tail"]
    assert result.overrides == ()


def test_ten_percent_rounds_down_to_the_unit_and_is_at_least_one_unit():
    result = plan(medication="diazepam", daily_dose_mg=D(30), reduction_percent=D(10))
    assert [regimen(s)[0][1] for s in result.steps[:4]] == ["30", "27", "25", "23"]


def test_the_warnings_name_the_table_and_say_for_guidance_only():
    result = plan(equivalence_table="va_dod_2021")
    assert result.table.name == "VA/DoD 2021"
    first = result.warnings[0]
    assert "VA/DoD 2021 table" in first and "for guidance only" in first
    assert any("Do not stop suddenly" in w for w in result.warnings)
    assert any("every 3 months" in w for w in result.warnings)


def test_a_lower_dose_can_be_the_goal():
    result = plan(daily_dose_mg=D(2), target_dose_mg=D("0.5"))
    assert regimen(result.steps[-1]) == [("clonazepam", "0.5")]
    assert any("lower dose rather than zero" in w for w in result.warnings)


def test_switching_to_diazepam_substitutes_one_portion_at_a_time():
    result = plan(daily_dose_mg=D(2), switch_to="diazepam")
    switch = [s for s in result.steps if s.kind == "switch"]
    assert [(s.day, regimen(s)) for s in switch] == [
        (3, [("clonazepam", "1.5"), ("diazepam", "10")]),
        (6, [("clonazepam", "1"), ("diazepam", "20")]),
        (9, [("clonazepam", "0.5"), ("diazepam", "30")]),
        (12, [("diazepam", "40")]),
    ]
    assert all(s.diazepam_equivalent_mg == 40 for s in switch)
    following = result.steps[len(switch) + 1]
    assert (following.day, regimen(following)) == (26, [("diazepam", "36")])
    assert any("one portion of the daily dose at a time" in w for w in result.warnings)


def test_a_small_switch_goes_over_one_or_two_weeks():
    result = plan(daily_dose_mg=D("0.5"), switch_to="diazepam")
    switch = [(s.day, regimen(s)) for s in result.steps if s.kind == "switch"]
    assert switch == [(7, [("clonazepam", "0.25"), ("diazepam", "5")]), (14, [("diazepam", "10")])]


def test_a_switch_whole_diazepam_units_cannot_make_is_refused_with_the_portion():
    with pytest.raises(TaperRefused) as refused:
        plan(daily_dose_mg=D("0.75"), equivalence_table="va_dod_2021", switch_to="diazepam")
    assert refused.value.field == "switch_to"
    assert "7.5 mg of diazepam by the VA/DoD 2021 table" in refused.value.message
    assert "portions of 0.5 mg of clonazepam (5 mg of diazepam)" in refused.value.message


def test_an_exact_equivalent_with_thirds_stays_exact():
    result = plan(medication="oxazepam", daily_dose_mg=D(20), equivalence_table="va_dod_2021")
    assert result.start_diazepam_equivalent_mg == Fraction(20, 3)
    assert any("pharmacy-made liquid" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("change", "overrides"),
    [
        ({"reduction_percent": D(20)}, [OVERRIDE_FASTER_PERCENT]),
        ({"interval_days": 7}, [OVERRIDE_SHORTER_INTERVAL, OVERRIDE_CUT_LIMIT]),
        ({"reduction_percent": D(50)}, [OVERRIDE_FASTER_PERCENT, OVERRIDE_CUT_LIMIT]),
    ],
)
def test_a_faster_plan_needs_a_reason(change, overrides):
    request = {"medication": "diazepam", "daily_dose_mg": D(40), **change}
    with pytest.raises(TaperRefused) as refused:
        plan(**request)
    assert refused.value.field == "override_reason"
    assert "faster than the guideline's default" in refused.value.message
    assert plan(**request, override_reason="Inpatient, monitored daily.").overrides == tuple(
        overrides
    )


def test_a_blank_reason_is_no_reason():
    with pytest.raises(TaperRefused, match="override_reason"):
        plan(reduction_percent=D(25), override_reason="   ")


@pytest.mark.parametrize("reason", ["", "Patient insists, inpatient."])
def test_an_abrupt_stop_is_refused_even_with_a_reason(reason):
    with pytest.raises(TaperRefused) as refused:
        plan(daily_dose_mg=D(2), reduction_percent=D(100), override_reason=reason)
    assert refused.value.field == "reduction_percent"
    assert "stops clonazepam abruptly (2 mg a day to 0 in one step)" in refused.value.message
    assert "even with a reason" in refused.value.message


def test_the_smallest_dose_steps_to_zero_as_the_tails_last_step():
    result = plan(daily_dose_mg=D("0.125"))
    assert [(s.day, regimen(s)) for s in result.steps] == [
        (0, [("clonazepam", "0.125")]),
        (14, [("clonazepam", "0")]),
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"medication": "kratom"}, "medication", "Unknown medication 'kratom'"),
        ({"medication": "bars"}, "medication", "Unknown medication 'bars': name a benzo"),
        ({"medication": "klonipin"}, "medication", "Unknown medication 'klonipin'"),
        ({"medication": "zolpidem"}, "medication", "zolpidem is a z-drug (non-benzodiazepine "),
        ({"medication": "oxycodone"}, "medication", "oxycodone is an opioid, not a benzo"),
        ({"medication": "etizolam"}, "medication", "etizolam is a designer benzodiazepine"),
        ({"medication": "clobazam"}, "medication", "clobazam has no diazepam equivalent in the "
         "Ashton table. The planner converts only the benzodiazepines of the 2025 guideline's "
         "Table 7."),
        ({"equivalence_table": "bnf"}, "equivalence_table", "Unknown equivalence table 'bnf'"),
        ({"daily_dose_mg": D(0)}, "daily_dose_mg", "must be more than 0 mg"),
        ({"daily_dose_mg": D(-1)}, "daily_dose_mg", "must be more than 0 mg"),
        ({"daily_dose_mg": D(100)}, "daily_dose_mg", "100 mg of clonazepam a day is above the "
         "plausible maximum of 60 mg a day (three times the label's 20 mg)"),
        ({"daily_dose_mg": D("0.3")}, "daily_dose_mg", "0.3 mg of clonazepam is not a multiple "
         "of its dose unit, 0.125 mg"),
        ({"switch_to": "lorazepam"}, "switch_to", "switch to diazepam only"),
        ({"medication": "Valium", "daily_dose_mg": D(10), "switch_to": "diazepam"}, "switch_to",
         "diazepam already"),
        ({"target_dose_mg": D(1)}, "target_dose_mg", "must be below the dose the taper starts"),
        ({"target_dose_mg": D(-1)}, "target_dose_mg", "cannot be below 0 mg"),
        ({"target_dose_mg": D("0.1")}, "target_dose_mg", "not a multiple of its dose unit"),
        ({"reduction_percent": D(0)}, "reduction_percent", "more than 0%"),
        ({"reduction_percent": D(101)}, "reduction_percent", "at most 100%"),
        ({"interval_days": 0}, "interval_days", "at least 1 day"),
    ],
)  # fmt: skip
def test_refusals_name_the_field_and_say_why(change, field, message):
    with pytest.raises(TaperRefused) as refused:
        plan(**change)
    assert refused.value.field == field
    assert message in refused.value.message


def test_brand_names_name_the_medication():
    result = plan(medication="Klonopin")
    assert result.steps[0].doses[0].medication.code == "clonazepam"


def test_a_liquid_allows_finer_steps():
    result = plan(
        medication="diazepam", daily_dose_mg=D("2.5"), dose_units_mg={"diazepam": D("0.1")}
    )
    assert [regimen(s)[0][1] for s in result.steps[:3]] == ["2.5", "2.3", "2.1"]
    assert [regimen(s)[0][1] for s in result.steps[-4:]] == ["0.3", "0.2", "0.1", "0"]
    assert result.dose_units_mg == {"diazepam": D("0.1")}


def test_a_liquid_diazepam_makes_a_switch_exact_that_tablets_cannot():
    request = {"daily_dose_mg": D("0.75"), "equivalence_table": "va_dod_2021",
               "switch_to": "diazepam"}  # fmt: skip
    with pytest.raises(TaperRefused):
        plan(**request)
    result = plan(**request, dose_units_mg={"diazepam": D("0.5")})
    assert regimen([s for s in result.steps if s.kind == "switch"][-1]) == [("diazepam", "7.5")]


def test_a_unit_no_form_allows_is_refused():
    with pytest.raises(TaperRefused) as refused:
        plan(dose_units_mg={"clonazepam": D("0.1")})
    assert refused.value.field == "dose_units_mg"
    assert refused.value.message == (
        "clonazepam cannot be measured in steps of 0.1 mg: its forms allow 0.125 mg."
    )
