"""A patient's session notes in the JSON API (access-gated and audited).

A member note carries the group's shared part and only this patient's own part: the
read filters on the patient, so another attendee's words are never in the answer.
"""

import datetime as dt
from typing import Annotated, Any

from ninja import Path, Query, Router, Schema

from openrecovery.accounts.access import StaffRequest
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, ValidationErrorOut
from openrecovery.privacy.gates import MAX_DB_ID, access_patient_by_id

from .panels import PAGE_NOTES, NoteView, patient_notes

router = Router(tags=["treatment"])
OBJECT_TYPE = "session_notes"


class ObjectiveOut(Schema):
    id: int
    thread: str
    text: str


class AddendumOut(Schema):
    id: int
    text: str
    author_id: int
    created_at: dt.datetime


class GroupPartOut(Schema):
    """The group's shared part, and this patient's attendance and the participant count."""

    group_note_id: int
    group_id: int
    group_name: str
    topic: str
    shared_text: str
    attendance: str | None
    participants: int | None


class NoteOut(Schema):
    id: int
    kind: str  # "individual" or "group"
    status: str
    format: str
    started_at: dt.datetime
    ended_at: dt.datetime
    modality: str
    interventions: list[str]
    module_code: str
    sections: dict[str, str]
    individual_text: str
    objectives: list[ObjectiveOut]
    flags: list[str]
    late_entry: bool
    signed_at: dt.datetime | None
    author_id: int
    group: GroupPartOut | None
    addenda: list[AddendumOut]


class NotesOut(Schema):
    total: int
    notes: list[NoteOut]


def _note_out(view: NoteView) -> dict[str, Any]:
    n, gn = view.note, view.note.group_note
    return {
        "id": n.pk,
        "kind": "group" if gn is not None else "individual",
        "status": n.status,
        "format": n.format,
        "started_at": n.started_at,
        "ended_at": n.ended_at,
        "modality": n.modality,
        "interventions": list(n.interventions),
        "module_code": n.module_code,
        "sections": dict(view.sections),
        "individual_text": n.individual_text,
        "objectives": [{"id": o.pk, "thread": o.thread, "text": o.text} for o in view.objectives],
        "flags": list(n.flags),
        "late_entry": n.late_entry,
        "signed_at": n.signed_at,
        "author_id": n.author_id,
        "group": {
            "group_note_id": gn.pk,
            "group_id": gn.session.group_id,
            "group_name": gn.session.group.name if gn.session.group else "",
            "topic": gn.topic,
            "shared_text": gn.shared_text,
            "attendance": view.attendance.status if view.attendance else None,
            "participants": view.participants,
        }
        if gn is not None
        else None,
        "addenda": [
            {"id": a.pk, "text": a.text, "author_id": a.author_id, "created_at": a.created_at}
            for a in view.addenda
        ],
    }


@router.get(
    "/patients/{patient_id}/notes",
    response={200: NotesOut, **AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut},
)
def notes_list(
    request: StaffRequest,
    patient_id: Annotated[int, Path(ge=1, le=MAX_DB_ID)],
    limit: Annotated[int, Query(ge=1, le=PAGE_NOTES)] = PAGE_NOTES,
) -> dict[str, Any]:
    """Return the patient's session notes, newest first: signed notes and the caller's
    own drafts. 404 if the patient is not visible.

    A group member's note (``kind`` "group") has the group's shared part in ``group`` and
    only this patient's ``individual_text``; ``sections`` holds an individual note's DAP
    or BIRP headings. ``total`` counts every note the caller may read.
    """
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type=OBJECT_TYPE
    )
    views, total = patient_notes(patient, request.user, limit=limit)
    return {"total": total, "notes": [_note_out(v) for v in views]}
