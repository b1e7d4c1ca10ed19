"""Writes to the patient record. Each service is atomic and audits itself."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import CARE_TEAM_PERMISSION
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import StateConflict
from openrecovery.core.prepared import PreparedQuery

from .choices import CareTeamRole, Stage, TimelineKind
from .models import CareTeamMember, EpisodeOfCare, Patient, StageTransition, TimelineEvent
from .stages import ALLOWED_MOVES, DISCHARGE_FROM, READMISSION_STAGES

ERROR_MOVE_NOT_ALLOWED = "An episode in %(from)s cannot move to %(to)s."
ERROR_REASON_REQUIRED = "Give a reason for this move."
ERROR_DISCHARGE_REQUIRED = "Choose how the episode ended."
ERROR_DISCHARGE_NOT_ALLOWED = "That discharge type does not apply when leaving %(from)s."
ERROR_EPISODE_CLOSED = "This episode is closed; readmit the patient as a new episode."
ERROR_OPEN_EPISODE_EXISTS = "This patient already has an open episode."
ERROR_READMISSION_STAGE = "A readmission starts at inquiry or assessment."
ERROR_ALREADY_ON_TEAM = "This staff member is already on the care team."
ERROR_NOT_CARE_STAFF = "Choose a staff member whose role cares for patients."


_PATIENT_LOCK = PreparedQuery(
    lambda patient_id: Patient.objects.select_for_update().filter(pk=patient_id).values_list("pk")
)


def patient_lock(patient: Patient) -> None:
    """Lock the patient's row until the transaction ends: one writer at a time per patient.

    For writes that must look before they add ("one open task of a kind", "one draft
    plan"): a second writer waits here, then sees what the first one added. SQLite has no
    ``FOR UPDATE``; its IMMEDIATE transactions already hold the one write lock.
    """
    _PATIENT_LOCK.fetch(patient_id=patient.pk)


def timeline_add(
    *,
    patient: Patient,
    kind: str,
    summary: str,
    actor: User | None = None,
    episode: EpisodeOfCare | None = None,
    occurred_at: dt.datetime | None = None,
) -> TimelineEvent:
    """Add an entry to a patient's timeline (the caller audits the underlying write)."""
    event = timeline_entry(
        patient=patient,
        kind=kind,
        summary=summary,
        actor=actor,
        episode=episode,
        occurred_at=occurred_at,
    )
    event.save(force_insert=True)
    return event


def timeline_entry(
    *,
    patient: Patient,
    kind: str,
    summary: str,
    actor: User | None = None,
    episode: EpisodeOfCare | None = None,
    occurred_at: dt.datetime | None = None,
) -> TimelineEvent:
    """Return a new, unsaved timeline entry, for a write that stores it with its own row
    in one statement (``audit_insert(..., also=[entry])``); ``timeline_add`` saves one."""
    return TimelineEvent(
        patient=patient,
        episode=episode,
        kind=kind,
        summary=summary[:300],
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
    )


@transaction.atomic
def patient_register(
    *, actor: User, request: HttpRequest | None = None, stage: str = Stage.INQUIRY, **fields: Any
) -> Patient:
    """Register a patient and open their first episode at ``stage``. Return the patient."""
    patient = Patient(**fields)
    patient.full_clean()
    patient.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type="patient",
        object_id=patient.pk,
    )
    timeline_add(patient=patient, kind=TimelineKind.REGISTERED, summary="Registered", actor=actor)
    _episode_open(
        actor=actor, request=request, patient=patient, stage=stage, reason="First contact"
    )
    return patient


def _episode_open(
    *,
    actor: User,
    request: HttpRequest | None,
    patient: Patient,
    stage: str,
    reason: str,
    previous: EpisodeOfCare | None = None,
) -> EpisodeOfCare:
    now = timezone.now()
    episode = EpisodeOfCare.objects.create(
        patient=patient,
        stage=stage,
        started_at=now,
        stage_changed_at=now,
        previous_episode=previous,
    )
    StageTransition.objects.create(
        episode=episode, from_stage="", to_stage=stage, reason=reason, moved_by=actor, moved_at=now
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type="episode",
        object_id=episode.pk,
        detail={"stage": stage},
    )
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.EPISODE_OPENED,
        actor=actor,
        summary=f"Episode opened at {Stage(stage).label}: {reason}",
        occurred_at=now,
    )
    return episode


