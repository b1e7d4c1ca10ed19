"""Individual session notes: drafts, signing (the golden thread checked) and addenda.

A note is DAP or BIRP (the program's choice, ``TREATMENT_NOTE_FORMAT``) with start and
end time, modality, interventions, the plan objectives it addressed, the suicide-risk
level seen at the time and the plan for the next session. Signing fixes it; a note
signed more than ``TREATMENT_LATE_ENTRY_DAYS`` after the session is a late entry; a note
that addresses no objective, and objectives no note addressed in
``TREATMENT_THREAD_DAYS``, are flagged to the author and the supervisor.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.records.services import timeline_add
from openrecovery.safety.selectors import risk_current

from ..choices import InterventionKind, Modality, NoteFormat, NoteStatus, SessionStatus
from ..curriculum import BY_CODE
from ..models import PlanObjective, ProgressNote, TherapySession
from ..selectors import open_episode, plan_in_force
from .thread import (
    is_late,
    note_flags,
    objectives_unaddressed,
    supervisors_of,
    thread_flags_raise,
    unaddressed_flags_raise,
)

OBJECT_TYPE = "progress_note"
PERMISSION = "treatment.write_notes"

SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    NoteFormat.DAP: (("data", "Data"), ("assessment", "Assessment"), ("plan", "Plan")),
    NoteFormat.BIRP: (
        ("behavior", "Behavior"),
        ("intervention", "Intervention"),
        ("response", "Response"),
        ("plan", "Plan"),
    ),
}
SECTION_MAX = 10_000

ERROR_PERMISSION = "Only clinicians who write session notes can do this."
ERROR_NO_EPISODE = "This patient has no open episode of care."
ERROR_NOT_DRAFT = "This note is signed; add an addendum to correct it."
ERROR_NOT_AUTHOR = "Only the note's author can change or sign a draft."
ERROR_TIMES = "The session must end after it starts."
ERROR_FUTURE = "A session note cannot start in the future."
ERROR_TOO_LONG = "A session longer than 12 hours is not a session: check the times."
ERROR_SECTION_REQUIRED = "Write the %(section)s section before signing."
ERROR_OBJECTIVE_FOREIGN = "Pick objectives from this patient's plan in force."
ERROR_MODULE = "Pick a module of the curriculum."
ERROR_INTERVENTION = "Pick interventions from the list."
ERROR_SESSION = "That session is not this patient's."


def note_format() -> str:
    """Return the program's note format (``TREATMENT_NOTE_FORMAT``: dap or birp)."""
    value = str(settings.TREATMENT_NOTE_FORMAT).lower()
    return value if value in NoteFormat.values else NoteFormat.DAP


def _require(actor: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise Forbidden(ERROR_PERMISSION)


def _objectives(episode: EpisodeOfCare, ids: Iterable[int]) -> list[PlanObjective]:
    wanted = set(ids)
    if not wanted:
        return []
    plan = plan_in_force(episode)
    found = list(PlanObjective.objects.filter(pk__in=wanted, goal__problem__plan=plan))
    if plan is None or len(found) != len(wanted):
        raise ValidationError({"objectives": ERROR_OBJECTIVE_FOREIGN})
    return found


def _check_times(started_at: dt.datetime, ended_at: dt.datetime, now: dt.datetime) -> None:
    if ended_at <= started_at:
        raise ValidationError({"ended_at": ERROR_TIMES})
    if started_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"started_at": ERROR_FUTURE})
    if ended_at - started_at > dt.timedelta(hours=12):
        raise ValidationError({"ended_at": ERROR_TOO_LONG})


