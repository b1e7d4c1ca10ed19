"""Read the protocol in force; revise it (a clinical director), which makes a new version."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden
from openrecovery.core.prepared import PreparedQuery
from openrecovery.instruments.definitions.ciwab import CIWAB

from ..models import WithdrawalProtocol
from ..protocols import protocol_defaults, protocol_validate

PROTOCOL_OBJECT_TYPE = "withdrawal_protocol"
MANAGE_PERMISSION = "withdrawal.manage_protocol"
ERROR_CANNOT_REVISE = "Only a clinical director may change the withdrawal protocol."
ERROR_REASON = "Say why the protocol changes (it is kept with the new version)."
REASON_MAX = 500


# Read on every CIWA-B and vital signs saved: built once per connection.
_CURRENT = PreparedQuery(lambda: WithdrawalProtocol.objects.order_by("-version")[:1])


def protocol_current() -> WithdrawalProtocol:
    """Return the protocol in force: the newest version (the shipped default if none)."""
    found: list[WithdrawalProtocol] = _CURRENT.fetch()
    if found:
        return found[0]
    # The data migration ships version 1; a database flushed by tests gets it back here.
    return protocol_first()


@transaction.atomic
def protocol_first() -> WithdrawalProtocol:
    """Store the shipped default as version 1 (idempotent)."""
    protocol, _ = WithdrawalProtocol.objects.get_or_create(
        version=1, defaults={**protocol_defaults(), "created_at": timezone.now()}
    )
    return protocol


@transaction.atomic
def protocol_revise(
    *,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
    **changes: Any,
) -> WithdrawalProtocol:
    """Store a new protocol version: the one in force with ``changes`` applied.

    ``changes`` may set ``intervals``, ``vital_limits``, ``rise_threshold``,
    ``reescalate_minutes``, ``prn_reassess_minutes``, ``name`` and ``sources``. Only a
    clinical director may (Forbidden otherwise); ValidationError for unusable settings or
    a missing reason, changing nothing. Earlier versions stay as they were.
    """
    if not actor.has_perm(MANAGE_PERMISSION):
        raise Forbidden(ERROR_CANNOT_REVISE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"change_reason": ERROR_REASON})
    allowed = {
        "intervals", "vital_limits", "rise_threshold", "reescalate_minutes",
        "prn_reassess_minutes", "name", "sources",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not protocol settings: {sorted(unknown)}")
    # The newest version, locked: two directors saving at once make two versions in turn.
    current = WithdrawalProtocol.objects.select_for_update().order_by("-version").first()
    base = current or protocol_first()
    fields = {
        "name": base.name,
        "intervals": dict(base.intervals),
        "vital_limits": {k: dict(v) for k, v in base.vital_limits.items()},
        "rise_threshold": base.rise_threshold,
        "reescalate_minutes": base.reescalate_minutes,
        "prn_reassess_minutes": base.prn_reassess_minutes,
        "sources": base.sources,
        **changes,
    }
    protocol_validate(
        intervals=fields["intervals"],
        vital_limits=fields["vital_limits"],
        rise_threshold=fields["rise_threshold"],
        reescalate_minutes=fields["reescalate_minutes"],
        prn_reassess_minutes=fields["prn_reassess_minutes"],
    )
    protocol = WithdrawalProtocol(
        version=base.version + 1,
        instrument_version=CIWAB.version,
        change_reason=reason[:REASON_MAX],
        created_by=actor,
        created_at=timezone.now(),
        **fields,
    )
    protocol.full_clean()
    protocol.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        object_type=PROTOCOL_OBJECT_TYPE,
        object_id=protocol.pk,
        detail={"version": protocol.version, "previous": base.version},
    )
    return protocol
