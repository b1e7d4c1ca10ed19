"""The one way to write the audit log."""

import functools
import os
import threading
import zlib
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import MAC_FIELDS, compute_mac, genesis_mac
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


# Every audited request pays for this path, so it speaks SQL directly: one locked read
# of the lane head, then the event INSERT and the head UPDATE (a single statement on
# PostgreSQL). See docs/adr/0001-audit-chain.md.
EVENT_COLUMNS = (*MAC_FIELDS, "lane", "lane_seq", "prev_id", "mac")
_HEAD_SQL = "SELECT last_seq, last_id, last_mac FROM audit_lane WHERE lane = %s"
# Built from the constant column names above, never from input.
_INSERT_SQL = "INSERT INTO audit_event ({}) VALUES ({})".format(  # noqa: S608
    ", ".join(EVENT_COLUMNS), ", ".join(["%s"] * len(EVENT_COLUMNS))
)
_MOVE_HEAD_SQL = "UPDATE audit_lane SET last_seq = %s, last_id = {}, last_mac = %s WHERE lane = %s"
_APPEND_SQL_POSTGRES = (
    f"WITH event AS ({_INSERT_SQL} RETURNING id) "  # noqa: S608 (constants only)
    + _MOVE_HEAD_SQL.format("(SELECT id FROM event)")
    + " RETURNING last_id"
)


def _locked_head(cursor: Any, lane: int) -> tuple[int, int | None, str]:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    cursor.execute(_HEAD_SQL + lock, [lane])
    row = cursor.fetchone()
    if row is None:
        AuditLane.objects.bulk_create([AuditLane(lane=lane)], ignore_conflicts=True)
        cursor.execute(_HEAD_SQL + lock, [lane])
        row = cursor.fetchone()
    return row[0], row[1], row[2]


def _append(cursor: Any, values: list[Any], lane: int, lane_seq: int, mac: str) -> int:
    """Insert the event and move the lane head to it; return the event's id."""
    if connection.vendor == "postgresql":
        cursor.execute(_APPEND_SQL_POSTGRES, [*values, lane_seq, mac, lane])
        return cursor.fetchone()[0]
    cursor.execute(_INSERT_SQL, values)
    event_id = cursor.lastrowid
    cursor.execute(_MOVE_HEAD_SQL.format("%s"), [lane_seq, event_id, mac, lane])
    return event_id


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
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        last_seq, prev_id, last_mac = _locked_head(cursor, lane)
        lane_seq = last_seq + 1
        mac = compute_mac(
            fields,
            lane=lane,
            lane_seq=lane_seq,
            prev_id=prev_id,
            prev_mac=last_mac or genesis_mac(lane),
        )
        chained = {**fields, "lane": lane, "lane_seq": lane_seq, "prev_id": prev_id, "mac": mac}
        values = [_db_value(name, chained[name]) for name in EVENT_COLUMNS]
        event_id = _append(cursor, values, lane, lane_seq, mac)
    return AuditEvent(id=event_id, **chained)


@functools.cache
def _event_fields() -> dict[str, Any]:
    return {f.name: f for f in AuditEvent._meta.concrete_fields}


def _db_value(name: str, value: Any) -> Any:
    # The field's own conversion: aware datetimes and JSON as each database stores them.
    return _event_fields()[name].get_db_prep_save(value, connection)
