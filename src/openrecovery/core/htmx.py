"""htmx glue: one tested place for request detection and partial selection."""

from django.http import HttpRequest, HttpResponse


def is_htmx(request: HttpRequest) -> bool:
    """Return True when the request was made by htmx (and is not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# Sent by elements that refresh themselves on a timer (hx-headers), never by a person's
# action: such requests must not count as activity, or an unattended screen would stay
# signed in for ever.
BACKGROUND_HEADER = "X-Background-Refresh"


def is_background_refresh(request: HttpRequest) -> bool:
    """Return True for a timed refresh (a poll) rather than something a person did."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


def redirect_page(url: str) -> HttpResponse:
    """Send the whole page (not the swapped fragment) to ``url``: htmx follows HX-Redirect."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """Return the partial template for htmx requests and the full page otherwise."""
    return partial if is_htmx(request) else full
