"""Treatment's chart panels of session notes and the relapse-prevention curriculum, and the
read of a patient's notes they share with the notes page and the API.

A member note shows the group's shared part and only this member's own part: the read
never loads another member's note (it filters on the patient), so one attendee's words
cannot reach another's chart. A panel runs a constant number of queries, whatever the
patient's history.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.privacy.gates import PatientAccess
from openrecovery.records.models import EpisodeOfCare, Patient

from . import curriculum
from .choices import NoteStatus
from .models import GroupAttendance, NoteAddendum, PlanObjective, ProgressNote
from .services.group_notes import PARTICIPANTS

PANEL_NOTES = 5
# The stages where sessions happen: before them a chart shows these panels only when
# there is something to show.
SESSION_STAGES = frozenset({"withdrawal_management", "treatment", "aftercare"})
PAGE_NOTES = 100
WRITE_PERMISSION = "treatment.write_notes"


@dataclasses.dataclass(frozen=True)
class NoteView:
    """One note as a chart shows it: the note, its group's shared part (member notes),
    this patient's attendance at the group, the DAP or BIRP sections that have text, the
    objectives it addressed and its addenda."""

    note: ProgressNote
    attendance: GroupAttendance | None
    sections: list[tuple[str, str]]
    participants: int | None
    module_title: str
    objectives: list[PlanObjective]
    addenda: list[NoteAddendum]

    @property
    def is_member_note(self) -> bool:
        return self.note.group_note_id is not None


def _notes(patient_id: int, viewer_id: int) -> QuerySet[ProgressNote]:
    # Signed notes, and the viewer's own drafts (nobody else's words in progress).
    return (
        ProgressNote.objects.filter(patient_id=patient_id)
        .filter(Q(status=NoteStatus.SIGNED) | Q(author_id=viewer_id))
        .select_related("author", "group_note__session__group", "group_note__author")
        .order_by("-started_at", "-id")
    )


# The chart's first read of the panel, on every chart view: prepared once per connection
# (core.prepared). One more than the panel shows tells whether there are older ones.
_PANEL_NOTES = PreparedQuery(
    lambda patient_id, viewer_id: _notes(patient_id, viewer_id)[: PANEL_NOTES + 1]
)
_MODULES_COVERED = PreparedQuery(
    lambda patient_id: (
        ProgressNote.objects.filter(patient_id=patient_id, status=NoteStatus.SIGNED)
        .exclude(module_code="")
        .order_by("started_at", "id")
        .values_list("module_code", "started_at")
    )
)


def _sections(note: ProgressNote) -> list[tuple[str, str]]:
    return [
        (key, str(text))
        for key, text in note.sections.items()
        if key != PARTICIPANTS and isinstance(text, str) and text.strip()
    ]


def _views(patient_id: int, notes: list[ProgressNote]) -> list[NoteView]:
    """Attach objectives, addenda and this patient's attendance (three queries, none
    without notes)."""
    if not notes:
        return []
    ids = [n.pk for n in notes]
    objectives: dict[int, list[PlanObjective]] = defaultdict(list)
    through = ProgressNote.objectives.through
    for link in (
        through.objects.filter(progressnote_id__in=ids)
        .select_related("planobjective")
        .order_by("planobjective__position", "planobjective_id")
    ):
        objectives[link.progressnote_id].append(link.planobjective)
    addenda: dict[int, list[NoteAddendum]] = defaultdict(list)
    for addendum in NoteAddendum.objects.filter(note_id__in=ids).select_related("author"):
        addenda[addendum.note_id].append(addendum)
    group_ids = [n.group_note_id for n in notes if n.group_note_id is not None]
    attendance = (
        {
            a.group_note_id: a
            for a in GroupAttendance.objects.filter(
                patient_id=patient_id, group_note_id__in=group_ids
            )
        }
        if group_ids
        else {}
    )
    return [
        NoteView(
            note=n,
            attendance=attendance.get(n.group_note_id) if n.group_note_id else None,
            sections=_sections(n),
            participants=n.sections.get(PARTICIPANTS) if n.group_note_id else None,
            module_title=curriculum.module_title(n.module_code) if n.module_code else "",
            objectives=objectives.get(n.pk, []),
            addenda=addenda.get(n.pk, []),
        )
        for n in notes
    ]


def individual_note_view(patient_id: int, viewer: User, note_id: int) -> NoteView | None:
    """Return one individual note of the patient the viewer may read (signed, or their own
    draft) with what the chart shows of it, or None (four queries)."""
    found = list(
        _notes(patient_id, viewer.pk)
        .filter(pk=note_id, group_note__isnull=True)
        .select_related("episode")[:1]
    )
    views = _views(patient_id, found)
    return views[0] if views else None


def patient_notes(patient: Patient, viewer: User, *, limit: int) -> tuple[list[NoteView], int]:
    """Return the patient's newest ``limit`` notes the viewer may read, and how many there
    are in all (at most five queries, whatever the count)."""
    base = _notes(patient.pk, viewer.pk)
    notes = list(base[:limit])
    total = len(notes) if len(notes) < limit else base.count()
    return _views(patient.pk, notes), total


def _in_sessions(episode: EpisodeOfCare | None) -> bool:
    return episode is not None and episode.ended_at is None and episode.stage in SESSION_STAGES


def notes_panel(user: User, access: PatientAccess, episode: EpisodeOfCare | None) -> dict[str, Any]:
    """Load the patient's newest session notes, individual and group (one prepared query,
    and three more when there are notes)."""
    notes = _PANEL_NOTES.fetch(patient_id=access.patient.pk, viewer_id=user.pk)
    return {
        "patient": access.patient,
        "notes": _views(access.patient.pk, notes[:PANEL_NOTES]),
        "more": len(notes) > PANEL_NOTES,
        "can_write": user.has_perm(WRITE_PERMISSION),
        "shown": bool(notes) or _in_sessions(episode),
    }


@dataclasses.dataclass(frozen=True)
class ModuleProgress:
    """One curriculum module for a patient: covered (first and last date) or not."""

    module: curriculum.Module
    first_covered: dt.datetime | None
    times: int


def curriculum_progress(patient: Patient) -> list[ModuleProgress]:
    """Return each module of the curriculum with when the patient's signed notes first
    recorded it, and how often (one prepared query)."""
    first: dict[str, dt.datetime] = {}
    times: dict[str, int] = defaultdict(int)
    for code, started_at in _MODULES_COVERED.fetch(patient_id=patient.pk):
        first.setdefault(code, started_at)
        times[code] += 1
    return [
        ModuleProgress(module=m, first_covered=first.get(m.code), times=times[m.code])
        for m in curriculum.MODULES
    ]


def curriculum_panel(
    user: User, access: PatientAccess, episode: EpisodeOfCare | None
) -> dict[str, Any]:
    """Load the patient's progress through the relapse-prevention curriculum (one query)."""
    modules = curriculum_progress(access.patient)
    covered = sum(1 for m in modules if m.first_covered is not None)
    return {
        "patient": access.patient,
        "modules": modules,
        "covered": covered,
        "total": len(modules),
        "shown": bool(covered) or _in_sessions(episode),
    }
