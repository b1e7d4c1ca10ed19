"""How events join their lane: one statement when the head is known, and never a wrong link.

On PostgreSQL a process remembers each lane's head after appending to it, and the next
append moves the head and inserts the event in one statement only if the head is still
exactly that. These tests make the hint wrong in every way it can be wrong and check
that the chain still verifies.
"""

import collections
import os
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrecovery.audit import services
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.services import audit_insert, audit_record
from openrecovery.audit.verification import audit_verify
from openrecovery.helpline.models import Inquiry
from tests.support.audit import audit_mark, events_since, lane_head

POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="the known-head append is PostgreSQL's")
LANE = 5


@pytest.fixture
def lane(monkeypatch):
    monkeypatch.setattr(services, "_lane_for_this_thread", lambda: LANE)
    services._known_heads.clear()
    yield LANE
    services._known_heads.clear()


def record(n: int = 0) -> AuditEvent:
    return audit_record(action=Action.VIEW, object_type="test_object", object_id=n)


def assert_chain_verifies() -> None:
    report = audit_verify()
    assert report.problems == []


@needs_postgres
def test_a_known_head_costs_one_statement(db, lane, django_assert_num_queries):
    record(1)  # learns the head (locked read, then the append)
    with django_assert_num_queries(1):
        second = record(2)
    head = lane_head(lane)
    assert (head.last_id, head.last_mac, head.last_seq) == (second.id, second.mac, second.lane_seq)
    assert AuditEvent.objects.get(id=second.id).mac == second.mac
    assert_chain_verifies()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_an_audited_read_outside_a_transaction_is_one_round_trip_and_committed(lane):
    record(1)
    with CaptureQueriesContext(connection) as captured:
        event = record(2)
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["WITH"]
    assert connection.get_autocommit() and not connection.in_atomic_block
    # Another connection sees it at once: the statement committed by itself.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT mac FROM audit_event WHERE id = %s", [event.id])
            assert cursor.fetchone() == (event.mac,)
    finally:
        other.close()
    assert_chain_verifies()


@needs_postgres
def test_a_head_moved_by_another_process_is_read_again(db, lane, django_assert_num_queries):
    first = record(1)
    stale = services._known_heads[lane]
    record(2)
    services._known_heads[lane] = stale  # as if another process had appended since
    with django_assert_num_queries(3):  # the conditional append misses: read, append
        third = record(3)
    assert third.lane_seq == first.lane_seq + 2
    assert services._known_heads[lane] == (third.lane_seq, third.id, third.mac)
    assert_chain_verifies()


@needs_postgres
@pytest.mark.parametrize("wrong", ["last_id", "last_mac"])
def test_a_hint_with_the_right_number_but_another_event_is_not_trusted(db, lane, wrong):
    # An append rolled back, then another writer took the same position: the number
    # matches but the event differs. The MAC must link to the event really there.
    record(1)
    seq, last_id, mac = services._known_heads[lane]
    services._known_heads[lane] = (
        seq,
        last_id + 1000 if wrong == "last_id" else last_id,
        "0" * 64 if wrong == "last_mac" else mac,
    )
    second = record(2)
    assert (second.lane_seq, second.prev_id) == (seq + 1, last_id)
    assert_chain_verifies()


@pytest.mark.django_db(transaction=True)
def test_an_append_rolled_back_leaves_a_chain_that_verifies(lane):
    first = record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(2)
        raise RuntimeError("the action failed, so its audit event goes too")
    after = record(3)
    assert (after.lane_seq, after.prev_id) == (first.lane_seq + 1, first.id)
    assert [e.object_id for e in events_since(first.id - 1, lane=lane)] == ["1", "3"]
    assert_chain_verifies()


