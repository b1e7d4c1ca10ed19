"""Helpline endpoints of the JSON API: public callback requests and the staff queue.

``POST /helpline/callbacks`` is public: it checks the body size before parsing (413),
parses strictly (booleans must be JSON booleans, unknown keys refused), and answers
201 only after the request is committed. Staff endpoints need a helpline permission;
like the patient endpoints, a caller without it is answered as if the inquiry did not
exist (404, or an empty queue), and the refusal is audited. Every read and write of an
inquiry is audited. The services' refusals are typed errors (``core.errors``) that the
API's one handler answers (409 with ``ConflictOut``, ``DuplicatesOut`` or ``BookedOut``,
413, 422, 429); the shapes are in ``schemas.py``.
"""

import functools
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from pydantic import ValidationError as PydanticValidationError

from openrecovery.accounts.access import StaffRequest
from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record, request_source_ip
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, ValidationErrorOut, schema_inlined
from openrecovery.core.errors import InvalidInput, RequestTooLarge
from openrecovery.records.models import EpisodeOfCare

from . import selectors, services
from .models import Inquiry
from .references import reference_new
from .schemas import (
    BookedOut,
    CallbackIn,
    CallbackOut,
    CallIn,
    ConflictOut,
    ConvertIn,
    ConvertOut,
    DispositionIn,
    DuplicatesOut,
    FiguresOut,
    InquiryOut,
    PhoneInquiryIn,
    PreScreenIn,
    QueueOut,
    Reference,
)

router = Router(tags=["helpline"])


def _callback_body(request: HttpRequest) -> bytes:
    """Return the request's body; raise RequestTooLarge over ``HELPLINE_MAX_BODY_BYTES``."""
    limit = settings.HELPLINE_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise RequestTooLarge from exc
    if len(body) > limit:
        raise RequestTooLarge
    return body


def _callback_parse(body: bytes) -> CallbackIn:
    """Parse a callback request strictly; raise InvalidInput naming each field."""
    try:
        return CallbackIn.model_validate_json(body or b"null")
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors(include_url=False):
            field = ".".join(str(p) for p in error["loc"])
            errors.setdefault(field, []).append(error["msg"])
        problems = [{"field": f, "message": m} for f, messages in errors.items() for m in messages]
        raise InvalidInput(problems) from exc


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
def callback_create(request: HttpRequest) -> Status:
    """Ask the helpline to call back. Public.

    201 with the reference code once the request is stored; 413 for a body over
    ``HELPLINE_MAX_BODY_BYTES``; 422 with field errors; 429 with Retry-After.
    """
    parsed = _callback_parse(_callback_body(request))
    try:
        inquiry = services.callback_request_create(
            data=parsed.model_dump(exclude={"self_check"}),
            source_ip=request_source_ip(request),
            request=request,
            self_check=parsed.self_check.model_dump() if parsed.self_check else None,
            source="api",
        )
    except services.SpamRejected:
        # Bots learn nothing: the same answer as a stored request, with a code that
        # matches no inquiry.
        return Status(201, {"reference": reference_new()})
    return Status(201, inquiry)


# Staff endpoints ---------------------------------------------------------------------


def _for(request: StaffRequest, reference: str, *, write: bool, action: str = "") -> Inquiry:
    # PermissionDenied is answered 404 by the API, as for an unknown reference.
    return selectors.inquiry_for(
        request.user, reference, request=request, write=write, action=action
    )


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
    request: StaffRequest, limit: Annotated[int, Query(ge=1, le=selectors.QUEUE_LIMIT)] = 50
) -> dict[str, Any]:
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
        action=Action.LIST,
        request=request,
        object_type="inquiry",
        detail={"results": len(entries), "inquiries": [e.inquiry.pk for e in entries]},
    )
    return {
        "open_count": selectors.queue_open_count(),
        "response_minutes": selectors.response_minutes(),
        "entries": entries,
    }


@router.post("/helpline/inquiries", response={201: InquiryOut, **STAFF_ERRORS})
def log_call(request: StaffRequest, body: PhoneInquiryIn) -> Status:
    """Log a call taken by phone as an inquiry claimed by the caller of this endpoint."""
    inquiry = services.inquiry_log_call(actor=request.user, data=body.model_dump(), request=request)
    return Status(201, selectors.inquiry_with_detail(inquiry))


