"""Writes for the problem list. Each service is atomic and audited."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.core.errors import StateConflict
from openrecovery.instruments.engine import Score
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.records.services import timeline_add

from ..choices import ProblemSource, ProblemStatus
from ..models import Problem
from .intake import audit_patient_write

CONFIRM_PERMISSION = "assessment.confirm_problem"
DSM5_SEDATIVE = "dsm5-sedative"
# DSM-5-TR severity -> ICD-10-CM (sedative, hypnotic, or anxiolytic use disorder).
DSM5_ICD10CM = {"mild": "F13.10", "moderate": "F13.20", "severe": "F13.20"}
DSM5_DESCRIPTION = "Sedative, hypnotic, or anxiolytic use disorder, {band}"
ERROR_WRONG_INSTRUMENT = "Only a DSM-5-TR sedative checklist result can record this problem."
ERROR_BELOW_THRESHOLD = "Fewer than two criteria counted: no use disorder to record."
ERROR_ALREADY_LISTED = "%(code)s is already on the problem list."
ERROR_NOT_UNCONFIRMED = "Only an unconfirmed problem can be confirmed."
ERROR_CANNOT_CONFIRM = "Only a physician or clinical director may confirm a problem."


@transaction.atomic
def problem_record_from_dsm(
    *,
    actor: User,
    patient: Patient,
    score: Score,
    context: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Problem:
    """Record the use disorder a scored DSM-5-TR sedative checklist suggests, unconfirmed.

    Mild maps to F13.10, moderate and severe to F13.20 (DSM-5-TR coding); fewer than two
    criteria ("none") records nothing. The entry stays unconfirmed until a physician or
    clinical director confirms it. The two codes exclude each other within an episode:
    recording one marks an open entry of the other "replaced" (kept, pointing to the new
    one). Raise ValidationError for a result that records nothing and StateConflict when
    the problem is on the list already.
    """
    if score.code != DSM5_SEDATIVE:
        raise ValidationError(ERROR_WRONG_INSTRUMENT, code="instrument")
    code = DSM5_ICD10CM.get(score.band)
    if code is None:
        raise ValidationError(ERROR_BELOW_THRESHOLD, code="none")
    Patient.objects.select_for_update().get(pk=patient.pk)
    active = Problem.objects.filter(
        patient=patient,
        icd10cm=code,
        status__in=(ProblemStatus.UNCONFIRMED, ProblemStatus.CONFIRMED),
    )
    if active.exists():
        raise StateConflict(ERROR_ALREADY_LISTED % {"code": code})
    now = timezone.now()
    episode = EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()
    problem = Problem(
        patient=patient,
        episode=episode,
        icd10cm=code,
        description=DSM5_DESCRIPTION.format(band=score.band),
        source=ProblemSource.DSM5_CHECKLIST,
        source_detail=(
            f"{score.total} of 11 criteria counted ({score.band}); "
            f"{score.code} version {score.version}"
        ),
        source_data={**score.as_dict(), "version": score.version,
                     "answers": list(score.answers), "context": dict(context or {})},
        recorded_by=actor,
        recorded_at=now,
    )  # fmt: skip
    problem.full_clean()
    problem.save()
    audit_patient_write(Action.CREATE, actor, request, patient.pk, "problem", problem.pk)
    _replace_other_severity(actor, problem, now, request)
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary=f"Problem recorded (unconfirmed): {code} {problem.description}",
        actor=actor,
        occurred_at=now,
    )
    return problem


def _replace_other_severity(
    actor: User, problem: Problem, now: datetime, request: HttpRequest | None
) -> None:
    # One use-disorder code per episode: the new entry replaces any open one of the other.
    others = Problem.objects.filter(
        patient_id=problem.patient_id,
        episode_id=problem.episode_id,
        icd10cm__in=set(DSM5_ICD10CM.values()) - {problem.icd10cm},
        status__in=(ProblemStatus.UNCONFIRMED, ProblemStatus.CONFIRMED),
    )
    for old in others:
        old.status = ProblemStatus.REPLACED
        old.replaced_by = problem
        old.save(update_fields=["status", "replaced_by"])
        audit_patient_write(
            Action.UPDATE, actor, request, problem.patient_id, "problem", old.pk,
            status=ProblemStatus.REPLACED.value, replaced_by=problem.pk,
        )  # fmt: skip
        timeline_add(
            patient=problem.patient,
            episode=problem.episode,
            kind=TimelineKind.ASSESSMENT,
            summary=f"Problem replaced: {old.icd10cm} by {problem.icd10cm}",
            actor=actor,
            occurred_at=now,
        )


@transaction.atomic
def problem_confirm(
    *, actor: User, problem: Problem, request: HttpRequest | None = None
) -> Problem:
    """Confirm an unconfirmed problem-list entry (physician or clinical director)."""
    if not actor.has_perm(CONFIRM_PERMISSION):
        raise PermissionDenied(ERROR_CANNOT_CONFIRM)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status != ProblemStatus.UNCONFIRMED:
        raise StateConflict(ERROR_NOT_UNCONFIRMED)
    problem.status = ProblemStatus.CONFIRMED
    problem.confirmed_by = actor
    problem.confirmed_at = timezone.now()
    problem.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_patient_write(
        Action.UPDATE, actor, request, problem.patient_id, "problem", problem.pk,
        status=ProblemStatus.CONFIRMED.value,
    )  # fmt: skip
    timeline_add(
        patient=problem.patient,
        episode=problem.episode,
        kind=TimelineKind.ASSESSMENT,
        summary=f"Problem confirmed: {problem.icd10cm} {problem.description}",
        actor=actor,
        occurred_at=problem.confirmed_at,
    )
    return problem
