"""Request and response shapes of the helpline endpoints (what the OpenAPI schema shows).

Input schemas state the service's own rules where JSON Schema can (patterns shared
with ``validation.py``); output schemas read model objects through their attributes,
with ``resolve_<field>`` for what is computed (display names, urgency labels, the
danger rules a pre-screen triggers).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist
from ninja import Path, Schema
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)
from pydantic.json_schema import JsonDict

from openrecovery.accounts.models import User
from openrecovery.core.api import JsonDate, JsonDateTime, JsonText, json_integral
from openrecovery.instruments.registry import SELF_CHECKS
from openrecovery.records.models import EpisodeOfCare

from .choices import CallOutcome, ForWhom, Pregnancy, ReferralSource, ReferralTarget, Urgency
from .models import CallAttempt, Disposition, Inquiry, PreScreen
from .rules import DangerRule, danger_rules
from .selectors import QueueEntry
from .validation import MAX_LENGTHS, PHONE_PATTERN, REQUIRED_TEXT_PATTERN, TEXT_PATTERN

MAX_ID = 2**62
Reference = Annotated[JsonText, Path(max_length=20)]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID), BeforeValidator(json_integral)]
# The service's text rules, stated in the schema (helpline/validation.py).
TEXT: JsonDict = {"pattern": TEXT_PATTERN}
REQUIRED_TEXT: JsonDict = {"pattern": REQUIRED_TEXT_PATTERN}
PHONE: JsonDict = {"pattern": PHONE_PATTERN}
SELF_CHECK_VALUES = {o.value for c in SELF_CHECKS.values() for i in c.items for o in i.options}
Text = Annotated[JsonText, Field(max_length=2000)]
ShortText = Annotated[JsonText, Field(max_length=200)]


def display_name(user: User | None) -> str | None:
    """Return how the API names a staff member (None for nobody)."""
    if user is None:
        return None
    return str((user.get_full_name() or user.get_username()).strip())


def urgency_label(urgency: int) -> str:
    """Return an urgency as the API spells it: "urgent", "high" or "normal"."""
    return str(Urgency(urgency).label).lower()


def _prescreen_of(inquiry: Inquiry) -> PreScreen | None:
    try:
        return inquiry.prescreen
    except ObjectDoesNotExist:
        return None


class ConflictOut(Schema):
    """The inquiry's state does not allow this (409): someone else holds it, it is not
    claimed, or it is closed."""

    detail: str
    claimed_by: str | None = Field(None, description="Who holds the inquiry, if that is why.")


SELF_CHECK_ITEMS = [len(c.items) for c in SELF_CHECKS.values()]


class SelfCheckIn(Schema):
    """A self-check's answers, in item order (null for a question not asked)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    code: Literal[tuple(sorted(SELF_CHECKS))]  # type: ignore[valid-type]
    band: JsonText | None = Field(None, max_length=64)
    answers: list[
        Annotated[int, Field(ge=min(SELF_CHECK_VALUES), le=max(SELF_CHECK_VALUES))] | None
    ] = Field(min_length=min(SELF_CHECK_ITEMS), max_length=max(SELF_CHECK_ITEMS))


