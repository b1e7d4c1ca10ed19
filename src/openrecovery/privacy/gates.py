"""Access gates: every read of patient data passes through one of these.

A user sees a patient when they are on the patient's active care team, when
their role covers the stage of the patient's current episode, or when they hold
an unexpired break-glass grant. Everyone else gets a 404, as if the patient did
not exist; the refusal is audited.
"""

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import ROLE_STAGE_COVERAGE
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record
from openrecovery.core.prepared import PreparedQuery
from openrecovery.records.choices import Stage
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient

from .choices import AccessBasis, Purpose
from .models import BreakGlassGrant

CHART_PERMISSION = "records.view_chart"
MAX_DB_ID = 2**63 - 1  # larger ids exist nowhere and overflow SQLite's integer


def _coverage(user: User) -> frozenset[str]:
    return ROLE_STAGE_COVERAGE.get(user.role, frozenset())


def patients_visible_to(user: User) -> QuerySet[Patient]:
    """Return the patients ``user`` may see, as a queryset (no audit: callers audit lists)."""
    coverage = visibility_of(user)
    if coverage is None:
        return Patient.objects.none()
    return patients_visible(user.pk, coverage, timezone.now())


def visibility_of(user: User) -> frozenset[str] | None:
    """Return what shapes ``user``'s visible patients: None when they may see no chart,
    else the stages their role covers (all of them: every patient)."""
    if not user.is_authenticated or not user.has_perm(CHART_PERMISSION):
        return None
    return _coverage(user)


def sees_everyone(coverage: frozenset[str]) -> bool:
    """Whether a role covering ``coverage`` sees every patient (no per-user condition)."""
    return coverage >= set(Stage)


def patients_visible(user_id: int, coverage: frozenset[str], now: dt.datetime) -> QuerySet[Patient]:
    """Return ``patients_visible_to``'s queryset from its parts: the user's id, their role's
    coverage (``visibility_of``) and the moment break-glass grants are checked at. A
    builder for prepared queries (``core/prepared.py``): it reads nothing else."""
    if sees_everyone(coverage):
        return Patient.objects.all()
    on_team = CareTeamMember.objects.filter(patient=OuterRef("pk"), user_id=user_id, active=True)
    grants = BreakGlassGrant.objects.filter(
        patient=OuterRef("pk"), user_id=user_id, expires_at__gt=now
    )
    condition = Q(Exists(on_team)) | Q(Exists(grants))
    if coverage:
        open_episodes = EpisodeOfCare.objects.filter(patient=OuterRef("pk"), ended_at__isnull=True)
        condition |= Q(Exists(open_episodes.filter(stage__in=sorted(coverage))))
        if Stage.CLOSED in coverage:
            condition |= ~Q(Exists(open_episodes))
    return Patient.objects.filter(condition)


def _current_stage(patient: Patient) -> str:
    # The open episode's stage; a patient whose episodes are all closed is "closed".
    episode = EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()
    return episode.stage if episode is not None else Stage.CLOSED


def _on_team(user: User, patient: Patient | OuterRef) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(patient=patient, user=user, active=True)


def access_basis(user: User, patient: Patient, *, on_team: bool | None = None) -> str | None:
    """Return why ``user`` may see ``patient`` (an AccessBasis), or None.

    ``on_team``, when the caller already read it with the patient, says whether ``user``
    is on the patient's active care team (otherwise it is looked up here).
    """
    if not user.is_authenticated or not user.has_perm(CHART_PERMISSION):
        return None
    if on_team is None:
        on_team = _on_team(user, patient).exists()
    if on_team:
        return AccessBasis.CARE_TEAM
    coverage = _coverage(user)
    if coverage and _current_stage(patient) in coverage:
        return AccessBasis.COVERAGE
    if BreakGlassGrant.objects.filter(
        patient=patient, user=user, expires_at__gt=timezone.now()
    ).exists():
        return AccessBasis.BREAK_GLASS
    return None


# The patient with "is the viewer on the care team" (compiled once, core/prepared.py).
_PATIENT_WITH_TEAM_CHECK = PreparedQuery(
    lambda patient_id, user_id: (
        Patient.objects.filter(pk=patient_id)
        .annotate(
            viewer_on_team=Exists(
                CareTeamMember.objects.filter(patient=OuterRef("pk"), user_id=user_id, active=True)
            )
        )
        .order_by("pk")[:1]
    )
)


@dataclasses.dataclass(frozen=True)
class PatientAccess:
    """A patient a user passed the gate for, and on what basis (an AccessBasis)."""

    patient: Patient
    basis: str


def access_patient_grant_by_id(
    user: User,
    patient_id: int,
    *,
    request: HttpRequest | None = None,
    purpose: str = Purpose.TREATMENT,
    action: str = Action.VIEW,
    object_type: str = "patient",
) -> PatientAccess:
    """Load a patient ``user`` may see for ``purpose``, audit the read, return it with the basis.

    Raise Http404 (after auditing the refusal) for unknown ids and for patients
    the user may not see, so the two cannot be told apart.
    """
    patient = None
    if patient_id <= MAX_DB_ID:
        # The care-team check, the usual basis, travels with the patient: one query.
        if user.is_authenticated:
            found = _PATIENT_WITH_TEAM_CHECK.fetch(patient_id=patient_id, user_id=user.pk)
            patient = found[0] if found else None
        else:
            patient = Patient.objects.filter(pk=patient_id).first()
    basis = None
    if patient is not None:
        basis = access_basis(user, patient, on_team=getattr(patient, "viewer_on_team", None))
    if patient is None or basis is None:
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=user,
            request=request,
            patient_id=patient.pk if patient else None,
            object_type=object_type,
            object_id=str(patient_id)[:64],
            outcome=Outcome.DENIED,
            purpose=purpose,
        )
        raise Http404("No such patient.")
    if basis == AccessBasis.BREAK_GLASS:
        purpose = Purpose.EMERGENCY
    audit_record(
        action=action,
        actor=user,
        request=request,
        patient_id=patient.pk,
        object_type=object_type,
        object_id=patient.pk,
        purpose=purpose,
        detail={"basis": str(basis)},
        flagged=basis == AccessBasis.BREAK_GLASS,
    )
    return PatientAccess(patient=patient, basis=basis)


def access_patient_by_id(user: User, patient_id: int, **kwargs: Any) -> Patient:
    """Like access_patient_grant_by_id, returning only the patient."""
    return access_patient_grant_by_id(user, patient_id, **kwargs).patient
