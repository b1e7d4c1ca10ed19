"""Group notes: written once, individualized by exception, signed into each member's chart.

The facilitator writes the shared part once (topic, curriculum module, interventions,
times, modality, what the group did). Attendance is taken per roster member; each member
who attended gets a draft note of their own, prefilled from the shared part and with the
objectives of their own plan in force ticked, and the facilitator adds what that person
said and did (or nothing: individualized by exception). Signing refuses member parts that
copy another member's, counts the participants on each note, and signs every member note
at once, each with its own audit event in the member's chart; the golden-thread flags go
to the author and the supervisor. Signed notes never change: corrections are addenda.
Audit details carry ids and codes only, never the notes' words.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient, TimelineEvent
from openrecovery.records.services import timeline_entry

from .. import curriculum, selectors
from ..choices import (
    ATTENDED,
    Attendance,
    InterventionKind,
    Modality,
    NoteFormat,
    NoteStatus,
    SessionKind,
    SessionStatus,
)
from ..models import (
    GroupAttendance,
    GroupMember,
    GroupNote,
    NoteAddendum,
    ProgressNote,
    TherapySession,
)
from . import thread

GROUP_NOTE_OBJECT_TYPE = "group_note"
NOTE_OBJECT_TYPE = "progress_note"
ADDENDUM_OBJECT_TYPE = "note_addendum"
PERMISSION = "treatment.write_notes"
PARTICIPANTS = "participants"  # the key of a member note's participant count in ``sections``

ERROR_PERMISSION = "Only clinicians who write session notes can write group notes."
ERROR_NOT_FACILITATOR = "Only the session's facilitators can write its group note."
ERROR_NOT_GROUP = "This is not a group session."
ERROR_SESSION_CLOSED = "This session was cancelled or already held."
ERROR_STARTED = "This session's group note is already started."
ERROR_SIGNED = "This group note is signed; add an addendum to a member's note instead."
ERROR_NO_EPISODE = (
    "{names}: no open episode of care to write the note in. Take them off the roster "
    "or open an episode first."
)
ERROR_MODULE = "Choose a module of the relapse-prevention curriculum, or none."
ERROR_INTERVENTION = "Choose interventions from the list."
ERROR_TIMES = "The group must end after it starts."
ERROR_REASON = "Give the reason for the absence."
ERROR_NOT_ON_NOTE = "This patient is not on this group note's attendance."
ERROR_NOT_ATTENDING = "This member did not attend, so they have no note to write."
ERROR_OBJECTIVE = "Choose objectives from this member's own treatment plan."
ERROR_COPIED = (
    "The individual parts for {names} are identical. Write what each person said and "
    "did, or leave a part empty; nothing was signed."
)
ERROR_NOBODY = "Nobody attended: take attendance, or cancel the session."
ERROR_ADDENDUM_DRAFT = "This note is not signed yet: edit it instead of adding an addendum."
ERROR_ADDENDUM_WHO = (
    "Only the note's author or a clinician on the patient's care team can add an addendum."
)
ERROR_ADDENDUM_EMPTY = "Write the correction or addition."


@dataclasses.dataclass(frozen=True)
class SharedPart:
    """What the facilitator writes once for the whole group."""

    topic: str
    shared_text: str
    started_at: dt.datetime
    ended_at: dt.datetime
    modality: str
    module_code: str = ""
    interventions: Sequence[str] = ()


@dataclasses.dataclass(frozen=True)
class MemberPart:
    """What one member said and did, and the objectives of their plan it addressed."""

    individual_text: str
    objective_ids: Sequence[int]


@dataclasses.dataclass(frozen=True)
class Signed:
    """A signed group note: the member notes signed, how many took part, and whether the
    group was over the program's warning size."""

    group_note: GroupNote
    notes: Sequence[ProgressNote]
    participants: int
    over_warn_size: bool


def normalized(text: str) -> str:
    """Return ``text`` as the copy check compares it: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def copied_parts(parts: Mapping[int, str]) -> list[list[int]]:
    """Return the keys whose non-empty texts are identical once normalized, in sets of
    two or more (keys in the order given). Empty parts never count as copies."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for key, text in parts.items():
        norm = normalized(text)
        if norm:
            by_text[norm].append(key)
    return [keys for keys in by_text.values() if len(keys) > 1]


def warn_size() -> int:
    """Return the attendance over which a group is flagged as large (a warning only)."""
    return int(settings.TREATMENT_GROUP_WARN_SIZE)


