"""Template context every page gets."""

from django.conf import settings
from django.http import HttpRequest

from .http import page_url


def program(request: HttpRequest) -> dict[str, str]:
    """Return the program's name and 24/7 phone number."""
    return {"program_name": settings.PROGRAM_NAME, "program_phone": settings.PROGRAM_PHONE}


def page_address(request: HttpRequest) -> dict[str, str]:
    """Return the page a POST-only URL's answer belongs to (see ``core.http.post_only``)."""
    return {"page_url": page_url(request)}
