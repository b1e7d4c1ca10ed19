"""Instrument endpoints of the JSON API (scoring is public: nothing stored, no one identified).

The scoring endpoint reads its body itself so that every refusal has one shape, a 422
naming the item (``""`` for the body or the list as a whole), whether the JSON is
malformed, a field is unknown or an answer does not fit the instrument. It touches no
database, session or user.
"""

from functools import cache
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Path, Router, Status
from pydantic import ValidationError

from openrecovery.accounts.access import StaffRequest
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, schema_inlined
from openrecovery.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from openrecovery.privacy.gates import MAX_DB_ID, access_patient_by_id

from .engine import AnswerError, Instrument, Score, score
from .registry import INSTRUMENTS, instrument_get, public_definition_get
from .schemas import (
    AdministrationIn,
    AdministrationOut,
    AnswerErrorsOut,
    InstrumentOut,
    InstrumentSummaryOut,
    NotFoundOut,
    ScoreIn,
    ScoreOut,
)
from .services import OBJECT_TYPE, AdministrationResult, administration_recorded

router = Router(tags=["instruments"])

UNKNOWN_INSTRUMENT = "No instrument has this code."
ADMINISTER_PERMISSION = "instruments.administer_instrument"
ERROR_CANNOT_ADMINISTER = "Your role may not record instrument administrations."
ADMINISTRATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": schema_inlined(AdministrationIn)}},
    }
}
NOT_FOUND = {404: NotFoundOut}
SCORE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": schema_inlined(ScoreIn)}},
    }
}


def _instrument(code: str) -> Instrument:
    instrument = public_definition_get(code)
    if instrument is None:
        raise NotFound(UNKNOWN_INSTRUMENT)
    return instrument


def _body_problems(error: ValidationError) -> list[dict[str, str]]:
    """Turn pydantic's errors about the body's shape into item-less problems."""
    problems = []
    for e in error.errors(include_url=False):
        where = ".".join(str(part) for part in e["loc"])
        problems.append({"item": "", "message": f"{where}: {e['msg']}" if where else e["msg"]})
    return problems


@cache
def _definition(instrument: Instrument) -> dict[str, Any]:
    return instrument.as_dict()


@router.get("/instruments", auth=None, response=list[InstrumentSummaryOut])
def instrument_list(request: HttpRequest) -> list[Instrument]:
    """List the shipped instruments: code, name and version."""
    return list(INSTRUMENTS.values())


@router.get("/instruments/{code}", auth=None, response={200: InstrumentOut, **NOT_FOUND})
def instrument_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """Return an instrument's definition: items, options, scoring, bands, flags, source."""
    return _definition(_instrument(code))


@router.post(
    "/instruments/{code}/score",
    auth=None,
    response={200: ScoreOut, **NOT_FOUND, 422: AnswerErrorsOut},
    openapi_extra=SCORE_BODY,
)
def instrument_score(request: HttpRequest, code: str) -> Score:
    """Score answers given in published item order; store nothing.

    Return the total (null for instruments without one), band, flags and subscales.
    422 names the item whose answer is missing, out of range, of the wrong type or
    inconsistent with the skip logic; 404 for an unknown code.
    """
    instrument = _instrument(code)
    try:
        body = ScoreIn.model_validate_json(request.body)
    except ValidationError as error:
        raise InvalidInput(_body_problems(error)) from error
    try:
        return score(instrument, body.answers, body.context)
    except AnswerError as error:
        raise InvalidInput([{"item": error.item, "message": error.message}]) from error


def _service_problems(error: DjangoValidationError) -> list[dict[str, str]]:
    """Turn the service's errors (keyed ``item_<n>``, a field or the form) into problems."""
    problems = []
    for key, messages in error.message_dict.items():
        item = key.removeprefix("item_") if key.startswith("item_") else ""
        prefix = "" if item or key == NON_FIELD_ERRORS else f"{key}: "
        problems += [{"item": item, "message": f"{prefix}{m}"} for m in messages]
    return problems


def _administration_store(
    request: StaffRequest, patient_id: int, body: AdministrationIn
) -> AdministrationResult:
    """Pass the gate (404), check the role (403), record the administration (422)."""
    # The gate first: a patient the caller may not see is 404, whatever their role.
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type=OBJECT_TYPE
    )
    if not request.user.has_perm(ADMINISTER_PERMISSION):
        raise Forbidden(ERROR_CANNOT_ADMINISTER)
    instrument = instrument_get(body.code)
    if instrument is None:
        raise InvalidInput([{"item": "", "message": f"code: {UNKNOWN_INSTRUMENT}"}])
    try:
        return administration_recorded(
            actor=request.user,
            patient=patient,
            code=instrument.code,
            answers=body.answers,
            context=body.context,
            administered_at=body.administered_at,
            request=request,
        )
    except DjangoValidationError as error:
        raise InvalidInput(_service_problems(error)) from error


@router.post(
    "/patients/{patient_id}/administrations",
    response={
        201: AdministrationOut, **AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut,
        422: AnswerErrorsOut,
    },
    openapi_extra=ADMINISTRATION_BODY,
    exclude_unset=True,  # a reaction's answer fields appear only when set
)  # fmt: skip
def administration_create(
    request: StaffRequest, patient_id: Annotated[int, Path(ge=1, le=MAX_DB_ID)]
) -> Status:
    """Score and store an instrument given to a patient, and act on the result.

    The same rules as the chart's form: the patient must pass the access gate (else
    404) and the role must administer instruments (else 403); 422 names the item whose
    answer does not fit, as the scoring endpoint does. Returns what the result set in
    motion: tasks it opened (a C-SSRS owed, a consult, a safety plan) and alerts raised.
    """
    # A malformed body changes nothing, not even the audit log.
    try:
        body = AdministrationIn.model_validate_json(request.body)
    except ValidationError as error:
        raise InvalidInput(_body_problems(error)) from error
    # The gate's audit event and the record commit together: one commit (one fsync) per
    # request. A refusal or bad answers still commit the audit event of the attempt: the
    # error is raised once the transaction is over; the record's own savepoint is undone.
    failure: DomainError | Http404 | None = None
    with transaction.atomic():
        try:
            result = _administration_store(request, patient_id, body)
        except (DomainError, Http404) as error:
            failure = error
    if failure is not None:
        raise failure
    a = result.administration
    return Status(
        201,
        {
            "id": a.pk, "code": a.code, "total": a.total, "band": a.band, "flags": a.flags,
            "subscales": a.subscales, "administered_at": a.administered_at,
            "opened_tasks": [{"kind": t.kind, "id": t.pk} for t in result.follow_up.tasks],
            "alerts": [
                {"id": x.pk, "kind": x.kind, "severity": x.severity}
                for x in result.follow_up.alerts
            ],
            **result.follow_up.answer,
        },
    )  # fmt: skip