def _require_facilitator(session: TherapySession, actor: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise Forbidden(ERROR_PERMISSION)
    if actor.pk not in (session.clinician_id, session.co_facilitator_id):
        raise Forbidden(ERROR_NOT_FACILITATOR)


def _locked_draft(group_note: GroupNote, actor: User) -> GroupNote:
    locked = GroupNote.objects.select_for_update().select_related("session").get(pk=group_note.pk)
    _require_facilitator(locked.session, actor)
    if locked.status != NoteStatus.DRAFT:
        raise StateConflict(ERROR_SIGNED)
    return locked


def _shared_check(shared: SharedPart) -> None:
    if shared.module_code and shared.module_code not in curriculum.BY_CODE:
        raise ValidationError({"module_code": ERROR_MODULE})
    if not set(shared.interventions) <= set(InterventionKind.values):
        raise ValidationError({"interventions": ERROR_INTERVENTION})
    if shared.ended_at <= shared.started_at:
        raise ValidationError({"ended_at": ERROR_TIMES})
    if shared.modality not in Modality.values:
        raise ValidationError({"modality": "Choose how the group met."})


def _names(patients: Iterable[Patient]) -> str:
    return ", ".join(p.display_name for p in patients)


def _member_notes_create(
    group_note: GroupNote,
    patients: Sequence[Patient],
    actor: User,
    now: dt.datetime,
    request: HttpRequest | None,
) -> list[ProgressNote]:
    """Create the draft notes of attending ``patients``: a constant number of queries, plus
    the audit events (one per member, in the member's chart)."""
    if not patients:
        return []
    episodes = {
        e.patient_id: e
        for e in EpisodeOfCare.objects.filter(patient__in=patients, ended_at__isnull=True).order_by(
            "-started_at"
        )
    }
    lacking = [p for p in patients if p.pk not in episodes]
    if lacking:
        raise StateConflict(ERROR_NO_EPISODE.format(names=_names(lacking)))
    objectives = selectors.plan_objectives_by_episode(e.pk for e in episodes.values())
    notes = []
    for patient in patients:
        note = ProgressNote(
            patient=patient,
            episode=episodes[patient.pk],
            session_id=group_note.session_id,
            group_note=group_note,
            author=actor,
            format=NoteFormat(settings.TREATMENT_NOTE_FORMAT),
            started_at=group_note.started_at,
            ended_at=group_note.ended_at,
            modality=group_note.modality,
            interventions=list(group_note.interventions),
            module_code=group_note.module_code,
            created_at=now,
            updated_at=now,
        )
        # The relations were just loaded, and the database enforces one note per member:
        # the per-row lookups full_clean would run are spared (12 members, 72 queries).
        note.full_clean(
            exclude=["patient", "episode", "session", "group_note", "author"],
            validate_unique=False,
            validate_constraints=False,
        )
        notes.append(note)
    ProgressNote.objects.bulk_create(notes)
    through = ProgressNote.objectives.through
    through.objects.bulk_create(
        through(progressnote_id=note.pk, planobjective_id=objective.pk)
        for note in notes
        for objective in objectives.get(note.episode_id, [])
    )
    for note in notes:
        audit_record(
            action=Action.CREATE,
            actor=actor,
            request=request,
            patient_id=note.patient_id,
            object_type=NOTE_OBJECT_TYPE,
            object_id=note.pk,
            detail={"group_note": group_note.pk},
        )
    return notes


@transaction.atomic
def group_note_start(
    *,
    actor: User,
    session: TherapySession,
    shared: SharedPart,
    absent: Mapping[int, str] | None = None,
    request: HttpRequest | None = None,
) -> GroupNote:
    """Start the group note of ``session``: the shared part, attendance for the active
    roster (present, unless ``absent`` gives a patient id's reason) and a prefilled draft
    note for each member present."""
    session = TherapySession.objects.select_for_update().get(pk=session.pk)
    _require_facilitator(session, actor)
    if session.kind != SessionKind.GROUP:
        raise StateConflict(ERROR_NOT_GROUP)
    if session.status != SessionStatus.SCHEDULED:
        raise StateConflict(ERROR_SESSION_CLOSED)
    if GroupNote.objects.filter(session=session).exists():
        raise StateConflict(ERROR_STARTED)
    _shared_check(shared)
    absent = absent or {}
    if any(not reason.strip() for reason in absent.values()):
        raise ValidationError({"absent_reason": ERROR_REASON})
    now = timezone.now()
    group_note = GroupNote(
        session=session,
        topic=shared.topic.strip(),
        module_code=shared.module_code,
        interventions=list(shared.interventions),
        shared_text=shared.shared_text.strip(),
        started_at=shared.started_at,
        ended_at=shared.ended_at,
        modality=shared.modality,
        author=actor,
        created_at=now,
    )
    group_note.full_clean(exclude=["session", "author"], validate_unique=False)
    group_note.save()
    roster = [
        m.patient
        for m in GroupMember.objects.filter(group_id=session.group_id, active=True)
        .select_related("patient")
        .order_by("patient__legal_family_name", "patient__legal_given_name", "pk")
    ]
    GroupAttendance.objects.bulk_create(
        GroupAttendance(
            group_note=group_note,
            patient=p,
            status=Attendance.ABSENT if p.pk in absent else Attendance.PRESENT,
            absent_reason=absent.get(p.pk, "").strip()[:200],
        )
        for p in roster
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        object_type=GROUP_NOTE_OBJECT_TYPE,
        object_id=group_note.pk,
        detail={"session": session.pk, "members": len(roster), "module": shared.module_code},
    )
    attending = [p for p in roster if p.pk not in absent]
    _member_notes_create(group_note, attending, actor, now, request)
    return group_note


@transaction.atomic
def group_note_update(
    *,
    actor: User,
    group_note: GroupNote,
    shared: SharedPart,
    request: HttpRequest | None = None,
) -> GroupNote:
    """Change the shared part of a draft, and what the member notes copy of it."""
    group_note = _locked_draft(group_note, actor)
    _shared_check(shared)
    group_note.topic = shared.topic.strip()
    group_note.shared_text = shared.shared_text.strip()
    group_note.module_code = shared.module_code
    group_note.interventions = list(shared.interventions)
    group_note.started_at = shared.started_at
    group_note.ended_at = shared.ended_at
    group_note.modality = shared.modality
    group_note.full_clean(exclude=["session", "author"], validate_unique=False)
    group_note.save()
    ProgressNote.objects.filter(group_note=group_note).update(
        started_at=group_note.started_at,
        ended_at=group_note.ended_at,
        modality=group_note.modality,
        interventions=group_note.interventions,
        module_code=group_note.module_code,
        updated_at=timezone.now(),
    )
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        object_type=GROUP_NOTE_OBJECT_TYPE,
        object_id=group_note.pk,
        detail={"module": group_note.module_code},
    )
    return group_note


