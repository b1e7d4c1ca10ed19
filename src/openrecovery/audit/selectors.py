"""Reads of the audit log for the report and its export."""

import dataclasses
import datetime as dt

from django.db.models import Q, QuerySet

from .models import AuditEvent

SORTABLE = {
    "id": "id",
    "time": "occurred_at",
    "user": "actor_username",
    "patient": "patient_id",
    "action": "action",
    "outcome": "outcome",
}


@dataclasses.dataclass
class AuditFilter:
    """Filters of the audit report; every field optional."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    username: str = ""  # part of the username recorded with the event
    actor_ids: tuple[int, ...] = ()  # or any of these actors (e.g. found by name)
    patient_id: int | None = None
    action: str = ""
    sort: str = "-id"


def audit_events(f: AuditFilter) -> QuerySet[AuditEvent]:
    """Return audit events matching ``f``, sorted as asked (newest first by default)."""
    events = AuditEvent.objects.all()
    if f.since:
        events = events.filter(occurred_at__gte=f.since)
    if f.until:
        events = events.filter(occurred_at__lt=f.until)
    if f.username or f.actor_ids:
        who = Q(actor_id__in=f.actor_ids)
        if f.username:
            who |= Q(actor_username__icontains=f.username)
        events = events.filter(who)
    if f.patient_id is not None:
        events = events.filter(patient_id=f.patient_id)
    if f.action:
        events = events.filter(action=f.action)
    key = f.sort.lstrip("-")
    column = SORTABLE.get(key, "id")
    descending = f.sort.startswith("-") or key not in SORTABLE
    return events.order_by(f"-{column}" if descending else column, "-id")
