"""Units, the on-call rota and seizure precautions: atomic, audited writes."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import Patient
from openrecovery.records.services import patient_lock, timeline_add

from ..models import OnCallShift, SeizurePrecautions, Unit, UnitAssignment

UNIT_OBJECT_TYPE = "unit_assignment"
ON_CALL_OBJECT_TYPE = "on_call_shift"
SEIZURE_OBJECT_TYPE = "seizure_precautions"
OBSERVE_PERMISSION = "withdrawal.record_observations"
MANAGE_PERMISSION = "withdrawal.manage_protocol"
ERROR_CANNOT_OBSERVE = "Your role may not record observations on the withdrawal unit."
ERROR_CANNOT_MANAGE = "Only a clinical director may change the on-call rota."
ERROR_NOT_PHYSICIAN = "Choose an active physician."
ERROR_SHIFT_ORDER = "The shift must end after it starts."
ERROR_SHIFT_LONG = "A shift lasts at most 7 days."
ERROR_SEIZURE_ON = "Seizure precautions are already in place."
ERROR_SEIZURE_OFF = "Seizure precautions are not in place."
MAX_SHIFT = dt.timedelta(days=7)


def unit_of(patient: Patient) -> Unit | None:
    """Return the unit the patient is on now, or None."""
    stay = (
        UnitAssignment.objects.filter(patient=patient, ended_at__isnull=True)
        .select_related("unit")
        .first()
    )
    return stay.unit if stay is not None else None


@transaction.atomic
def unit_assign(
    *, actor: User, patient: Patient, unit: Unit, request: HttpRequest | None = None
) -> UnitAssignment:
    """Put the patient on ``unit`` (ending the stay on another one); audited."""
    if not actor.has_perm(OBSERVE_PERMISSION):
        raise Forbidden(ERROR_CANNOT_OBSERVE)
    patient_lock(patient)
    now = timezone.now()
    current = UnitAssignment.objects.filter(patient=patient, ended_at__isnull=True).first()
    if current is not None and current.unit_id == unit.pk:
        return current
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    stay = UnitAssignment.objects.create(
        patient=patient, unit=unit, assigned_at=now, assigned_by=actor
    )
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=UNIT_OBJECT_TYPE,
        object_id=stay.pk,
        detail={"unit": unit.pk},
    )
    return stay


@transaction.atomic
def on_call_add(
    *,
    actor: User,
    unit: Unit,
    physician: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    request: HttpRequest | None = None,
) -> OnCallShift:
    """Put a physician on call for ``unit`` from ``starts_at`` until ``ends_at``."""
    if not actor.has_perm(MANAGE_PERMISSION):
        raise Forbidden(ERROR_CANNOT_MANAGE)
    if physician.role != Role.PHYSICIAN or not physician.is_active:
        raise ValidationError({"physician": ERROR_NOT_PHYSICIAN})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ERROR_SHIFT_ORDER})
    if ends_at - starts_at > MAX_SHIFT:
        raise ValidationError({"ends_at": ERROR_SHIFT_LONG})
    shift = OnCallShift.objects.create(
        unit=unit, physician=physician, starts_at=starts_at, ends_at=ends_at, created_by=actor
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        object_type=ON_CALL_OBJECT_TYPE,
        object_id=shift.pk,
        detail={"unit": unit.pk, "physician": physician.pk},
    )
    return shift


@transaction.atomic
def seizure_precautions_set(
    *, actor: User, patient: Patient, on: bool, request: HttpRequest | None = None
) -> SeizurePrecautions:
    """Start (``on``) or end the patient's seizure precautions; audited, on the timeline.

    StateConflict when they already are as asked; Forbidden for roles that do not
    record observations.
    """
    if not actor.has_perm(OBSERVE_PERMISSION):
        raise Forbidden(ERROR_CANNOT_OBSERVE)
    patient_lock(patient)
    now = timezone.now()
    current = SeizurePrecautions.objects.filter(patient=patient, ended_at__isnull=True).first()
    if on:
        if current is not None:
            raise StateConflict(ERROR_SEIZURE_ON)
        order = SeizurePrecautions.objects.create(patient=patient, started_at=now, started_by=actor)
    else:
        if current is None:
            raise StateConflict(ERROR_SEIZURE_OFF)
        order = current
        order.ended_at, order.ended_by = now, actor
        order.save(update_fields=["ended_at", "ended_by"])
    audit_record(
        action=Action.CREATE if on else Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=SEIZURE_OBJECT_TYPE,
        object_id=order.pk,
        detail={"in_place": on},
    )
    timeline_add(
        patient=patient,
        kind=TimelineKind.NOTE,
        summary="Seizure precautions started" if on else "Seizure precautions ended",
        actor=actor,
        occurred_at=now,
    )
    return order
