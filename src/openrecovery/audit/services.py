"""The one way to write the audit log."""

import os
import threading
import zlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import compute_mac, genesis_mac
from .choices import Action, Outcome
from .models import AuditEvent, AuditLane


def request_source_ip(request: HttpRequest | None) -> str:
    """Return the client address the server saw (proxies must set REMOTE_ADDR)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:45]


def _lane_for_this_thread() -> int:
    # A stable lane per worker thread: concurrent writers mostly hold different heads.
    key = f"{os.getpid()}:{threading.get_ident()}".encode()
    return zlib.crc32(key) % settings.AUDIT_CHAIN_LANES


def _locked_head(lane: int) -> AuditLane:
    head = AuditLane.objects.select_for_update().filter(lane=lane).first()
    if head is None:
        AuditLane.objects.bulk_create([AuditLane(lane=lane)], ignore_conflicts=True)
        head = AuditLane.objects.select_for_update().get(lane=lane)
    return head


def audit_record(
    *,
    action: Action | str,
    actor: Any = None,
    request: HttpRequest | None = None,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    flagged: bool = False,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event to the audit log, in the caller's transaction.

    ``actor`` defaults to ``request.user``. ``detail`` must hold no PHI: ids,
    codes and counts only. Returns the stored event.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    fields: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": (actor.get_username() if actor is not None else actor_username)[:150],
        "patient_id": patient_id,
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "outcome": str(outcome),
        "source_ip": request_source_ip(request),
        "purpose": purpose,
        "detail": detail or {},
        "flagged": flagged,
    }
    lane = _lane_for_this_thread()
    with transaction.atomic(savepoint=False):
        head = _locked_head(lane)
        prev_mac = head.last_mac or genesis_mac(lane)
        lane_seq = head.last_seq + 1
        mac = compute_mac(
            fields, lane=lane, lane_seq=lane_seq, prev_id=head.last_id, prev_mac=prev_mac
        )
        event = AuditEvent.objects.create(
            **fields, lane=lane, lane_seq=lane_seq, prev_id=head.last_id, mac=mac
        )
        AuditLane.objects.filter(lane=lane).update(
            last_seq=lane_seq, last_id=event.id, last_mac=mac
        )
    return event
