"""Request and response shapes of the taper preview (the pinned contract of issue 12)."""

import math
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictInt, WithJsonSchema

from openrecovery.core.api import JsonText, json_integral

from .choices import EquivalenceTableCode
from .taper import DEFAULT_INTERVAL_DAYS, DEFAULT_REDUCTION_PERCENT, SWITCH_TARGETS

ERROR_NOT_A_NUMBER = "Enter a number."
MAX_INTERVAL_DAYS = 365
MAX_REASON_LENGTH = 500


def json_number(value: Any) -> Any:
    """Let a finite JSON number through; refuse text, booleans, NaN and infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(ERROR_NOT_A_NUMBER)
    if not math.isfinite(value):
        raise ValueError(ERROR_NOT_A_NUMBER)
    return value


def _number(description: str, **bounds: Any) -> Any:
    return WithJsonSchema({"type": "number", "description": description, **bounds})


# Checked by the planner, which says what is wrong in the medication's own terms; the
# schema states the same bounds.
DoseMg = Annotated[
    float,
    BeforeValidator(json_number),
    _number("A total daily dose in mg.", exclusiveMinimum=0),
]


class TaperPreviewIn(Schema):
    """The current regimen and how to taper it; nothing is stored."""

    model_config = ConfigDict(extra="forbid")
    medication: JsonText = Field(
        max_length=64,
        description="The benzodiazepine taken now: a generic or brand name (clonazepam, Klonopin).",
    )
    daily_dose_mg: DoseMg
    equivalence_table: Annotated[
        JsonText,
        WithJsonSchema(
            {
                "type": "string",
                "enum": [str(c) for c in EquivalenceTableCode],
                "description": "The table the diazepam equivalents come from.",
            }
        ),
    ]
    switch_to: Annotated[
        JsonText | None,
        WithJsonSchema(
            {
                "anyOf": [{"type": "string", "enum": list(SWITCH_TARGETS)}, {"type": "null"}],
                "description": "Switch to diazepam first (one portion at a time over 1-2 "
                "weeks), or null to taper the medication itself.",
            }
        ),
    ] = None
    reduction_percent: Annotated[
        float,
        BeforeValidator(json_number),
        _number(
            "Each reduction, in % of the current dose (above 10 needs override_reason).",
            exclusiveMinimum=0,
            maximum=100,
            default=float(DEFAULT_REDUCTION_PERCENT),
        ),
    ] = float(DEFAULT_REDUCTION_PERCENT)
    interval_days: Annotated[
        StrictInt, Field(le=MAX_INTERVAL_DAYS), BeforeValidator(json_integral)
    ] = Field(
        default=DEFAULT_INTERVAL_DAYS,
        description="Days between reductions (below 14 needs override_reason).",
        json_schema_extra={"minimum": 1},
    )
    target_dose_mg: Annotated[
        float,
        BeforeValidator(json_number),
        _number(
            "The daily dose to end on, in the medication the taper ends on (diazepam after "
            "a switch); 0 stops.",
            minimum=0,
            default=0,
        ),
    ] = 0
    override_reason: JsonText | None = Field(
        default=None,
        max_length=MAX_REASON_LENGTH,
        description="Why a plan faster than the guideline's default is needed (audited). "
        "No reason allows an abrupt stop.",
    )


class TaperDoseOut(Schema):
    medication: str
    daily_mg: float


class TaperStepOut(Schema):
    day: int = Field(description="Days from now; day 0 is the current regimen.")
    doses: list[TaperDoseOut]
    diazepam_equivalent_mg: float


class TaperPreviewOut(Schema):
    equivalence_table: str
    start_diazepam_equivalent_mg: float
    steps: list[TaperStepOut]
    warnings: list[str]