@router.get("/helpline/inquiries/{reference}", response={200: InquiryOut, **ONE_ERRORS})
def inquiry_get(request: StaffRequest, reference: Reference) -> Inquiry:
    """Return one inquiry with its calls, pre-screen, danger rules and disposition."""
    return selectors.inquiry_with_detail(_for(request, reference, write=False, action=Action.VIEW))


def _work(request: StaffRequest, reference: str, call: Callable[..., object]) -> Inquiry:
    """Run a staff service on the inquiry (``call(actor=, inquiry_id=, request=)``)."""
    inquiry = _for(request, reference, write=True)
    call(actor=request.user, inquiry_id=inquiry.pk, request=request)
    return selectors.inquiry_with_detail(inquiry)


@router.post(
    "/helpline/inquiries/{reference}/claim",
    response={200: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def claim(request: StaffRequest, reference: Reference) -> Inquiry:
    """Claim an open inquiry; 409 names whoever has it already."""
    return _work(request, reference, services.inquiry_claim)


@router.post(
    "/helpline/inquiries/{reference}/release",
    response={200: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def release(request: StaffRequest, reference: Reference) -> Inquiry:
    """Put an inquiry one holds back into the open queue."""
    return _work(request, reference, services.inquiry_release)


@router.post(
    "/helpline/inquiries/{reference}/calls",
    response={201: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def call_record(request: StaffRequest, reference: Reference, body: CallIn) -> Status:
    """Record a call attempt (the first "reached" is the first contact)."""
    call = functools.partial(services.call_attempt_record, **body.model_dump())
    return Status(201, _work(request, reference, call))


@router.post(
    "/helpline/inquiries/{reference}/prescreen",
    response={200: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def prescreen_post(request: StaffRequest, reference: Reference, body: PreScreenIn) -> Inquiry:
    """Save the pre-screen; the answer shows the danger rules it triggers and the urgency."""
    call = functools.partial(services.prescreen_save, answers=body.model_dump())
    return _work(request, reference, call)


@router.post(
    "/helpline/inquiries/{reference}/disposition",
    response={201: InquiryOut, **ONE_ERRORS, 409: ConflictOut},
)
def disposition_post(request: StaffRequest, reference: Reference, body: DispositionIn) -> Status:
    """Close an inquiry as referred elsewhere, not a fit, or lost contact.

    ``referred`` needs a ``referral_target`` (422 without one).
    """
    call = functools.partial(services.disposition_record, **body.model_dump())
    return Status(201, _work(request, reference, call))


@router.post(
    "/helpline/inquiries/{reference}/convert",
    response={201: ConvertOut, **ONE_ERRORS, 409: ConflictOut | DuplicatesOut | BookedOut},
)
def convert(request: StaffRequest, reference: Reference, body: ConvertIn) -> Status:
    """Schedule an assessment: the person becomes a patient with an episode at assessment.

    409 lists likely duplicates until ``confirm_not_duplicate``, ``existing_patient_id``
    (a match the caller may see: 422 otherwise, whether or not the id exists) or
    ``existing_match`` (any match's token). Matches the caller may not see are not
    identified; attaching to one needs ``emergency_reason``, which opens break-glass
    access (flagged for review) and adds nobody to the care team. ``clinician_id`` must
    be staff who take assessments (422 otherwise); when they already have an assessment
    overlapping ``scheduled_for``, 409 lists its ``bookings`` until
    ``confirm_double_booking``.
    """
    inquiry = _for(request, reference, write=True)
    data = body.model_dump()
    clinician = User.objects.filter(pk=data.pop("clinician_id"), is_active=True).first()
    disposition = services.inquiry_convert(
        actor=request.user, inquiry_id=inquiry.pk, clinician=clinician, request=request, **data
    )
    episode = EpisodeOfCare.objects.select_related("patient").get(
        patient__inquiries=disposition.inquiry_id, ended_at__isnull=True
    )
    return Status(201, episode)


@router.get("/helpline/figures", response={200: FiguresOut, **STAFF_ERRORS, 404: ErrorOut})
def figures(
    request: StaffRequest, days: Annotated[int, Query(ge=1, le=selectors.FIGURES_MAX_DAYS)] = 30
) -> selectors.ConversionFigures:
    """Return inquiries per day, share converted and median minutes to first contact."""
    try:
        selectors.inquiry_access(request.user)
    except PermissionDenied as exc:
        _denied(request)
        raise Http404("Not found.") from exc
    return selectors.conversion_figures(days)
