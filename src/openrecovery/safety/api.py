"""The suicide-risk pathway's endpoint of the JSON API (access-gated and audited)."""

import datetime as dt
from typing import Annotated, Any

from ninja import Path, Router, Schema

from openrecovery.accounts.access import StaffRequest
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, ValidationErrorOut
from openrecovery.privacy.gates import MAX_DB_ID, access_patient_by_id

from .models import SafetyPlan
from .selectors import safety_summary
from .services import OBJECT_TYPE

router = Router(tags=["safety"])


class TaskOut(Schema):
    id: int
    kind: str
    opened_at: dt.datetime
    due_at: dt.datetime | None


class AlertOut(Schema):
    id: int
    kind: str
    severity: str
    raised_at: dt.datetime


class SafetyPlanOut(Schema):
    version: int
    signed_at: dt.datetime | None


class SafetyOut(Schema):
    risk_level: str | None
    assessed_at: dt.datetime | None
    open_tasks: list[TaskOut]
    open_alerts: list[AlertOut]
    safety_plan: SafetyPlanOut | None


@router.get(
    "/patients/{patient_id}/safety",
    response={200: SafetyOut, **AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut},
)
def safety_get(
    request: StaffRequest, patient_id: Annotated[int, Path(ge=1, le=MAX_DB_ID)]
) -> dict[str, Any]:
    """Return the patient's suicide-risk level, open tasks, alerts and current safety plan.

    404 if the patient is not visible. ``risk_level`` is null until a C-SSRS has been
    recorded; ``safety_plan`` is the newest signed version (a draft is not a plan), or
    null. Task kinds include
    ``cssrs_owed``, ``bh_consult``, ``safety_plan_owed`` and ``caring_contact``.
    """
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type=OBJECT_TYPE
    )
    summary = safety_summary(patient)
    risk = summary.risk
    plan = (
        SafetyPlan.objects.filter(patient=patient, signed_at__isnull=False)
        .order_by("-version")
        .values("version", "signed_at")
        .first()
    )
    return {
        "risk_level": risk.level if risk else None,
        "assessed_at": risk.assessed_at if risk else None,
        "open_tasks": [
            {"id": t.pk, "kind": t.kind, "opened_at": t.opened_at, "due_at": t.due_at}
            for t in summary.open_tasks
        ],
        "open_alerts": [
            {"id": a.pk, "kind": a.kind, "severity": a.severity, "raised_at": a.created_at}
            for a in summary.open_alerts
        ],
        "safety_plan": plan,
    }
