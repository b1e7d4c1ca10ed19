"""Answer option sets shared by several instruments."""

from ..engine import Option

# LOINC answer codes LA33-6 (Yes) and LA32-8 (No).
YES_NO = (Option(1, "Yes", "LA33-6"), Option(0, "No", "LA32-8"))
