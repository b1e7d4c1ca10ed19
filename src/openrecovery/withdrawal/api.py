"""Withdrawal management's endpoint of the JSON API: the unit board (gated and audited)."""

import datetime as dt
from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from openrecovery.accounts.access import StaffRequest
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, JsonText, ValidationErrorOut

from .models import Unit
from .selectors import BoardRow, board_audit, unit_board

router = Router(tags=["withdrawal"])


class BoardQuery(Schema):
    model_config = ConfigDict(extra="forbid")
    unit: Annotated[JsonText, Field(max_length=32)] | None = Field(
        default=None, description="A unit's code: only its patients."
    )


class CiwabOut(Schema):
    total: int
    band: str
    patient: int = Field(description="Patient-rated subtotal (items 1-17).")
    observer: int = Field(description="Observer-rated subtotal (items 18-20).")
    administered_at: dt.datetime


class BoardAlertOut(Schema):
    id: int
    kind: str
    severity: str
    raised_at: dt.datetime


class BoardPatientOut(Schema):
    patient_id: int
    mrn: str
    display_name: str
    ciwab: CiwabOut | None
    next_due_at: dt.datetime | None = Field(
        description="When the next CIWA-B is due; null when none was recorded yet (due now)."
    )
    overdue: bool
    open_alerts: list[BoardAlertOut]
    seizure_precautions: bool
    suicide_risk_level: str | None


class BoardOut(Schema):
    patients: list[BoardPatientOut]


def _row(row: BoardRow) -> dict[str, Any]:
    j = row.ciwab
    return {
        "patient_id": row.patient.pk,
        "mrn": row.patient.mrn,
        "display_name": row.patient.display_name,
        "ciwab": None
        if j is None
        else {
            "total": j.total,
            "band": j.band,
            "patient": j.patient_rated,
            "observer": j.observer_rated,
            "administered_at": j.administered_at,
        },  # fmt: skip
        "next_due_at": row.next_due_at,
        "overdue": row.overdue,
        "open_alerts": [
            {"id": a.id, "kind": a.kind, "severity": a.severity, "raised_at": a.raised_at}
            for a in row.open_alerts
        ],
        "seizure_precautions": row.seizure_precautions,
        "suicide_risk_level": row.suicide_risk_level,
    }


@router.get(
    "/withdrawal/board",
    response={200: BoardOut, **AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut},
)
def withdrawal_board(request: StaffRequest, query: Query[BoardQuery]) -> dict[str, Any]:
    """Return every patient in withdrawal management the caller may see, most urgent first.

    Overdue or alerting patients come before the rest; a patient never assessed is
    overdue. Each patient passes the privacy gate (care team, stage coverage or an
    emergency grant); the read is audited with the patients shown. 404 for an unknown
    unit code.
    """
    unit = get_object_or_404(Unit, code=query.unit) if query.unit else None
    rows = unit_board(request.user, unit=unit)
    board_audit(request, rows, via="api")
    return {"patients": [_row(r) for r in rows]}
