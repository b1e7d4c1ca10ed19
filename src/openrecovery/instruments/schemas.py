"""Request and response shapes of the instrument endpoints (what the OpenAPI schema shows)."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field, WithJsonSchema

from openrecovery.core.api import JsonText, iso_text

MAX_ANSWERS = 64  # the longest instrument has 26 answers; a bound keeps bodies small


class ScoreIn(Schema):
    """Answers in published item order, and optional facts about the administration.

    Answers are validated by the instrument engine (so errors name the item): each is a
    whole number from the item's options, or null where the skip logic skips the item.
    Booleans, strings and fractions are refused rather than coerced.
    """

    model_config = ConfigDict(extra="forbid")
    answers: Annotated[
        list[Any],
        Field(max_length=MAX_ANSWERS),
        WithJsonSchema(
            {
                "type": "array",
                "maxItems": MAX_ANSWERS,
                "items": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "description": "One answer per item, in the published item order.",
            }
        ),
    ]
    context: Annotated[
        dict[str, Any] | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "object",
                        "additionalProperties": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
                    },
                    {"type": "null"},
                ],
                "description": 'Facts the scoring may use, e.g. {"medically_supervised": '
                "true}; only the keys the instrument lists under 'context' are accepted.",
            }
        ),
    ] = None


class AdministrationIn(ScoreIn):
    """An administration to store: the instrument, its answers, context and when given."""

    code: JsonText = Field(max_length=32, description="The instrument's code, e.g. phq9.")
    administered_at: Annotated[AwareDatetime, BeforeValidator(iso_text)] | None = Field(
        default=None,
        description="When it was given (ISO 8601 with a time zone); default now. Not in "
        "the future, at most 24 hours ago.",
    )


class OpenedTaskOut(Schema):
    kind: str
    id: int


class RaisedAlertOut(Schema):
    id: int
    kind: str
    severity: str


class AdministrationOut(Schema):
    id: int
    code: str
    total: int | None
    band: str
    flags: list[str]
    subscales: dict[str, int]
    administered_at: dt.datetime
    opened_tasks: list[OpenedTaskOut]
    alerts: list[RaisedAlertOut]
    # Added by a reaction of a stage above (instruments.reactions.FollowUp.answer): present
    # only when it applies, absent otherwise.
    next_due_at: dt.datetime | None = Field(
        default=None,
        description="CIWA-B of a patient in withdrawal management: when the next one is due "
        "(administered_at plus the protocol's interval for the band). Absent otherwise.",
    )
    protocol_version: int | None = Field(
        default=None,
        description="CIWA-B of a patient in withdrawal management: the withdrawal protocol "
        "version the score was judged under. Absent otherwise.",
    )


class ScoreOut(Schema):
    code: str
    total: int | None
    band: str
    flags: list[str]
    subscales: dict[str, int]


class AnswerProblem(Schema):
    item: str = Field(description='The item number, or "" for the body or the answer list.')
    message: str


class AnswerErrorsOut(Schema):
    detail: list[AnswerProblem]


class NotFoundOut(Schema):
    detail: str


class InstrumentSummaryOut(Schema):
    code: str
    name: str
    version: str


class OptionOut(Schema):
    value: int
    label: str
    loinc: str


class ItemOut(Schema):
    number: str
    text: str
    options: list[OptionOut]
    scored: bool
    reverse: bool
    optional: bool
    asked_if: dict[str, Any] | None
    loinc: str
    rated_by: str


class SubscaleOut(Schema):
    code: str
    label: str
    items: list[str]


class BandOut(Schema):
    code: str
    label: str
    low: int | None
    high: int | None
    basis: str
    when: dict[str, Any] | None


class FlagOut(Schema):
    code: str
    label: str
    when: dict[str, Any]


class ExclusionOut(Schema):
    items: list[str]
    when: dict[str, Any]
    reason: str


class ContextFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool


class InstrumentOut(Schema):
    code: str
    name: str
    version: str
    description: str
    timeframe: str
    has_total: bool
    total_range: list[int] | None
    items: list[ItemOut]
    subscales: list[SubscaleOut]
    bands: list[BandOut]
    flags: list[FlagOut]
    exclusions: list[ExclusionOut]
    context: list[ContextFieldOut]
    bands_origin: str = Field(
        description="Where the bands come from: published, local_protocol or program_summary."
    )
    loinc_panel: str
    loinc_total: str
    source: str
    licence: str
    notes: str
