"""Instrument endpoints of the JSON API (scoring is public: nothing stored, no one identified).

The scoring endpoint reads its body itself so that every refusal has one shape, a 422
naming the item (``""`` for the body or the list as a whole), whether the JSON is
malformed, a field is unknown or an answer does not fit the instrument. It touches no
database, session or user.
"""

from functools import cache
from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import ValidationError

from openrecovery.core.api import schema_inlined
from openrecovery.core.errors import InvalidInput, NotFound

from .engine import AnswerError, Instrument, Score, score
from .registry import INSTRUMENTS, public_definition_get
from .schemas import (
    AnswerErrorsOut,
    InstrumentOut,
    InstrumentSummaryOut,
    NotFoundOut,
    ScoreIn,
    ScoreOut,
)

router = Router(tags=["instruments"])

UNKNOWN_INSTRUMENT = "No instrument has this code."
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
