"""Personal access tokens for integrations: issue, revoke, authenticate."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record

from .models import ApiToken, User

TOKEN_PREFIX = "orp"  # noqa: S105 (a public marker, not a secret)


def _hash(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to guess).
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User | None, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``. Return the stored row and the token (shown only once)."""
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    lifetime = dt.timedelta(days=days or settings.API_TOKEN_DAYS)
    row = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=_hash(token),
        expires_at=timezone.now() + lifetime,
    )
    audit_record(
        action=Action.TOKEN_CREATED,
        actor=actor,
        object_type="api_token",
        object_id=row.pk,
        detail={"user": user.pk, "prefix": prefix, "expires_at": row.expires_at.isoformat()},
        actor_username="system" if actor is None else "",
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token so it authenticates nothing from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.TOKEN_REVOKED,
            actor=actor,
            object_type="api_token",
            object_id=token.pk,
            actor_username="system" if actor is None else "",
        )
    return token


def _refused(request: HttpRequest | None, token: str, reason: str, row: ApiToken | None) -> None:
    # Never the token itself: its public prefix (when it has our shape) and why it failed.
    parts = token.split("_")
    prefix = parts[1][:12] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else ""
    audit_record(
        action=Action.TOKEN_FAILED,
        request=request,
        outcome=Outcome.DENIED,
        object_type="api_token",
        object_id=row.pk if row is not None else "",
        detail={"reason": reason, "prefix": prefix},
        actor_username=row.user.get_username() if row is not None else "",
    )


def api_token_user(token: str, request: HttpRequest | None = None) -> User | None:
    """Return the active user a valid, unexpired, unrevoked token belongs to, else None.

    A refused token is audited (with the request's source address): an unknown token,
    or a known one that is revoked, expired or whose user is deactivated.
    """
    row = (
        ApiToken.objects.select_related("user").filter(token_hash=_hash(token)).first()
        if token.startswith(f"{TOKEN_PREFIX}_")
        else None
    )
    now = timezone.now()
    reason = ""
    if row is None:
        reason = "unknown"
    elif row.revoked_at is not None:
        reason = "revoked"
    elif row.expires_at <= now:
        reason = "expired"
    elif not row.user.is_active:
        reason = "inactive_user"
    if row is None or reason:
        _refused(request, token, reason, row)
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
