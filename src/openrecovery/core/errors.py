"""Typed domain errors: what a service refuses, and what that refusal means over HTTP.

A service raises one of these when the request was understood but cannot be done:
the state of things forbids it (409), the actor may not (403), the thing is unknown
(404), the client is sending too much (413, 429). Each error declares its HTTP status,
the message people read and the extra JSON fields its response carries, so the API
turns every one of them into its documented shape with a single handler
(``openrecovery.api``, ADR 0006) and the HTML views show the same message on their
forms (``core.forms.form_add_service_errors``).

Problems with the request's own fields stay Django ``ValidationError`` keyed by field
(``full_clean`` raises those too); the API answers them 422 as ``InvalidInput``.
"""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError

ERROR_TOO_LARGE = "The request is too large."
ERROR_RATE_LIMITED = "Too many requests from this address; try again in %d seconds."


class DomainError(Exception):
    """A refusal with an HTTP meaning: ``status``, a ``message`` and ``extra_fields``.

    The JSON body is ``{"detail": message, **extra_fields()}``; subclasses that carry
    more than a message override ``extra_fields`` (and ``headers`` for HTTP headers).
    """

    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def detail(self) -> Any:
        """Return the body's ``detail``: the message, unless a subclass says otherwise."""
        return self.message

    def extra_fields(self) -> dict[str, Any]:
        """Return the JSON fields the body carries besides ``detail`` (none by default)."""
        return {}

    def headers(self) -> dict[str, str]:
        """Return the HTTP headers the response carries (none by default)."""
        return {}

    def body(self) -> dict[str, Any]:
        """Return the JSON body of the response."""
        return {"detail": self.detail(), **self.extra_fields()}


class InvalidInput(DomainError):
    """The request's content is wrong (422): one ``{"field", "message"}`` per problem.

    ``problems`` is the body's ``detail`` list; an API with its own problem shape
    (the instrument scoring names the ``item``) passes entries of that shape.
    """

    status = 422

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems

    def detail(self) -> list[dict[str, str]]:
        return self.problems


class Forbidden(DomainError):
    """The actor may not do this to this object (403), and may be told why."""

    status = 403


class NotFound(DomainError):
    """The thing asked for does not exist (404)."""

    status = 404


class StateConflict(DomainError):
    """The request is understood, but the current state forbids it (409)."""

    status = 409


class RequestTooLarge(DomainError):
    """The request's body is over the size the endpoint accepts (413)."""

    status = 413

    def __init__(self, message: str = ERROR_TOO_LARGE) -> None:
        super().__init__(message)


class RateLimited(DomainError):
    """Too many requests from one client (429); retry after ``retry_after`` seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(ERROR_RATE_LIMITED % retry_after)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def error_messages(exc: ValidationError | DomainError) -> list[str]:
    """Return what to tell the person about a refused service call, as sentences."""
    if isinstance(exc, DomainError):
        return [exc.message]
    return [str(m) for m in exc.messages]
