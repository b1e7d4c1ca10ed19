"""Treatment plans: drafts, signatures (clinician and patient), versions and reviews.

A plan is written as a draft (problems, goals in the patient's words, measurable
objectives with target dates, interventions), then signed by the clinician with the
patient's agreement recorded (signed, or declined with the reason). A signed plan never
changes: a revision is a new draft version copied from it, keeping each objective's
thread, and signing it supersedes the old one. A review records progress per objective
and what changed, sets the next review date and closes the plan-review task it answers.
Audit details carry ids and codes only.
"""

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import Stage, TaskKind, TaskStatus, TimelineKind
from openrecovery.records.models import ClinicalTask, EpisodeOfCare
from openrecovery.records.services import patient_lock, timeline_add
from openrecovery.records.tasks import task_close

from ..choices import (
    CareSetting,
    ObjectiveProgress,
    PatientAgreement,
    PlanStatus,
    ReviewTrigger,
)
from ..models import (
    ObjectiveReview,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    TreatmentPlan,
)

OBJECT_TYPE = "treatment_plan"
PERMISSION = "treatment.edit_plan"
PLAN_STAGES = frozenset({Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT, Stage.AFTERCARE})

ERROR_PERMISSION = "Only clinicians who write treatment plans can change them."
ERROR_EPISODE = (
    "Treatment plans are written for open episodes in withdrawal management, treatment "
    "or aftercare."
)
ERROR_DRAFT_EXISTS = "This episode already has a draft plan: finish or sign that one."
ERROR_NOT_DRAFT = "This plan is signed; revise it to make a new version."
ERROR_NOT_SIGNED = "Only a signed plan in force can be revised or reviewed."
ERROR_EMPTY_PLAN = "A plan needs at least one problem."
ERROR_PROBLEM_INCOMPLETE = (
    "Each problem needs a goal in the patient's words, an objective for each goal and an "
    "intervention: “%(problem)s” is missing %(missing)s."
)
ERROR_AGREEMENT = "Record whether the patient agreed and signed."
ERROR_DECLINE_REASON = "Say why the patient declined to sign."
ERROR_CHANGE_REASON = "Say why the plan is being revised."
ERROR_TARGET_PAST = "A target date cannot be in the past."
ERROR_WHAT_CHANGED = "Say what changed in the plan (or why nothing needs to)."
ERROR_PROGRESS_MISSING = "Record progress for every objective."
ERROR_TASK = "That task is not an open plan review for this patient."


def _require(actor: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise Forbidden(ERROR_PERMISSION)


def review_interval(setting: str) -> dt.timedelta:
    """Return the days between reviews for a care setting (``TREATMENT_REVIEW_DAYS``)."""
    return dt.timedelta(days=int(settings.TREATMENT_REVIEW_DAYS[setting]))


def _audit(
    actor: User, plan: TreatmentPlan, action: str, request: HttpRequest | None, **detail: Any
) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        patient_id=plan.patient_id,
        object_type=OBJECT_TYPE,
        object_id=plan.pk,
        detail={"version": plan.version, **detail},
    )


def _draft(plan: TreatmentPlan) -> TreatmentPlan:
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise StateConflict(ERROR_NOT_DRAFT)
    return plan


@transaction.atomic
def plan_create(
    *,
    actor: User,
    episode: EpisodeOfCare,
    setting: str = CareSetting.RESIDENTIAL,
    request: HttpRequest | None = None,
) -> TreatmentPlan:
    """Start the first plan of an open episode (or the next version when none is a draft)."""
    _require(actor)
    patient_lock(episode.patient)
    episode = EpisodeOfCare.objects.get(pk=episode.pk)
    if episode.ended_at is not None or episode.stage not in PLAN_STAGES:
        raise StateConflict(ERROR_EPISODE)
    if TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.DRAFT).exists():
        raise StateConflict(ERROR_DRAFT_EXISTS)
    last = TreatmentPlan.objects.filter(episode=episode).aggregate(v=Max("version"))["v"] or 0
    plan = TreatmentPlan(
        patient_id=episode.patient_id,
        episode=episode,
        version=last + 1,
        setting=CareSetting(setting),
        created_by=actor,
        created_at=timezone.now(),
    )
    plan.full_clean()
    plan.save()
    _audit(actor, plan, Action.CREATE, request)
    return plan


