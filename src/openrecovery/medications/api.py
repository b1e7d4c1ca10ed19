"""The taper preview endpoint: a plan from the current regimen, computed and not stored.

Any authenticated staff member may preview (a token or an MFA-verified session): it
reads no patient and stores nothing. A plan beyond the guideline's default limits is
audited, flagged for review.
"""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from ninja import Router

from openrecovery.accounts.access import StaffRequest
from openrecovery.core.api import AUTH_ERRORS, ValidationErrorOut
from openrecovery.core.errors import InvalidInput

from .schemas import TaperPreviewIn, TaperPreviewOut
from .services import taper_override_record
from .taper import TaperPlan, TaperRefused, taper_plan_preview

router = Router(tags=["medications"])

EQUIVALENT_PLACES = 3  # diazepam equivalents to a thousandth of a mg: for people, not sums


def _decimal(value: float) -> Decimal:
    # repr of a float is the shortest text that reads back as it: 0.1 is Decimal("0.1").
    return Decimal(repr(value))


def _mg(value: Decimal | Fraction) -> float:
    return round(float(value), EQUIVALENT_PLACES)


def _plan_out(plan: TaperPlan) -> dict[str, Any]:
    return {
        "equivalence_table": str(plan.table.code),
        "start_diazepam_equivalent_mg": _mg(plan.start_diazepam_equivalent_mg),
        "steps": [
            {
                "day": step.day,
                "doses": [
                    {"medication": d.medication.generic_name, "daily_mg": _mg(d.daily_mg)}
                    for d in step.doses
                ],
                "diazepam_equivalent_mg": _mg(step.diazepam_equivalent_mg),
            }
            for step in plan.steps
        ],
        "warnings": list(plan.warnings),
    }


@router.post(
    "/taper/preview",
    response={200: TaperPreviewOut, **AUTH_ERRORS, 422: ValidationErrorOut},
)
def taper_preview(request: StaffRequest, body: TaperPreviewIn) -> dict[str, Any]:
    """Preview a benzodiazepine taper from the current regimen; store nothing.

    Day 0 is the current regimen and the last step reaches ``target_dose_mg``. Each step
    gives the daily doses and their diazepam equivalent by the chosen table (for guidance
    only: a clinician confirms every dose). A plan faster than the 2025 guideline's
    default needs ``override_reason`` and is audited; an abrupt stop is refused even with
    one. 422 names the field at fault: an unknown medication or table, a dose that is not
    positive, implausible or not a multiple of the dose unit, and so on.
    """
    reason = body.override_reason or ""
    percent = _decimal(body.reduction_percent)
    try:
        plan = taper_plan_preview(
            medication=body.medication,
            daily_dose_mg=_decimal(body.daily_dose_mg),
            equivalence_table=body.equivalence_table,
            switch_to=body.switch_to,
            reduction_percent=percent,
            interval_days=body.interval_days,
            target_dose_mg=_decimal(body.target_dose_mg),
            override_reason=reason,
        )
    except TaperRefused as refused:
        raise InvalidInput([{"field": refused.field, "message": refused.message}]) from refused
    if plan.overrides:
        taper_override_record(
            actor=request.user,
            plan=plan,
            medication=plan.steps[0].doses[0].medication.code,
            reduction_percent=format(percent.normalize(), "f"),
            interval_days=body.interval_days,
            override_reason=reason,
            request=request,
        )
    return _plan_out(plan)
