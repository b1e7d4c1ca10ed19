"""The HMAC chain: key loading, canonical form of an event, and MAC computation."""

import functools
import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAC_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "source_ip",
    "purpose",
    "detail",
    "flagged",
)


@functools.cache
def audit_key() -> bytes:
    """Return the HMAC key, from ``AUDIT_HMAC_KEY`` or the key file outside the database.

    Outside production a missing key file is created on first use.
    """
    if settings.AUDIT_HMAC_KEY:
        return settings.AUDIT_HMAC_KEY.encode()
    path = Path(settings.AUDIT_KEY_FILE)
    if not path.exists():
        if not settings.DEBUG and "production" in (settings.SETTINGS_MODULE or ""):
            raise ImproperlyConfigured(f"Audit key file {path} does not exist.")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def genesis_mac(lane: int) -> str:
    """Return the MAC that precedes the first event of ``lane``."""
    return hmac.new(audit_key(), f"genesis:{lane}".encode(), hashlib.sha256).hexdigest()


def canonical(
    fields: dict[str, Any],
    *,
    event_id: int | None,
    lane: int,
    lane_seq: int,
    prev_id: int | None,
    prev_mac: str,
) -> bytes:
    """Return the bytes the MAC covers: the event's fields, its id and its place in the chain.

    ``event_id=None`` gives the first format, which did not cover the event's own id;
    verification accepts it only for events written before a lane's first current one.
    """
    payload = {name: fields[name] for name in MAC_FIELDS}
    payload["occurred_at"] = fields["occurred_at"].isoformat(timespec="microseconds")
    payload.update(lane=lane, lane_seq=lane_seq, prev_id=prev_id, prev_mac=prev_mac)
    if event_id is not None:
        payload["id"] = event_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_mac(fields: dict[str, Any], **position: Any) -> str:
    """Return the hex HMAC-SHA256 of an event with its id at a position in its lane."""
    return hmac.new(audit_key(), canonical(fields, **position), hashlib.sha256).hexdigest()
