"""Writes for the intake assessment. Each service is atomic and audited."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import StateConflict
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import EpisodeHandoff, EpisodeOfCare, Patient
from openrecovery.records.services import episode_move_stage, timeline_add
from openrecovery.safety.services import cssrs_owed_open

from ..carry import handoff_source
from ..choices import (
    LEVELS_WITHOUT_ADMISSION,
    WITHDRAWAL_LEVELS,
    AsamDimension,
    AssessmentStatus,
    LevelOfCare,
    YesNoUnknown,
)
from ..forms import DRAFT_FORMS, SECTION_FORMS, SubstanceUseForm
from ..models import Addendum, AsamDimensionRating, IntakeAssessment, SubstanceUse

SIGN_PERMISSION = "assessment.sign_assessment"

ERROR_NO_OPEN_EPISODE = "The patient has no open episode of care."
ERROR_NOT_AT_ASSESSMENT = "An intake assessment starts while the episode is at Assessment."
ERROR_SIGNED = "This assessment is signed and cannot be changed; add an addendum instead."
ERROR_NOT_SIGNED = "Addenda are added after signing; edit the draft instead."
ERROR_UNKNOWN_SECTION = "There is no section %(section)s."
ERROR_SECTION_INCOMPLETE = "%(title)s: answer “%(field)s”."
ERROR_NO_SUBSTANCES = "Record at least one substance in the use history."
ERROR_DIMENSIONS_INCOMPLETE = "Rate all six dimensions (missing: %(missing)s)."
ERROR_LEVEL_REQUIRED = "Choose the level of care."
ERROR_RATIONALE_REQUIRED = "Give the rationale for the level of care."
ERROR_EPISODE_CLOSED = "The episode is closed; its intake cannot be signed."
ERROR_NOT_A_CLINICIAN = "Only a physician, counselor or clinical director may sign."
ERROR_ADDENDUM_EMPTY = "Write the addendum."
ERROR_CARRIED = "That carried-forward draft is not available (already added?)."


def _locked_draft(assessment: IntakeAssessment) -> IntakeAssessment:
    locked = IntakeAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_signed:
        raise StateConflict(ERROR_SIGNED)
    return locked


def audit_patient_write(
    action: str,
    actor: User,
    request: HttpRequest | None,
    patient_id: int,
    kind: str,
    pk: int | str,
    **detail: Any,
) -> None:
    """Audit a write to a patient's intake or problem list.

    ``detail`` holds no PHI and no clinical values (no substance, level of care or
    diagnosis code): the record itself, reached through its id, says what was written.
    """
    audit_record(
        action=action,
        actor=actor,
        request=request,
        patient_id=patient_id,
        object_type=kind,
        object_id=pk,
        detail=detail,
    )


@transaction.atomic
def assessment_start(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> IntakeAssessment:
    """Start the intake of the patient's open episode (at stage Assessment), or return it.

    Raise StateConflict when there is no open episode or it is not at Assessment.
    """
    episode = (
        EpisodeOfCare.objects.select_for_update()
        .filter(patient=patient, ended_at__isnull=True)
        .first()
    )
    if episode is None:
        raise StateConflict(ERROR_NO_OPEN_EPISODE)
    existing = IntakeAssessment.objects.filter(episode=episode).first()
    if existing is not None:
        return existing
    if episode.stage != Stage.ASSESSMENT:
        raise StateConflict(ERROR_NOT_AT_ASSESSMENT)
    assessment = IntakeAssessment.objects.create(episode=episode, author=actor)
    AsamDimensionRating.objects.bulk_create(
        AsamDimensionRating(assessment=assessment, dimension=d) for d in AsamDimension
    )
    audit_patient_write(
        Action.CREATE, actor, request, patient.pk, "intake_assessment", assessment.pk
    )
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary="Intake assessment started",
        actor=actor,
    )
    return assessment


@transaction.atomic
def assessment_save_draft(
    *,
    actor: User,
    assessment: IntakeAssessment,
    section: str,
    answers: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> IntakeAssessment:
    """Save one section of a draft (the autosave); return the assessment, version bumped.

    ``answers`` are validated with the section's form; invalid answers raise
    ValidationError (field -> messages) and change nothing. Answers the draft already
    holds change nothing either: the version counts changes, not the autosave's repeats
    (a field's ``input`` and its ``change`` send the same answers). A signed assessment
    refuses (StateConflict).
    """
    if section not in DRAFT_FORMS:
        raise ValidationError(ERROR_UNKNOWN_SECTION, code="section", params={"section": section})
    form = DRAFT_FORMS[section](data=answers)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    assessment = _locked_draft(assessment)
    data = form.cleaned_data
    if _section_holds(assessment, section, data):
        return assessment
    if section in SECTION_FORMS:
        assessment.sections = {**assessment.sections, section: data}
    elif section == "level":
        assessment.level_of_care = data["level_of_care"]
        assessment.level_rationale = data["level_rationale"].strip()
    else:
        for rating in AsamDimensionRating.objects.filter(assessment=assessment):
            rating.rating = data[f"rating_{rating.dimension}"]
            rating.notes = data[f"notes_{rating.dimension}"]
            rating.save(update_fields=["rating", "notes"])
    assessment.version += 1
    assessment.save()
    patient_id = assessment.episode.patient_id
    audit_patient_write(
        Action.UPDATE, actor, request, patient_id, "intake_assessment", assessment.pk,
        section=section, version=assessment.version,
    )  # fmt: skip
    if data.get("suicidal_thoughts") == YesNoUnknown.YES:
        # A positive answer is a positive screen: a C-SSRS is owed (once, while open).
        cssrs_owed_open(
            patient=assessment.episode.patient,
            source_type="intake_assessment",
            source_id=assessment.pk,
            actor=actor,
            episode=assessment.episode,
            request=request,
        )
    return assessment


def _carried_source(assessment: IntakeAssessment, carried_from: str) -> str:
    """Return the source of the carried-forward draft ``carried_from`` names, or refuse."""
    handoff_id, _, number = carried_from.partition(":")
    handoff = (
        EpisodeHandoff.objects.filter(pk=int(handoff_id), episode_id=assessment.episode_id)
        .select_related("recorded_by")
        .first()
        if handoff_id.isdigit() and number.isdigit() and len(handoff_id) < 19
        else None
    )
    taken = SubstanceUse.objects.filter(assessment=assessment, carried_from=carried_from)
    if handoff is None or taken.exists():
        raise ValidationError(ERROR_CARRIED)
    return handoff_source(handoff)


def _section_holds(assessment: IntakeAssessment, section: str, data: Mapping[str, Any]) -> bool:
    """Return whether the draft already holds ``data`` (cleaned answers) for ``section``."""
    if section in SECTION_FORMS:
        return bool(assessment.sections.get(section) == data)
    if section == "level":
        held = (assessment.level_of_care, assessment.level_rationale)
        return held == (data["level_of_care"], data["level_rationale"].strip())
    ratings = AsamDimensionRating.objects.filter(assessment=assessment)
    return all(
        (r.rating, r.notes) == (data[f"rating_{r.dimension}"], data[f"notes_{r.dimension}"])
        for r in ratings
    )


@transaction.atomic
def substance_use_add(
    *,
    actor: User,
    assessment: IntakeAssessment,
    fields: Mapping[str, Any],
    carried_from: str = "",
    request: HttpRequest | None = None,
) -> SubstanceUse:
    """Add a substance row to a draft's use history (fields are validated by the form).

    ``carried_from`` names the carried-forward draft the row was checked from (see
    ``assessment.carry``); the row then records that source, and the draft is done.
    """
    form = SubstanceUseForm(data=fields)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    assessment = _locked_draft(assessment)
    row: SubstanceUse = form.save(commit=False)
    row.assessment = assessment
    if carried_from:
        row.carried_from, row.source = carried_from, _carried_source(assessment, carried_from)
    row.full_clean()
    row.save()
    assessment.version += 1
    assessment.save(update_fields=["version", "updated_at"])
    audit_patient_write(
        Action.CREATE, actor, request, assessment.episode.patient_id, "substance_use", row.pk
    )
    return row


@transaction.atomic
def substance_use_remove(
    *, actor: User, row: SubstanceUse, request: HttpRequest | None = None
) -> None:
    """Remove a substance row from a draft (a signed assessment refuses)."""
    assessment = _locked_draft(row.assessment)
    patient_id = assessment.episode.patient_id
    pk = row.pk
    row.delete()
    assessment.version += 1
    assessment.save(update_fields=["version", "updated_at"])
    audit_patient_write(
        Action.UPDATE, actor, request, patient_id, "substance_use", pk, removed=True
    )


def assessment_missing(assessment: IntakeAssessment) -> list[str]:
    """Return what signing still needs, as messages (empty when the assessment is complete)."""
    missing = []
    if not assessment.substances.exists():
        missing.append(ERROR_NO_SUBSTANCES)
    for key, form in SECTION_FORMS.items():
        answers = assessment.sections.get(key) or {}
        for name in form.required_for_signing:
            if answers.get(name) in (None, ""):
                label = str(form.base_fields[name].label)
                missing.append(ERROR_SECTION_INCOMPLETE % {"title": form.title, "field": label})
    unrated = [str(r.dimension) for r in assessment.ratings.all() if r.rating is None]
    if unrated or assessment.ratings.count() != len(AsamDimension):
        missing.append(ERROR_DIMENSIONS_INCOMPLETE % {"missing": ", ".join(unrated) or "all"})
    if not assessment.level_of_care:
        missing.append(ERROR_LEVEL_REQUIRED)
    if not assessment.level_rationale.strip():
        missing.append(ERROR_RATIONALE_REQUIRED)
    return missing


def stage_after_signing(level: str) -> str | None:
    """Return the stage a signed intake with ``level`` moves the episode to (None: stay)."""
    if level in LEVELS_WITHOUT_ADMISSION:
        return None
    return Stage.WITHDRAWAL_MANAGEMENT if level in WITHDRAWAL_LEVELS else Stage.TREATMENT


@transaction.atomic
def assessment_sign(
    *, actor: User, assessment: IntakeAssessment, request: HttpRequest | None = None
) -> IntakeAssessment:
    """Sign a complete intake and move its episode to the stage the level of care implies.

    A withdrawal-management level (…-WM) moves an episode at Assessment to Withdrawal
    management; any other level moves it to Treatment (an OTP is treatment), except
    early intervention (0.5), which leaves the stage alone for the clinician to refer out
    or close from the chart. An episode no longer at Assessment (moved by hand) keeps its
    stage. Raise PermissionDenied for a non-clinician, ValidationError listing what is
    missing for an incomplete assessment, and StateConflict for an already signed one or
    a closed episode.
    """
    if not actor.has_perm(SIGN_PERMISSION):
        raise PermissionDenied(ERROR_NOT_A_CLINICIAN)
    assessment = _locked_draft(assessment)
    episode = assessment.episode
    if not episode.is_open:
        raise StateConflict(ERROR_EPISODE_CLOSED)
    missing = assessment_missing(assessment)
    if missing:
        raise ValidationError(missing, code="incomplete")
    now = timezone.now()
    assessment.status = AssessmentStatus.SIGNED
    assessment.signed_by = actor
    assessment.signed_at = now
    assessment.version += 1
    assessment.save()
    level = LevelOfCare(assessment.level_of_care)
    audit_patient_write(
        Action.UPDATE, actor, request, episode.patient_id, "intake_assessment", assessment.pk,
        signed=True, version=assessment.version,
    )  # fmt: skip
    timeline_add(
        patient=episode.patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary=f"Intake assessment signed: level of care {level.value}",
        actor=actor,
        occurred_at=now,
    )
    target = stage_after_signing(level)
    if target is not None and episode.stage == Stage.ASSESSMENT:
        episode_move_stage(
            actor=actor,
            episode=episode,
            to_stage=target,
            reason=f"Intake assessment signed with level of care {level.value}",
            request=request,
        )
    return assessment


@transaction.atomic
def addendum_add(
    *, actor: User, assessment: IntakeAssessment, text: str, request: HttpRequest | None = None
) -> Addendum:
    """Add an addendum to a signed intake (a draft is edited instead)."""
    assessment = IntakeAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_signed:
        raise StateConflict(ERROR_NOT_SIGNED)
    if not text.strip():
        raise ValidationError({"text": ERROR_ADDENDUM_EMPTY})
    addendum = Addendum(assessment=assessment, text=text.strip(), author=actor)
    addendum.created_at = timezone.now()
    addendum.full_clean()
    addendum.save()
    episode = assessment.episode
    audit_patient_write(Action.CREATE, actor, request, episode.patient_id, "addendum", addendum.pk)
    timeline_add(
        patient=episode.patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary="Addendum added to the intake assessment",
        actor=actor,
        occurred_at=addendum.created_at,
    )
    return addendum
