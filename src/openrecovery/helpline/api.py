"""Helpline endpoints of the JSON API: public callback requests and the staff queue.

``POST /helpline/callbacks`` is public: it checks the body size before parsing (413),
parses strictly (booleans must be JSON booleans, unknown keys refused), and answers
201 only after the request is committed. Staff endpoints need a helpline permission;
like the patient endpoints, a caller without it is answered as if the inquiry did not
exist (404, or an empty queue), and the refusal is audited. Every read and write of an
inquiry is audited.
"""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Path, Query, Router, Schema, Status
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import JsonDict

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record, request_source_ip
from openrecovery.core.api import (
    AUTH_ERRORS,
    ErrorOut,
    JsonDate,
    JsonDateTime,
    ValidationErrorOut,
    json_integral,
    schema_inlined,
)
from openrecovery.instruments.registry import SELF_CHECKS

from . import selectors, services
from .choices import CallOutcome, ForWhom, Pregnancy, ReferralSource, ReferralTarget, Urgency
from .models import Inquiry
from .references import reference_new
from .rules import DangerRule
from .validation import MAX_LENGTHS, PHONE_PATTERN, REQUIRED_TEXT_PATTERN, TEXT_PATTERN

router = Router(tags=["helpline"])
MAX_ID = 2**62
ERROR_TOO_LARGE = "The request is too large."
ERROR_RATE_LIMITED = "Too many requests from this address; try again in %d seconds."
Reference = Annotated[str, Path(max_length=20)]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID), BeforeValidator(json_integral)]
# The service's text rules, stated in the schema (helpline/validation.py).
TEXT: JsonDict = {"pattern": TEXT_PATTERN}
REQUIRED_TEXT: JsonDict = {"pattern": REQUIRED_TEXT_PATTERN}
PHONE: JsonDict = {"pattern": PHONE_PATTERN}
SELF_CHECK_VALUES = {o.value for c in SELF_CHECKS.values() for i in c.items for o in i.options}
Text = Annotated[StrictStr, Field(max_length=2000)]
ShortText = Annotated[StrictStr, Field(max_length=200)]


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
    band: str | None = Field(None, max_length=64)
    answers: list[
        Annotated[int, Field(ge=min(SELF_CHECK_VALUES), le=max(SELF_CHECK_VALUES))] | None
    ] = Field(min_length=min(SELF_CHECK_ITEMS), max_length=max(SELF_CHECK_ITEMS))


class CallbackIn(Schema):
    """A callback request, as on the public form."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(
        min_length=1,
        max_length=MAX_LENGTHS["name"],
        description="Name or alias.",
        json_schema_extra=REQUIRED_TEXT,
    )
    phone: str = Field(
        min_length=1,
        max_length=MAX_LENGTHS["phone"],
        description="7 to 15 digits; spaces, +, -, ., ( and ) allowed.",
        json_schema_extra=PHONE,
    )
    best_time: str = Field("", max_length=MAX_LENGTHS["best_time"], json_schema_extra=TEXT)
    for_whom: Literal["myself", "someone_else"]
    substances: str = Field("", max_length=MAX_LENGTHS["substances"], json_schema_extra=TEXT)
    voicemail_ok: bool = False
    consent: bool = Field(
        description="Must be true: consent to be contacted.", json_schema_extra={"const": True}
    )
    message: str = Field("", max_length=MAX_LENGTHS["message"], json_schema_extra=TEXT)
    website: str = Field("", max_length=200, description="Leave empty (spam trap).")
    self_check: SelfCheckIn | None = Field(
        None,
        description="A self-check result the person chose to send; it is re-scored from "
        "the answers (the band sent is ignored).",
    )


class CallbackOut(Schema):
    reference: str = Field(description='The code to quote when calling, e.g. "HL-7K3M-Q9PX".')


def _field_problems(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    """Return field errors as the API's 422 entries (form-wide errors under "")."""
    return [
        {"field": "" if field == "__all__" else field, "message": str(m)}
        for field, messages in errors.items()
        for m in messages
    ]


def _problems(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"detail": _field_problems(errors)}, status=422)


def _callback_body(request: HttpRequest) -> bytes | None:
    limit = settings.HELPLINE_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return body if len(body) <= limit else None


