"""The one way to write the audit log."""

import collections
import functools
import itertools
import os
import threading
import zlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.core.clients import client_address

from .chain import MAC_FIELDS, compute_mac, genesis_mac
from .choices import Action, Outcome
from .models import AuditEvent, AuditLane


def request_source_ip(request: HttpRequest | None) -> str:
    """Return the client's address, behind the trusted proxies (``TRUSTED_PROXIES``)."""
    if request is None:
        return ""
    return client_address(request)


_thread = threading.local()
_threads_seen = itertools.count()
# The head each lane had after this process's last append to it: (last_seq, last_id,
# mac). Only a hint: a head moved by another process, or an append rolled back, makes
# the conditional append match nothing, and the locked read runs instead.
_known_heads: dict[int, tuple[int, int, str]] = {}
_reserved_ids: dict[str, collections.deque[int]] = {}


def _lane_for_this_thread() -> int:
    """Return this thread's lane: the threads of a process take consecutive lanes.

    Each process starts at a lane drawn from its pid, so concurrent writers mostly
    hold different heads.
    """
    lane: int | None = getattr(_thread, "lane", None)
    if lane is None:
        start = zlib.crc32(str(os.getpid()).encode())
        lane = _thread.lane = (start + next(_threads_seen)) % settings.AUDIT_CHAIN_LANES
    return lane


def _forget_after_fork() -> None:
    # A forked worker is a new writer: its own lanes, and no hints from its parent.
    global _thread, _threads_seen
    _thread = threading.local()
    _threads_seen = itertools.count()
    _known_heads.clear()
    _reserved_ids.clear()  # the parent may use them: a child must draw its own


os.register_at_fork(after_in_child=_forget_after_fork)


# Every audited request pays for this path, so it speaks SQL directly: one locked read
# of the lane head, then the event INSERT and the head UPDATE (a single statement on
# PostgreSQL). On PostgreSQL a thread that remembers its lane's head skips the read:
# one statement moves the head only if it is still exactly what the thread last wrote,
# and inserts the event only then. See docs/adr/0001-audit-chain.md.
EVENT_COLUMNS = (*MAC_FIELDS, "lane", "lane_seq", "prev_id", "mac")
_HEAD_SQL = "SELECT last_seq, last_id, last_mac FROM audit_lane WHERE lane = %s"
# The event's id is part of its MAC, so it is known before the insert: drawn ahead from
# the sequence on PostgreSQL; on SQLite the next one, read with the head under the write
# lock every append holds (one query for both).
_HEAD_AND_NEXT_ID_SQL_SQLITE = (
    "SELECT last_seq, last_id, last_mac, (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_event) "
    "FROM audit_lane WHERE lane = %s"
)
# Built from the constant column names above, never from input.
_INSERT_SQL = "INSERT INTO audit_event (id, {}) VALUES (%s, {})".format(  # noqa: S608
    ", ".join(EVENT_COLUMNS), ", ".join(["%s"] * len(EVENT_COLUMNS))
)
_MOVE_HEAD_SQL = "UPDATE audit_lane SET last_seq = %s, last_id = {}, last_mac = %s WHERE lane = %s"
_APPEND_SQL_POSTGRES = (
    f"WITH event AS ({_INSERT_SQL} RETURNING id) "  # noqa: S608 (constants only)
    + _MOVE_HEAD_SQL.format("(SELECT id FROM event)")
    + " RETURNING last_id"
)

# Built from the constant column names, never from input. The head moves only if it is
# exactly the one the MAC was computed against, and the event (and a row inserted with
# it) is selected FROM that update, so nothing is inserted when the head has moved.
_MOVE_KNOWN_HEAD_POSTGRES = (
    "head AS (UPDATE audit_lane SET last_seq = %s, last_id = %s, last_mac = %s "
    "WHERE lane = %s AND last_seq = %s AND last_id = %s AND last_mac = %s RETURNING last_id)"
)
_INSERT_EVENT_FROM_HEAD_POSTGRES = (  # noqa: S608 (constants only)
    "INSERT INTO audit_event (id, {}) SELECT head.last_id, {} FROM head RETURNING id"
).format(", ".join(EVENT_COLUMNS), ", ".join(["%s"] * len(EVENT_COLUMNS)))
# Primary keys drawn ahead, so an audited insert can name its row in the event written
# in the same statement; drawn in blocks, one round trip per ID_BLOCK inserts.
ID_BLOCK = 32
_NEXT_IDS_SQL_POSTGRES = (
    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
)


