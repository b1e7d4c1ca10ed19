"""Count queries: worlds of patients and events of a chosen size, and counted requests."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit import services as audit_services
from openrecovery.audit.models import AuditEvent
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import Patient, TimelineEvent
from openrecovery.records.services import care_team_add
from tests.support.factories import make_patient, make_staff

STAGES = [Stage.INQUIRY, Stage.ASSESSMENT, Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT]


def build_world(director, *, patients: int, events: int) -> tuple:
    """Create a counselor with ``patients`` patients (stages mixed, each with a team of
    two) and ``events`` timeline entries on the first one. Return (counselor, first patient).
    """
    counselor = make_staff(Role.COUNSELOR)
    colleague = make_staff(Role.NURSE)
    made: list[Patient] = []
    for i in range(patients):
        patient = make_patient(actor=director, stage=STAGES[i % len(STAGES)], team=[counselor])
        care_team_add(actor=director, patient=patient, user=colleague, team_role="primary_nurse")
        made.append(patient)
    now = timezone.now()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            patient=made[0],
            kind=TimelineKind.NOTE,
            summary=f"Note {n}",
            actor=colleague if n % 2 else director,
            occurred_at=now - dt.timedelta(minutes=n),
        )
        for n in range(events)
    )
    return counselor, made[0]


def audit_ids_in_hand() -> None:
    """On PostgreSQL, hold a fresh block of audit event ids (as tests/conftest.py does).

    A process draws event ids 32 at a time; without this, whichever counted request
    happens to cross a block's end runs one query more than the other.
    """
    if connection.vendor != "postgresql":
        return
    table = AuditEvent._meta.db_table
    audit_services._reserved_ids.pop(table, None)
    first = audit_services._reserved_id(AuditEvent)
    audit_services._reserved_ids[table].appendleft(first)


def queries_of(client, url: str, method: str = "get") -> tuple[int, list[str]]:
    """Request ``url`` twice (the first warms per-process caches) and count the second."""
    getattr(client, method)(url)
    audit_ids_in_hand()
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url)
    assert response.status_code == 200, response.status_code
    return len(captured), [q["sql"] for q in captured.captured_queries]
