"""Benzodiazepine equivalence tables and conversion to diazepam equivalents.

The tables disagree by up to twofold (REFERENCE section 4), so every conversion names
its table and says it is for guidance only: a clinician confirms any dose before it
becomes an order. Values are exact fractions, so that a switch that keeps the
equivalent dose keeps it exactly.
"""

import dataclasses
from decimal import Decimal
from fractions import Fraction

from .catalogue import SOURCE_TABLE_7, Medication
from .choices import EquivalenceTableCode

DIAZEPAM_REFERENCE_MG = 10
FOR_GUIDANCE_ONLY = "for guidance only"


@dataclasses.dataclass(frozen=True)
class EquivalenceTable:
    """A published table of doses equal to diazepam 10 mg."""

    code: EquivalenceTableCode
    name: str
    source: str


TABLES: dict[str, EquivalenceTable] = {
    EquivalenceTableCode.ASHTON: EquivalenceTable(
        EquivalenceTableCode.ASHTON,
        "Ashton",
        "Ashton CH, Benzodiazepines: How They Work and How to Withdraw (the Ashton Manual), "
        f"as given in {SOURCE_TABLE_7}",
    ),
    EquivalenceTableCode.VA_DOD_2021: EquivalenceTable(
        EquivalenceTableCode.VA_DOD_2021,
        "VA/DoD 2021",
        "VA/DoD Clinical Practice Guideline for the Management of Substance Use Disorders "
        f"(2021), as given in {SOURCE_TABLE_7}",
    ),
}

ERROR_UNKNOWN_TABLE = "Unknown equivalence table {table!r}: use one of {known}."
ERROR_NOT_IN_TABLE = "{medication} has no diazepam equivalent in the {table} table."


class NoEquivalent(ValueError):
    """The table is unknown, or it gives no equivalent for the medication."""


@dataclasses.dataclass(frozen=True)
class Conversion:
    """A dose in diazepam equivalents, the table it came from and its caveat."""

    medication: str
    mg: Decimal
    diazepam_mg: Fraction
    table: EquivalenceTable

    @property
    def text(self) -> str:
        """Say the conversion in words, naming the table and that it is for guidance only."""
        return (
            f"{self.medication} {_mg(Fraction(self.mg))} mg is about "
            f"{_mg(self.diazepam_mg)} mg of diazepam by the {self.table.name} table "
            f"({FOR_GUIDANCE_ONLY}; tables differ by up to twofold)."
        )


def _mg(value: Fraction) -> str:
    """Write a dose for people: up to three decimals, no trailing zeros."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def table_get(code: str) -> EquivalenceTable:
    """Return the table ``code`` names, or raise NoEquivalent saying which ones exist."""
    table = TABLES.get(code)
    if table is None:
        known = ", ".join(str(c) for c in TABLES)
        raise NoEquivalent(ERROR_UNKNOWN_TABLE.format(table=code, known=known))
    return table


def diazepam_factor(medication: Medication, table: str) -> Fraction:
    """Return diazepam mg per mg of ``medication`` in ``table`` (raise NoEquivalent)."""
    found = table_get(table)
    entry = medication.equivalent_in(found.code)
    if entry is None:
        raise NoEquivalent(
            ERROR_NOT_IN_TABLE.format(medication=medication.generic_name, table=found.name)
        )
    return Fraction(DIAZEPAM_REFERENCE_MG) / Fraction(entry.mg_per_diazepam_10)


def diazepam_equivalent(medication: Medication, mg: Decimal, table: str) -> Conversion:
    """Convert ``mg`` of ``medication`` to diazepam mg by ``table``, for guidance only."""
    factor = diazepam_factor(medication, table)
    return Conversion(medication.generic_name, mg, Fraction(mg) * factor, table_get(table))