def _next_position(model: Any, **parent: Any) -> int:
    return (model._default_manager.filter(**parent).aggregate(p=Max("position"))["p"] or 0) + 1


@transaction.atomic
def plan_problem_add(
    *,
    actor: User,
    plan: TreatmentPlan,
    statement: str,
    source: str = "",
    dimension: str = "",
    request: HttpRequest | None = None,
) -> PlanProblem:
    """Add a problem to a draft plan."""
    _require(actor)
    plan = _draft(plan)
    problem = PlanProblem(
        plan=plan,
        position=_next_position(PlanProblem, plan=plan),
        statement=statement.strip(),
        source=source,
        dimension=dimension,
    )
    problem.full_clean()
    problem.save()
    _audit(actor, plan, Action.UPDATE, request, added="problem", id=problem.pk)
    return problem


@transaction.atomic
def plan_goal_add(
    *, actor: User, problem: PlanProblem, patient_words: str, request: HttpRequest | None = None
) -> PlanGoal:
    """Add a goal, in the patient's own words, to a problem of a draft plan."""
    _require(actor)
    plan = _draft(problem.plan)
    goal = PlanGoal(
        problem=problem,
        position=_next_position(PlanGoal, problem=problem),
        patient_words=patient_words.strip(),
    )
    goal.full_clean()
    goal.save()
    _audit(actor, plan, Action.UPDATE, request, added="goal", id=goal.pk)
    return goal


@transaction.atomic
def plan_objective_add(
    *,
    actor: User,
    goal: PlanGoal,
    text: str,
    target_date: dt.date,
    request: HttpRequest | None = None,
) -> PlanObjective:
    """Add a measurable objective with a target date (today or later) to a goal."""
    _require(actor)
    plan = _draft(goal.problem.plan)
    if target_date < timezone.localdate():
        raise ValidationError({"target_date": ERROR_TARGET_PAST})
    objective = PlanObjective(
        goal=goal,
        position=_next_position(PlanObjective, goal=goal),
        thread=secrets.token_hex(8),
        text=text.strip(),
        target_date=target_date,
    )
    objective.full_clean()
    objective.save()
    _audit(actor, plan, Action.UPDATE, request, added="objective", id=objective.pk)
    return objective


@transaction.atomic
def plan_intervention_add(
    *,
    actor: User,
    problem: PlanProblem,
    provider_role: str,
    kind: str,
    frequency: str,
    description: str = "",
    request: HttpRequest | None = None,
) -> PlanIntervention:
    """Add an intervention (who, what modality, how often) to a problem of a draft plan."""
    _require(actor)
    plan = _draft(problem.plan)
    intervention = PlanIntervention(
        problem=problem,
        position=_next_position(PlanIntervention, problem=problem),
        provider_role=provider_role.strip(),
        kind=kind,
        frequency=frequency.strip(),
        description=description.strip(),
    )
    intervention.full_clean()
    intervention.save()
    _audit(actor, plan, Action.UPDATE, request, added="intervention", id=intervention.pk)
    return intervention


PART_MODELS: dict[str, tuple[Any, str]] = {
    "problem": (PlanProblem, "plan"),
    "goal": (PlanGoal, "problem__plan"),
    "objective": (PlanObjective, "goal__problem__plan"),
    "intervention": (PlanIntervention, "problem__plan"),
}


