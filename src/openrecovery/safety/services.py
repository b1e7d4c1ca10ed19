"""Writes of the suicide-risk pathway: owed screens, risk levels and what each level opens.

Each service is atomic and audited (ids and codes only: the level itself is a clinical
value and stays out of the audit log, like every score).
"""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.instruments.reactions import FollowUp, Recorded
from openrecovery.instruments.services import OBJECT_TYPE as ADMINISTRATION
from openrecovery.records.choices import TaskKind, TimelineKind
from openrecovery.records.models import CareTeamMember, ClinicalTask, EpisodeOfCare, Patient
from openrecovery.records.services import timeline_add
from openrecovery.records.tasks import task_open, tasks_close_by

from .choices import RiskLevel
from .models import RiskAssessment
from .triage import CSSRS_OWED_WITHIN, TaskRule, triage

OBJECT_TYPE = "suicide_risk_level"
CSSRS = "cssrs"
# A flag of this code on any instrument is a positive suicide-risk screen (PHQ-9 item 9).
SUICIDE_RISK_FLAG = "suicide_risk"
# Who may take a behavioral-health consult, in order of preference.
CONSULT_ROLES = (Role.COUNSELOR, Role.PHYSICIAN, Role.CLINICAL_DIRECTOR)


def _open_episode(patient: Patient) -> EpisodeOfCare | None:
    return EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()


def cssrs_owed_open(
    *,
    patient: Patient,
    source_type: str,
    source_id: str | int,
    actor: User | None,
    episode: EpisodeOfCare | None = None,
    request: HttpRequest | None = None,
) -> list[ClinicalTask]:
    """Open the "C-SSRS owed" task after a positive screen; return it if newly opened.

    One open task per patient: a second positive screen before the C-SSRS is recorded
    finds the open one.
    """
    now = timezone.now()
    opened = task_open(
        patient=patient,
        kind=TaskKind.CSSRS_OWED,
        source_type=source_type,
        source_id=source_id,
        due_at=now + CSSRS_OWED_WITHIN,
        episode=episode if episode is not None else _open_episode(patient),
        actor=actor,
        request=request,
        now=now,
    )
    return [opened.task] if opened.created else []


def _consult_clinician(patient: Patient) -> User | None:
    members = {
        m.user.role: m.user
        for m in CareTeamMember.objects.filter(
            patient=patient, active=True, user__is_active=True, user__role__in=CONSULT_ROLES
        )
        .select_related("user")
        .order_by("-pk")  # the earliest member of a role wins
    }
    return next((members[role] for role in CONSULT_ROLES if role in members), None)


def _level_tasks(
    rules: tuple[TaskRule, ...],
    assessment: RiskAssessment,
    actor: User,
    request: HttpRequest | None,
) -> list[ClinicalTask]:
    opened = []
    for rule in rules:
        result = task_open(
            patient=assessment.patient,
            kind=rule.kind,
            source_type=OBJECT_TYPE,
            source_id=assessment.pk,
            due_at=assessment.assessed_at + rule.due_within,
            assigned_to=_consult_clinician(assessment.patient)
            if rule.assign == "clinician"
            else None,
            episode=assessment.episode,
            actor=actor,
            request=request,
        )
        if result.created:
            opened.append(result.task)
    return opened


@transaction.atomic
def risk_level_record(
    *,
    patient: Patient,
    level: RiskLevel,
    actor: User,
    source_type: str,
    source_id: str | int,
    episode: EpisodeOfCare | None = None,
    assessed_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[RiskAssessment, list[ClinicalTask]]:
    """Record the patient's current suicide-risk level and open what the level calls for."""
    assessment = RiskAssessment.objects.create(
        patient=patient,
        episode=episode,
        level=level,
        assessed_at=assessed_at or timezone.now(),
        assessed_by=actor,
        source_type=source_type,
        source_id=str(source_id),
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=OBJECT_TYPE,
        object_id=assessment.pk,
        detail={"source_type": source_type, "source_id": str(source_id)},
    )
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary=f"Suicide-risk level recorded: {RiskLevel(level).label}",
        actor=actor,
        occurred_at=assessment.assessed_at,
    )
    action = triage()[level]
    return assessment, _level_tasks(action.tasks, assessment, actor, request)


def administration_follow_up(recorded: Recorded) -> FollowUp:
    """React to a recorded instrument (registered with ``instruments.reactions``).

    A suicide-risk flag owes a C-SSRS. A C-SSRS result closes what was owed, becomes
    the patient's current risk level and opens what that level calls for.
    """
    administration = recorded.administration
    follow_up = FollowUp()
    if SUICIDE_RISK_FLAG in administration.flags:
        follow_up.tasks += cssrs_owed_open(
            patient=recorded.patient,
            source_type=ADMINISTRATION,
            source_id=administration.pk,
            actor=recorded.actor,
            episode=recorded.episode,
            request=recorded.request,
        )
    if administration.code == CSSRS:
        tasks_close_by(
            patient=recorded.patient,
            kind=TaskKind.CSSRS_OWED,
            actor=recorded.actor,
            source_type=ADMINISTRATION,
            source_id=administration.pk,
            request=recorded.request,
        )
        _, opened = risk_level_record(
            patient=recorded.patient,
            level=RiskLevel(administration.band),
            actor=recorded.actor,
            source_type=ADMINISTRATION,
            source_id=administration.pk,
            episode=recorded.episode,
            assessed_at=administration.administered_at,
            request=recorded.request,
        )
        follow_up.tasks += opened
    return follow_up