def _locked_head(cursor: Any, lane: int, event_id: int | None) -> tuple[int, int | None, str, int]:
    """Return the lane's head, locked, and the new event's id.

    The id is ``event_id`` when drawn ahead (PostgreSQL), else the next one (SQLite).
    """
    postgres = connection.vendor == "postgresql"
    sql = _HEAD_SQL + " FOR UPDATE" if postgres else _HEAD_AND_NEXT_ID_SQL_SQLITE
    cursor.execute(sql, [lane])
    row = cursor.fetchone()
    if row is None:
        AuditLane.objects.bulk_create([AuditLane(lane=lane)], ignore_conflicts=True)
        cursor.execute(sql, [lane])
        row = cursor.fetchone()
    if event_id is None:
        event_id = row[3] if not postgres else _reserved_id(AuditEvent)
    return row[0], row[1], row[2], int(event_id)


def _append(cursor: Any, event_id: int, chained: dict[str, Any]) -> None:
    """Insert the event and move its lane head to it."""
    values = [event_id, *_db_values(chained)]
    head = [chained["lane_seq"], chained["mac"], chained["lane"]]
    if connection.vendor == "postgresql":
        cursor.execute(_APPEND_SQL_POSTGRES, [*values, *head])
        return
    cursor.execute(_INSERT_SQL, values)
    cursor.execute(_MOVE_HEAD_SQL.format("%s"), [head[0], event_id, *head[1:]])


def _event_id_drawn_ahead() -> int | None:
    """Return the next event's id on PostgreSQL (from this process's block), else None."""
    return _reserved_id(AuditEvent) if connection.vendor == "postgresql" else None


