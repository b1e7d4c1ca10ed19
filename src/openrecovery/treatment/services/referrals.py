"""Referrals to other clinicians (psychiatry, primary care), recorded on the plan with
their appointment and outcome. Audit details carry ids and codes only."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import EpisodeOfCare
from openrecovery.records.services import timeline_add

from ..choices import ReferralSpecialty, ReferralStatus
from ..models import Referral

OBJECT_TYPE = "referral"
PERMISSION = "treatment.edit_plan"
CLOSED = frozenset({ReferralStatus.ATTENDED, ReferralStatus.MISSED, ReferralStatus.CANCELLED})

ERROR_PERMISSION = "Only clinicians who write treatment plans can record referrals."
ERROR_EPISODE = "Referrals are recorded in an open episode."
ERROR_OUTCOME = "Say what came of it (attended, missed or cancelled need an outcome)."
ERROR_APPOINTMENT = "A booked appointment needs its date and time."
ERROR_CLOSED = "This referral is closed."


def _require(actor: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise Forbidden(ERROR_PERMISSION)


@transaction.atomic
def referral_create(
    *,
    actor: User,
    episode: EpisodeOfCare,
    specialty: str,
    to_whom: str,
    reason: str,
    appointment_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Record a referral; with an appointment time it is booked already."""
    _require(actor)
    if episode.ended_at is not None:
        raise StateConflict(ERROR_EPISODE)
    now = timezone.now()
    referral = Referral(
        patient_id=episode.patient_id,
        episode=episode,
        specialty=ReferralSpecialty(specialty),
        to_whom=to_whom.strip(),
        reason=reason.strip(),
        appointment_at=appointment_at,
        status=ReferralStatus.SCHEDULED if appointment_at else ReferralStatus.REQUESTED,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    referral.full_clean()
    referral.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=episode.patient_id,
        object_type=OBJECT_TYPE,
        object_id=referral.pk,
        detail={"specialty": referral.specialty, "status": referral.status},
    )
    timeline_add(
        patient=episode.patient,
        episode=episode,
        kind=TimelineKind.NOTE,
        summary=f"Referral: {referral.get_specialty_display()}",
        actor=actor,
        occurred_at=now,
    )
    return referral


@transaction.atomic
def referral_update(
    *,
    actor: User,
    referral: Referral,
    status: str,
    appointment_at: dt.datetime | None = None,
    outcome: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Book, or record how a referral ended (attended, missed, cancelled, with outcome)."""
    _require(actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status in CLOSED:
        raise StateConflict(ERROR_CLOSED)
    status = ReferralStatus(status)
    outcome = outcome.strip()
    if status in CLOSED and not outcome:
        raise ValidationError({"outcome": ERROR_OUTCOME})
    if status == ReferralStatus.SCHEDULED and appointment_at is None:
        raise ValidationError({"appointment_at": ERROR_APPOINTMENT})
    referral.status = status
    referral.appointment_at = appointment_at or referral.appointment_at
    referral.outcome = outcome
    referral.updated_at = timezone.now()
    referral.full_clean()
    referral.save()
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=referral.patient_id,
        object_type=OBJECT_TYPE,
        object_id=referral.pk,
        detail={"status": status},
    )
    return referral
