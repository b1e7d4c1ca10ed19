"""Patient read endpoints of the JSON API (access-gated and audited)."""

import datetime as dt
from typing import Annotated

from ninja import Path, Router, Schema
from pydantic import ConfigDict, Field

from openrecovery.accounts.access import StaffRequest
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.api import AUTH_ERRORS, ErrorOut, JsonText, ValidationErrorOut
from openrecovery.privacy.gates import access_patient_by_id
from openrecovery.records.models import EpisodeOfCare, Patient

from .selectors import patient_search

router = Router(tags=["patients"])
MAX_ID = 2**62


class PatientSearchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    q: JsonText = Field(min_length=1, max_length=100)


class PatientSummaryOut(Schema):
    id: int
    mrn: str
    display_name: str
    date_of_birth: dt.date


class EpisodeOut(Schema):
    id: int
    stage: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    discharge_type: str


class PatientOut(PatientSummaryOut):
    legal_given_name: str
    legal_family_name: str
    preferred_name: str
    pronouns: str
    preferred_language: str
    current_episode: EpisodeOut | None

    @staticmethod
    def resolve_current_episode(patient: Patient) -> EpisodeOfCare | None:
        # The latest episode: the open one, if there is one.
        return patient.episodes.order_by("-started_at").first()


@router.post(
    "/patients/search",
    response={
        200: list[PatientSummaryOut],
        400: ErrorOut,  # a body that is not JSON at all
        **AUTH_ERRORS,
        422: ValidationErrorOut,
    },
)
def search_patients(request: StaffRequest, body: PatientSearchIn) -> list:
    """Find visible patients by name, MRN or date of birth (POST keeps PHI out of URLs)."""
    results = list(patient_search(request.user, body.q))
    audit_record(
        action=Action.SEARCH,
        request=request,
        object_type="patient",
        detail={"results": len(results), "patients": [p.pk for p in results], "via": "api"},
    )
    return results


@router.get(
    "/patients/{patient_id}",
    response={200: PatientOut, **AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut},
)
def get_patient(
    request: StaffRequest, patient_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Patient:
    """Return one patient's demographics and current episode (404 if not visible)."""
    return access_patient_by_id(request.user, patient_id, request=request)
