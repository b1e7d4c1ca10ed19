"""Audit logins, failed logins and logouts; remember sessions so they can be ended."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record

from .middleware import SESSION_LOGIN_AT, session_touch
from .models import StaffSession, User


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    # The store drops the session soon after the idle limit even if it is never used again.
    session_touch(request, now)
    if request.session.session_key:
        StaffSession.objects.get_or_create(
            session_key=request.session.session_key, defaults={"user": user}
        )
    audit_record(action=Action.LOGIN, actor=user, request=request)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username typed is recorded; whether it exists is not revealed to the user.
    audit_record(
        action=Action.LOGIN_FAILED,
        request=request,
        outcome=Outcome.FAILURE,
        actor_username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    if request is not None and request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()
    reason = getattr(request, "logout_reason", "user")
    audit_record(action=Action.LOGOUT, actor=user, request=request, detail={"reason": reason})
