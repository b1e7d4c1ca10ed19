"""Staff accounts: creation, roles, deactivation. Every change is audited."""

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record

from .models import ApiToken, StaffSession, User
from .roles import Role

ERROR_UNKNOWN_ROLE = "Choose one of the staff roles."


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a staff account with a validated password and one role."""
    if role not in Role.values:
        raise ValidationError({"role": ERROR_UNKNOWN_ROLE})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        action=Action.STAFF_CREATED,
        actor=actor,
        request=request,
        object_type="user",
        object_id=user.pk,
        detail={"role": role},
    )
    staff_set_role(actor=actor, user=user, role=role, request=request)
    return user


@transaction.atomic
def staff_set_role(
    *, actor: Any, user: User, role: str, request: HttpRequest | None = None
) -> User:
    """Give ``user`` exactly one role (group membership follows) and audit the change."""
    if role not in Role.values:
        raise ValidationError({"role": ERROR_UNKNOWN_ROLE})
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    user.groups.set([Group.objects.get(name=role)])
    audit_record(
        action=Action.PERMISSION_CHANGE,
        actor=actor,
        request=request,
        object_type="user",
        object_id=user.pk,
        detail={"from": previous, "to": role},
    )
    return user


def sessions_end(*, user: User) -> int:
    """Delete every server-side session ``user`` holds. Return how many were ended."""
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    StaffSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def staff_deactivate(*, actor: Any, user: User, request: HttpRequest | None = None) -> User:
    """Deactivate an account: end its sessions and revoke its API tokens at once."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        action=Action.STAFF_DEACTIVATED,
        actor=actor,
        request=request,
        object_type="user",
        object_id=user.pk,
        detail={"sessions_ended": ended, "tokens_revoked": revoked},
    )
    return user