@router.post(
    "/helpline/callbacks",
    auth=None,
    response={201: CallbackOut, 413: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema_inlined(CallbackIn)}},
        },
        "responses": {429: {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}},
    },
)
def callback_create(request: HttpRequest) -> HttpResponse:
    """Ask the helpline to call back. Public.

    201 with the reference code once the request is stored; 413 for a body over
    ``HELPLINE_MAX_BODY_BYTES``; 422 with field errors; 429 with Retry-After.
    """
    body = _callback_body(request)
    if body is None:
        return JsonResponse({"detail": ERROR_TOO_LARGE}, status=413)
    try:
        parsed = CallbackIn.model_validate_json(body or b"null")
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors(include_url=False):
            field = ".".join(str(p) for p in error["loc"])
            errors.setdefault(field, []).append(error["msg"])
        return _problems(errors)
    data = parsed.model_dump(exclude={"self_check"})
    try:
        inquiry = services.callback_request_create(
            data=data,
            source_ip=request_source_ip(request),
            request=request,
            self_check=parsed.self_check.model_dump() if parsed.self_check else None,
            source="api",
        )
    except services.SpamRejected:
        # Bots learn nothing: the same answer as a stored request, with a code that
        # matches no inquiry.
        return JsonResponse({"reference": reference_new()}, status=201)
    except services.CallbackInvalid as exc:
        return _problems({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    except services.RateLimited as exc:
        response = JsonResponse({"detail": ERROR_RATE_LIMITED % exc.retry_after}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return JsonResponse({"reference": inquiry.reference}, status=201)


# Staff endpoints ---------------------------------------------------------------------


class QueueEntryOut(Schema):
    reference: str
    source: str
    status: str
    urgency: str
    received_at: dt.datetime
    minutes_waiting: int
    due_at: dt.datetime
    overdue: bool
    first_contact_at: dt.datetime | None
    claimed_by: str | None
    name: str
    for_whom: str


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


class DangerRuleOut(Schema):
    code: str
    severity: str
    message: str
    source: str


class SubstanceRow(Schema):
    model_config = ConfigDict(extra="forbid")
    substance: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    dose: Annotated[StrictStr, Field(max_length=100)] = ""
    frequency: Annotated[StrictStr, Field(max_length=100)] = ""
    duration: Annotated[StrictStr, Field(max_length=100)] = ""
    last_use: Annotated[StrictStr, Field(max_length=100)] = ""


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
    insurance_provider: Annotated[StrictStr, Field(max_length=100)] = ""
    insurance_member_id: Annotated[StrictStr, Field(max_length=64)] = ""
    insurance_notes: Annotated[StrictStr, Field(max_length=300)] = ""
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


class DispositionOut(Schema):
    kind: str
    scheduled_for: dt.datetime | None
    clinician: str | None
    referral_target: str
    referral_detail: str
    notes: str
    created_at: dt.datetime


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


class PhoneInquiryIn(Schema):
    """A call taken by a coordinator (it is claimed by them and counts as first contact)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[
        StrictStr,
        Field(min_length=1, max_length=MAX_LENGTHS["name"], json_schema_extra=REQUIRED_TEXT),
    ]
    phone: Annotated[
        StrictStr, Field(min_length=1, max_length=MAX_LENGTHS["phone"], json_schema_extra=PHONE)
    ]
    best_time: Annotated[
        StrictStr, Field(max_length=MAX_LENGTHS["best_time"], json_schema_extra=TEXT)
    ] = ""
    for_whom: ForWhom
    substances: Annotated[
        StrictStr, Field(max_length=MAX_LENGTHS["substances"], json_schema_extra=TEXT)
    ] = ""
    voicemail_ok: StrictBool = False
    message: Annotated[
        StrictStr, Field(max_length=MAX_LENGTHS["message"], json_schema_extra=TEXT)
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
    given_name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    family_name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    date_of_birth: JsonDate
    sex_at_birth: Literal["female", "male", "intersex", "unknown", "declined"]
    scheduled_for: JsonDateTime
    clinician_id: Id
    confirm_not_duplicate: StrictBool = False
    existing_patient_id: Id | None = None
    notes: Text = ""


class ConvertOut(Schema):
    patient_id: int
    mrn: str
    episode_id: int
    stage: str


class DuplicateOut(Schema):
    id: int
    mrn: str
    display_name: str
    date_of_birth: dt.date


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


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return str((user.get_full_name() or user.get_username()).strip())


def _rules(rules: list[DangerRule]) -> list[dict[str, str]]:
    return [
        dict(code=r.code, severity=r.severity, message=r.message, source=r.source) for r in rules
    ]


def _inquiry_out(inquiry: Inquiry) -> dict[str, Any]:
    detail = selectors.inquiry_detail(inquiry)
    prescreen, disposition = detail["prescreen"], detail["disposition"]
    fields = {f: getattr(inquiry, f) for f in InquiryOut.model_fields if hasattr(inquiry, f)}
    fields.update(
        urgency=Urgency(inquiry.urgency).label.lower(),
        claimed_by=_name(inquiry.claimed_by),
        patient_id=inquiry.patient_id,
        call_attempts=[
            {
                **{f: getattr(a, f) for f in CallAttemptOut.model_fields},
                "attempted_by": _name(a.attempted_by),
            }
            for a in detail["call_attempts"]
        ],
        prescreen=_prescreen_out(prescreen, inquiry) if prescreen else None,
        danger_rules=_rules(detail["danger_rules"]),
        disposition=(
            {
                **{f: getattr(disposition, f) for f in DispositionOut.model_fields},
                "clinician": _name(disposition.clinician),
            }
            if disposition
            else None
        ),
    )
    return fields


def _prescreen_out(prescreen: Any, inquiry: Inquiry) -> dict[str, Any]:
    from .rules import danger_rules

    names = [f for f in PreScreenOut.model_fields if f not in ("danger_rules", "urgency")]
    return {
        **{f: getattr(prescreen, f) for f in names},
        "danger_rules": _rules(danger_rules(prescreen)),
        "urgency": Urgency(inquiry.urgency).label.lower(),
    }


# Service refusals about the inquiry's state, not the request's content: 409, not 422.
STATE_CONFLICTS = frozenset({"closed", "claim_first", "not_yours", "open_episode"})


def _staff_call(fn: Callable[[], Any]) -> Any:
    """Run a service call, turning its exceptions into this API's error responses."""
    try:
        return fn()
    except PermissionDenied as exc:
        raise Http404("No such inquiry.") from exc
    except services.InquiryTaken as exc:
        return Status(
            409,
            {
                "detail": f"{exc.claimed_by_name} has this inquiry.",
                "claimed_by": exc.claimed_by_name,
            },
        )
    except services.LikelyDuplicates as exc:
        return Status(
            409,
            {
                "detail": services.ERROR_DUPLICATES,
                "duplicates": [
                    {
                        "id": p.pk,
                        "mrn": p.mrn,
                        "display_name": p.display_name,
                        "date_of_birth": p.date_of_birth,
                    }
                    for p in exc.patients
                ],
            },
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") and getattr(exc, "code", None) in STATE_CONFLICTS:
            return Status(409, {"detail": exc.messages[0], "claimed_by": None})
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return Status(422, {"detail": _field_problems(errors)})


def _for(request: HttpRequest, reference: str, *, write: bool, action: str = "") -> Inquiry:
    try:
        return selectors.inquiry_for(
            request.user, reference, request=request, write=write, action=action
        )
    except PermissionDenied as exc:
        raise Http404("No such inquiry.") from exc


def _denied(request: HttpRequest) -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        request=request,
        object_type="inquiry",
        outcome=Outcome.DENIED,
    )


STAFF_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 422: ValidationErrorOut}
ONE_ERRORS: dict[int, Any] = {**STAFF_ERRORS, 404: ErrorOut}


@router.get("/helpline/inquiries", response={200: QueueOut, **STAFF_ERRORS})
def queue(
    request: HttpRequest, limit: Annotated[int, Query(ge=1, le=selectors.QUEUE_LIMIT)] = 50
) -> Any:
    """Return the open queue: most urgent first, then longest waiting (bounded).

    Callers whose role may not read inquiries get an empty queue (the refusal is audited).
    """
    try:
        selectors.inquiry_access(request.user)
    except PermissionDenied:
        _denied(request)
        return {"open_count": 0, "response_minutes": selectors.response_minutes(), "entries": []}
    entries = selectors.queue_open(limit)
    audit_record(
        action=Action.LIST, request=request, object_type="inquiry", detail={"results": len(entries)}
    )
    return {
        "open_count": selectors.queue_open_count(),
        "response_minutes": selectors.response_minutes(),
        "entries": [
            {
                **{
                    f: getattr(e.inquiry, f)
                    for f in (
                        "reference",
                        "source",
                        "status",
                        "received_at",
                        "first_contact_at",
                        "name",
                        "for_whom",
                    )
                },
                "urgency": Urgency(e.inquiry.urgency).label.lower(),
                "minutes_waiting": e.minutes_waiting,
                "due_at": e.due_at,
                "overdue": e.overdue,
                "claimed_by": _name(e.inquiry.claimed_by),
            }
            for e in entries
        ],
    }


@router.post("/helpline/inquiries", response={201: InquiryOut, **STAFF_ERRORS})
def log_call(request: HttpRequest, body: PhoneInquiryIn) -> Any:
    """Log a call taken by phone as an inquiry claimed by the caller of this endpoint."""
    result = _staff_call(
        lambda: services.inquiry_log_call(
            actor=request.user, data=body.model_dump(), request=request
        )
    )
    return result if isinstance(result, Status) else Status(201, _inquiry_out(result))


@router.get("/helpline/inquiries/{reference}", response={200: InquiryOut, **ONE_ERRORS})
def inquiry_get(request: HttpRequest, reference: Reference) -> Any:
    """Return one inquiry with its calls, pre-screen, danger rules and disposition."""
    return _inquiry_out(_for(request, reference, write=False, action=Action.VIEW))


def _work(
    request: HttpRequest, reference: str, call: Callable[[Inquiry], Any], status: int = 200
) -> Any:
    inquiry = _for(request, reference, write=True)
    result = _staff_call(lambda: call(inquiry))
    if isinstance(result, Status):
        return result
    return Status(
        status,
        _inquiry_out(Inquiry.objects.select_related("claimed_by", "patient").get(pk=inquiry.pk)),
    )


@router.post(
    "/helpline/inquiries/{reference}/claim",
    response={200: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def claim(request: HttpRequest, reference: Reference) -> Any:
    """Claim an open inquiry; 409 names whoever has it already."""
    return _work(
        request,
        reference,
        lambda i: services.inquiry_claim(actor=request.user, inquiry_id=i.pk, request=request),
    )


@router.post(
    "/helpline/inquiries/{reference}/release",
    response={200: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def release(request: HttpRequest, reference: Reference) -> Any:
    """Put an inquiry one holds back into the open queue."""
    return _work(
        request,
        reference,
        lambda i: services.inquiry_release(actor=request.user, inquiry_id=i.pk, request=request),
    )


@router.post(
    "/helpline/inquiries/{reference}/calls",
    response={201: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def call_record(request: HttpRequest, reference: Reference, body: CallIn) -> Any:
    """Record a call attempt (the first "reached" is the first contact)."""
    return _work(
        request,
        reference,
        lambda i: services.call_attempt_record(
            actor=request.user, inquiry_id=i.pk, request=request, **body.model_dump()
        ),
        status=201,
    )


@router.post(
    "/helpline/inquiries/{reference}/prescreen",
    response={200: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def prescreen_post(request: HttpRequest, reference: Reference, body: PreScreenIn) -> Any:
    """Save the pre-screen; the answer shows the danger rules it triggers and the urgency."""
    return _work(
        request,
        reference,
        lambda i: services.prescreen_save(
            actor=request.user, inquiry_id=i.pk, request=request, answers=body.model_dump()
        ),
    )


@router.post(
    "/helpline/inquiries/{reference}/disposition",
    response={201: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def disposition_post(request: HttpRequest, reference: Reference, body: DispositionIn) -> Any:
    """Close an inquiry as referred elsewhere, not a fit, or lost contact.

    ``referred`` needs a ``referral_target`` (422 without one).
    """
    return _work(
        request,
        reference,
        lambda i: services.disposition_record(
            actor=request.user, inquiry_id=i.pk, request=request, **body.model_dump()
        ),
        status=201,
    )


@router.post(
    "/helpline/inquiries/{reference}/convert",
    response={201: ConvertOut, **ONE_ERRORS, 409: ConflictOut | DuplicatesOut},
)
def convert(request: HttpRequest, reference: Reference, body: ConvertIn) -> Any:
    """Schedule an assessment: the person becomes a patient with an episode at assessment.

    409 lists likely duplicates until ``confirm_not_duplicate`` or ``existing_patient_id``,
    which must be one of those duplicates (422 otherwise, whether or not the id exists).
    """
    inquiry = _for(request, reference, write=True)
    data = body.model_dump()
    clinician = User.objects.filter(pk=data.pop("clinician_id"), is_active=True).first()
    result = _staff_call(
        lambda: services.inquiry_convert(
            actor=request.user, inquiry_id=inquiry.pk, clinician=clinician, request=request, **data
        )
    )
    if isinstance(result, Status):
        return result
    episode = result.inquiry.patient.episodes.filter(ended_at__isnull=True).get()
    return Status(
        201,
        {
            "patient_id": episode.patient_id,
            "mrn": result.inquiry.patient.mrn,
            "episode_id": episode.pk,
            "stage": episode.stage,
        },
    )


@router.get("/helpline/figures", response={200: FiguresOut, **STAFF_ERRORS, 404: ErrorOut})
def figures(
    request: HttpRequest, days: Annotated[int, Query(ge=1, le=selectors.FIGURES_MAX_DAYS)] = 30
) -> Any:
    """Return inquiries per day, share converted and median minutes to first contact."""
    try:
        selectors.inquiry_access(request.user)
    except PermissionDenied as exc:
        _denied(request)
        raise Http404("Not found.") from exc
    result = selectors.conversion_figures(days)
    return {**{f: getattr(result, f) for f in FiguresOut.model_fields}}
