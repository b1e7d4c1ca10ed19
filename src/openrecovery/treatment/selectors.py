"""Reads of treatment shared by its areas: the open episode and the plan in force."""

from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import PlanStatus
from .models import PlanObjective, TreatmentPlan


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
