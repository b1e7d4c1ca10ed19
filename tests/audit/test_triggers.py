"""The database itself refuses to change or remove audit events (SQLite and PostgreSQL)."""

import pytest
from django.db import DatabaseError, connection, transaction

from openrecovery.audit.models import AuditEvent, AuditLane
from tests.support.audit import lane_head, raw_sql


def refused(sql: str, params: list | tuple = ()) -> str:
    """Run ``sql`` in a savepoint, expect the database to refuse it, return the message."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        raw_sql(sql, params)
    return str(caught.value)


def test_update_of_an_event_is_refused(lane_events):
    event = lane_events(2)[0]
    message = refused("UPDATE audit_event SET outcome = 'denied' WHERE id = %s", [event.id])
    assert "append-only" in message
    assert AuditEvent.objects.get(id=event.id).outcome == "success"


def test_update_through_the_orm_is_refused_too(lane_events):
    event = lane_events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(id=event.id).update(actor_username="someone-else")
    assert AuditEvent.objects.get(id=event.id).actor_username == ""


def test_delete_of_an_event_is_refused(lane_events):
    events = lane_events(3)
    ids = [e.id for e in events]
    assert "append-only" in refused("DELETE FROM audit_event WHERE id = %s", [ids[1]])
    assert "append-only" in refused("DELETE FROM audit_event")
    assert sorted(AuditEvent.objects.filter(id__in=ids).values_list("id", flat=True)) == ids


def test_emptying_the_tables_is_refused(lane_events):
    # PostgreSQL has TRUNCATE (a statement trigger refuses it); SQLite's equivalent is an
    # unqualified DELETE, whose truncate optimisation is off while delete triggers exist.
    events = lane_events(2)
    empty = "TRUNCATE {}" if connection.vendor == "postgresql" else "DELETE FROM {}"
    assert "append-only" in refused(empty.format("audit_event"))
    assert refused(empty.format("audit_lane"))
    assert AuditEvent.objects.filter(id__in=[e.id for e in events]).count() == 2


def test_lane_head_cannot_be_deleted(lane_events):
    lane_events(1, lane=4)
    refused("DELETE FROM audit_lane WHERE lane = %s", [4])
    assert AuditLane.objects.filter(lane=4).exists()


@pytest.mark.parametrize("step", [0, -1, 2, 100])
def test_lane_head_only_moves_forward_one_step(lane_events, step):
    lane_events(3, lane=5)
    before = lane_head(5)
    message = refused("UPDATE audit_lane SET last_seq = last_seq + %s WHERE lane = 5", [step])
    assert "forward" in message
    assert lane_head(5).last_seq == before.last_seq


def test_lane_number_cannot_change(lane_events):
    lane_events(1, lane=6)
    refused("UPDATE audit_lane SET lane = 7, last_seq = last_seq + 1 WHERE lane = 6")
    assert AuditLane.objects.filter(lane=6).exists()


def test_the_service_moves_the_head_one_step_per_event(lane_events):
    events = lane_events(3, lane=8)
    head = lane_head(8)
    assert [e.lane_seq for e in events] == [
        head.last_seq - 2,
        head.last_seq - 1,
        head.last_seq,
    ]
    assert (head.last_id, head.last_mac) == (events[-1].id, events[-1].mac)
    assert [e.prev_id for e in events[1:]] == [e.id for e in events[:-1]]
