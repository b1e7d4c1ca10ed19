"""htmx glue: one tested place for request detection and partial selection."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Return True when the request was made by htmx (and is not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """Return the partial template for htmx requests and the full page otherwise."""
    return partial if is_htmx(request) else full