class CallbackIn(Schema):
    """A callback request, as on the public form."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: JsonText = Field(
        min_length=1,
        max_length=MAX_LENGTHS["name"],
        description="Name or alias.",
        json_schema_extra=REQUIRED_TEXT,
    )
    phone: JsonText = Field(
        min_length=1,
        max_length=MAX_LENGTHS["phone"],
        description="7 to 15 digits; spaces, +, -, ., ( and ) allowed.",
        json_schema_extra=PHONE,
    )
    best_time: JsonText = Field("", max_length=MAX_LENGTHS["best_time"], json_schema_extra=TEXT)
    for_whom: Literal["myself", "someone_else"]
    substances: JsonText = Field("", max_length=MAX_LENGTHS["substances"], json_schema_extra=TEXT)
    voicemail_ok: bool = False
    consent: bool = Field(
        description="Must be true: consent to be contacted.", json_schema_extra={"const": True}
    )
    message: JsonText = Field("", max_length=MAX_LENGTHS["message"], json_schema_extra=TEXT)
    website: JsonText = Field("", max_length=200, description="Leave empty (spam trap).")
    self_check: SelfCheckIn | None = Field(
        None,
        description="A self-check result the person chose to send; it is re-scored from "
        "the answers (the band sent is ignored).",
    )


class CallbackOut(Schema):
    reference: str = Field(description='The code to quote when calling, e.g. "HL-7K3M-Q9PX".')


# Staff endpoints ---------------------------------------------------------------------


def _of_inquiry(name: str) -> Any:
    # A queue entry's field read from its inquiry (``selectors.QueueEntry.inquiry``).
    return Field(validation_alias=f"inquiry.{name}")


class QueueEntryOut(Schema):
    reference: str = _of_inquiry("reference")
    source: str = _of_inquiry("source")
    status: str = _of_inquiry("status")
    urgency: str
    received_at: dt.datetime = _of_inquiry("received_at")
    minutes_waiting: int
    due_at: dt.datetime
    overdue: bool
    first_contact_at: dt.datetime | None = _of_inquiry("first_contact_at")
    claimed_by: str | None
    name: str = _of_inquiry("name")
    for_whom: str = _of_inquiry("for_whom")

    @staticmethod
    def resolve_urgency(entry: QueueEntry) -> str:
        return urgency_label(entry.inquiry.urgency)

    @staticmethod
    def resolve_claimed_by(entry: QueueEntry) -> str | None:
        return display_name(entry.inquiry.claimed_by)


class QueueOut(Schema):
    open_count: int
    response_minutes: int
    entries: list[QueueEntryOut]


class CallAttemptOut(Schema):
    id: int
    outcome: str
    notes: str
    next_attempt_at: dt.datetime | None
    attempted_at: dt.datetime
    attempted_by: str

    @staticmethod
    def resolve_attempted_by(attempt: CallAttempt) -> str | None:
        return display_name(attempt.attempted_by)


class DangerRuleOut(Schema):
    code: str
    severity: str
    message: str
    source: str


class SubstanceRow(Schema):
    model_config = ConfigDict(extra="forbid")
    substance: Annotated[JsonText, Field(min_length=1, max_length=100)]
    dose: Annotated[JsonText, Field(max_length=100)] = ""
    frequency: Annotated[JsonText, Field(max_length=100)] = ""
    duration: Annotated[JsonText, Field(max_length=100)] = ""
    last_use: Annotated[JsonText, Field(max_length=100)] = ""


class PreScreenIn(Schema):
    """The whole pre-screen (it replaces the previous answers)."""

    model_config = ConfigDict(extra="forbid")
    substances: list[SubstanceRow] = Field(default_factory=list, max_length=20)
    alcohol_co_use: StrictBool = False
    opioid_co_use: StrictBool = False
    withdrawal_seizures: StrictBool = False
    withdrawal_complications: StrictBool = False
    pregnancy: Pregnancy = Pregnancy.UNKNOWN
    suicidal_thoughts: StrictBool = False
    overdose_signs: StrictBool = False
    medical_conditions: Text = ""
    psychiatric_conditions: Text = ""
    current_prescriber: ShortText = ""
    insurance_provider: Annotated[JsonText, Field(max_length=100)] = ""
    insurance_member_id: Annotated[JsonText, Field(max_length=64)] = ""
    insurance_notes: Annotated[JsonText, Field(max_length=300)] = ""
    referral_source: ReferralSource | Literal[""] = ""
    referral_detail: ShortText = ""


class PreScreenOut(Schema):
    substances: list[dict[str, str]]
    alcohol_co_use: bool
    opioid_co_use: bool
    withdrawal_seizures: bool
    withdrawal_complications: bool
    pregnancy: str
    suicidal_thoughts: bool
    overdose_signs: bool
    medical_conditions: str
    psychiatric_conditions: str
    current_prescriber: str
    insurance_provider: str
    insurance_member_id: str
    insurance_notes: str
    referral_source: str
    referral_detail: str
    updated_at: dt.datetime
    danger_rules: list[DangerRuleOut]
    urgency: str

    @staticmethod
    def resolve_danger_rules(prescreen: PreScreen) -> list[DangerRule]:
        return danger_rules(prescreen)

    @staticmethod
    def resolve_urgency(prescreen: PreScreen) -> str:
        return urgency_label(prescreen.inquiry.urgency)


class DispositionOut(Schema):
    kind: str
    scheduled_for: dt.datetime | None
    clinician: str | None
    referral_target: str
    referral_detail: str
    notes: str
    created_at: dt.datetime

    @staticmethod
    def resolve_clinician(disposition: Disposition) -> str | None:
        return display_name(disposition.clinician)


class InquiryOut(Schema):
    reference: str
    source: str
    status: str
    urgency: str
    received_at: dt.datetime
    first_contact_at: dt.datetime | None
    claimed_by: str | None
    claimed_at: dt.datetime | None
    closed_at: dt.datetime | None
    name: str
    phone: str
    best_time: str
    for_whom: str
    substances: str
    voicemail_ok: bool
    consent: bool
    message: str
    self_check: dict[str, Any] | None
    patient_id: int | None
    call_attempts: list[CallAttemptOut]
    prescreen: PreScreenOut | None
    danger_rules: list[DangerRuleOut]
    disposition: DispositionOut | None

    # Read from an inquiry loaded by ``selectors.inquiry_with_detail``.
    @staticmethod
    def resolve_urgency(inquiry: Inquiry) -> str:
        return urgency_label(inquiry.urgency)

    @staticmethod
    def resolve_claimed_by(inquiry: Inquiry) -> str | None:
        return display_name(inquiry.claimed_by)

    @staticmethod
    def resolve_prescreen(inquiry: Inquiry) -> PreScreen | None:
        return _prescreen_of(inquiry)

    @staticmethod
    def resolve_danger_rules(inquiry: Inquiry) -> list[DangerRule]:
        prescreen = _prescreen_of(inquiry)
        return danger_rules(prescreen) if prescreen is not None else []

    @staticmethod
    def resolve_disposition(inquiry: Inquiry) -> Disposition | None:
        try:
            return inquiry.disposition
        except ObjectDoesNotExist:
            return None


class PhoneInquiryIn(Schema):
    """A call taken by a coordinator (it is claimed by them and counts as first contact)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[
        JsonText,
        Field(min_length=1, max_length=MAX_LENGTHS["name"], json_schema_extra=REQUIRED_TEXT),
    ]
    phone: Annotated[
        JsonText, Field(min_length=1, max_length=MAX_LENGTHS["phone"], json_schema_extra=PHONE)
    ]
    best_time: Annotated[
        JsonText, Field(max_length=MAX_LENGTHS["best_time"], json_schema_extra=TEXT)
    ] = ""
    for_whom: ForWhom
    substances: Annotated[
        JsonText, Field(max_length=MAX_LENGTHS["substances"], json_schema_extra=TEXT)
    ] = ""
    voicemail_ok: StrictBool = False
    message: Annotated[
        JsonText, Field(max_length=MAX_LENGTHS["message"], json_schema_extra=TEXT)
    ] = ""


