"""``manage.py verify_audit`` names the first altered, deleted or forged event.

Each test plays an attacker with direct database access who first removes the
append-only triggers, then changes the log behind the application's back.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from openrecovery.audit import verification
from openrecovery.audit.chain import genesis_mac
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import ALTERED, DELETED, FORGED, audit_verify
from tests.support.audit import fake_mac, lane_head, raw_sql, triggers_removed


def verify_audit() -> tuple[bool, str]:
    """Run the command; return whether it passed and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", "--all", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


def assert_first_problem(seq: int, kind: str) -> None:
    passed, output = verify_audit()
    assert not passed
    assert f"FAIL: first problem at sequence number {seq} ({kind})" in output
    report = audit_verify()
    assert (report.first.seq, report.first.kind) == (seq, kind)


def test_an_untouched_log_verifies(lane_events):
    lane_events(4, lane=1)
    lane_events(3, lane=2)
    passed, output = verify_audit()
    assert passed, output
    total = AuditEvent.objects.count()
    assert output.strip() == f"OK: {total} events verified"


def test_an_empty_lane_set_verifies(db):
    assert audit_verify().ok


def test_edited_middle_event_is_named(lane_events):
    events = lane_events(5)
    with triggers_removed():
        assert raw_sql("UPDATE audit_event SET patient_id = 42 WHERE id = %s", [events[2].id]) == 1
    assert_first_problem(events[2].id, ALTERED)
    # The events after it still verify: only the edited one is reported.
    assert [p.seq for p in audit_verify().problems] == [events[2].id]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("occurred_at", "2001-01-01 00:00:00"),
        ("actor_username", "nobody"),
        ("action", "export"),
        ("outcome", "denied"),
        ("source_ip", "192.0.2.1"),
        ("object_id", "999"),
        ("flagged", True),
        ("detail", json.dumps({"n": 99})),
    ],
)
def test_every_covered_field_is_protected(lane_events, column, value):
    events = lane_events(3)
    with triggers_removed():
        raw_sql(f"UPDATE audit_event SET {column} = %s WHERE id = %s", [value, events[1].id])  # noqa: S608
    assert_first_problem(events[1].id, ALTERED)


def test_deleted_middle_event_is_named(lane_events):
    events = lane_events(5)
    with triggers_removed():
        assert raw_sql("DELETE FROM audit_event WHERE id = %s", [events[2].id]) == 1
    assert_first_problem(events[2].id, DELETED)
    assert len(audit_verify().problems) == 1


def test_deleted_first_event_of_a_lane_is_named(lane_events):
    events = lane_events(3, lane=11)
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE id = %s", [events[0].id])
    assert_first_problem(events[0].id, DELETED)


def test_deleted_run_of_events_is_reported_at_a_deleted_id(lane_events):
    events = lane_events(6)
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE id IN (%s, %s)", [events[2].id, events[3].id])
    report = audit_verify()
    assert report.first.kind == DELETED
    assert report.first.seq == events[3].id
    assert "2 event(s) missing" in report.first.explanation


def test_deleted_newest_event_of_a_lane_is_named(lane_events):
    events = lane_events(4, lane=1)
    other = lane_events(3, lane=2)  # a later lane keeps going
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE id = %s", [events[-1].id])
    assert events[-1].id < other[0].id
    assert_first_problem(events[-1].id, DELETED)
    assert len(audit_verify().problems) == 1


def test_deleted_newest_event_with_the_head_rolled_back_is_not_hidden_by_an_edit(lane_events):
    # Deleting the tail and resetting the head is the one thing a chain cannot see;
    # rewriting the head without the key still leaves the head inconsistent.
    events = lane_events(4, lane=1)
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE id = %s", [events[-1].id])
        raw_sql(
            "UPDATE audit_lane SET last_seq = last_seq - 1, last_id = %s WHERE lane = 1",
            [events[-2].id],
        )
    assert_first_problem(events[-2].id, ALTERED)


def test_forged_event_with_a_made_up_mac_is_named(lane_events):
    events = lane_events(3)
    head = lane_head(events[-1].lane)
    forged = AuditEvent.objects.create(
        occurred_at=events[-1].occurred_at,
        actor_username="intruder",
        action="login",
        lane=head.lane,
        lane_seq=head.last_seq + 1,
        prev_id=head.last_id,
        mac="0" * 64,
    )
    assert_first_problem(forged.id, FORGED)


