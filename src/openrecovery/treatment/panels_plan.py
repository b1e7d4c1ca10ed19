"""The chart's treatment panel: the plan in force, its next review, notes, discharge."""

from typing import Any

from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.privacy.gates import PatientAccess
from openrecovery.records.models import EpisodeOfCare

from .choices import PlanStatus
from .models import TreatmentPlan
from .selectors import review_state

# Read on every chart view: prepared once per connection (core.prepared).
_PLANS = PreparedQuery(
    lambda episode_id: TreatmentPlan.objects.filter(
        episode_id=episode_id, status__in=[PlanStatus.SIGNED, PlanStatus.DRAFT]
    ).only("pk", "version", "status", "review_due_on", "signed_at", "patient_agreement")
)


def plan_panel(user: User, access: PatientAccess, episode: EpisodeOfCare | None) -> dict[str, Any]:
    """Load the treatment panel (one query, none without an open episode)."""
    context: dict[str, Any] = {
        "patient": access.patient,
        "episode": episode,
        "can_edit": user.has_perm("treatment.edit_plan"),
        "can_write": user.has_perm("treatment.write_notes"),
    }
    if episode is None or episode.ended_at is not None:
        return context
    plans = _PLANS.fetch(episode_id=episode.pk)
    in_force = next((p for p in plans if p.status == PlanStatus.SIGNED), None)
    context.update(
        in_force=in_force,
        draft=next((p for p in plans if p.status == PlanStatus.DRAFT), None),
        review_state=review_state(in_force, timezone.localdate()),
    )
    return context
