"""The append-only, HMAC-chained audit log.

Both tables are unmanaged: a migration creates them together with the database
triggers that forbid UPDATE and DELETE, and Django's ``flush`` (used between
transactional tests) leaves them alone instead of tripping over the triggers.
"""

from django.db import models

from .choices import Action, Outcome


class AuditEvent(models.Model):
    """One audited event; never updated or deleted (database triggers enforce it).

    ``id`` is the global sequence number. Each event belongs to one of several
    chains ("lanes"), so concurrent writers do not queue behind a single head row;
    ``mac`` is HMAC-SHA256 over the event's fields, its place in its lane and the
    previous event's MAC in that lane.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    source_ip = models.CharField(max_length=45, blank=True)
    purpose = models.CharField(max_length=32, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    flagged = models.BooleanField(default=False)
    lane = models.PositiveSmallIntegerField()
    lane_seq = models.BigIntegerField()
    prev_id = models.BigIntegerField(null=True, blank=True)
    mac = models.CharField(max_length=64)

    class Meta:
        managed = False
        db_table = "audit_event"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["lane", "lane_seq"], name="audit_event_lane_seq_uniq")
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.outcome}"


class AuditLane(models.Model):
    """The head of one audit chain: its last sequence number, event id and MAC."""

    lane = models.PositiveSmallIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(null=True, blank=True)
    last_mac = models.CharField(max_length=64, blank=True)

    class Meta:
        managed = False
        db_table = "audit_lane"

    def __str__(self) -> str:
        return f"lane {self.lane} at {self.last_seq}"