@transaction.atomic
def attendance_set(
    *,
    actor: User,
    group_note: GroupNote,
    patient: Patient,
    status: str,
    absent_reason: str = "",
    request: HttpRequest | None = None,
) -> GroupAttendance:
    """Record one member's attendance. Marking them absent (with a reason) deletes their
    draft note; marking them as attending creates it, prefilled."""
    group_note = _locked_draft(group_note, actor)
    row = GroupAttendance.objects.filter(group_note=group_note, patient=patient).first()
    if row is None:
        raise StateConflict(ERROR_NOT_ON_NOTE)
    if status not in Attendance.values:
        raise ValidationError({"status": "Choose present, late, left early or absent."})
    reason = absent_reason.strip()
    if status == Attendance.ABSENT and not reason:
        raise ValidationError({"absent_reason": ERROR_REASON})
    was_attending = row.status in ATTENDED
    row.status = status
    row.absent_reason = reason[:200] if status == Attendance.ABSENT else ""
    row.full_clean(exclude=["group_note", "patient"], validate_unique=False)
    row.save(update_fields=["status", "absent_reason"])
    if was_attending and status == Attendance.ABSENT:
        ProgressNote.objects.filter(group_note=group_note, patient=patient).delete()
    elif not was_attending and status in ATTENDED:
        _member_notes_create(group_note, [patient], actor, timezone.now(), request)
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=GROUP_NOTE_OBJECT_TYPE,
        object_id=group_note.pk,
        detail={"attendance": status},
    )
    return row


