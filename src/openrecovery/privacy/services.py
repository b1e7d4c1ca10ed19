"""Break-glass emergency access: grant and review."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.models import Patient

from .choices import Purpose
from .models import BreakGlassGrant

BREAK_GLASS_PERMISSION = "privacy.break_glass"
REVIEW_PERMISSION = "privacy.review_break_glass"
MIN_REASON_LENGTH = 15
ERROR_NOT_PERMITTED = "Your role cannot use emergency access."
ERROR_REASON_TOO_SHORT = "Describe the emergency in at least %(min)d characters."
ERROR_ALREADY_REVIEWED = "This emergency access has already been reviewed."


@transaction.atomic
def break_glass_grant(
    *, user: Any, patient: Patient, reason: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Give ``user`` emergency access to ``patient`` for BREAK_GLASS_MINUTES, flagged for review.

    Raise Forbidden for a role without emergency access, ValidationError for a short reason.
    """
    if not user.has_perm(BREAK_GLASS_PERMISSION):
        raise Forbidden(ERROR_NOT_PERMITTED)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": ValidationError(ERROR_REASON_TOO_SHORT, params={"min": MIN_REASON_LENGTH})}
        )
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    audit_record(
        action=Action.BREAK_GLASS,
        actor=user,
        request=request,
        patient_id=patient.pk,
        object_type="break_glass_grant",
        object_id=grant.pk,
        purpose=Purpose.EMERGENCY,
        flagged=True,
        detail={"minutes": settings.BREAK_GLASS_MINUTES},
    )
    return grant


@transaction.atomic
def break_glass_review(
    *, reviewer: Any, grant: BreakGlassGrant, note: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Record that a reviewer looked at an emergency access and what they concluded.

    Raise Forbidden for a role that does not review, StateConflict for a grant reviewed
    already and ValidationError without a note.
    """
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise Forbidden(ERROR_NOT_PERMITTED)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise StateConflict(ERROR_ALREADY_REVIEWED)
    if not note.strip():
        raise ValidationError({"note": "Write what the review found."})
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = reviewer
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit_record(
        action=Action.BREAK_GLASS_REVIEWED,
        actor=reviewer,
        request=request,
        patient_id=grant.patient_id,
        object_type="break_glass_grant",
        object_id=grant.pk,
    )
    return grant