def audit_record(
    *,
    action: Action | str,
    actor: AbstractBaseUser | None = None,
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
    fields = _event_fields_of(
        action=action,
        actor=actor,
        request=request,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        purpose=purpose,
        detail=detail,
        flagged=flagged,
        actor_username=actor_username,
    )
    lane = _lane_for_this_thread()
    event_id = _event_id_drawn_ahead()
    # The one-statement append needs no transaction of its own: outside the caller's,
    # it commits by itself (one round trip for an audited read).
    chained = _append_if_head_known(fields, lane, event_id)
    if chained is None:
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            last_seq, prev_id, last_mac, event_id = _locked_head(cursor, lane, event_id)
            chained = _chained(fields, lane, last_seq + 1, prev_id, last_mac, event_id)
            _append(cursor, event_id, chained)
    if event_id is not None and connection.vendor == "postgresql":
        _known_heads[lane] = (chained["lane_seq"], event_id, chained["mac"])
    return AuditEvent(id=event_id, **chained)


def _event_fields_of(
    *,
    action: Action | str,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    flagged: bool = False,
    actor_username: str = "",
) -> dict[str, Any]:
    """Return the event's own fields (what the MAC covers besides its place)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return {
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


def _chained(
    fields: dict[str, Any],
    lane: int,
    lane_seq: int,
    prev_id: int | None,
    last_mac: str,
    event_id: int,
) -> dict[str, Any]:
    """Return the event's fields with its place in the lane and its MAC (over its id too)."""
    mac = compute_mac(
        fields,
        event_id=event_id,
        lane=lane,
        lane_seq=lane_seq,
        prev_id=prev_id,
        prev_mac=last_mac or genesis_mac(lane),
    )
    return {**fields, "lane": lane, "lane_seq": lane_seq, "prev_id": prev_id, "mac": mac}


def _append_if_head_known(
    fields: dict[str, Any],
    lane: int,
    event_id: int | None,
    row: tuple[str, list[Any]] | None = None,
    also: Sequence[tuple[str, list[Any]]] = (),
) -> dict[str, Any] | None:
    """Append after the head this process remembers, in one statement; None on a miss.

    Returns the chained event on success.

    ``row`` (and each of ``also``) is an ``INSERT … SELECT … FROM head`` and its
    parameters: inserted by the same statement, so with the event or not at all.
    """
    known = _known_heads.get(lane) if event_id is not None else None
    if known is None or event_id is None:
        return None
    last_seq, last_id, last_mac = known
    chained = _chained(fields, lane, last_seq + 1, last_id, last_mac, event_id)
    ctes = [_MOVE_KNOWN_HEAD_POSTGRES]
    params = [chained["lane_seq"], event_id, chained["mac"], lane, last_seq, last_id, last_mac]
    if row is not None:
        ctes.append(f"changed AS ({row[0]})")
        params += row[1]
    for number, (insert, values) in enumerate(also):
        ctes.append(f"also_{number} AS ({insert})")
        params += values
    sql = f"WITH {', '.join(ctes)} {_INSERT_EVENT_FROM_HEAD_POSTGRES}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *_db_values(chained)])
        found = cursor.fetchone()
    if found is None:
        _known_heads.pop(lane, None)
        return None
    return chained


def audit_insert(
    instance: models.Model, *, also: Sequence[models.Model] = (), **event: Any
) -> AuditEvent:
    """Insert ``instance`` and the audit event that records it: both, or neither.

    ``event`` takes ``audit_record``'s arguments; the event's ``object_id`` is the
    new row's primary key. ``also`` are more new rows that belong to the same write
    (the timeline entry of a recorded administration), stored with it or not at all;
    give them their foreign keys to ``instance`` only through ``instance`` itself. On
    PostgreSQL, once this process knows its lane's head, all of them go in one
    statement, which commits by itself outside a transaction (model signals are not
    sent on this path); otherwise the rows' ``save()`` and ``audit_record`` share a
    transaction.
    """
    if connection.vendor == "postgresql":
        instance.pk = _reserved_id(type(instance))
        for extra in also:
            extra.pk = _reserved_id(type(extra))
        fields = _event_fields_of(object_id=instance.pk, **event)
        lane = _lane_for_this_thread()
        event_id = _reserved_id(AuditEvent)
        chained = _append_if_head_known(
            fields,
            lane,
            event_id,
            row=_insert_from_head(instance),
            also=[_insert_from_head(extra) for extra in also],
        )
        if chained is not None:
            for saved in (instance, *also):
                saved._state.adding, saved._state.db = False, connection.alias
            _known_heads[lane] = (chained["lane_seq"], event_id, chained["mac"])
            return AuditEvent(id=event_id, **chained)
    with transaction.atomic(savepoint=False):
        instance.save(force_insert=True)
        for extra in also:
            extra.save(force_insert=True)
        return audit_record(object_id=instance.pk, **event)


def _reserved_id(model: type[models.Model]) -> int:
    """Return a primary key for a new ``model`` row, drawn ahead from its sequence."""
    meta = model._meta
    ids = _reserved_ids.setdefault(meta.db_table, collections.deque())
    try:
        return ids.popleft()
    except IndexError:
        pass
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_IDS_SQL_POSTGRES, [meta.db_table, meta.pk.column, ID_BLOCK])
        drawn: list[int] = [found[0] for found in cursor.fetchall()]
    ids.extend(drawn[1:])
    return drawn[0]


def _insert_from_head(instance: models.Model) -> tuple[str, list[Any]]:
    """Return ``INSERT INTO <table> (…) SELECT … FROM head`` for ``instance``, and its values."""
    meta = instance._meta
    quote = connection.ops.quote_name
    fields = meta.concrete_fields
    columns = ", ".join(quote(str(f.column)) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(meta.db_table)
    return f"INSERT INTO {table} ({columns}) SELECT {placeholders} FROM head", values  # noqa: S608


# Columns whose values each database stores its own way; the rest are plain text,
# numbers, booleans or NULL, which both drivers take as they are.
CONVERTED_COLUMNS = frozenset({"occurred_at", "detail"})


@functools.cache
def _event_fields() -> dict[str, Any]:
    return {f.name: f for f in AuditEvent._meta.concrete_fields}


def _db_values(chained: dict[str, Any]) -> list[Any]:
    """Return the event's values in ``EVENT_COLUMNS`` order, as the database takes them."""
    fields = _event_fields()
    return [
        fields[name].get_db_prep_save(chained[name], connection)
        if name in CONVERTED_COLUMNS
        else chained[name]
        for name in EVENT_COLUMNS
    ]
