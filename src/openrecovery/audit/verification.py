"""Verify the audit chain: find altered, deleted and forged events.

Each lane is walked in ``lane_seq`` order. An event is trusted when its MAC, computed
with the key that lives outside the database, covers its fields, its place in the lane
and the MAC of the event before it. The lane head (read after the walk, so events
written meanwhile are not mistaken for forgeries) says how long the lane should be
and which event ends it; it catches deletion of a lane's newest events.

Problems carry the sequence number (event id) where the chain first breaks: the
altered or forged event itself, or for a deletion the id of the missing event that
the next event (or the lane head) names.
"""

import dataclasses
from collections.abc import Iterable

from django.forms.models import model_to_dict

from .chain import MAC_FIELDS, compute_mac, genesis_mac
from .models import AuditEvent, AuditLane

ALTERED = "altered"
DELETED = "deleted"
FORGED = "forged"


@dataclasses.dataclass(frozen=True, order=True)
class ChainProblem:
    """One break in the chain: the sequence number (event id) and what is wrong."""

    seq: int
    kind: str  # ALTERED, DELETED or FORGED
    lane: int
    explanation: str


@dataclasses.dataclass
class VerificationReport:
    """The outcome of a verification run."""

    events_checked: int
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> ChainProblem | None:
        return min(self.problems) if self.problems else None


def _fields(event: AuditEvent) -> dict:
    return model_to_dict(event, fields=[f for f in MAC_FIELDS if f != "occurred_at"]) | {
        "occurred_at": event.occurred_at
    }


class _LaneWalk:
    """Follow one lane event by event, remembering the last link and what broke."""

    def __init__(self, lane: int) -> None:
        self.lane = lane
        self.seq = 0  # lane_seq of the last event walked
        self.last_id: int | None = None
        self.last_mac = genesis_mac(lane)
        # Events of the first MAC format (without their own id) are trusted only until
        # the lane's first event of the current format: after it, none can follow.
        self.current_format_seen = False
        self.checked = 0
        self.problems: dict[int, ChainProblem] = {}

    def report(self, seq: int, kind: str, explanation: str) -> None:
        self.problems.setdefault(seq, ChainProblem(seq, kind, self.lane, explanation))

    def step(self, event: AuditEvent) -> None:
        self.checked += 1
        if event.lane_seq <= self.seq:
            # Two rows claim one place in the lane (the unique constraint was removed).
            self.report(event.id, FORGED, f"a second event at lane position {event.lane_seq}")
            return
        if event.lane_seq > self.seq + 1:
            self._gap(event)
        elif event.prev_id != self.last_id:
            self._broken_link(event)
        elif not self._authentic(event, self.last_mac):
            self.report(event.id, ALTERED, "the MAC does not match the event's contents")
        self.seq, self.last_id, self.last_mac = event.lane_seq, event.id, event.mac

    def _authentic(self, event: AuditEvent, prev_mac: str) -> bool:
        """Return whether the event's MAC covers its fields, its id and its place."""
        position = {
            "lane": self.lane,
            "lane_seq": event.lane_seq,
            "prev_id": event.prev_id,
            "prev_mac": prev_mac,
        }
        if compute_mac(_fields(event), event_id=event.id, **position) == event.mac:
            self.current_format_seen = True
            return True
        legacy = not self.current_format_seen
        return legacy and compute_mac(_fields(event), event_id=None, **position) == event.mac

    def _gap(self, event: AuditEvent) -> None:
        missing = event.lane_seq - self.seq - 1
        after = self.last_id or 0
        if event.prev_id is not None and after < event.prev_id < event.id:
            self.report(
                event.prev_id,
                DELETED,
                f"{missing} event(s) missing before #{event.id}; the last of them was "
                f"#{event.prev_id}",
            )
        else:
            # The event names no plausible predecessor: it does not belong here.
            self.report(event.id, FORGED, f"{missing} lane position(s) skipped before it")

    def _broken_link(self, event: AuditEvent) -> None:
        if self.last_id is not None and self._authentic(event, self.last_mac):
            # The event is genuine and follows the right MAC: its predecessor's id changed.
            self.report(
                self.last_id, ALTERED, f"its id was changed (#{event.id} names #{event.prev_id})"
            )
        elif event.prev_id is not None and event.prev_id < event.id:
            # The event it follows was removed, and something else took its place.
            self.report(
                event.prev_id, DELETED, f"#{event.id} follows #{event.prev_id}, which is gone"
            )
        else:
            self.report(event.id, FORGED, "it does not follow the event before it in its lane")

    def close(self, head: AuditLane | None, beyond_head: Iterable[int]) -> None:
        """Compare the walk with the lane head, read after the walk."""
        if head is None:
            if self.last_id is not None:
                self.report(self.last_id, DELETED, "the lane's head row is missing")
            return
        if head.last_seq > self.seq:
            last = head.last_id or 0
            if last > (self.last_id or 0):
                missing = head.last_seq - self.seq
                self.report(last, DELETED, f"the lane's newest {missing} event(s) are gone")
            else:
                self.report(
                    self.last_id or 0, ALTERED, "the lane head claims events that never existed"
                )
        elif head.last_seq < self.seq:
            for event_id in beyond_head:
                self.problems[event_id] = ChainProblem(
                    event_id, FORGED, self.lane, "beyond the lane's recorded head"
                )
        elif head.last_id != self.last_id or head.last_mac != self.last_mac:
            self.report(self.last_id or 0, ALTERED, "the lane head does not match its newest event")


def _lane_events(lane: int, **filters: int):
    return AuditEvent.objects.filter(lane=lane, **filters).order_by("lane_seq", "id")


def _walk_lane(lane: int, chunk_size: int) -> _LaneWalk:
    walk = _LaneWalk(lane)
    for event in _lane_events(lane).iterator(chunk_size):
        walk.step(event)
    head = AuditLane.objects.filter(lane=lane).first()
    if head is not None and head.last_seq > walk.seq:
        # Writers kept appending during the walk; the head is newer than what was read.
        newer = _lane_events(lane, lane_seq__gt=walk.seq, lane_seq__lte=head.last_seq)
        for event in newer.iterator(chunk_size):
            walk.step(event)
    beyond: Iterable[int] = ()
    if head is not None and head.last_seq < walk.seq:
        beyond = _lane_events(lane, lane_seq__gt=head.last_seq, lane_seq__lte=walk.seq).values_list(
            "id", flat=True
        )
    walk.close(head, beyond)
    return walk


def audit_verify(chunk_size: int = 5000) -> VerificationReport:
    """Walk every lane in order and return every break found."""
    lanes = set(AuditLane.objects.values_list("lane", flat=True))
    lanes |= set(AuditEvent.objects.order_by().values_list("lane", flat=True).distinct())
    problems: list[ChainProblem] = []
    checked = 0
    for lane in sorted(lanes):
        walk = _walk_lane(lane, chunk_size)
        checked += walk.checked
        problems.extend(walk.problems.values())
    return VerificationReport(events_checked=checked, problems=sorted(problems))