def _parts_apply(
    group_note: GroupNote,
    parts: Mapping[int, MemberPart],
    actor: User,
    request: HttpRequest | None,
) -> list[ProgressNote]:
    """Write the individual parts (by patient id) of a locked draft: a constant number of
    queries, plus one audit event per note that changed."""
    notes = {
        n.patient_id: n
        for n in ProgressNote.objects.filter(
            group_note=group_note, patient_id__in=parts.keys()
        ).prefetch_related("objectives")
    }
    if set(parts) - notes.keys():
        raise StateConflict(ERROR_NOT_ATTENDING)
    allowed = selectors.plan_objectives_by_episode(n.episode_id for n in notes.values())
    now = timezone.now()
    changed: list[tuple[ProgressNote, set[int]]] = []
    for patient_id, part in parts.items():
        note = notes[patient_id]
        chosen = set(part.objective_ids)
        if not chosen <= {o.pk for o in allowed.get(note.episode_id, [])}:
            raise ValidationError({"objectives": ERROR_OBJECTIVE})
        text = part.individual_text.strip()
        before = {o.pk for o in note.objectives.all()}
        if text == note.individual_text and chosen == before:
            continue
        note.individual_text = text
        note.updated_at = now
        changed.append((note, chosen))
    if not changed:
        return []
    ProgressNote.objects.bulk_update([n for n, _ in changed], ["individual_text", "updated_at"])
    through = ProgressNote.objectives.through
    through.objects.filter(progressnote_id__in=[n.pk for n, _ in changed]).delete()
    through.objects.bulk_create(
        through(progressnote_id=n.pk, planobjective_id=pk) for n, chosen in changed for pk in chosen
    )
    for note, chosen in changed:
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            request=request,
            patient_id=note.patient_id,
            object_type=NOTE_OBJECT_TYPE,
            object_id=note.pk,
            detail={"objectives": sorted(chosen)},
        )
    return [n for n, _ in changed]


@transaction.atomic
def member_note_individualize(
    *,
    actor: User,
    note: ProgressNote,
    individual_text: str,
    objective_ids: Sequence[int],
    request: HttpRequest | None = None,
) -> ProgressNote:
    """Write what one member said and did, and tick the objectives of their plan it
    addressed."""
    if note.group_note_id is None:
        raise StateConflict(ERROR_NOT_GROUP)
    group_note = _locked_draft(GroupNote(pk=note.group_note_id), actor)
    _parts_apply(
        group_note, {note.patient_id: MemberPart(individual_text, objective_ids)}, actor, request
    )
    return ProgressNote.objects.get(pk=note.pk)


@transaction.atomic
def group_note_save(
    *,
    actor: User,
    group_note: GroupNote,
    shared: SharedPart,
    attendance: Mapping[int, tuple[str, str]],
    parts: Mapping[int, MemberPart],
    request: HttpRequest | None = None,
) -> GroupNote:
    """Save the whole page at once: the shared part, attendance (patient id to status
    and reason) and the individual parts of those attending."""
    group_note = group_note_update(
        actor=actor, group_note=group_note, shared=shared, request=request
    )
    current = {
        a.patient_id: a
        for a in GroupAttendance.objects.filter(group_note=group_note).select_related("patient")
    }
    for patient_id, (status, reason) in attendance.items():
        row = current.get(patient_id)
        if row is None:
            raise StateConflict(ERROR_NOT_ON_NOTE)
        if row.status != status or (
            status == Attendance.ABSENT and row.absent_reason != reason.strip()
        ):
            attendance_set(
                actor=actor,
                group_note=group_note,
                patient=row.patient,
                status=status,
                absent_reason=reason,
                request=request,
            )
            row.status = status
    attending = {pid for pid, row in current.items() if row.status in ATTENDED}
    _parts_apply(
        group_note, {pid: p for pid, p in parts.items() if pid in attending}, actor, request
    )
    return group_note