def test_threads_of_a_process_take_different_lanes(settings):
    settings.AUDIT_CHAIN_LANES = 64
    lanes: list[tuple[int, int]] = []

    def take() -> None:
        # Asked twice: a thread keeps its lane.
        lanes.append((services._lane_for_this_thread(), services._lane_for_this_thread()))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(first == again for first, again in lanes)
    assert len({first for first, _ in lanes}) == 8


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_forgets_its_parents_lanes_and_heads():
    services._known_heads[LANE] = (1, 1, "x")
    services._reserved_ids["some_table"] = collections.deque([41, 42])
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it inherited, then leave without cleanup
        inherited = (
            bool(services._known_heads)
            or bool(services._reserved_ids)
            or hasattr(services._thread, "lane")
        )
        os.write(write, b"1" if inherited else b"0")
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"0"
    services._known_heads.clear()
    services._reserved_ids.clear()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_shared_lanes_keep_every_chain_whole(settings):
    # More threads than lanes, so heads are shared, hints go stale and writers wait.
    settings.AUDIT_CHAIN_LANES = 3
    services._known_heads.clear()
    per_thread, errors = 25, []
    mark = audit_mark()

    def write(n: int) -> None:
        try:
            for i in range(per_thread):
                with transaction.atomic():
                    record(n * 1000 + i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(events_since(mark, object_type="test_object")) == 8 * per_thread
    assert_chain_verifies()
    services._known_heads.clear()


# audit_insert: a row and the event that records it, both or neither -------------------


def new_inquiry(reference: str) -> Inquiry:
    return Inquiry(
        reference=reference,
        source="api",
        urgency=2,
        received_at=timezone.now(),
        name='Álvaro "Al" O\'Neil',
        phone="555-010-4477",
        for_whom="myself",
        voicemail_ok=True,
        consent=True,
        message="line one\nline two",
        self_check={"code": "benzo-selfcheck", "answers": [1, 0, None]},
    )


def insert(reference: str) -> tuple[Inquiry, AuditEvent]:
    inquiry = new_inquiry(reference)
    event = audit_insert(
        inquiry, action=Action.CREATE, object_type="inquiry", actor_username="public"
    )
    return inquiry, event


def assert_stored_as_given(inquiry: Inquiry) -> None:
    stored = Inquiry.objects.get(pk=inquiry.pk)
    for field in Inquiry._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(inquiry, field.attname), field.name


def test_audit_insert_stores_the_row_and_an_event_naming_it(db, lane):
    inquiry, event = insert("HL-TEST-0001")
    assert not inquiry._state.adding
    assert_stored_as_given(inquiry)
    stored = AuditEvent.objects.get(id=event.id)
    assert (stored.object_type, stored.object_id, stored.mac) == (
        "inquiry",
        str(inquiry.pk),
        event.mac,
    )
    assert_chain_verifies()


@needs_postgres
def test_audit_insert_with_a_known_head_is_one_statement(db, lane, django_assert_num_queries):
    insert("HL-TEST-0001")  # learns the head and draws a block of ids
    with django_assert_num_queries(1):
        inquiry, event = insert("HL-TEST-0002")
    assert_stored_as_given(inquiry)
    assert lane_head(lane).last_id == event.id
    assert_chain_verifies()


@needs_postgres
def test_audit_insert_after_a_moved_head_still_stores_both(db, lane):
    insert("HL-TEST-0001")
    stale = services._known_heads[lane]
    record(2)
    services._known_heads[lane] = stale  # another process appended since
    inquiry, event = insert("HL-TEST-0002")
    assert_stored_as_given(inquiry)
    assert AuditEvent.objects.get(id=event.id).object_id == str(inquiry.pk)
    assert_chain_verifies()


@pytest.mark.django_db(transaction=True)
def test_audit_insert_that_fails_stores_neither(lane):
    first, _ = insert("HL-TEST-DUP1")
    mark, head = audit_mark(), lane_head(lane)
    with pytest.raises(IntegrityError):
        insert("HL-TEST-DUP1")  # the reference is unique
    assert Inquiry.objects.filter(reference="HL-TEST-DUP1").count() == 1
    assert events_since(mark) == []
    assert lane_head(lane).last_seq == head.last_seq
    after, event = insert("HL-TEST-DUP2")  # and the lane goes on
    assert event.lane_seq == head.last_seq + 1
    assert_chain_verifies()
    Inquiry.objects.filter(pk__in=[first.pk, after.pk]).delete()


@needs_postgres
def test_ids_drawn_ahead_are_each_used_once_across_threads(db, lane):
    services._reserved_ids.clear()
    drawn: list[int] = []

    def draw() -> None:
        for _ in range(services.ID_BLOCK):
            drawn.append(services._reserved_id(Inquiry))
        connections.close_all()

    threads = [threading.Thread(target=draw) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(drawn) == len(set(drawn)) == 3 * services.ID_BLOCK


# audit_insert(..., also=[...]): more rows of the same write, stored with it or not at all


def insert_with(reference: str, *others: str) -> tuple[Inquiry, list[Inquiry], AuditEvent]:
    inquiry, also = new_inquiry(reference), [new_inquiry(r) for r in others]
    event = audit_insert(
        inquiry, also=also, action=Action.CREATE, object_type="inquiry", actor_username="public"
    )
    return inquiry, also, event


def test_audit_insert_stores_the_rows_it_is_given_also(db, lane):
    inquiry, also, event = insert_with("HL-TEST-0001", "HL-TEST-0002", "HL-TEST-0003")
    for row in (inquiry, *also):
        assert not row._state.adding
        assert_stored_as_given(row)
    assert AuditEvent.objects.get(id=event.id).object_id == str(inquiry.pk)
    assert_chain_verifies()


@needs_postgres
def test_audit_insert_with_more_rows_is_still_one_statement(db, lane, django_assert_num_queries):
    insert_with("HL-TEST-0001", "HL-TEST-0002")  # learns the head and draws ids
    with django_assert_num_queries(1):
        inquiry, [other], _ = insert_with("HL-TEST-0003", "HL-TEST-0004")
    assert_stored_as_given(inquiry)
    assert_stored_as_given(other)
    assert_chain_verifies()


@pytest.mark.django_db(transaction=True)
def test_audit_insert_whose_other_row_fails_stores_nothing(lane):
    first, _ = insert("HL-TEST-DUP1")
    insert_with("HL-TEST-WRM1", "HL-TEST-WRM2")  # the head is known (PostgreSQL)
    mark, head = audit_mark(), lane_head(lane)
    with pytest.raises(IntegrityError):
        insert_with("HL-TEST-NEW", "HL-TEST-DUP1")  # the other row's reference is taken
    assert not Inquiry.objects.filter(reference="HL-TEST-NEW").exists()
    assert events_since(mark) == []
    assert lane_head(lane).last_seq == head.last_seq
    assert_chain_verifies()
    Inquiry.objects.filter(reference__startswith="HL-TEST-").delete()
