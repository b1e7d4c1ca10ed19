"""Writes of the suicide-risk pathway: owed screens, risk levels and what each level opens.

Each service is atomic and audited (ids and codes only: the level itself is a clinical
value and stays out of the audit log, like every score).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.instruments.reactions import FollowUp, Notice, Recorded
from openrecovery.instruments.services import OBJECT_TYPE as ADMINISTRATION
from openrecovery.records.alerts import alert_raise
from openrecovery.records.choices import AlertKind, Stage, TaskKind, TimelineKind
from openrecovery.records.models import (
    CareTeamMember,
    ClinicalAlert,
    ClinicalTask,
    EpisodeOfCare,
    Patient,
)
from openrecovery.records.services import episode_move_stage, patient_lock, timeline_add
from openrecovery.records.tasks import task_open, tasks_close_by

from .choices import RiskLevel
from .models import PrecautionChecklist, PrecautionStep, RiskAssessment, SafetyPlan
from .triage import CSSRS_OWED_WITHIN, TaskRule, precaution_steps, triage

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
) -> tuple[RiskAssessment, list[ClinicalTask], PrecautionChecklist | None]:
    """Record the patient's current suicide-risk level and open what the level calls for.

    Return the assessment, the tasks it opened and the precautions checklist it opened
    (None when the level calls for none or one was open already).
    """
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
    checklist = None
    if action.precautions:
        opened, created = precautions_open(assessment=assessment, actor=actor, request=request)
        checklist = opened if created else None
    return assessment, _level_tasks(action.tasks, assessment, actor, request), checklist


LEVEL_NOTICE_LEVELS: dict[str, str] = {
    RiskLevel.NONE: "info",
    RiskLevel.LOW: "info",
    RiskLevel.MODERATE: "warning",
    RiskLevel.HIGH: "error",
}


def _level_notice(level: str) -> Notice:
    """Say what the level calls for (triage in force), with the crisis resources to offer."""
    action = triage()[level]
    text = action.summary.rstrip(".")
    if level != RiskLevel.NONE:
        text = f"{RiskLevel(level).label} suicide risk: {text}"
    if not action.resources:
        return Notice(text, level=LEVEL_NOTICE_LEVELS[level])
    return Notice(
        text,
        reverse("crisis"),
        link_text="Crisis resources to offer (988, Crisis Text Line)",
        level=LEVEL_NOTICE_LEVELS[level],
    )


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
        assessment, opened, checklist = risk_level_record(
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
        follow_up.notices.append(_level_notice(assessment.level))
        if checklist is not None:
            follow_up.notices.append(
                Notice(
                    PRECAUTIONS_OPENED,
                    reverse("safety:precautions", args=[recorded.patient.pk]),
                )
            )
    return follow_up


# --- immediate safety precautions -------------------------------------------------------

PRECAUTIONS_OBJECT_TYPE = "safety_precautions"
PRECAUTIONS_PERMISSION = "safety.complete_precautions"
PRECAUTIONS_OPENED = "Safety precautions checklist opened"
NOTE_MAX = 500
ERROR_STEP_DONE = "This step is already done."
ERROR_CHECKLIST_DONE = "This checklist is complete."
ERROR_NO_STEP = "There is no such step on this checklist."
ERROR_PRECAUTIONS_FORBIDDEN = "Only clinicians complete safety precautions."


@transaction.atomic
def precautions_open(
    *, assessment: RiskAssessment, actor: User, request: HttpRequest | None = None
) -> tuple[PrecautionChecklist, bool]:
    """Open the immediate safety precautions checklist for a high level; return it.

    One open checklist per patient: while one is open a second high level finds it
    (and ``created`` is False). The steps are those in force now, with their source.
    """
    patient = assessment.patient
    patient_lock(patient)
    existing = PrecautionChecklist.objects.filter(
        patient=patient, completed_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    rules, source = precaution_steps()
    checklist = PrecautionChecklist.objects.create(
        patient=patient,
        episode=assessment.episode,
        assessment=assessment,
        opened_at=assessment.assessed_at,
        opened_by=actor,
        source=source,
    )
    PrecautionStep.objects.bulk_create(
        PrecautionStep(checklist=checklist, position=n, code=rule.code, label=rule.label)
        for n, rule in enumerate(rules, start=1)
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=PRECAUTIONS_OBJECT_TYPE,
        object_id=checklist.pk,
        detail={"assessment_id": assessment.pk, "steps": [r.code for r in rules]},
    )
    timeline_add(
        patient=patient,
        episode=assessment.episode,
        kind=TimelineKind.TASK,
        summary="Immediate safety precautions checklist opened",
        actor=actor,
        occurred_at=checklist.opened_at,
    )
    return checklist, True


@transaction.atomic
def precaution_step_complete(
    *,
    actor: User,
    checklist: PrecautionChecklist,
    code: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> PrecautionStep:
    """Record that ``actor`` completed the step ``code`` now, with an optional short note.

    The last step completes the checklist. Raise Forbidden without the permission,
    StateConflict for a step already done or a complete checklist, ValidationError for
    a code the checklist does not have. The audit names the step's code, never the note.
    """
    if not actor.has_perm(PRECAUTIONS_PERMISSION):
        raise Forbidden(ERROR_PRECAUTIONS_FORBIDDEN)
    checklist = PrecautionChecklist.objects.select_for_update().get(pk=checklist.pk)
    if checklist.is_complete:
        raise StateConflict(ERROR_CHECKLIST_DONE)
    steps = list(PrecautionStep.objects.select_for_update().filter(checklist=checklist))
    step = next((s for s in steps if s.code == code), None)
    if step is None:
        raise ValidationError({"step": ERROR_NO_STEP})
    if step.is_done:
        raise StateConflict(ERROR_STEP_DONE)
    now = timezone.now()
    step.completed_at = now
    step.completed_by = actor
    step.note = note.strip()[:NOTE_MAX]
    step.save(update_fields=["completed_at", "completed_by", "note"])
    complete = all(s.is_done for s in steps)
    if complete:
        checklist.completed_at = now
        checklist.save(update_fields=["completed_at"])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=checklist.patient_id,
        object_type=PRECAUTIONS_OBJECT_TYPE,
        object_id=checklist.pk,
        detail={"step": step.code, "step_id": step.pk, "complete": complete},
    )
    timeline_add(
        patient=checklist.patient,
        episode=checklist.episode,
        kind=TimelineKind.TASK,
        summary=f"Safety precaution done: {step.label}",
        actor=actor,
        occurred_at=now,
    )
    if complete:
        timeline_add(
            patient=checklist.patient,
            episode=checklist.episode,
            kind=TimelineKind.TASK,
            summary="Immediate safety precautions checklist complete",
            actor=actor,
            occurred_at=now,
        )
    return step


# --- safety plans -----------------------------------------------------------------------

PLAN_OBJECT_TYPE = "safety_plan"
ERROR_PLAN_SIGNED = "This version is signed and cannot change; revise it to make a new one."
PLAN_REQUIRED = {
    "warning_signs": "Write the warning signs the patient names.",
    "coping_strategies": "Write at least one thing the patient can do alone to cope.",
    "crisis_contacts": "List at least one professional or agency to call in a crisis.",
    "means_medications": "Record what was agreed about medications (who holds them).",
}
ERROR_PATIENT_SIGNATURE = "Type the name the patient signed with."
PLAN_TEXT_FIELDS = (
    "warning_signs", "coping_strategies", "distractions", "means_medications",
    "means_firearms", "means_other", "reasons_for_living",
)  # fmt: skip
PLAN_LIST_FIELDS = ("help_contacts", "crisis_contacts")


def crisis_contacts_default() -> list[dict[str, str]]:
    """Return the crisis contacts every new plan starts with: the program, 988 and 911."""
    return [
        {"name": f"{settings.PROGRAM_NAME} (24/7)", "phone": settings.PROGRAM_PHONE},
        {"name": "988 Suicide & Crisis Lifeline (call or text)", "phone": "988"},
        {"name": "Emergency", "phone": "911"},
    ]


def _plan_audit(
    action: str, actor: User, plan: SafetyPlan, request: HttpRequest | None, **detail: object
) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        patient_id=plan.patient_id,
        object_type=PLAN_OBJECT_TYPE,
        object_id=plan.pk,
        detail={"version": plan.version, **detail},
    )


@transaction.atomic
def safety_plan_draft(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> SafetyPlan:
    """Return the patient's draft plan, opening one (a copy of the current plan) if none.

    A first plan starts with the program's 24/7 line, 988 and 911 as crisis contacts.
    """
    patient_lock(patient)
    latest = SafetyPlan.objects.filter(patient=patient).order_by("-version").first()
    if latest is not None and not latest.is_signed:
        return latest
    now = timezone.now()
    plan = SafetyPlan(
        patient=patient,
        episode=_open_episode(patient),
        version=(latest.version + 1) if latest else 1,
        crisis_contacts=crisis_contacts_default(),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    if latest is not None:
        for name in (*PLAN_TEXT_FIELDS, *PLAN_LIST_FIELDS):
            setattr(plan, name, getattr(latest, name))
    plan.save()
    _plan_audit(Action.CREATE, actor, plan, request)
    return plan


@transaction.atomic
def safety_plan_save(
    *, actor: User, plan: SafetyPlan, data: Mapping[str, Any], request: HttpRequest | None = None
) -> SafetyPlan:
    """Save a draft's fields (text and contact lists, already cleaned by the form)."""
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_signed:
        raise StateConflict(ERROR_PLAN_SIGNED)
    for name in (*PLAN_TEXT_FIELDS, *PLAN_LIST_FIELDS):
        if name in data:
            setattr(plan, name, data[name])
    plan.updated_at = timezone.now()
    plan.save()
    _plan_audit(Action.UPDATE, actor, plan, request)
    return plan


