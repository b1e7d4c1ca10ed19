"""Conversions to diazepam equivalents name their table and are for guidance only."""

from decimal import Decimal
from fractions import Fraction

import pytest

from openrecovery.medications.catalogue import CATALOGUE
from openrecovery.medications.equivalence import (
    FOR_GUIDANCE_ONLY,
    TABLES,
    NoEquivalent,
    diazepam_equivalent,
    table_get,
)


@pytest.mark.parametrize(
    ("code", "mg", "table", "diazepam"),
    [
        ("clonazepam", "1", "ashton", 20),
        ("clonazepam", "1", "va_dod_2021", 10),
        ("alprazolam", "2", "ashton", 40),
        ("lorazepam", "3", "va_dod_2021", 15),
        ("triazolam", "0.25", "va_dod_2021", 10),
        ("temazepam", "30", "ashton", 15),
        ("oxazepam", "10", "va_dod_2021", Fraction(10, 3)),
        ("diazepam", "7", "ashton", 7),
    ],
)
def test_conversion_is_exact(code, mg, table, diazepam):
    conversion = diazepam_equivalent(CATALOGUE[code], Decimal(mg), table)
    assert conversion.diazepam_mg == diazepam
    assert conversion.table is TABLES[table]


def test_the_words_name_the_table_and_say_for_guidance_only():
    text = diazepam_equivalent(CATALOGUE["clonazepam"], Decimal("0.5"), "va_dod_2021").text
    assert text == (
        "clonazepam 0.5 mg is about 5 mg of diazepam by the VA/DoD 2021 table "
        f"({FOR_GUIDANCE_ONLY}; tables differ by up to twofold)."
    )
    assert "Ashton table" in diazepam_equivalent(CATALOGUE["oxazepam"], Decimal(10), "ashton").text


def test_each_table_cites_its_source():
    assert "Ashton Manual" in TABLES["ashton"].source
    assert "VA/DoD" in TABLES["va_dod_2021"].source
    assert all("Table 7" in t.source for t in TABLES.values())


def test_unknown_table_says_which_exist():
    with pytest.raises(NoEquivalent, match="Unknown equivalence table 'bnf'.*ashton, va_dod_2021"):
        table_get("bnf")


def test_a_medication_outside_the_table_has_no_equivalent():
    with pytest.raises(NoEquivalent, match="clobazam has no diazepam equivalent in the Ashton"):
        diazepam_equivalent(CATALOGUE["clobazam"], Decimal(10), "ashton")
    with pytest.raises(NoEquivalent, match="etizolam"):
        diazepam_equivalent(CATALOGUE["etizolam"], Decimal(1), "va_dod_2021")
