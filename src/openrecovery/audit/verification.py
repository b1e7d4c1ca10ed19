"""Verify the audit chain: find altered, deleted and forged events."""

import dataclasses
from collections.abc import Iterator

from django.forms.models import model_to_dict

from .chain import MAC_FIELDS, compute_mac, genesis_mac
from .models import AuditEvent, AuditLane


@dataclasses.dataclass(frozen=True, order=True)
class ChainProblem:
    """One break in the chain: the sequence number (event id) and what is wrong."""

    seq: int
    kind: str  # "altered", "deleted" or "forged"
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


def _lane_problems(lane: int, events: Iterator[AuditEvent], head: AuditLane | None) -> Iterator:
    expected_seq, prev_id, prev_mac = 1, None, genesis_mac(lane)
    head_seq = head.last_seq if head else 0
    for event in events:
        if event.lane_seq > head_seq:
            yield ChainProblem(event.id, "forged", lane, "beyond the lane's recorded head")
            continue
        if event.lane_seq != expected_seq or event.prev_id != prev_id:
            missing = event.prev_id if event.prev_id is not None else event.id
            yield ChainProblem(missing, "deleted", lane, f"events missing before #{event.id}")
        mac = compute_mac(
            _fields(event),
            lane=lane,
            lane_seq=event.lane_seq,
            prev_id=event.prev_id,
            prev_mac=prev_mac if event.lane_seq == expected_seq else "",
        )
        if event.lane_seq == expected_seq and mac != event.mac:
            # Altered in place, or a forged row wearing a real row's place.
            kind = "altered" if event.prev_id == prev_id else "forged"
            yield ChainProblem(event.id, kind, lane, "MAC does not match the event's contents")
        expected_seq, prev_id, prev_mac = event.lane_seq + 1, event.id, event.mac
    if head is not None and expected_seq - 1 < head.last_seq:
        yield ChainProblem(head.last_id or 0, "deleted", lane, "the lane's newest events are gone")
    if head is not None and head.last_seq and head.last_mac != prev_mac:
        yield ChainProblem(head.last_id or 0, "altered", lane, "lane head does not match")


def audit_verify(chunk_size: int = 5000) -> VerificationReport:
    """Walk every lane in order and return every break found."""
    heads = {h.lane: h for h in AuditLane.objects.all()}
    lanes = set(heads) | set(AuditEvent.objects.values_list("lane", flat=True).distinct())
    problems: list[ChainProblem] = []
    checked = 0
    for lane in sorted(lanes):
        events = AuditEvent.objects.filter(lane=lane).order_by("lane_seq").iterator(chunk_size)

        def counted(source: Iterator[AuditEvent]) -> Iterator[AuditEvent]:
            nonlocal checked
            for item in source:
                checked += 1
                yield item

        problems.extend(_lane_problems(lane, counted(events), heads.get(lane)))
    return VerificationReport(events_checked=checked, problems=problems)