@transaction.atomic
def note_save(
    *,
    actor: User,
    patient: Patient,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    modality: str,
    sections: Mapping[str, str],
    objective_ids: Iterable[int] = (),
    interventions: Iterable[str] = (),
    module_code: str = "",
    next_session_plan: str = "",
    session: TherapySession | None = None,
    note: ProgressNote | None = None,
    request: HttpRequest | None = None,
) -> ProgressNote:
    """Create (``note`` None) or update the author's draft individual note."""
    _require(actor)
    now = timezone.now()
    if note is not None:
        note = ProgressNote.objects.select_for_update().get(pk=note.pk)
        if note.status != NoteStatus.DRAFT:
            raise StateConflict(ERROR_NOT_DRAFT)
        if note.author_id != actor.pk:
            raise Forbidden(ERROR_NOT_AUTHOR)
        episode = note.episode
    else:
        found = open_episode(patient)
        if found is None:
            raise StateConflict(ERROR_NO_EPISODE)
        episode = found
    _check_times(started_at, ended_at, now)
    if module_code and module_code not in BY_CODE:
        raise ValidationError({"module_code": ERROR_MODULE})
    interventions = list(dict.fromkeys(interventions))
    if any(i not in InterventionKind.values for i in interventions):
        raise ValidationError({"interventions": ERROR_INTERVENTION})
    if session is not None and session.patient_id != patient.pk:
        raise ValidationError({"session": ERROR_SESSION})
    objectives = _objectives(episode, objective_ids)
    fmt = note.format if note is not None else note_format()
    text = {key: str(sections.get(key, "")).strip()[:SECTION_MAX] for key, _ in SECTIONS[fmt]}
    if note is None:
        note = ProgressNote(
            patient=patient, episode=episode, author=actor, format=fmt, created_at=now
        )
    note.session = session or note.session
    note.started_at = started_at
    note.ended_at = ended_at
    note.modality = Modality(modality)
    note.sections = text
    note.interventions = interventions
    note.module_code = module_code
    note.next_session_plan = next_session_plan.strip()[:SECTION_MAX]
    note.updated_at = now
    note.full_clean(exclude=["objectives"])
    created = note.pk is None
    note.save()
    note.objectives.set(objectives)
    audit_record(
        action=Action.CREATE if created else Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=OBJECT_TYPE,
        object_id=note.pk,
        detail={"objectives": len(objectives), "format": fmt},
    )
    return note


@transaction.atomic
def note_sign(
    *,
    actor: User,
    note: ProgressNote,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> ProgressNote:
    """Sign the author's draft: every section written; the risk level seen recorded; late
    entry and the golden thread checked and flagged. Return the signed note.

    ``now`` (default: the present) is when it is signed, for loads of past work.
    """
    _require(actor)
    note = (
        ProgressNote.objects.select_for_update()
        .select_related("patient", "episode")
        .get(pk=note.pk)
    )
    if note.status != NoteStatus.DRAFT:
        raise StateConflict(ERROR_NOT_DRAFT)
    if note.author_id != actor.pk:
        raise Forbidden(ERROR_NOT_AUTHOR)
    for key, label in SECTIONS[note.format]:
        if not note.sections.get(key, "").strip():
            raise ValidationError({key: ERROR_SECTION_REQUIRED % {"section": label}})
    now = now or timezone.now()
    current = risk_current(note.patient_id)
    risk = current.level if current is not None else ""
    objective_count = note.objectives.count()
    note.late_entry = is_late(note.ended_at, now)
    note.flags = note_flags(objective_count=objective_count, late=note.late_entry)
    note.risk_level_seen = risk
    note.status = NoteStatus.SIGNED
    note.signed_at = now
    note.updated_at = now
    note.save()
    if note.session_id is not None:
        TherapySession.objects.filter(pk=note.session_id, status=SessionStatus.SCHEDULED).update(
            status=SessionStatus.HELD
        )
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=note.patient_id,
        object_type=OBJECT_TYPE,
        object_id=note.pk,
        detail={"signed": True, "flags": note.flags, "objectives": objective_count},
    )
    timeline_add(
        patient=note.patient,
        episode=note.episode,
        kind=TimelineKind.NOTE,
        summary="Individual session note signed" + (" (late entry)" if note.late_entry else ""),
        actor=actor,
        occurred_at=now,
    )
    stale = objectives_unaddressed(patient=note.patient, episode=note.episode, now=now)
    if note.flags or stale:  # only then is anyone told, and the supervisors read
        supervisors = supervisors_of(note.patient)
        thread_flags_raise(
            patient=note.patient,
            episode=note.episode,
            flags=note.flags,
            author=actor,
            source_type=OBJECT_TYPE,
            source_id=note.pk,
            supervisors=supervisors,
        )
        unaddressed_flags_raise(
            patient=note.patient,
            episode=note.episode,
            author=actor,
            now=now,
            supervisors=supervisors,
            stale=stale,
        )
    return note
