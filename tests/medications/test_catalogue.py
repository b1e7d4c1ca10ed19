"""The catalogue: every Table 7 benzodiazepine and the designer ones, each citing sources."""

from decimal import Decimal

import pytest

from openrecovery.medications.catalogue import (
    CATALOGUE,
    SOURCE_TABLE_7,
    medication_get,
)
from openrecovery.medications.choices import DrugClass, EquivalenceTableCode, FormKind, Schedule

# REFERENCE section 4 (the guideline's Table 7): mg equal to diazepam 10 mg.
TABLE_7 = {
    "alprazolam": ("1", "0.5"),
    "chlordiazepoxide": ("25", "25"),
    "clonazepam": ("1", "0.5"),
    "clorazepate": ("15", "15"),
    "diazepam": ("10", "10"),
    "estazolam": ("1", "1"),
    "flurazepam": ("15", "15"),
    "lorazepam": ("2", "1"),
    "oxazepam": ("30", "20"),
    "quazepam": ("10", "20"),
    "temazepam": ("15", "20"),
    "triazolam": ("0.25", "0.5"),
}
DESIGNER = ("etizolam", "bromazolam", "clonazolam", "flualprazolam", "flubromazolam")


@pytest.mark.parametrize(("code", "values"), TABLE_7.items())
def test_every_table_7_benzodiazepine_has_both_equivalents(code, values):
    medication = CATALOGUE[code]
    va_dod, ashton = values
    assert medication.drug_class == DrugClass.BENZODIAZEPINE
    assert medication.schedule == Schedule.IV
    assert medication.equivalent_in("va_dod_2021").mg_per_diazepam_10 == Decimal(va_dod)
    assert medication.equivalent_in("ashton").mg_per_diazepam_10 == Decimal(ashton)
    assert SOURCE_TABLE_7 in medication.sources
    assert medication.taper_unit_mg is not None and medication.label_max_daily_mg is not None


def test_ranges_in_the_ashton_table_say_which_end_is_used():
    assert CATALOGUE["estazolam"].equivalent_in("ashton").published == "1-2 (use 1)"
    assert CATALOGUE["flurazepam"].equivalent_in("ashton").published == "15-30 (use 15)"


def test_only_table_7_benzodiazepines_have_equivalents():
    with_equivalents = {code for code, m in CATALOGUE.items() if m.equivalents}
    assert with_equivalents == set(TABLE_7)


@pytest.mark.parametrize("code", DESIGNER)
def test_designer_benzodiazepines_are_in_it_without_doses(code):
    medication = CATALOGUE[code]
    assert medication.designer and medication.drug_class == DrugClass.BENZODIAZEPINE
    assert medication.equivalents == () and medication.taper_unit_mg is None
    assert medication.sources


def test_the_five_temporarily_scheduled_designer_benzodiazepines_are_schedule_i():
    for code in ("etizolam", "clonazolam", "flualprazolam", "flubromazolam", "diclazepam"):
        assert CATALOGUE[code].schedule == Schedule.I
        assert any("88 FR 48112" in s for s in CATALOGUE[code].sources)


@pytest.mark.parametrize(
    ("code", "unit"),
    [("clonazepam", "0.125"), ("diazepam", "1"), ("alprazolam", "0.125"), ("lorazepam", "0.25")],
)
def test_default_taper_units(code, unit):
    assert CATALOGUE[code].taper_unit_mg == Decimal(unit)


def test_a_liquid_form_allows_a_finer_unit():
    diazepam = CATALOGUE["diazepam"]
    liquids = [f for f in diazepam.forms if f.kind == FormKind.ORAL_LIQUID]
    assert {f.concentration_mg_per_ml for f in liquids} == {Decimal("1"), Decimal("5")}
    assert diazepam.finest_unit_mg() == Decimal("0.1") < diazepam.taper_unit_mg
    assert CATALOGUE["lorazepam"].finest_unit_mg() == Decimal("0.2")
    assert CATALOGUE["clonazepam"].finest_unit_mg() == CATALOGUE["clonazepam"].taper_unit_mg


def test_every_tablet_strength_is_a_multiple_of_the_taper_unit():
    for medication in CATALOGUE.values():
        if medication.taper_unit_mg is None:
            continue
        solid = [f for f in medication.forms if f.kind in (FormKind.TABLET, FormKind.CAPSULE)]
        for form in solid:
            for strength in form.strengths_mg:
                assert strength % medication.taper_unit_mg == 0, (medication.code, strength)


def test_every_entry_cites_a_source_and_has_a_class():
    assert len(CATALOGUE) >= 40
    for medication in CATALOGUE.values():
        assert medication.sources, medication.code
        assert medication.drug_class in DrugClass
        assert medication.schedule in Schedule


def test_each_class_is_represented():
    assert {m.drug_class for m in CATALOGUE.values()} == set(DrugClass)


def test_plausible_maximum_is_three_times_the_label():
    assert CATALOGUE["alprazolam"].max_plausible_daily_mg == Decimal("30")
    assert CATALOGUE["etizolam"].max_plausible_daily_mg is None


@pytest.mark.parametrize(
    ("name", "code"),
    [("Klonopin", "clonazepam"), ("  xanax  ", "alprazolam"), ("TRANXENE", "clorazepate"),
     ("Valtoco", "diazepam"), ("k pins", "clonazepam"), ("suboxone", "buprenorphine")],
)  # fmt: skip
def test_lookup_by_any_name_in_any_case(name, code):
    assert medication_get(name).code == code


def test_a_clinical_lookup_takes_generic_and_brand_names_only():
    assert medication_get("Klonopin", clinical=True).code == "clonazepam"
    assert medication_get("Clonazepam", clinical=True).code == "clonazepam"
    assert medication_get("K-pins", clinical=True) is None
    assert medication_get("xanex", clinical=True) is None


def test_lookup_of_an_unknown_name_is_none():
    assert medication_get("kratom") is None
    assert medication_get("") is None


def test_tables_are_the_two_of_table_7():
    assert set(EquivalenceTableCode) == {"ashton", "va_dod_2021"}
