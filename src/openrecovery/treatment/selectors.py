"""Reads of treatment shared by its areas: the open episode and the plan in force."""

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from openrecovery.assessment.choices import AsamDimension, ProblemStatus
from openrecovery.assessment.models import AsamDimensionRating, Problem
from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import PlanStatus
from .models import PlanObjective, PlanReview, TreatmentPlan


def open_episode(patient: Patient) -> EpisodeOfCare | None:
    """Return the patient's open episode of care, or None."""
    return EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()


def plan_in_force(episode: EpisodeOfCare) -> TreatmentPlan | None:
    """Return the episode's newest signed plan (a draft is not yet a plan), or None."""
    return (
        TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )


def plan_objectives(plan: TreatmentPlan | None) -> list[PlanObjective]:
    """Return a plan's objectives in plan order (problem, goal, objective), one query."""
    if plan is None:
        return []
    return list(
        PlanObjective.objects.filter(goal__problem__plan=plan)
        .select_related("goal__problem")
        .order_by("goal__problem__position", "goal__position", "position")
    )


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """A problem the plan could address: from the problem list or a dimension rating."""

    statement: str
    source: str
    dimension: str


# Ratings from this level up suggest a problem for the plan (0-4 scale, neutral codes).
DIMENSION_SUGGEST_FROM = 2


def problem_suggestions(episode: EpisodeOfCare) -> list[Suggestion]:
    """Return the problems a plan could start from (two queries): the patient's open
    problems, and the intake's dimension ratings of ``DIMENSION_SUGGEST_FROM`` or more."""
    problems = Problem.objects.filter(
        patient_id=episode.patient_id,
        status__in=[ProblemStatus.UNCONFIRMED, ProblemStatus.CONFIRMED],
    ).order_by("recorded_at", "pk")
    found = [Suggestion(p.description, "problem_list", "") for p in problems]
    ratings = AsamDimensionRating.objects.filter(
        assessment__episode=episode, rating__gte=DIMENSION_SUGGEST_FROM
    ).order_by("dimension")
    found += [
        Suggestion(
            f"{AsamDimension(r.dimension).label} (dimension {r.dimension}, rated {r.rating})",
            "dimension_rating",
            str(r.dimension),
        )
        for r in ratings
    ]
    return found


@dataclasses.dataclass
class PlanView:
    """An episode's plans for the plan page: the plan in force, the draft, the history."""

    in_force: TreatmentPlan | None
    draft: TreatmentPlan | None
    versions: list[TreatmentPlan]
    reviews: list[PlanReview]


def _with_parts(plans: QuerySet[TreatmentPlan]) -> QuerySet[TreatmentPlan]:
    return plans.select_related("signed_by", "created_by").prefetch_related(
        "problems__goals__objectives", "problems__interventions"
    )


def plan_view(episode: EpisodeOfCare) -> PlanView:
    """Load an episode's plans with their parts and the reviews of the plan in force
    (a constant number of queries)."""
    versions = list(_with_parts(TreatmentPlan.objects.filter(episode=episode).order_by("-version")))
    in_force = next((p for p in versions if p.status == PlanStatus.SIGNED), None)
    draft = next((p for p in versions if p.status == PlanStatus.DRAFT), None)
    reviews = []
    if in_force is not None:
        reviews = list(
            PlanReview.objects.filter(plan__episode=episode)
            .select_related("reviewed_by", "plan")
            .prefetch_related("objectives__objective")
            .order_by("-reviewed_at")[:10]
        )
    return PlanView(in_force, draft, versions, reviews)


def review_state(plan: TreatmentPlan | None, today: dt.date) -> str:
    """Return "overdue", "due" (within 7 days) or "" for a plan's next review."""
    if plan is None or plan.review_due_on is None:
        return ""
    if plan.review_due_on < today:
        return "overdue"
    if plan.review_due_on <= today + dt.timedelta(days=7):
        return "due"
    return ""


def plan_objectives_by_episode(episode_ids: Iterable[int]) -> dict[int, list[PlanObjective]]:
    """Return each episode's objectives of its plan in force, in plan order (two queries)."""
    plans: dict[int, int] = {}
    for plan_id, episode_id in (
        TreatmentPlan.objects.filter(episode_id__in=set(episode_ids), status=PlanStatus.SIGNED)
        .order_by("episode_id", "-version")
        .values_list("pk", "episode_id")
    ):
        plans.setdefault(episode_id, plan_id)
    if not plans:
        return {}
    by_plan: dict[int, list[PlanObjective]] = defaultdict(list)
    for objective in (
        PlanObjective.objects.filter(goal__problem__plan_id__in=plans.values())
        .select_related("goal__problem")
        .order_by("goal__problem__position", "goal__position", "position")
    ):
        by_plan[objective.goal.problem.plan_id].append(objective)
    return {episode_id: by_plan.get(plan_id, []) for episode_id, plan_id in plans.items()}
