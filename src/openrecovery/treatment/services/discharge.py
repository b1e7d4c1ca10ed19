"""Discharge summaries: written as a draft, signed, and signing closes the episode.

The summary keeps, as they stood when signed, the last scores with their trend, the
suicide-risk level and the current safety plan's version. Against advice, the summary
must record that the risks were explained and that the 24/7 line and the crisis numbers
were given. Closing goes through the suicide-risk pathway's checked move (a recent
elevated risk level needs a signed safety plan or the reason there is none, and opens
caring contacts). Audit details carry ids and codes only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.models import EpisodeOfCare
from openrecovery.records.stages import DISCHARGE_FROM
from openrecovery.safety.selectors import risk_current
from openrecovery.safety.services import episode_move_checked, safety_plan_current

from ..choices import DischargeReason, NoteStatus
from ..measurement_selectors import episode_courses
from ..models import DischargeSummary

OBJECT_TYPE = "discharge_summary"
PERMISSION = "treatment.edit_plan"
TEXT_MAX = 10_000

# The episode's discharge type for each reason a summary gives.
DISCHARGE_TYPES = {
    DischargeReason.COMPLETED: DischargeType.COMPLETED,
    DischargeReason.AGAINST_ADVICE: DischargeType.AGAINST_ADVICE,
    DischargeReason.ADMINISTRATIVE: DischargeType.ADMINISTRATIVE,
    DischargeReason.TRANSFERRED: DischargeType.REFERRED_OUT,
}

ERROR_PERMISSION = "Only clinicians who write treatment plans can write discharge summaries."
ERROR_EPISODE_CLOSED = "This episode is already closed."
ERROR_SIGNED = "This discharge summary is signed and the episode closed."
ERROR_COURSE = "Describe the course of treatment."
ERROR_REASON_STAGE = "“%(reason)s” does not fit an episode in %(stage)s."
ERROR_AMA_RISKS = "Against advice: record that the risks of leaving were explained."
ERROR_AMA_CRISIS = "Against advice: record that the 24/7 line and the crisis numbers were given."


def _require(actor: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise Forbidden(ERROR_PERMISSION)


@transaction.atomic
def discharge_save(
    *,
    actor: User,
    episode: EpisodeOfCare,
    reason: str,
    course: str,
    medications: str = "",
    aftercare_text: str = "",
    risks_explained: bool = False,
    crisis_resources_given: bool = False,
    request: HttpRequest | None = None,
) -> DischargeSummary:
    """Create or update the episode's draft discharge summary."""
    _require(actor)
    episode = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
    if episode.ended_at is not None:
        raise StateConflict(ERROR_EPISODE_CLOSED)
    summary = DischargeSummary.objects.filter(episode=episode).first()
    if summary is not None and summary.status == NoteStatus.SIGNED:
        raise StateConflict(ERROR_SIGNED)
    now = timezone.now()
    if summary is None:
        summary = DischargeSummary(
            episode=episode, patient_id=episode.patient_id, author=actor, created_at=now
        )
    summary.reason = DischargeReason(reason)
    summary.course = course.strip()[:TEXT_MAX]
    summary.medications = medications.strip()[:TEXT_MAX]
    summary.aftercare_text = aftercare_text.strip()[:TEXT_MAX]
    summary.risks_explained = risks_explained
    summary.crisis_resources_given = crisis_resources_given
    summary.full_clean(exclude=["course"])
    created = summary.pk is None
    summary.save()
    audit_record(
        action=Action.CREATE if created else Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=episode.patient_id,
        object_type=OBJECT_TYPE,
        object_id=summary.pk,
        detail={"reason": summary.reason},
    )
    return summary


def discharge_check(summary: DischargeSummary, stage: str) -> None:
    """Raise ValidationError with every reason the summary cannot be signed yet."""
    errors: dict[str, str] = {}
    if not summary.course.strip():
        errors["course"] = ERROR_COURSE
    if stage not in DISCHARGE_FROM[DISCHARGE_TYPES[DischargeReason(summary.reason)]]:
        errors["reason"] = ERROR_REASON_STAGE % {
            "reason": DischargeReason(summary.reason).label,
            "stage": Stage(stage).label.lower(),
        }
    if summary.reason == DischargeReason.AGAINST_ADVICE:
        if not summary.risks_explained:
            errors["risks_explained"] = ERROR_AMA_RISKS
        if not summary.crisis_resources_given:
            errors["crisis_resources_given"] = ERROR_AMA_CRISIS
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def discharge_sign(
    *,
    actor: User,
    summary: DischargeSummary,
    no_plan_reason: str = "",
    request: HttpRequest | None = None,
) -> DischargeSummary:
    """Sign the summary, keep its snapshot (scores, risk level, safety plan), and close the
    episode with the matching discharge type. Nothing changes when anything is refused."""
    _require(actor)
    summary = (
        DischargeSummary.objects.select_for_update().select_related("episode").get(pk=summary.pk)
    )
    episode = summary.episode
    if summary.status == NoteStatus.SIGNED:
        raise StateConflict(ERROR_SIGNED)
    if episode.ended_at is not None:
        raise StateConflict(ERROR_EPISODE_CLOSED)
    discharge_check(summary, episode.stage)
    now = timezone.now()
    summary.scores = [
        {
            "code": c.code,
            "label": c.label,
            "baseline": c.baseline.total if c.baseline else None,
            "latest": c.latest.total if c.latest else None,
            "latest_at": c.latest.administered_at.isoformat() if c.latest else None,
            "change": c.change,
            "status": c.status,
            "status_label": c.status_label,
        }
        for c in episode_courses(episode, now)
    ]
    current = risk_current(summary.patient_id)
    risk = current.level if current is not None else ""
    plan = safety_plan_current(episode)
    summary.risk_level = risk
    summary.safety_plan_version = plan.version if plan is not None else None
    summary.status = NoteStatus.SIGNED
    summary.signed_at = now
    summary.save()
    episode_move_checked(
        actor=actor,
        episode=episode,
        to_stage=Stage.CLOSED,
        reason=f"Discharge summary signed: {DischargeReason(summary.reason).label}",
        discharge_type=DISCHARGE_TYPES[DischargeReason(summary.reason)],
        no_plan_reason=no_plan_reason,
        request=request,
    )
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=summary.patient_id,
        object_type=OBJECT_TYPE,
        object_id=summary.pk,
        detail={"signed": True, "reason": summary.reason},
    )
    return summary
