"""Refuse inserts that would replace an audit row (SQLite's INSERT OR REPLACE).

SQLite resolves ``INSERT OR REPLACE`` by deleting the conflicting rows without firing
delete triggers (unless a connection turns ``recursive_triggers`` on), so without DDL
an attacker could rewrite an event in place or, replacing a lane's newest event and
then its head, delete events while ``verify_audit`` still passed. An insert that
reuses an event id, a (lane, lane position) pair or an existing lane is now refused
before any conflict resolution runs. An existing lane's insert is ignored rather than
refused, because the service creates lanes with ``INSERT OR IGNORE`` when two writers
race for a new one. On PostgreSQL ``INSERT … ON CONFLICT DO UPDATE`` already fires the
update triggers, which refuse it.
"""

from django.db import migrations

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event
       WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id)
         OR EXISTS (SELECT 1 FROM audit_event
                    WHERE lane = NEW.lane AND lane_seq = NEW.lane_seq)
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: that place is taken'); END""",
    """CREATE TRIGGER audit_lane_no_replace BEFORE INSERT ON audit_lane
       WHEN EXISTS (SELECT 1 FROM audit_lane WHERE lane = NEW.lane)
       BEGIN SELECT RAISE(IGNORE); END""",
]
SQLITE_TRIGGER_NAMES = ("audit_event_no_replace", "audit_lane_no_replace")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_tables_and_append_only_triggers")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
