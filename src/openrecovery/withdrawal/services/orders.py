"""Taper orders and medication orders: signed by a physician, versioned, audited.

A taper order is the planner's plan (``medications.taper``; the guideline's limits are
enforced there) with the clinician's adjustments, signed with a review date at most three
months away (2025 joint guideline, rec. 1; REFERENCE section 5). A change after signing
is a new version with a reason; the earlier versions stay, superseded.
"""

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden
from openrecovery.medications.catalogue import medication_get
from openrecovery.medications.services import taper_override_record
from openrecovery.medications.taper import TaperPlan, TaperRefused, taper_plan_preview
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.records.services import patient_lock, timeline_add

from ..models import MedicationOrder, TaperOrder
from ..tapering import AdjustmentRefused, Step, adjust_all, plan_steps
from .assessments import in_withdrawal_management

SIGN_PERMISSION = "withdrawal.sign_taper"
TAPER_OBJECT_TYPE = "taper_order"
ORDER_OBJECT_TYPE = "medication_order"
REVIEW_MONTHS = 3
MAX_TIMES = 6
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ERROR_CANNOT_SIGN = "Only a physician or the clinical director may sign medication orders."
ERROR_NOT_IN_WITHDRAWAL = "The patient is not in withdrawal management."
ERROR_REVIEW = "The review date must be after today and at most 3 months after signing ({last})."
ERROR_CHANGE_REASON = "Say why the signed taper changes: the reason is kept with the new version."
ERROR_TIMES = "Give 1 to 6 dose times as HH:MM (24-hour clock), each once."
ERROR_START = "The taper starts today or later."
ERROR_MEDICATION = "Choose a medication from the catalogue."
ERROR_DOSE = "Give the dose in mg, more than 0."
ERROR_PRN_LIMITS = "An as-needed order needs a 24-hour maximum and a minimum interval."
ERROR_PRN_MAXIMUM = "The 24-hour maximum must be at least one dose."
ERROR_INTERVAL = "The minimum interval is 15 minutes to 24 hours."


def review_limit(signed_on: dt.date) -> dt.date:
    """Return the latest review date: three calendar months after ``signed_on`` (the last
    day of that month when it is shorter: 30 November for 31 August)."""
    month = signed_on.month - 1 + REVIEW_MONTHS
    year, month = signed_on.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(signed_on.day, calendar.monthrange(year, month)[1]))


def clean_times(times: Sequence[str]) -> list[str]:
    """Return the dose times sorted, or raise ValidationError."""
    cleaned = sorted(t.strip() for t in times if t.strip())
    if not 1 <= len(cleaned) <= MAX_TIMES or len(set(cleaned)) != len(cleaned):
        raise ValidationError({"times": ERROR_TIMES})
    if not all(CLOCK.match(t) for t in cleaned):
        raise ValidationError({"times": ERROR_TIMES})
    return cleaned


def taper_build(
    inputs: Mapping[str, Any], adjustments: Sequence[Mapping[str, Any]]
) -> tuple[TaperPlan, list[Step], list[Step]]:
    """Plan the taper from the preview API's inputs and apply the adjustments; return the
    plan, the steps and the steps on hold. Raise ValidationError naming the field."""
    try:
        plan = taper_plan_preview(
            medication=str(inputs["medication"]),
            daily_dose_mg=Decimal(str(inputs["daily_dose_mg"])),
            equivalence_table=str(inputs["equivalence_table"]),
            switch_to=inputs.get("switch_to") or None,
            reduction_percent=Decimal(str(inputs.get("reduction_percent", 10))),
            interval_days=int(inputs.get("interval_days", 14)),
            target_dose_mg=Decimal(str(inputs.get("target_dose_mg", 0))),
            override_reason=str(inputs.get("override_reason", "")),
        )
    except TaperRefused as refused:
        raise ValidationError({refused.field: refused.message}) from refused
    except (InvalidOperation, ValueError, KeyError) as error:
        raise ValidationError({"daily_dose_mg": "Give the doses as numbers."}) from error
    try:
        steps, held = adjust_all(plan_steps(plan), adjustments)
    except AdjustmentRefused as refused:
        raise ValidationError({"adjustments": refused.message}) from refused
    return plan, steps, held


def taper_in_force(patient: Patient) -> TaperOrder | None:
    """Return the patient's taper order in force (the newest version), or None."""
    return (
        TaperOrder.objects.filter(patient=patient, superseded_at__isnull=True)
        .select_related("signed_by")
        .first()
    )


def _episode(patient: Patient) -> EpisodeOfCare:
    episode = EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()
    if episode is None or not in_withdrawal_management(episode):
        raise ValidationError(ERROR_NOT_IN_WITHDRAWAL)
    return episode


