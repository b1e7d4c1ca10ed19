"""Groups, their rosters and the calendar: recurring group sessions and individual ones.

A group meets weekly (weekday, start time, minutes) in a room or on a video link, run by
a facilitator and perhaps a co-facilitator. Its roster holds patients whose charts the
facilitator may open. Sessions are scheduled ahead week by week (once per start time:
scheduling again adds only what is missing). Every write is atomic and audited, with
ids and codes only in the audit log.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.privacy.choices import AccessBasis
from openrecovery.privacy.gates import access_basis
from openrecovery.records.models import Patient

from ..choices import SessionKind, SessionStatus
from ..models import GroupMember, TherapySession, TreatmentGroup

GROUP_OBJECT_TYPE = "treatment_group"
MEMBER_OBJECT_TYPE = "group_member"
SESSION_OBJECT_TYPE = "therapy_session"
PERMISSION = "treatment.write_notes"
MAX_WEEKS = 26

ERROR_PERMISSION = "Only clinicians who write session notes can run groups and sessions."
ERROR_NOT_RUNNING = "Only the group's facilitators or a clinical director can change it."
ERROR_FACILITATOR_ROLE = "The facilitator must be a clinician who writes session notes."
ERROR_SAME_FACILITATOR = "The co-facilitator must be someone other than the facilitator."
ERROR_PLACE = "Give a room or a video link."
ERROR_WEEKDAY = "Choose a day of the week."
ERROR_CHART_CLOSED = (
    "The facilitator cannot open this patient's chart: add them to the patient's care team first."
)
ERROR_CLINICIAN_CHART = (
    "The clinician cannot open this patient's chart: add them to the care team first."
)
ERROR_ALREADY_MEMBER = "This patient is already on the group's roster."
ERROR_NOT_MEMBER = "This patient is not on the group's roster."
ERROR_WEEKS = f"Schedule between 1 and {MAX_WEEKS} weeks ahead."
ERROR_INACTIVE = "This group no longer meets."
ERROR_SESSION_ORDER = "The session must end after it starts."
ERROR_NOT_SCHEDULED = "Only a scheduled session can be cancelled."
ERROR_NOT_YOURS = "Only the session's clinician or a clinical director can change it."

# The bases on which a facilitator may see a member's chart (break-glass is for emergencies,
# not for running a group).
_ROUTINE_BASES = frozenset({AccessBasis.CARE_TEAM, AccessBasis.COVERAGE})


def _require_writer(actor: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise Forbidden(ERROR_PERMISSION)


def group_runs(group: TreatmentGroup, user: User) -> bool:
    """Return whether ``user`` runs ``group`` (a facilitator) or directs the program."""
    return user.pk in (group.facilitator_id, group.co_facilitator_id) or (
        user.role == Role.CLINICAL_DIRECTOR
    )


def _require_runs(group: TreatmentGroup, actor: User) -> None:
    _require_writer(actor)
    if not group_runs(group, actor):
        raise Forbidden(ERROR_NOT_RUNNING)


@transaction.atomic
def group_create(
    *,
    actor: User,
    name: str,
    facilitator: User,
    weekday: int,
    start_time: dt.time,
    minutes: int = 60,
    co_facilitator: User | None = None,
    room: str = "",
    video_link: str = "",
    curriculum: bool = True,
    request: HttpRequest | None = None,
) -> TreatmentGroup:
    """Create a recurring group run by ``facilitator`` (and ``co_facilitator``)."""
    _require_writer(actor)
    if not facilitator.is_active or not facilitator.has_perm(PERMISSION):
        raise ValidationError({"facilitator": ERROR_FACILITATOR_ROLE})
    if co_facilitator is not None:
        if co_facilitator.pk == facilitator.pk:
            raise ValidationError({"co_facilitator": ERROR_SAME_FACILITATOR})
        if not co_facilitator.is_active or not co_facilitator.has_perm(PERMISSION):
            raise ValidationError({"co_facilitator": ERROR_FACILITATOR_ROLE})
    if not room.strip() and not video_link.strip():
        raise ValidationError({"room": ERROR_PLACE})
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": ERROR_WEEKDAY})
    group = TreatmentGroup(
        name=name.strip(),
        facilitator=facilitator,
        co_facilitator=co_facilitator,
        weekday=weekday,
        start_time=start_time,
        minutes=minutes,
        room=room.strip(),
        video_link=video_link.strip(),
        curriculum=curriculum,
        created_at=timezone.now(),
    )
    group.full_clean()
    group.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        object_type=GROUP_OBJECT_TYPE,
        object_id=group.pk,
        detail={
            "facilitator": facilitator.pk,
            "co_facilitator": getattr(co_facilitator, "pk", None),
        },
    )
    return group


@transaction.atomic
def group_member_add(
    *,
    actor: User,
    group: TreatmentGroup,
    patient: Patient,
    request: HttpRequest | None = None,
) -> GroupMember:
    """Put ``patient`` on the roster (again, if they had left it).

    Forbidden unless the facilitator may open the patient's chart (care team); a
    StateConflict when the patient is on the roster already.
    """
    _require_runs(group, actor)
    if not group.active:
        raise StateConflict(ERROR_INACTIVE)
    if access_basis(group.facilitator, patient) not in _ROUTINE_BASES:
        raise Forbidden(ERROR_CHART_CLOSED)
    member = GroupMember.objects.filter(group=group, patient=patient).first()
    if member is not None and member.active:
        raise StateConflict(ERROR_ALREADY_MEMBER)
    if member is None:
        member = GroupMember(group=group, patient=patient, added_at=timezone.now())
    member.active = True
    member.added_at = timezone.now()
    member.full_clean(validate_unique=False, validate_constraints=False)
    member.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=MEMBER_OBJECT_TYPE,
        object_id=member.pk,
        detail={"group": group.pk},
    )
    return member


@transaction.atomic
def group_member_remove(
    *,
    actor: User,
    group: TreatmentGroup,
    patient: Patient,
    request: HttpRequest | None = None,
) -> GroupMember:
    """Take ``patient`` off the roster (their notes stay in their chart)."""
    _require_runs(group, actor)
    member = GroupMember.objects.filter(group=group, patient=patient, active=True).first()
    if member is None:
        raise StateConflict(ERROR_NOT_MEMBER)
    member.active = False
    member.save(update_fields=["active"])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=MEMBER_OBJECT_TYPE,
        object_id=member.pk,
        detail={"group": group.pk, "active": False},
    )
    return member


def _meeting_times(group: TreatmentGroup, today: dt.date, weeks: int) -> list[dt.datetime]:
    first = today + dt.timedelta(days=(group.weekday - today.weekday()) % 7)
    zone = timezone.get_current_timezone()
    return [
        dt.datetime.combine(first + dt.timedelta(weeks=n), group.start_time, tzinfo=zone)
        for n in range(weeks)
    ]


@transaction.atomic
def group_sessions_schedule(
    *,
    actor: User,
    group: TreatmentGroup,
    weeks: int,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> list[TherapySession]:
    """Schedule the group's sessions for the next ``weeks`` weeks; return the new ones.

    Idempotent: a meeting already on the calendar (the same start) is not added again.
    """
    _require_runs(group, actor)
    if not group.active:
        raise StateConflict(ERROR_INACTIVE)
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError({"weeks": ERROR_WEEKS})
    now = now or timezone.now()
    times = [t for t in _meeting_times(group, timezone.localdate(now), weeks) if t > now]
    taken = set(
        TherapySession.objects.filter(group=group, starts_at__in=times).values_list(
            "starts_at", flat=True
        )
    )
    fresh = []
    for starts_at in times:
        if starts_at in taken:
            continue
        session = TherapySession(
            kind=SessionKind.GROUP,
            group=group,
            clinician_id=group.facilitator_id,
            co_facilitator_id=group.co_facilitator_id,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=group.minutes),
            room=group.room,
            video_link=group.video_link,
        )
        # The database's unique (group, starts_at) is the final word; the lookup above
        # already left out what exists, so the per-row uniqueness queries are spared.
        session.full_clean(exclude=["group", "clinician", "co_facilitator"], validate_unique=False)
        fresh.append(session)
    TherapySession.objects.bulk_create(fresh)
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        object_type=GROUP_OBJECT_TYPE,
        object_id=group.pk,
        detail={"weeks": weeks, "sessions_added": [s.pk for s in fresh]},
    )
    return fresh


@transaction.atomic
def individual_session_schedule(
    *,
    actor: User,
    patient: Patient,
    clinician: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str = "",
    video_link: str = "",
    request: HttpRequest | None = None,
) -> TherapySession:
    """Put an individual session of ``patient`` with ``clinician`` on the calendar."""
    _require_writer(actor)
    if actor.pk != clinician.pk and actor.role != Role.CLINICAL_DIRECTOR:
        raise Forbidden(ERROR_NOT_YOURS)
    if not clinician.is_active or not clinician.has_perm(PERMISSION):
        raise ValidationError({"clinician": ERROR_FACILITATOR_ROLE})
    if access_basis(clinician, patient) not in _ROUTINE_BASES:
        raise Forbidden(ERROR_CLINICIAN_CHART)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ERROR_SESSION_ORDER})
    session = TherapySession(
        kind=SessionKind.INDIVIDUAL,
        patient=patient,
        clinician=clinician,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room.strip(),
        video_link=video_link.strip(),
    )
    session.full_clean()
    session.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=SESSION_OBJECT_TYPE,
        object_id=session.pk,
        detail={"kind": SessionKind.INDIVIDUAL, "clinician": clinician.pk},
    )
    return session


@transaction.atomic
def session_cancel(
    *, actor: User, session: TherapySession, request: HttpRequest | None = None
) -> TherapySession:
    """Cancel a scheduled session (a held one stays held: its notes are in charts)."""
    _require_writer(actor)
    # Lock the session row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to the group.
    session = (
        TherapySession.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=session.pk)
    )
    allowed = (
        group_runs(session.group, actor)
        if session.group is not None
        else actor.pk == session.clinician_id or actor.role == Role.CLINICAL_DIRECTOR
    )
    if not allowed:
        raise Forbidden(ERROR_NOT_YOURS)
    if session.status != SessionStatus.SCHEDULED:
        raise StateConflict(ERROR_NOT_SCHEDULED)
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=session.patient_id,
        object_type=SESSION_OBJECT_TYPE,
        object_id=session.pk,
        detail={"status": SessionStatus.CANCELLED},
    )
    return session
