"""Template context for the navbar: how many alerts wait for me."""

from functools import cached_property

from django.http import HttpRequest

from openrecovery.accounts.models import User
from openrecovery.instruments.selectors import alerts_unacknowledged_count

# [the user's alert_version when counted, the count]: the session carries the count
# until one of the alert services moves the version (records/alerts.py).
SESSION_ALERT_BADGE = "openrecovery_alert_badge"


class AlertBadge:
    """The navbar's alert count, only when a template shows it, counted again only after
    an alert to the user was raised, acknowledged or resolved."""

    def __init__(self, request: HttpRequest, user: User) -> None:
        self.request = request
        self.user = user

    @cached_property
    def count(self) -> int:
        session = self.request.session
        version = self.user.alert_version  # read with the user, before counting
        carried = session.get(SESSION_ALERT_BADGE)
        if isinstance(carried, list) and len(carried) == 2 and carried[0] == version:
            return int(carried[1])
        count = alerts_unacknowledged_count(self.user)
        session[SESSION_ALERT_BADGE] = [version, count]
        return count


def alert_badge(request: HttpRequest) -> dict[str, AlertBadge | None]:
    """Return the alert badge for verified staff (None for everyone else)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_verified():
        return {"alert_badge": None}
    return {"alert_badge": AlertBadge(request, user)}
