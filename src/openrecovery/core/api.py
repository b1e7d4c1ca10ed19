"""Public endpoints of the core: health and the benchmark floors (off in production)."""

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
)
from pydantic_core import PydanticCustomError

from .models import BenchRow
from .text import ALLOWED_PATTERN, CODE_CONTROL_CHARACTER, text_problem

router = Router(tags=["core"])


class HealthOut(Schema):
    status: str


class ErrorOut(Schema):
    """An error with a human-readable detail (401, 403, 404)."""

    detail: str


def json_integral(value: Any) -> Any:
    """Let a number with no fraction (17.0) through as an integer, as JSON Schema does."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An integer in a JSON body: a JSON integer, or a number with no fraction (17.0);
# never a string or a boolean. With bounds, put them before the validator so the
# schema shows them: Annotated[StrictInt, Field(ge=1), BeforeValidator(json_integral)].
JsonInt = Annotated[StrictInt, BeforeValidator(json_integral)]


def iso_text(value: Any) -> Any:
    """Refuse a number where a date or time is expected (pydantic reads it as seconds)."""
    if isinstance(value, int | float):
        raise ValueError("Enter a date or time as ISO 8601 text, not a number.")
    return value


def text_checked(value: Any) -> Any:
    """Refuse text with a control character or a lone surrogate (``core.text``, ADR 0009).

    It runs before pydantic's own string check, which refuses a lone surrogate with a
    message about unicode parsing instead of this one; what is not text goes on to it.
    """
    if isinstance(value, str) and (problem := text_problem(value)) is not None:
        raise PydanticCustomError(CODE_CONTROL_CHARACTER, problem)
    return value


# Text in a request (a body field, a query or path parameter): a JSON string without
# the characters core.text refuses, which the schema states as a pattern. Add bounds
# beside it: Annotated[JsonText, Field(max_length=100)].
JsonText = Annotated[
    StrictStr,
    BeforeValidator(text_checked),
    Field(json_schema_extra={"pattern": ALLOWED_PATTERN}),
]

# A date or time in a JSON body: ISO 8601 text, never a number of seconds.
JsonDateTime = Annotated[dt.datetime, BeforeValidator(iso_text)]
JsonDate = Annotated[dt.date, BeforeValidator(iso_text)]


def schema_inlined(model: type[BaseModel]) -> dict[str, Any]:
    """Return ``model``'s JSON Schema with nested models written in place.

    For request bodies an operation reads itself and declares in ``openapi_extra``:
    pydantic's ``$defs`` references would point nowhere inside the OpenAPI document.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


class FieldProblem(Schema):
    field: str = Field(
        description='Where the problem is: a body field ("outcome", "substances.0.dose"), '
        'a query or path parameter, or "" for the body as a whole.'
    )
    message: str


class ValidationErrorOut(Schema):
    """Request validation errors (422): one entry per problem; nothing was changed."""

    detail: list[FieldProblem]


def validation_problems(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Turn django-ninja's request errors into FieldProblems.

    A location is (source, parameter, field…); a body's parameter name is internal,
    so ``("body", "body", "outcome")`` is the field ``outcome`` and ``("query",
    "limit")`` the parameter ``limit``.
    """
    problems = []
    for error in errors:
        source, *where = [str(part) for part in error.get("loc", ())] or [""]
        if source == "body":
            where = where[1:]
        problems.append({"field": ".".join(where), "message": str(error.get("msg", ""))})
    return problems


def field_problems(exc: ValidationError) -> list[dict[str, str]]:
    """Turn a service's ValidationError into FieldProblems (form-wide errors under "")."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return [
        {"field": "" if field == NON_FIELD_ERRORS else field, "message": str(message)}
        for field, messages in errors.items()
        for message in messages
    ]


# Responses every authenticated operation can give besides its own.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut}


class BenchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    payload: JsonText = Field(max_length=64)


class BenchOut(Schema):
    id: int


@router.get("/health", auth=None, response=HealthOut)
def health(request: HttpRequest) -> dict:
    """Report that the API is up. Public."""
    return {"status": "ok"}


def bench_enabled() -> None:
    """Answer 404 unless the settings enable the bench's floors (never in production)."""
    if not settings.BENCH_ENDPOINTS:
        raise Http404


@router.get("/bench/read", auth=None, response=HealthOut, include_in_schema=False)
def bench_read(request: HttpRequest) -> dict:
    """Read floor: a trivial endpoint. Disabled by production settings."""
    bench_enabled()
    return {"status": "ok"}


@router.post("/bench/write", auth=None, response={201: BenchOut}, include_in_schema=False)
def bench_write(request: HttpRequest, body: BenchIn) -> tuple[int, dict]:
    """Write floor: a bare one-row insert. Disabled by production settings."""
    bench_enabled()
    row = BenchRow.objects.create(payload=body.payload)
    return 201, {"id": row.pk}
