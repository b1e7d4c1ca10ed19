"""Reads of the audit log for the report and its export."""

import dataclasses
import datetime as dt

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

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


def listed_patient(patient_id: int) -> Q:
    """Match events of lists (dashboards, searches, reports) that showed ``patient_id``.

    Such events name the patients they showed in ``detail["patients"]``.
    """
    if connection.vendor == "postgresql":
        return Q(detail__patients__contains=[patient_id])
    shown = RawSQL(
        "SELECT e.id FROM audit_event e, json_each(e.detail, '$.patients') p WHERE p.value = %s",
        [patient_id],
    )
    return Q(pk__in=shown)


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
        events = events.filter(Q(patient_id=f.patient_id) | listed_patient(f.patient_id))
    if f.action:
        events = events.filter(action=f.action)
    key = f.sort.lstrip("-")
    column = SORTABLE.get(key, "id")
    descending = f.sort.startswith("-") or key not in SORTABLE
    return events.order_by(f"-{column}" if descending else column, "-id")
