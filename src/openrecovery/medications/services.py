"""Writes of the medications app: the audit event of a taper that overrides a limit."""

from django.http import HttpRequest

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record

from .taper import TaperPlan

OBJECT_TYPE_TAPER_OVERRIDE = "taper_override"


def taper_override_record(
    *,
    actor: User,
    plan: TaperPlan,
    medication: str,
    reduction_percent: str,
    interval_days: int,
    override_reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Audit a previewed taper beyond the guideline's default limits, flagged for review.

    The event names the limits overridden and the plan's pace, with no PHI: no patient,
    and not the reason's text (free text may name one), only its length.
    """
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        object_type=OBJECT_TYPE_TAPER_OVERRIDE,
        flagged=True,
        detail={
            "overrides": list(plan.overrides),
            "medication": medication,
            "equivalence_table": str(plan.table.code),
            "reduction_percent": reduction_percent,
            "interval_days": interval_days,
            "steps": len(plan.steps),
            "reason_length": len(override_reason.strip()),
        },
    )
