"""Staff accounts: creation, roles, deactivation. Every change is audited."""

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict

from .models import ApiToken, RoleChange, StaffSession, User
from .roles import Role, role_adds_patient_access

ERROR_UNKNOWN_ROLE = "Choose one of the staff roles."
ERROR_OWN_ROLE = "Nobody can change their own role: ask another administrator."
ERROR_APPROVER = (
    "A second person approves this: another administrator or the clinical director, "
    "not the one who asked or the one it is for."
)
ERROR_DECIDED = "This role change was already approved or rejected."
APPROVE_PERMISSION = "accounts.approve_role_change"
ERROR_ALREADY_ACTIVE = "This account is active."
ERROR_OWN_MFA = "Another administrator resets your two-step sign-in."


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a staff account with a validated password and one role.

    An operator on the server (``actor=None``, the ``create_staff`` command) gives any
    role at once. An administrator in the app gives the role through ``staff_set_role``:
    a role that opens patients waits, like any such change, for a second person's
    approval, and the account has no role until then.
    """
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
    if actor is None:
        _role_apply(actor=actor, user=user, role=role, request=request)
    else:
        staff_set_role(actor=actor, user=user, role=role, request=request)
    return user


@transaction.atomic
def staff_set_role(
    *, actor: User | None, user: User, role: str, request: HttpRequest | None = None
) -> RoleChange | None:
    """Give ``user`` exactly one role (group membership follows) and audit the change.

    Nobody changes their own role. A change that widens ``user``'s access to patients
    (``role_adds_patient_access``) does not take effect: it is recorded as a pending
    ``RoleChange``, flagged in the audit log, and returned; a second person approves it
    with ``role_change_decide``. ``actor=None`` (the ``create_staff`` command run by an
    operator on the server) sets any role at once. Return None when the role was set.
    """
    if role not in Role.values:
        raise ValidationError({"role": ERROR_UNKNOWN_ROLE})
    if actor is not None and actor.pk == user.pk:
        raise ValidationError({"role": ERROR_OWN_ROLE})
    if actor is None or not role_adds_patient_access(user.role, role):
        _role_apply(actor=actor, user=user, role=role, request=request)
        return None
    RoleChange.objects.filter(user=user, status=RoleChange.Status.PENDING).update(
        status=RoleChange.Status.REJECTED, decided_by=actor, decided_at=timezone.now()
    )
    change = RoleChange.objects.create(
        user=user,
        role_from=user.role,
        role_to=role,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    audit_record(
        action=Action.PERMISSION_CHANGE,
        actor=actor,
        request=request,
        object_type="user",
        object_id=user.pk,
        flagged=True,
        detail={"from": user.role, "to": role, "status": "requested", "role_change": change.pk},
    )
    return change


def _role_apply(
    *,
    actor: User | None,
    user: User,
    role: str,
    request: HttpRequest | None,
    flagged: bool = False,
    **detail: Any,
) -> None:
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
        flagged=flagged,
        detail={"from": previous, "to": role, **detail},
    )


@transaction.atomic
def role_change_decide(
    *, actor: User, change_id: int, approve: bool, request: HttpRequest | None = None
) -> RoleChange:
    """Approve (the role changes now) or reject a pending role change; both are flagged.

    The decider holds ``accounts.approve_role_change`` (another administrator or the
    clinical director) and is neither the person who asked nor the person it is for.
    """
    if not actor.has_perm(APPROVE_PERMISSION):
        raise Forbidden(ERROR_APPROVER)
    change = RoleChange.objects.select_for_update().select_related("user").get(pk=change_id)
    if change.status != RoleChange.Status.PENDING:
        raise StateConflict(ERROR_DECIDED)
    if actor.pk in (change.requested_by_id, change.user_id):
        raise Forbidden(ERROR_APPROVER)
    change.status = RoleChange.Status.APPROVED if approve else RoleChange.Status.REJECTED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        _role_apply(
            actor=actor,
            user=change.user,
            role=change.role_to,
            request=request,
            flagged=True,
            status="approved",
            role_change=change.pk,
            requested_by=change.requested_by_id,
        )
    else:
        audit_record(
            action=Action.PERMISSION_CHANGE,
            actor=actor,
            request=request,
            object_type="user",
            object_id=change.user_id,
            flagged=True,
            outcome=Outcome.DENIED,
            detail={
                "from": change.role_from,
                "to": change.role_to,
                "status": "rejected",
                "role_change": change.pk,
            },
        )
    return change


def sessions_end(*, user: User) -> int:
    """Delete every server-side session ``user`` holds. Return how many were ended."""
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    StaffSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def staff_deactivate(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
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


@transaction.atomic
def staff_reactivate(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """Let a deactivated account sign in again, with its role; flagged in the audit report.

    Its tokens stay revoked and its authenticator stays as it was. Reactivating opens the
    role's patients to the person again, so the event is flagged for review.
    """
    if user.is_active:
        raise StateConflict(ERROR_ALREADY_ACTIVE)
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        action=Action.STAFF_REACTIVATED,
        actor=actor,
        request=request,
        object_type="user",
        object_id=user.pk,
        flagged=True,
        detail={"role": user.role},
    )
    return user


@transaction.atomic
def staff_mfa_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Remove ``user``'s authenticator and recovery codes and end their sessions.

    At the next sign-in they enrol a new authenticator. Nobody resets their own. Return
    the number of devices removed.
    """
    if actor.pk == user.pk:
        raise Forbidden(ERROR_OWN_MFA)
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    ended = sessions_end(user=user)
    audit_record(
        action=Action.MFA_RESET,
        actor=actor,
        request=request,
        object_type="user",
        object_id=user.pk,
        flagged=True,
        detail={"devices_removed": removed, "sessions_ended": ended},
    )
    return removed