@transaction.atomic
def plan_part_remove(
    *, actor: User, plan: TreatmentPlan, part: str, part_id: int, request: HttpRequest | None = None
) -> None:
    """Remove a problem, goal, objective or intervention (and what hangs under it) from a
    draft plan. An id from another plan removes nothing."""
    _require(actor)
    plan = _draft(plan)
    model, path = PART_MODELS[part]
    deleted, _ = model._default_manager.filter(pk=part_id, **{path: plan}).delete()
    if deleted:
        _audit(actor, plan, Action.UPDATE, request, removed=part, id=part_id)


def _incomplete(plan: TreatmentPlan) -> list[str]:
    problems = list(plan.problems.prefetch_related("goals__objectives", "interventions"))
    if not problems:
        return [ERROR_EMPTY_PLAN]
    errors = []
    for problem in problems:
        goals = list(problem.goals.all())
        missing = []
        if not goals:
            missing.append("a goal")
        elif any(not list(g.objectives.all()) for g in goals):
            missing.append("an objective")
        if not list(problem.interventions.all()):
            missing.append("an intervention")
        if missing:
            errors.append(
                ERROR_PROBLEM_INCOMPLETE
                % {"problem": problem.statement, "missing": " and ".join(missing)}
            )
    return errors


@transaction.atomic
def plan_sign(
    *,
    actor: User,
    plan: TreatmentPlan,
    patient_agreement: str,
    decline_reason: str = "",
    request: HttpRequest | None = None,
) -> TreatmentPlan:
    """Sign a complete draft as the clinician, recording the patient's agreement.

    The patient signs with the clinician (``agreed``) or declines (``declined``, with the
    reason). The plan in force before it is superseded; the next review is due after the
    setting's interval. Raise ValidationError, changing nothing, for an incomplete plan.
    """
    _require(actor)
    plan = _draft(plan)
    errors = _incomplete(plan)
    if errors:
        raise ValidationError(errors)
    if patient_agreement not in PatientAgreement.values:
        raise ValidationError({"patient_agreement": ERROR_AGREEMENT})
    decline_reason = decline_reason.strip()
    if patient_agreement == PatientAgreement.DECLINED and not decline_reason:
        raise ValidationError({"decline_reason": ERROR_DECLINE_REASON})
    now = timezone.now()
    TreatmentPlan.objects.filter(episode_id=plan.episode_id, status=PlanStatus.SIGNED).update(
        status=PlanStatus.SUPERSEDED
    )
    plan.status = PlanStatus.SIGNED
    plan.signed_by = actor
    plan.signed_at = now
    plan.patient_agreement = patient_agreement
    plan.patient_decline_reason = decline_reason if patient_agreement == "declined" else ""
    plan.patient_signed_at = now if patient_agreement == PatientAgreement.AGREED else None
    plan.review_due_on = timezone.localdate(now) + review_interval(plan.setting)
    plan.full_clean()
    plan.save()
    _audit(actor, plan, Action.UPDATE, request, signed=True, patient_agreement=patient_agreement)
    agreement = "patient signed" if patient_agreement == "agreed" else "patient declined to sign"
    timeline_add(
        patient=plan.patient,
        episode=plan.episode,
        kind=TimelineKind.NOTE,
        summary=f"Treatment plan v{plan.version} signed ({agreement})",
        actor=actor,
        occurred_at=now,
    )
    return plan


