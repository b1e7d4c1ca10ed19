"""Template context for the navbar: how many alerts wait for me."""

from functools import cached_property

from django.http import HttpRequest

from openrecovery.accounts.models import User
from openrecovery.instruments.selectors import alerts_unacknowledged_count


class AlertBadge:
    """The navbar's alert count, queried once and only when a template shows it."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        return alerts_unacknowledged_count(self.user)


def alert_badge(request: HttpRequest) -> dict[str, AlertBadge | None]:
    """Return the alert badge for verified staff (None for everyone else)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_verified():
        return {"alert_badge": None}
    return {"alert_badge": AlertBadge(user)}