@transaction.atomic
def group_note_sign(
    *,
    actor: User,
    group_note: GroupNote,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Signed:
    """Sign the group note and every member note in its member's chart, at once.

    Refuse (StateConflict, nothing changes) when a member's individual part is the same
    as another's. Each member note gets the participant count, the late-entry mark and
    the golden thread's flags, and its own audit event; flagged notes alert the author
    and the member's supervisor. The session is held.
    """
    group_note = _locked_draft(group_note, actor)
    now = now or timezone.now()
    notes = list(
        ProgressNote.objects.filter(group_note=group_note)
        .select_related("patient", "episode")
        .annotate(objective_count=Count("objectives"))
        .order_by("patient__legal_family_name", "patient__legal_given_name", "pk")
    )
    if not notes:
        raise StateConflict(ERROR_NOBODY)
    copies = copied_parts({n.pk: n.individual_text for n in notes})
    if copies:
        by_pk = {n.pk: n.patient for n in notes}
        names = "; ".join(" and ".join(by_pk[pk].display_name for pk in keys) for keys in copies)
        raise StateConflict(ERROR_COPIED.format(names=names))
    participants = len(notes)
    late = thread.is_late(group_note.ended_at, now)
    for note in notes:
        note.status = NoteStatus.SIGNED
        note.signed_at = now
        note.late_entry = late
        note.flags = thread.note_flags(objective_count=note.objective_count, late=late)
        note.sections = {**note.sections, PARTICIPANTS: participants}
        note.updated_at = now
    ProgressNote.objects.bulk_update(
        notes, ["status", "signed_at", "late_entry", "flags", "sections", "updated_at"]
    )
    group_note.status = NoteStatus.SIGNED
    group_note.signed_at = now
    group_note.late_entry = late
    group_note.save(update_fields=["status", "signed_at", "late_entry"])
    TherapySession.objects.filter(pk=group_note.session_id).update(status=SessionStatus.HELD)
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        object_type=GROUP_NOTE_OBJECT_TYPE,
        object_id=group_note.pk,
        detail={"signed": True, "participants": participants, "late_entry": late},
    )
    for note in notes:
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            request=request,
            patient_id=note.patient_id,
            object_type=NOTE_OBJECT_TYPE,
            object_id=note.pk,
            detail={"signed": True, "group_note": group_note.pk, "flags": note.flags},
        )
    TimelineEvent.objects.bulk_create(
        timeline_entry(
            patient=note.patient,
            episode=note.episode,
            kind=TimelineKind.NOTE,
            summary="Group session note signed" + (" (late entry)" if late else ""),
            actor=actor,
            occurred_at=now,
        )
        for note in notes
    )
    flagged = [n for n in notes if n.flags]
    # The golden thread across each member's plan: objectives no note addressed lately.
    stale = thread.objectives_unaddressed_many(episodes=[n.episode for n in notes], now=now)
    if flagged or stale:
        supervisors = thread.supervisors_by_patient(
            n.patient_id for n in notes if n.flags or n.episode_id in stale
        )
        for note in flagged:
            thread.thread_flags_raise(
                patient=note.patient,
                episode=note.episode,
                flags=note.flags,
                author=actor,
                source_type=NOTE_OBJECT_TYPE,
                source_id=note.pk,
                supervisors=supervisors[note.patient_id],
            )
        for note in notes:
            if note.episode_id in stale:
                thread.unaddressed_flags_raise(
                    patient=note.patient,
                    episode=note.episode,
                    author=actor,
                    now=now,
                    supervisors=supervisors[note.patient_id],
                    stale=stale[note.episode_id],
                )
    return Signed(group_note, notes, participants, participants > warn_size())


@transaction.atomic
def note_addendum_add(
    *, actor: User, note: ProgressNote, text: str, request: HttpRequest | None = None
) -> NoteAddendum:
    """Add a correction or addition to a signed note (individual or member note).

    The note's author may, and so may a clinician who writes notes and is on the
    patient's active care team.
    """
    note = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.SIGNED:
        raise StateConflict(ERROR_ADDENDUM_DRAFT)
    on_team = CareTeamMember.objects.filter(
        patient_id=note.patient_id, user=actor, active=True
    ).exists()
    if actor.pk != note.author_id and not (actor.has_perm(PERMISSION) and on_team):
        raise Forbidden(ERROR_ADDENDUM_WHO)
    if not text.strip():
        raise ValidationError({"text": ERROR_ADDENDUM_EMPTY})
    addendum = NoteAddendum(note=note, text=text.strip(), author=actor, created_at=timezone.now())
    addendum.full_clean(exclude=["note", "author"])
    addendum.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=note.patient_id,
        object_type=ADDENDUM_OBJECT_TYPE,
        object_id=addendum.pk,
        detail={"note": note.pk},
    )
    return addendum


@transaction.atomic
def group_note_compose(
    *,
    actor: User,
    session: TherapySession,
    shared: SharedPart,
    attendance: Mapping[int, tuple[str, str]],
    parts: Mapping[int, MemberPart],
    request: HttpRequest | None = None,
) -> GroupNote:
    """Save the session page at once: start the group note (the members marked absent
    in ``attendance`` get no note) or update it, then write the individual parts."""
    group_note = GroupNote.objects.filter(session=session).first()
    if group_note is None:
        absent = {pid: r for pid, (s, r) in attendance.items() if s == Attendance.ABSENT}
        group_note = group_note_start(
            actor=actor, session=session, shared=shared, absent=absent, request=request
        )
        # Late and left early are attending: their notes exist; only the mark changes.
        attendance = {pid: a for pid, a in attendance.items() if a[0] != Attendance.ABSENT}
    return group_note_save(
        actor=actor,
        group_note=group_note,
        shared=shared,
        attendance=attendance,
        parts=parts,
        request=request,
    )