@transaction.atomic
def episode_move_stage(
    *,
    actor: User,
    episode: EpisodeOfCare,
    to_stage: str,
    reason: str,
    discharge_type: str = "",
    request: HttpRequest | None = None,
) -> EpisodeOfCare:
    """Move an open episode to ``to_stage`` if the stage machine allows it.

    Closing needs a discharge type that fits the stage being left (for example
    "against advice" only from withdrawal management, treatment or aftercare).
    Raise StateConflict, changing nothing, when the episode's stage does not allow the
    move, and ValidationError for a missing reason or an unfitting discharge type.
    """
    episode = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
    from_stage = episode.stage
    reason = reason.strip()
    if episode.ended_at is not None:
        raise StateConflict(ERROR_EPISODE_CLOSED)
    if to_stage not in ALLOWED_MOVES.get(from_stage, ()):
        raise StateConflict(
            ERROR_MOVE_NOT_ALLOWED % {"from": Stage(from_stage).label, "to": to_stage}
        )
    if not reason:
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    now = timezone.now()
    if to_stage == Stage.CLOSED:
        if not discharge_type:
            raise ValidationError({"discharge_type": ERROR_DISCHARGE_REQUIRED})
        if from_stage not in DISCHARGE_FROM.get(discharge_type, ()):
            raise ValidationError(
                {
                    "discharge_type": ValidationError(
                        ERROR_DISCHARGE_NOT_ALLOWED, params={"from": Stage(from_stage).label}
                    )
                }
            )
        episode.ended_at = now
        episode.discharge_type = discharge_type
    episode.stage = to_stage
    episode.stage_changed_at = now
    episode.save(
        update_fields=["stage", "stage_changed_at", "ended_at", "discharge_type", "updated_at"]
    )
    StageTransition.objects.create(
        episode=episode,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        moved_by=actor,
        moved_at=now,
    )
    audit_record(
        action=Action.STAGE_CHANGE,
        actor=actor,
        request=request,
        patient_id=episode.patient_id,
        object_type="episode",
        object_id=episode.pk,
        detail={"from": from_stage, "to": to_stage, "discharge_type": discharge_type},
    )
    summary = f"{Stage(from_stage).label} → {Stage(to_stage).label}: {reason}"
    timeline_add(
        patient=episode.patient,
        episode=episode,
        kind=TimelineKind.STAGE_CHANGED,
        summary=summary,
        actor=actor,
        occurred_at=now,
    )
    return episode


@transaction.atomic
def episode_readmit(
    *,
    actor: User,
    patient: Patient,
    reason: str,
    stage: str = Stage.INQUIRY,
    request: HttpRequest | None = None,
) -> EpisodeOfCare:
    """Open a new episode for a patient whose previous episodes are all closed.

    Raise StateConflict while the patient has an open episode.
    """
    if stage not in READMISSION_STAGES:
        raise ValidationError({"stage": ERROR_READMISSION_STAGE})
    if not reason.strip():
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    Patient.objects.select_for_update().get(pk=patient.pk)
    episodes = EpisodeOfCare.objects.filter(patient=patient)
    if episodes.filter(ended_at__isnull=True).exists():
        raise StateConflict(ERROR_OPEN_EPISODE_EXISTS)
    previous = episodes.order_by("-started_at").first()
    return _episode_open(
        actor=actor,
        request=request,
        patient=patient,
        stage=stage,
        reason=f"Readmission: {reason.strip()}",
        previous=previous,
    )


@transaction.atomic
def care_team_add(
    *,
    actor: User,
    patient: Patient,
    user: User,
    team_role: str,
    request: HttpRequest | None = None,
) -> CareTeamMember:
    """Put a staff member on a patient's care team (active, in a role that opens charts)."""
    if team_role not in CareTeamRole.values:
        raise ValidationError({"team_role": "Choose a role on the team."})
    if not user.is_active or not user.has_perm(CARE_TEAM_PERMISSION):
        raise ValidationError({"user": ERROR_NOT_CARE_STAFF})
    if CareTeamMember.objects.filter(patient=patient, user=user, active=True).exists():
        raise ValidationError({"user": ERROR_ALREADY_ON_TEAM})
    member = CareTeamMember.objects.create(patient=patient, user=user, team_role=team_role)
    audit_record(
        action=Action.CARE_TEAM_CHANGE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type="care_team_member",
        object_id=member.pk,
        detail={"added_user": user.pk, "team_role": team_role},
    )
    timeline_add(
        patient=patient,
        kind=TimelineKind.CARE_TEAM,
        actor=actor,
        summary=f"{user} joined the care team as {CareTeamRole(team_role).label}",
    )
    return member


@transaction.atomic
def care_team_remove(
    *, actor: User, member: CareTeamMember, request: HttpRequest | None = None
) -> None:
    """End a staff member's place on a care team (the row is kept for history)."""
    member.active = False
    member.save(update_fields=["active", "updated_at"])
    audit_record(
        action=Action.CARE_TEAM_CHANGE,
        actor=actor,
        request=request,
        patient_id=member.patient_id,
        object_type="care_team_member",
        object_id=member.pk,
        detail={"removed_user": member.user_id},
    )
    timeline_add(
        patient=member.patient,
        kind=TimelineKind.CARE_TEAM,
        actor=actor,
        summary=f"{member.user} left the care team",
    )
