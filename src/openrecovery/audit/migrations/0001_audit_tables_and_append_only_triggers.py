"""Create the audit tables and the triggers that make them append-only."""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_lane_no_delete BEFORE DELETE ON audit_lane
       BEGIN SELECT RAISE(ABORT, 'audit_lane rows are permanent'); END""",
    """CREATE TRIGGER audit_lane_forward_only BEFORE UPDATE ON audit_lane
       WHEN NEW.last_seq != OLD.last_seq + 1 OR NEW.lane != OLD.lane
       BEGIN SELECT RAISE(ABORT, 'audit_lane only moves forward'); END""",
]

POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""",
    """CREATE FUNCTION audit_lane_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.last_seq <> OLD.last_seq + 1 OR NEW.lane <> OLD.lane THEN
           RAISE EXCEPTION 'audit_lane only moves forward';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_lane_no_delete BEFORE DELETE ON audit_lane
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_lane_no_truncate BEFORE TRUNCATE ON audit_lane
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_lane_forward_only BEFORE UPDATE ON audit_lane
       FOR EACH ROW EXECUTE FUNCTION audit_lane_forward_only()""",
]


def create_tables(apps, schema_editor):
    for name in ("AuditEvent", "AuditLane"):
        schema_editor.create_model(apps.get_model("audit", name))
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(vendor)
    if statements is None:
        raise RuntimeError(f"No append-only triggers for database vendor {vendor!r}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_append_only() CASCADE")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_lane_forward_only() CASCADE")
    for name in ("AuditEvent", "AuditLane"):
        schema_editor.delete_model(apps.get_model("audit", name))


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("occurred_at", models.DateTimeField(db_index=True)),
                ("actor_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("actor_username", models.CharField(blank=True, max_length=150)),
                ("patient_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("action", models.CharField(db_index=True, max_length=32)),
                ("object_type", models.CharField(blank=True, max_length=64)),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("outcome", models.CharField(default="success", max_length=16)),
                ("source_ip", models.CharField(blank=True, max_length=45)),
                ("purpose", models.CharField(blank=True, max_length=32)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("flagged", models.BooleanField(default=False)),
                ("lane", models.PositiveSmallIntegerField()),
                ("lane_seq", models.BigIntegerField()),
                ("prev_id", models.BigIntegerField(blank=True, null=True)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={
                "db_table": "audit_event",
                "ordering": ["-id"],
                "managed": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=["lane", "lane_seq"], name="audit_event_lane_seq_uniq"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditLane",
            fields=[
                ("lane", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last_seq", models.BigIntegerField(default=0)),
                ("last_id", models.BigIntegerField(blank=True, null=True)),
                ("last_mac", models.CharField(blank=True, max_length=64)),
            ],
            options={"db_table": "audit_lane", "managed": False},
        ),
        migrations.RunPython(create_tables, drop_tables),
    ]