class CallIn(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: CallOutcome
    notes: Text = ""
    next_attempt_at: JsonDateTime | None = None


class DispositionIn(Schema):
    """Close an inquiry without scheduling (scheduling is ``/convert``)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["referred", "not_a_fit", "lost_contact"]
    referral_target: ReferralTarget | Literal[""] = ""
    referral_detail: ShortText = ""
    notes: Text = ""


class ConvertIn(Schema):
    """Schedule an assessment: register the person (or readmit an existing patient)."""

    model_config = ConfigDict(extra="forbid")
    given_name: Annotated[JsonText, Field(min_length=1, max_length=100)]
    family_name: Annotated[JsonText, Field(min_length=1, max_length=100)]
    date_of_birth: JsonDate
    sex_at_birth: Literal["female", "male", "intersex", "unknown", "declined"]
    scheduled_for: JsonDateTime
    clinician_id: Id
    confirm_not_duplicate: StrictBool = False
    existing_patient_id: Id | None = None
    existing_match: Annotated[JsonText, Field(min_length=1, max_length=64)] | None = None
    emergency_reason: Text = ""
    notes: Text = ""


class ConvertOut(Schema):
    patient_id: int
    mrn: str
    episode_id: int
    stage: str

    # Read from the episode the conversion opened.
    @staticmethod
    def resolve_mrn(episode: EpisodeOfCare) -> str:
        return str(episode.patient.mrn)

    @staticmethod
    def resolve_episode_id(episode: EpisodeOfCare) -> int:
        return int(episode.pk)


class DuplicateOut(Schema):
    """A likely existing patient. Only a match the caller may see is identified.

    ``match`` names the match in ``existing_match``; ``basis`` says why it matched
    (``name_and_birth_date``, ``phone``). For a match the caller may not see, ``id``,
    ``mrn``, ``display_name`` and ``date_of_birth`` are null: ask someone with access,
    or attach it with ``existing_match`` and an ``emergency_reason`` (break-glass).
    """

    match: str
    basis: list[Literal["name_and_birth_date", "phone"]]
    visible: bool
    id: int | None
    mrn: str | None
    display_name: str | None
    date_of_birth: dt.date | None


class DuplicatesOut(Schema):
    """Likely existing patients (409): confirm none is this person, or attach to one."""

    detail: str
    duplicates: list[DuplicateOut]


DayCount = Annotated[
    tuple[dt.date, int],
    WithJsonSchema(
        {
            "type": "array",
            "description": "[date, inquiries received that day]",
            "prefixItems": [{"type": "string", "format": "date"}, {"type": "integer"}],
            "minItems": 2,
            "maxItems": 2,
        }
    ),
]


class FiguresOut(Schema):
    days: int
    per_day: list[DayCount]
    total: int
    converted: int
    share_converted: float | None
    median_minutes_to_first_contact: float | None