@transaction.atomic
def taper_order_sign(
    *,
    actor: User,
    patient: Patient,
    inputs: Mapping[str, Any],
    adjustments: Sequence[Mapping[str, Any]] = (),
    start_date: dt.date,
    times: Sequence[str],
    review_by: dt.date,
    change_reason: str = "",
    request: HttpRequest | None = None,
) -> TaperOrder:
    """Sign a taper order (a new version when one is in force: ``change_reason`` needed).

    The plan is computed again from ``inputs`` (the preview API's) and ``adjustments``;
    a faster-than-default plan needs ``inputs["override_reason"]``, audited (flagged) as the
    preview API audits it. ``review_by`` is at most three months after signing.
    """
    if not actor.has_perm(SIGN_PERMISSION):
        raise Forbidden(ERROR_CANNOT_SIGN)
    patient_lock(patient)
    episode = _episode(patient)
    now = timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    if not today < review_by <= review_limit(today):
        errors["review_by"] = ERROR_REVIEW.format(last=review_limit(today).isoformat())
    if start_date < today:
        errors["start_date"] = ERROR_START
    current = taper_in_force(patient)
    if current is not None and not change_reason.strip():
        errors["change_reason"] = ERROR_CHANGE_REASON
    try:
        clock_times = clean_times(times)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    plan, steps, _held = taper_build(inputs, adjustments)
    reason = str(inputs.get("override_reason", "")).strip() if plan.overrides else ""
    stored_inputs = {
        **{k: inputs.get(k) for k in _INPUT_KEYS},
        "override_reason": reason,
        "units": {code: format(u.normalize(), "f") for code, u in plan.dose_units_mg.items()},
    }
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    order = TaperOrder.objects.create(
        patient=patient,
        series=current.series if current else None,
        version=current.version + 1 if current else 1,
        previous=current,
        medication=plan.steps[0].doses[0].medication.code,
        equivalence_table=str(plan.table.code),
        inputs=stored_inputs,
        adjustments=[dict(a) for a in adjustments],
        steps=steps,
        warnings=list(plan.warnings),
        overrides=list(plan.overrides),
        override_reason=reason,
        start_date=start_date,
        times=clock_times,
        review_by=review_by,
        change_reason=change_reason.strip(),
        signed_by=actor,
        signed_at=now,
    )
    if order.series is None:
        order.series = order.pk
        order.save(update_fields=["series"])
    if plan.overrides:
        taper_override_record(
            actor=actor,
            plan=plan,
            medication=order.medication,
            reduction_percent=str(inputs.get("reduction_percent", 10)),
            interval_days=int(inputs.get("interval_days", 14)),
            override_reason=reason,
            request=request,
        )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=TAPER_OBJECT_TYPE,
        object_id=order.pk,
        flagged=bool(plan.overrides),
        detail={
            "series": order.series,
            "version": order.version,
            "steps": len(steps),
            "adjustments": len(order.adjustments),
            "overrides": list(plan.overrides),
        },
    )
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.MEDICATION,
        summary=f"Taper order signed (version {order.version}, {len(steps)} steps, "
        f"review by {review_by.isoformat()})",
        actor=actor,
        occurred_at=now,
    )
    return order


_INPUT_KEYS = (
    "medication",
    "daily_dose_mg",
    "equivalence_table",
    "switch_to",
    "reduction_percent",
    "interval_days",
    "target_dose_mg",
)


def _decimal(value: Any, field: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValidationError({field: message}) from error
    if not number.is_finite() or number <= 0:
        raise ValidationError({field: message})
    return number


@transaction.atomic
def medication_order_create(
    *,
    actor: User,
    patient: Patient,
    medication: str,
    dose_mg: Any,
    as_needed: bool,
    times: Sequence[str] = (),
    max_daily_mg: Any = None,
    min_interval_minutes: int | None = None,
    indication: str = "",
    request: HttpRequest | None = None,
) -> MedicationOrder:
    """Sign a scheduled order (``dose_mg`` at each of ``times``) or an as-needed one (with
    its 24-hour maximum and minimum interval)."""
    if not actor.has_perm(SIGN_PERMISSION):
        raise Forbidden(ERROR_CANNOT_SIGN)
    patient_lock(patient)
    _episode(patient)
    found = medication_get(medication, clinical=True)
    if found is None:
        raise ValidationError({"medication": ERROR_MEDICATION})
    dose = _decimal(dose_mg, "dose_mg", ERROR_DOSE)
    maximum = None
    clock_times: list[str] = []
    if as_needed:
        if max_daily_mg in (None, "") or min_interval_minutes is None:
            raise ValidationError({"max_daily_mg": ERROR_PRN_LIMITS})
        maximum = _decimal(max_daily_mg, "max_daily_mg", ERROR_PRN_MAXIMUM)
        if maximum < dose:
            raise ValidationError({"max_daily_mg": ERROR_PRN_MAXIMUM})
        if not 15 <= min_interval_minutes <= 24 * 60:
            raise ValidationError({"min_interval_minutes": ERROR_INTERVAL})
    else:
        clock_times = clean_times(times)
        min_interval_minutes = None
    now = timezone.now()
    order = MedicationOrder.objects.create(
        patient=patient,
        medication=found.code,
        dose_mg=dose,
        as_needed=as_needed,
        times=clock_times,
        max_daily_mg=maximum,
        min_interval_minutes=min_interval_minutes,
        indication=indication.strip()[:200],
        start_date=timezone.localdate(now),
        ordered_by=actor,
        ordered_at=now,
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=ORDER_OBJECT_TYPE,
        object_id=order.pk,
        detail={"medication": found.code, "as_needed": as_needed},
    )
    return order


ERROR_ORDER_ENDED = "That order has ended already."


@transaction.atomic
def medication_order_end(
    *, actor: User, order: MedicationOrder, request: HttpRequest | None = None
) -> MedicationOrder:
    """End (discontinue) a scheduled or as-needed order from now; its records stay."""
    if not actor.has_perm(SIGN_PERMISSION):
        raise Forbidden(ERROR_CANNOT_SIGN)
    patient_lock(order.patient)
    order.refresh_from_db(fields=["ended_at"])
    if order.ended_at is not None:
        raise ValidationError({"order": ERROR_ORDER_ENDED})
    order.ended_at = timezone.now()
    order.save(update_fields=["ended_at"])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=order.patient_id,
        object_type=ORDER_OBJECT_TYPE,
        object_id=order.pk,
        detail={"ended": True},
    )
    return order