@transaction.atomic
def safety_plan_sign(
    *,
    actor: User,
    plan: SafetyPlan,
    patient_signed_name: str,
    request: HttpRequest | None = None,
) -> SafetyPlan:
    """Sign a complete draft with the patient; it becomes the current plan.

    Closes any open "safety plan owed" task as done by this plan. Raise ValidationError
    naming each missing part and StateConflict for a signed version.
    """
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_signed:
        raise StateConflict(ERROR_PLAN_SIGNED)
    errors = {name: message for name, message in PLAN_REQUIRED.items() if not getattr(plan, name)}
    name = patient_signed_name.strip()
    if not name:
        errors["patient_signed_name"] = ERROR_PATIENT_SIGNATURE
    if errors:
        raise ValidationError(errors)
    plan.signed_by = actor
    plan.signed_at = timezone.now()
    plan.patient_signed_name = name[:200]
    plan.save(update_fields=["signed_by", "signed_at", "patient_signed_name"])
    _plan_audit(Action.UPDATE, actor, plan, request, signed=True)
    timeline_add(
        patient=plan.patient,
        episode=plan.episode,
        kind=TimelineKind.ASSESSMENT,
        summary=f"Safety plan signed (version {plan.version})",
        actor=actor,
        occurred_at=plan.signed_at,
    )
    tasks_close_by(
        patient=plan.patient,
        kind=TaskKind.SAFETY_PLAN_OWED,
        actor=actor,
        source_type=PLAN_OBJECT_TYPE,
        source_id=plan.pk,
        request=request,
    )
    return plan


