"""Declare who may open a staff view; the declaration feeds docs/access.md and its test."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from openrecovery.core.access import PUBLIC, SIGNED_IN, public_view

from .models import User
from .roles import ROLE_PERMISSIONS, Role

__all__ = ["PUBLIC", "SIGNED_IN", "StaffRequest", "public_view", "roles_allowed", "staff_view"]

ViewFunction = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """A request that passed ``staff_view`` (or API token auth): a verified staff member's.

    Views and API handlers annotate their request with it so that ``request.user`` is
    typed as the ``User`` the services take as ``actor``.
    """

    user: User


def staff_view(
    permission: str = SIGNED_IN, *, anonymous_to: str = ""
) -> Callable[[ViewFunction], ViewFunction]:
    """Require a signed-in, MFA-verified user holding ``permission`` (or any staff role).

    Anonymous users are sent to the login page, or to the URL named ``anonymous_to``
    (the site's root sends a visitor to the public help pages); users without the
    permission get a 403 page that carries no patient data.
    """

    def decorate(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if anonymous_to and not request.user.is_authenticated:
                return redirect(anonymous_to)
            return signed_in(request, *args, **kwargs)

        @login_required
        def signed_in(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User) or not user.is_verified():
                raise PermissionDenied
            if permission != SIGNED_IN and not user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_permission = permission  # type: ignore[attr-defined]
        wrapped.anonymous_to = anonymous_to  # type: ignore[attr-defined]
        return wrapped

    return decorate


def roles_allowed(permission: str) -> list[str]:
    """Return the roles that may open a view declared with ``permission``."""
    if permission in (PUBLIC, SIGNED_IN):
        return [str(r) for r in Role]
    return [str(r) for r in Role if permission in ROLE_PERMISSIONS[r]]
