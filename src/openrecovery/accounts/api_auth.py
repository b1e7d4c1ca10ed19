"""API authentication: browser sessions (CSRF-checked, MFA-verified) and bearer tokens."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .models import User
from .tokens import api_token_user


class VerifiedSessionAuth(SessionAuth):
    """A browser session whose user has passed MFA; CSRF is checked by ninja."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a signed-in session there is no ambient credential to forge, so skip
        # the CSRF check: anonymous callers get 401 (authentication required), not 403.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if user.is_authenticated and getattr(user, "is_verified", lambda: False)():
            return user
        return None


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal access token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token, request)
        if user is not None:
            request.user = user
        return user
