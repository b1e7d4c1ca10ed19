"""Template context of the signed-in pages: the session's clock."""

import time

from django.conf import settings
from django.http import HttpRequest

from .middleware import session_seconds_left


def session_clock(request: HttpRequest) -> dict[str, int]:
    """Return the seconds the session has left and when the page warns about it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_seconds_left": session_seconds_left(request, time.time()),
        "session_warning_seconds": settings.SESSION_IDLE_WARNING,
    }