# --- care transitions -------------------------------------------------------------------

# Leaving these stages with a recent moderate or high level needs a current safety plan.
GUARDED_STAGES = frozenset({Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT})
ELEVATED = (RiskLevel.MODERATE, RiskLevel.HIGH)
RECENT_RISK = dt.timedelta(days=30)
# Caring contacts after discharge (Motto & Bostrom 2001; Zero Suicide "transition").
CARING_CONTACTS = (dt.timedelta(hours=24), dt.timedelta(days=7), dt.timedelta(days=30))
ERROR_PLAN_NEEDED = (
    "A moderate or high suicide-risk level was recorded in the last 30 days and this "
    "episode has no signed safety plan: sign one with the patient first, or say why it "
    "cannot be done."
)


def elevated_risk_recent(patient: Patient, now: dt.datetime) -> RiskAssessment | None:
    """Return the newest moderate or high level of the last 30 days, or None."""
    return (
        RiskAssessment.objects.filter(
            patient=patient, level__in=ELEVATED, assessed_at__gte=now - RECENT_RISK
        )
        .order_by("-assessed_at", "-id")
        .first()
    )


def safety_plan_current(episode: EpisodeOfCare) -> SafetyPlan | None:
    """Return the plan signed during ``episode`` (the newest), or None."""
    return (
        SafetyPlan.objects.filter(
            patient_id=episode.patient_id,
            signed_at__isnull=False,
            signed_at__gte=episode.started_at,
        )
        .order_by("-version")
        .first()
    )


def safety_plan_needed(episode: EpisodeOfCare, to_stage: str, now: dt.datetime) -> bool:
    """Return whether moving ``episode`` to ``to_stage`` first needs a safety plan."""
    if episode.stage not in GUARDED_STAGES or to_stage == episode.stage:
        return False
    if elevated_risk_recent(episode.patient, now) is None:
        return False
    return safety_plan_current(episode) is None


