"""Template context every page gets."""

from django.conf import settings
from django.http import HttpRequest


def program(request: HttpRequest) -> dict[str, str]:
    """Return the program's name and 24/7 phone number."""
    return {"program_name": settings.PROGRAM_NAME, "program_phone": settings.PROGRAM_PHONE}
