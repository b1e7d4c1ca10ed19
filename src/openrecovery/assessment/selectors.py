"""Reads for the intake assessment, problem list and chart panel.

Callers pass a PatientAccess (the privacy gate already ran and audited the read). Each
function runs a constant number of queries, whatever the history.
"""

import dataclasses
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Value, When

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.privacy.gates import PatientAccess
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import ProblemStatus
from .models import Addendum, IntakeAssessment, Problem
from .prompts import Prompt, placement_prompts

PANEL_PROBLEMS = 10
PROBLEMS_LIMIT = 200


@dataclasses.dataclass
class IntakeView:
    """What the intake page shows: the current episode and its intake (if started)."""

    patient: Patient
    episode: EpisodeOfCare | None
    assessment: IntakeAssessment | None
    prompts: list[Prompt]


def current_episode(patient: Patient) -> EpisodeOfCare | None:
    """Return the patient's latest episode (the open one, if any)."""
    return EpisodeOfCare.objects.filter(patient=patient).order_by("-started_at").first()


def intake_for(episode: EpisodeOfCare | None) -> IntakeAssessment | None:
    """Return the episode's intake with its rows, ratings and addenda loaded up front."""
    if episode is None:
        return None
    return (
        IntakeAssessment.objects.filter(episode=episode)
        .select_related("author", "signed_by", "episode")
        .prefetch_related(
            "substances",
            "ratings",
            Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
        )
        .first()
    )


def intake_view(access: PatientAccess) -> IntakeView:
    """Assemble the intake page for a patient whose gate the caller passed."""
    episode = current_episode(access.patient)
    assessment = intake_for(episode)
    prompts = placement_prompts(assessment) if assessment is not None else []
    return IntakeView(access.patient, episode, assessment, prompts)


# Unconfirmed problems first, then confirmed, then resolved, then replaced (history).
_PROBLEM_ORDER = Case(
    When(status=ProblemStatus.UNCONFIRMED, then=Value(0)),
    When(status=ProblemStatus.CONFIRMED, then=Value(1)),
    When(status=ProblemStatus.RESOLVED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
# What the chart panel shows of a problem (the problem list page shows who recorded it).
_PANEL_PROBLEM_FIELDS = ("icd10cm", "description", "status")


def problems_for(
    patient: Patient, limit: int = PROBLEMS_LIMIT, *, with_people: bool = True
) -> list[Problem]:
    """Return the patient's problem list: unconfirmed, confirmed, resolved, then replaced.

    Without ``with_people`` only the code, description and status are loaded (no users).
    """
    problems = Problem.objects.filter(patient=patient)
    if with_people:
        problems = problems.select_related("recorded_by", "confirmed_by", "replaced_by")
    else:
        problems = problems.only(*_PANEL_PROBLEM_FIELDS)
    return list(problems.order_by(_PROBLEM_ORDER, "-recorded_at", "-id")[:limit])


# The chart panel's problems (as problems_for(patient, PANEL_PROBLEMS + 1,
# with_people=False)), compiled once per connection (core/prepared.py).
_PANEL_PROBLEMS_QUERY = PreparedQuery(
    lambda patient_id: (
        Problem.objects.filter(patient_id=patient_id)
        .only(*_PANEL_PROBLEM_FIELDS)
        .order_by(_PROBLEM_ORDER, "-recorded_at", "-id")[: PANEL_PROBLEMS + 1]
    )
)


# What the chart panel reads of the episode: the chart loads it with the episode.
CHART_PANEL_EPISODE_RELATED = ("intake_assessment__signed_by",)


def _intake_of(episode: EpisodeOfCare | None) -> IntakeAssessment | None:
    # Loaded with the episode when the caller selected CHART_PANEL_EPISODE_RELATED,
    # else one query.
    if episode is None:
        return None
    try:
        return episode.intake_assessment
    except IntakeAssessment.DoesNotExist:
        return None


def chart_panel(user: User, access: PatientAccess, episode: EpisodeOfCare | None) -> dict[str, Any]:
    """Load the chart panel: the current intake's status and level, and the problem list.

    ``episode`` is the patient's latest episode (see ``current_episode``), which the chart
    has already loaded, with its intake (``CHART_PANEL_EPISODE_RELATED``).
    """
    patient = access.patient
    assessment = _intake_of(episode)
    problems = _PANEL_PROBLEMS_QUERY.fetch(patient_id=patient.pk)
    return {
        "patient": patient,
        "episode": episode,
        "can_start": episode is not None and episode.is_open and episode.stage == Stage.ASSESSMENT,
        "assessment": assessment,
        "problems": problems[:PANEL_PROBLEMS],
        "more_problems": len(problems) > PANEL_PROBLEMS,
    }
