"""Public endpoints of the core: health and the benchmark floors (off in production)."""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from .models import BenchRow

router = Router(tags=["core"])


class HealthOut(Schema):
    status: str


class ErrorOut(Schema):
    """An error with a human-readable detail (401, 403, 404)."""

    detail: str


class ValidationErrorOut(Schema):
    """Request validation errors (422): one entry per problem, with where it is."""

    detail: list[dict[str, Any]]


# Responses every authenticated operation can give besides its own.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut}


class BenchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    payload: str = Field(max_length=64)


class BenchOut(Schema):
    id: int


@router.get("/health", auth=None, response=HealthOut)
def health(request: HttpRequest) -> dict:
    """Report that the API is up. Public."""
    return {"status": "ok"}


def _bench_enabled() -> None:
    if not settings.BENCH_ENDPOINTS:
        raise Http404


@router.get("/bench/read", auth=None, response=HealthOut, include_in_schema=False)
def bench_read(request: HttpRequest) -> dict:
    """Read floor: a trivial endpoint. Disabled by production settings."""
    _bench_enabled()
    return {"status": "ok"}


@router.post("/bench/write", auth=None, response={201: BenchOut}, include_in_schema=False)
def bench_write(request: HttpRequest, body: BenchIn) -> tuple[int, dict]:
    """Write floor: a bare one-row insert. Disabled by production settings."""
    _bench_enabled()
    row = BenchRow.objects.create(payload=body.payload)
    return 201, {"id": row.pk}
