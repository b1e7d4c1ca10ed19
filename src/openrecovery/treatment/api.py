"""Treatment's endpoints of the JSON API (access-gated and audited)."""

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from ninja import Path, Router, Schema

from openrecovery.accounts.access import StaffRequest
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, ValidationErrorOut
from openrecovery.privacy.gates import MAX_DB_ID, access_patient_by_id

from .measurement_selectors import measurement_summary

router = Router(tags=["treatment"])


# --- measurement-based care ----------------------------------------------------------------

MEASUREMENT_OBJECT_TYPE = "measurement_summary"


class MeasureOut(Schema):
    total: int
    administered_at: dt.datetime


class InstrumentCourseOut(Schema):
    code: str
    baseline: MeasureOut | None
    latest: MeasureOut | None
    status: str
    next_due_at: dt.datetime | None
    change: int | None


class MeasurementOut(Schema):
    instruments: list[InstrumentCourseOut]


@router.get(
    "/patients/{patient_id}/measurement",
    response={200: MeasurementOut, **AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut},
)
def measurement_get(
    request: StaffRequest, patient_id: Annotated[int, Path(ge=1, le=MAX_DB_ID)]
) -> dict[str, Any]:
    """Return the patient's course on PHQ-9, GAD-7 and BAM in the open episode, in that order.

    404 if the patient is not visible. ``baseline`` is the episode's first administration,
    ``latest`` its most recent (null before any; the BAM's ``total`` is its use score,
    items 4-6). ``status`` is one of ``remission``, ``response``,
    ``reliable_deterioration``, ``not_on_track``, ``reliable_improvement``,
    ``no_reliable_change`` and ``insufficient_data``; ``change`` is latest minus baseline
    (positive: worse; the BAM's change is never a reliable one), null under two
    administrations. ``next_due_at`` is null outside the treatment stage.
    """
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type=MEASUREMENT_OBJECT_TYPE
    )
    courses = measurement_summary(patient, timezone.now())
    return {
        "instruments": [
            {
                "code": c.code,
                "baseline": c.baseline,
                "latest": c.latest,
                "status": c.status,
                "next_due_at": c.next_due_at,
                "change": c.change,
            }
            for c in courses
        ]
    }
