"""Clinical tasks: work owed on a patient, opened once per key and closed with its outcome.

A task opens from a trigger (a positive screen, a risk level, a discharge) and stays on
the patient's chart and the care team's dashboards until it is closed: as done by the
record that fulfils it, or as not done with the reason. Opening is idempotent per key,
so a trigger that fires again finds the open task. Every write is atomic and audited;
audit details carry ids and codes only, never the reason text.
"""

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import StateConflict
from openrecovery.core.prepared import PreparedQuery

from .choices import TaskKind, TaskOutcome, TaskStatus, TimelineKind
from .models import ClinicalTask, EpisodeOfCare, Patient
from .services import patient_lock, timeline_add

OBJECT_TYPE = "clinical_task"
REASON_MAX = 1000
ERROR_CLOSED = "This task is already closed."
ERROR_REASON_REQUIRED = "Say why it cannot be done."


# Run on every positive screen (the administrations API's hot path): prepared once.
_OPEN_TASK = PreparedQuery(
    lambda patient_id, key: ClinicalTask.objects.filter(
        patient_id=patient_id, key=key, status=TaskStatus.OPEN
    ).order_by("pk")[:1],
    key=str,
)


@dataclasses.dataclass(frozen=True)
class Opened:
    """A task a trigger asked for, and whether this call opened it (False: already open)."""

    task: ClinicalTask
    created: bool


@transaction.atomic
def task_open(
    *,
    patient: Patient,
    kind: TaskKind,
    source_type: str,
    source_id: str | int,
    key: str = "",
    due_at: dt.datetime | None = None,
    assigned_to: User | None = None,
    episode: EpisodeOfCare | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Opened:
    """Open a task unless one with the same key is open for the patient; return either.

    ``key`` defaults to the kind (one open task of a kind per patient).
    """
    key = key or kind.value
    patient_lock(patient)  # one opener at a time per patient
    found = _OPEN_TASK.fetch(patient_id=patient.pk, key=key)
    if found:
        return Opened(found[0], created=False)
    task = ClinicalTask(
        patient=patient,
        episode=episode,
        kind=kind,
        key=key,
        assigned_to=assigned_to,
        opened_at=now or timezone.now(),
        due_at=due_at,
        opened_by=actor,
        source_type=source_type,
        source_id=str(source_id),
    )
    task.full_clean(validate_constraints=False)
    task.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=OBJECT_TYPE,
        object_id=task.pk,
        detail={"kind": kind.value, "source_type": source_type, "source_id": str(source_id)},
    )
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.TASK,
        summary=f"Task opened: {kind.label}",
        actor=actor,
        occurred_at=task.opened_at,
    )
    return Opened(task, created=True)


@transaction.atomic
def task_close(
    *,
    task: ClinicalTask,
    status: TaskStatus,
    actor: User | None,
    source_type: str = "",
    source_id: str | int = "",
    reason: str = "",
    outcome: TaskOutcome | None = None,
    request: HttpRequest | None = None,
) -> ClinicalTask:
    """Close an open task as done (by ``source_*``) or not done (``reason`` required).

    A contact task (a caring contact) says whether the person was reached (``outcome``).
    """
    task = ClinicalTask.objects.select_for_update().get(pk=task.pk)
    if not task.is_open:
        raise StateConflict(ERROR_CLOSED)
    reason = reason.strip()
    if status == TaskStatus.NOT_DONE and not reason:
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    if status == TaskStatus.OPEN:
        raise ValueError("a task closes as done or not done")
    task.status = status
    task.closed_at = timezone.now()
    task.closed_by = actor
    task.closed_source_type = source_type
    task.closed_source_id = str(source_id)
    task.close_reason = reason[:REASON_MAX]
    task.outcome = outcome.value if outcome else ""
    task.save(
        update_fields=[
            "status", "closed_at", "closed_by", "closed_source_type", "closed_source_id",
            "close_reason", "outcome",
        ]
    )  # fmt: skip
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=task.patient_id,
        object_type=OBJECT_TYPE,
        object_id=task.pk,
        detail={
            "kind": task.kind,
            "status": status.value,
            "source_type": source_type,
            "outcome": task.outcome,
        },
    )
    label = TaskKind(task.kind).label
    result = "done" if status == TaskStatus.DONE else "could not be done"
    if task.outcome:
        result = f"{result}, {TaskOutcome(task.outcome).label.lower()}"
    timeline_add(
        patient=task.patient,
        episode=task.episode,
        kind=TimelineKind.TASK,
        summary=f"Task closed: {label} ({result})",
        actor=actor,
        occurred_at=task.closed_at,
    )
    return task


def tasks_close_by(
    *,
    patient: Patient,
    kind: TaskKind,
    actor: User | None,
    source_type: str,
    source_id: str | int,
    request: HttpRequest | None = None,
) -> list[ClinicalTask]:
    """Close every open task of ``kind`` on the patient as done by the given record."""
    open_tasks = ClinicalTask.objects.filter(patient=patient, kind=kind, status=TaskStatus.OPEN)
    return [
        task_close(
            task=task,
            status=TaskStatus.DONE,
            actor=actor,
            source_type=source_type,
            source_id=source_id,
            request=request,
        )
        for task in open_tasks
    ]
