"""Inserts that would replace audit rows are refused, with every trigger in place.

The attack a security review found on SQLite: ``INSERT OR REPLACE`` deletes the rows it
conflicts with without firing delete triggers. It rewrote an event in place, and
replacing a lane's newest event with its predecessor's fields and then rewinding the
head with ``INSERT OR REPLACE INTO audit_lane`` deleted two events while
``verify_audit`` still reported OK. PostgreSQL's ``ON CONFLICT DO UPDATE`` is the same
attack there.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from openrecovery.audit.models import AuditEvent, AuditLane
from openrecovery.audit.services import EVENT_COLUMNS
from openrecovery.audit.verification import ALTERED, audit_verify
from tests.support.audit import lane_head, raw_sql, triggers_removed

COLUMNS = ("id", *EVENT_COLUMNS)


def _row(event: AuditEvent, **changes: object) -> list[object]:
    values = {name: getattr(event, name) for name in COLUMNS} | changes
    with connection.cursor():
        field = AuditEvent._meta.get_field
        return [field(n).get_db_prep_save(values[n], connection) for n in COLUMNS]


def _replace_event(values: list[object]) -> None:
    columns, marks = ", ".join(COLUMNS), ", ".join(["%s"] * len(COLUMNS))
    if connection.vendor == "sqlite":
        sql = f"INSERT OR REPLACE INTO audit_event ({columns}) VALUES ({marks})"  # noqa: S608
    else:
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "id")
        sql = (
            f"INSERT INTO audit_event ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
    raw_sql(sql, values)


def _replace_head(lane: int, last_seq: int, last_id: int, last_mac: str) -> None:
    values = [lane, last_seq, last_id, last_mac]
    if connection.vendor == "sqlite":
        sql = "INSERT OR REPLACE INTO audit_lane (lane, last_seq, last_id, last_mac) "
        sql += "VALUES (%s, %s, %s, %s)"
    else:
        sql = (
            "INSERT INTO audit_lane (lane, last_seq, last_id, last_mac) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (lane) DO UPDATE SET last_seq = EXCLUDED.last_seq, "
            "last_id = EXCLUDED.last_id, last_mac = EXCLUDED.last_mac"
        )
    raw_sql(sql, values)


def _attempt(attack, *args) -> None:
    """Run ``attack`` in a savepoint: refused loudly, or (lane inserts) ignored."""
    try:
        with transaction.atomic():
            attack(*args)
    except DatabaseError as exc:
        assert "append-only" in str(exc) or "forward" in str(exc)


def test_rewriting_an_event_in_place_is_refused(lane_events):
    event = lane_events(3, lane=6)[1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _replace_event(_row(event, outcome="denied", actor_username="nobody"))
    stored = AuditEvent.objects.get(id=event.id)
    assert (stored.outcome, stored.actor_username) == (event.outcome, event.actor_username)
    assert audit_verify().ok


def test_replacing_the_newest_event_and_rewinding_the_head_deletes_nothing(lane_events):
    events = lane_events(4, lane=7)
    previous, newest = events[-2], events[-1]
    # The newest event's id, carrying its predecessor's fields, place and MAC ...
    _attempt(_replace_event, _row(previous, id=newest.id))
    # ... then the head wound back one step to match.
    _attempt(_replace_head, 7, previous.lane_seq, newest.id, previous.mac)
    stored = list(AuditEvent.objects.filter(lane=7).order_by("lane_seq"))
    assert [e.id for e in stored] == [e.id for e in events]
    assert [e.mac for e in stored] == [e.mac for e in events]
    head = lane_head(7)
    assert (head.last_seq, head.last_id, head.last_mac) == (4, newest.id, newest.mac)
    assert audit_verify().ok


def test_an_event_at_a_taken_lane_position_is_refused(lane_events):
    event = lane_events(2, lane=8)[0]
    columns = ", ".join(EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
    with pytest.raises(DatabaseError), transaction.atomic():
        raw_sql(
            f"INSERT INTO audit_event ({columns}) VALUES ({marks})",  # noqa: S608
            _row(event)[1:],
        )
    assert AuditEvent.objects.filter(lane=8).count() == 2


def test_a_lane_row_cannot_be_inserted_over_an_existing_one(lane_events):
    lane_events(2, lane=9)
    before = lane_head(9)
    _attempt(_replace_head, 9, 0, None, "")
    assert AuditLane.objects.filter(lane=9).count() == 1
    after = lane_head(9)
    assert (after.last_seq, after.last_id, after.last_mac) == (
        before.last_seq,
        before.last_id,
        before.last_mac,
    )


def test_an_event_moved_to_another_id_no_longer_verifies(lane_events):
    """The MAC covers the event's own id: a genuine event under another id is altered."""
    events = lane_events(3, lane=10)
    newest = events[-1]
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE id = %s", [newest.id])
        moved = newest.id + 1000
        raw_sql(
            f"INSERT INTO audit_event ({', '.join(COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            _row(newest, id=moved),
        )
        raw_sql("UPDATE audit_lane SET last_id = %s WHERE lane = 10", [moved])
    report = audit_verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(moved, ALTERED)]


def test_events_of_the_first_mac_format_verify_until_a_current_one(lane_events, monkeypatch):
    """Events written before the MAC covered ids still verify; none may follow a new one."""
    from openrecovery.audit import chain

    current = chain.canonical

    def first_format(fields, **position):
        return current(fields, **(position | {"event_id": None}))

    monkeypatch.setattr(chain, "canonical", first_format)
    old = lane_events(2, lane=16)
    monkeypatch.setattr(chain, "canonical", current)
    lane_events(2, lane=16)
    assert audit_verify().ok
    # A first-format event after a current one is not trusted.
    monkeypatch.setattr(chain, "canonical", first_format)
    late = lane_events(1, lane=16)[0]
    monkeypatch.setattr(chain, "canonical", current)
    report = audit_verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(late.id, ALTERED)]
    assert old[0].id < late.id