def test_forged_event_with_an_advanced_head_is_named_even_with_triggers_on(lane_events):
    # The triggers let the head move one step, so an attacker may insert and advance it.
    events = lane_events(3)
    head = lane_head(events[-1].lane)
    forged = AuditEvent.objects.create(
        occurred_at=events[-1].occurred_at,
        action="login",
        lane=head.lane,
        lane_seq=head.last_seq + 1,
        prev_id=head.last_id,
        mac="f" * 64,
    )
    raw_sql(
        "UPDATE audit_lane SET last_seq = last_seq + 1, last_id = %s, last_mac = %s "
        "WHERE lane = %s",
        [forged.id, forged.mac, head.lane],
    )
    assert_first_problem(forged.id, ALTERED)


def test_forged_event_in_a_lane_of_its_own_is_named(lane_events):
    events = lane_events(2)
    forged = AuditEvent.objects.create(
        occurred_at=events[-1].occurred_at,
        action="export",
        lane=999,
        lane_seq=1,
        prev_id=None,
        mac=genesis_mac(999)[::-1],
    )
    assert_first_problem(forged.id, ALTERED)


def test_forged_event_replacing_a_deleted_one_is_named(lane_events):
    events = lane_events(4)
    victim = events[1]
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE id = %s", [victim.id])
        forged = AuditEvent.objects.create(
            occurred_at=victim.occurred_at,
            action="view",
            lane=victim.lane,
            lane_seq=victim.lane_seq,
            prev_id=victim.prev_id,
            mac="1" * 64,
        )
    # The replacement sits in the victim's place, but the next event names the victim.
    report = audit_verify()
    assert (report.first.seq, report.first.kind) == (victim.id, DELETED)
    assert {(p.seq, p.kind) for p in report.problems} == {
        (victim.id, DELETED),
        (forged.id, ALTERED),
    }


def test_edit_with_a_mac_from_a_wrong_key_is_named(lane_events):
    events = lane_events(5)
    target = events[3]
    mac = fake_mac(target, b"attacker guessed key", outcome="denied")
    with triggers_removed():
        raw_sql(
            "UPDATE audit_event SET outcome = 'denied', mac = %s WHERE id = %s", [mac, target.id]
        )
    assert_first_problem(target.id, ALTERED)


def test_edited_lane_head_is_reported(lane_events):
    events = lane_events(3)
    with triggers_removed():
        raw_sql("UPDATE audit_lane SET last_mac = %s WHERE lane = %s", ["a" * 64, events[0].lane])
    assert_first_problem(events[-1].id, ALTERED)


def test_head_advanced_without_an_event_reads_as_a_deletion(lane_events):
    events = lane_events(3)
    raw_sql(
        "UPDATE audit_lane SET last_seq = last_seq + 1, last_id = %s WHERE lane = %s",
        [events[-1].id + 10_000, events[0].lane],
    )
    report = audit_verify()
    assert report.first.kind == DELETED
    assert report.first.seq == events[-1].id + 10_000


def test_events_written_after_the_walk_started_are_not_forgeries(lane_events, monkeypatch):
    # A writer appends between reading the events and reading the head.

    lane_events(3)
    original_events = verification._lane_events
    written: list = []

    def events_then_write(lane, **filters):
        # The walk reads the events; two more are committed before it reads the head.
        events = list(original_events(lane, **filters))
        if not written:
            written.extend(lane_events(2))
        return _Listed(events)

    monkeypatch.setattr(verification, "_lane_events", events_then_write)
    report = audit_verify()
    assert len(written) == 2
    assert report.ok, report.problems
    assert report.events_checked == AuditEvent.objects.count()


def test_the_first_of_several_problems_is_reported(lane_events):
    events = lane_events(6)
    with triggers_removed():
        raw_sql("UPDATE audit_event SET object_id = 'x' WHERE id = %s", [events[4].id])
        raw_sql("DELETE FROM audit_event WHERE id = %s", [events[1].id])
    passed, output = verify_audit()
    assert not passed
    assert f"sequence number {events[1].id} (deleted)" in output
    assert f"#{events[4].id} (altered" in output
    assert "2 problem(s)" in output


class _Listed(list):
    """A list that answers ``iterator()`` like a queryset."""

    def iterator(self, chunk_size=None):
        return iter(self)
