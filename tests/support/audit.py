"""Read what a test caused in the audit trail, and tamper with it as an attacker would."""

import hashlib
import hmac
import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from openrecovery.audit.chain import MAC_FIELDS, canonical
from openrecovery.audit.models import AuditEvent, AuditLane

MIGRATIONS = [
    importlib.import_module(f"openrecovery.audit.migrations.{name}")
    for name in ("0001_audit_tables_and_append_only_triggers", "0002_refuse_inserts_that_replace")
]
SQLITE_TRIGGER_NAMES = (
    "audit_event_no_update",
    "audit_event_no_delete",
    "audit_lane_no_delete",
    "audit_lane_forward_only",
    "audit_event_no_replace",
    "audit_lane_no_replace",
)


def audit_mark() -> int:
    """Return the newest event id now, so a test can look at only what it caused."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int, **filters: object) -> list[AuditEvent]:
    """Return the events written after ``mark``, oldest first."""
    return list(AuditEvent.objects.filter(id__gt=mark, **filters).order_by("id"))


def lane_head(lane: int) -> AuditLane:
    return AuditLane.objects.get(lane=lane)


@contextmanager
def triggers_removed() -> Iterator[None]:
    """Remove the append-only triggers as an attacker with database access would.

    The triggers come back afterwards (and DDL is transactional on both databases,
    so the test's rollback would restore them too).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGER_NAMES:
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_lane DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for migration in MIGRATIONS:
                    for statement in migration.SQLITE_TRIGGERS:
                        cursor.execute(statement)
            else:
                cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
                cursor.execute("ALTER TABLE audit_lane ENABLE TRIGGER USER")


def raw_sql(sql: str, params: list | tuple = ()) -> int:
    """Run one statement behind the application's back; return the rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fake_mac(event: AuditEvent, key: bytes, **changes: object) -> str:
    """Return the MAC an attacker without the real key would compute for an edited event."""
    fields = {name: getattr(event, name) for name in MAC_FIELDS}
    fields.update(changes)
    prev_mac = AuditEvent.objects.filter(id=event.prev_id).values_list("mac", flat=True).first()
    payload = canonical(
        fields,
        event_id=changes.get("id", event.id),
        lane=event.lane,
        lane_seq=event.lane_seq,
        prev_id=event.prev_id,
        prev_mac=prev_mac or "",
    )
    return hmac.new(key, payload, hashlib.sha256).hexdigest()