@transaction.atomic
def plan_revise(
    *, actor: User, plan: TreatmentPlan, reason: str, request: HttpRequest | None = None
) -> TreatmentPlan:
    """Start a new draft version copied from the signed plan in force.

    Objectives keep their thread, so notes that addressed them still count. The signed
    version stays in force until the new one is signed.
    """
    _require(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ERROR_CHANGE_REASON})
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.SIGNED:
        raise StateConflict(ERROR_NOT_SIGNED)
    if TreatmentPlan.objects.filter(episode_id=plan.episode_id, status=PlanStatus.DRAFT).exists():
        raise StateConflict(ERROR_DRAFT_EXISTS)
    draft = TreatmentPlan.objects.create(
        patient_id=plan.patient_id,
        episode_id=plan.episode_id,
        version=plan.version + 1,
        setting=plan.setting,
        change_reason=reason[:500],
        created_by=actor,
        created_at=timezone.now(),
    )
    for problem in plan.problems.prefetch_related("goals__objectives", "interventions"):
        copy = PlanProblem.objects.create(
            plan=draft,
            position=problem.position,
            statement=problem.statement,
            source=problem.source,
            dimension=problem.dimension,
        )
        PlanIntervention.objects.bulk_create(
            PlanIntervention(
                problem=copy,
                position=i.position,
                provider_role=i.provider_role,
                kind=i.kind,
                frequency=i.frequency,
                description=i.description,
            )
            for i in problem.interventions.all()
        )
        for goal in problem.goals.all():
            goal_copy = PlanGoal.objects.create(
                problem=copy, position=goal.position, patient_words=goal.patient_words
            )
            PlanObjective.objects.bulk_create(
                PlanObjective(
                    goal=goal_copy,
                    position=o.position,
                    thread=o.thread,
                    text=o.text,
                    target_date=o.target_date,
                )
                for o in goal.objectives.all()
            )
    _audit(actor, draft, Action.CREATE, request, revises=plan.pk)
    return draft


@transaction.atomic
def plan_review_record(
    *,
    actor: User,
    plan: TreatmentPlan,
    progress: Mapping[int, str],
    what_changed: str,
    trigger: str = ReviewTrigger.SCHEDULED,
    comments: Mapping[int, str] | None = None,
    task: ClinicalTask | None = None,
    request: HttpRequest | None = None,
) -> PlanReview:
    """Record a review of the plan in force: progress per objective (objective id ->
    ``ObjectiveProgress``) and what changed; set the next review date.

    A review answering a plan-review task (a measure not on track) closes that task.
    """
    _require(actor)
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.SIGNED:
        raise StateConflict(ERROR_NOT_SIGNED)
    what_changed = what_changed.strip()
    if not what_changed:
        raise ValidationError({"what_changed": ERROR_WHAT_CHANGED})
    objectives = list(PlanObjective.objects.filter(goal__problem__plan=plan))
    if any(progress.get(o.pk) not in ObjectiveProgress.values for o in objectives):
        raise ValidationError({"progress": ERROR_PROGRESS_MISSING})
    if task is not None and (
        task.patient_id != plan.patient_id
        or task.status != TaskStatus.OPEN
        or task.kind != TaskKind.PLAN_REVIEW
    ):
        raise ValidationError({"task": ERROR_TASK})
    now = timezone.now()
    review = PlanReview.objects.create(
        plan=plan,
        trigger=ReviewTrigger(trigger),
        what_changed=what_changed,
        reviewed_by=actor,
        reviewed_at=now,
        next_review_on=timezone.localdate(now) + review_interval(plan.setting),
        task=task,
    )
    comments = comments or {}
    ObjectiveReview.objects.bulk_create(
        ObjectiveReview(
            review=review,
            objective=o,
            progress=progress[o.pk],
            comment=comments.get(o.pk, "").strip()[:500],
        )
        for o in objectives
    )
    plan.review_due_on = review.next_review_on
    plan.save(update_fields=["review_due_on"])
    _audit(actor, plan, Action.UPDATE, request, review=review.pk, trigger=review.trigger)
    if task is not None:
        task_close(
            task=task,
            status=TaskStatus.DONE,
            actor=actor,
            source_type="plan_review",
            source_id=review.pk,
            request=request,
        )
    timeline_add(
        patient=plan.patient,
        episode=plan.episode,
        kind=TimelineKind.NOTE,
        summary=f"Treatment plan v{plan.version} reviewed ({review.get_trigger_display()})",
        actor=actor,
        occurred_at=now,
    )
    return review