@transaction.atomic
def episode_move_checked(
    *,
    actor: User,
    episode: EpisodeOfCare,
    to_stage: str,
    reason: str,
    discharge_type: str = "",
    no_plan_reason: str = "",
    request: HttpRequest | None = None,
) -> EpisodeOfCare:
    """Move a stage as ``records.episode_move_stage`` does, with the pathway's checks.

    Leaving withdrawal management or treatment after a moderate or high level in the
    last 30 days needs a safety plan signed in this episode, or ``no_plan_reason``
    (recorded on the timeline; the audit says only that it was given). A discharge
    after such a level opens caring-contact follow-ups: a call within 24 hours, then
    at 7 and 30 days.
    """
    now = timezone.now()
    episode = EpisodeOfCare.objects.select_for_update().select_related("patient").get(pk=episode.pk)
    patient = episode.patient
    waived = safety_plan_needed(episode, to_stage, now)
    if waived and not no_plan_reason.strip():
        raise ValidationError({"no_plan_reason": ERROR_PLAN_NEEDED})
    moved = episode_move_stage(
        actor=actor,
        episode=episode,
        to_stage=to_stage,
        reason=reason,
        discharge_type=discharge_type,
        request=request,
    )
    if waived:
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            request=request,
            patient_id=patient.pk,
            object_type="episode",
            object_id=moved.pk,
            detail={"safety_plan_waived": True, "to_stage": to_stage},
        )
        timeline_add(
            patient=patient,
            episode=moved,
            kind=TimelineKind.NOTE,
            summary=f"Moved without a signed safety plan: {no_plan_reason.strip()}",
            actor=actor,
            occurred_at=now,
        )
    if moved.ended_at is not None and elevated_risk_recent(patient, now) is not None:
        for n, after in enumerate(CARING_CONTACTS, start=1):
            task_open(
                patient=patient,
                kind=TaskKind.CARING_CONTACT,
                key=f"caring_contact:{moved.pk}:{n}",
                source_type="episode",
                source_id=moved.pk,
                due_at=moved.ended_at + after,
                episode=moved,
                actor=actor,
                request=request,
                now=moved.ended_at,
            )
    return moved


# --- escalation -------------------------------------------------------------------------

REALERT_MINUTES_DEFAULT = 15


def realert_after() -> dt.timedelta:
    """Return how long a high-risk alert may go unacknowledged before the director hears."""
    return dt.timedelta(
        minutes=getattr(settings, "SAFETY_REALERT_MINUTES", REALERT_MINUTES_DEFAULT)
    )


@transaction.atomic
def alerts_escalate(*, now: dt.datetime | None = None) -> list[ClinicalAlert]:
    """Re-alert the clinical directors to high-risk alerts nobody has acknowledged.

    An urgent suicide-risk alert none of whose copies was acknowledged within
    ``SAFETY_REALERT_MINUTES`` (default 15) is sent to every active clinical director
    who does not hold a copy yet, once. Run every minute (``manage.py safety_escalate``).
    Return the copies raised.
    """
    now = now or timezone.now()
    copies = ClinicalAlert.objects.filter(
        kind=AlertKind.SUICIDE_RISK_HIGH,
        resolved_at__isnull=True,
        created_at__lte=now - realert_after(),
    ).select_related("patient", "episode")
    sources: dict[tuple[str, str], list[ClinicalAlert]] = {}
    for alert in copies.order_by("created_at", "id"):
        sources.setdefault((alert.source_type, alert.source_id), []).append(alert)
    if not sources:
        return []
    directors = list(
        User.objects.filter(role=Role.CLINICAL_DIRECTOR, is_active=True).order_by("pk")
    )
    raised: list[ClinicalAlert] = []
    for (source_type, source_id), group in sources.items():
        if any(a.acknowledged_at is not None for a in group):
            continue
        holders = set(
            ClinicalAlert.objects.filter(source_type=source_type, source_id=source_id).values_list(
                "recipient_id", flat=True
            )
        )
        missing = [d for d in directors if d.pk not in holders]
        if not missing:
            continue
        first = group[0]
        raised += alert_raise(
            patient=first.patient,
            episode=first.episode,
            kind=first.kind,
            severity=first.severity,
            message=f"Not acknowledged after {int(realert_after().total_seconds() // 60)} "
            f"minutes. {first.message}",
            source_type=source_type,
            source_id=source_id,
            recipients=missing,
        )
    return raised
