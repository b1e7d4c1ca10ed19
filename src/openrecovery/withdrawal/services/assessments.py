"""Judge a CIWA-B under the protocol in force, and record vital signs; alert when called for.

CIWA-B is a monitoring scale: a high or rising score opens a clinician review (an alert to
the physician on call), never a dose (REFERENCE section 3; guideline recs. 11 and 12).
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_insert, audit_record
from openrecovery.core.errors import Forbidden
from openrecovery.core.prepared import PreparedQuery
from openrecovery.instruments.models import Administration
from openrecovery.instruments.reactions import FollowUp, Notice, Recorded
from openrecovery.records.choices import AlertKind, Stage, TimelineKind
from openrecovery.records.models import ClinicalAlert, EpisodeOfCare, Patient
from openrecovery.records.services import timeline_add

from ..choices import EscalationReason, VitalSign
from ..models import CiwabJudgement, VitalSigns, WithdrawalProtocol
from ..protocols import (
    BAND_LABELS,
    CIWAB_CODE,
    OBSERVER_SUBSCALE,
    PATIENT_SUBSCALE,
    PLAUSIBLE,
    beyond_limits,
    escalation_due,
    next_due,
)
from .escalation import escalation_raise
from .protocols import protocol_current
from .units import ERROR_CANNOT_OBSERVE, OBSERVE_PERMISSION

JUDGEMENT_OBJECT_TYPE = "ciwab_judgement"
VITALS_OBJECT_TYPE = "vital_signs"
REVIEW_ADVICE = (
    "Clinician review now: consider pausing or slowing the taper and a higher level of care "
    "(guideline recs. 11, 12). CIWA-B does not set a dose."
)
NOTICE_ALERTED = "The physician on call was alerted for a clinician review"
ERROR_MISSING = "Enter the %(sign)s."
ERROR_NUMBER = "Enter the %(sign)s as a number."
ERROR_IMPOSSIBLE = (
    "%(value)s is not a possible %(sign)s (%(low)s to %(high)s); check the reading. Nothing "
    "was saved."
)
ERROR_PULSE_PRESSURE = "The diastolic pressure must be below the systolic. Nothing was saved."
WHOLE_SIGNS = frozenset(s for s in VitalSign if s != VitalSign.TEMPERATURE)


def in_withdrawal_management(episode: EpisodeOfCare | None) -> bool:
    """Return True when the open episode is at the withdrawal management stage."""
    return (
        episode is not None
        and episode.ended_at is None
        and (episode.stage == Stage.WITHDRAWAL_MANAGEMENT)
    )


def _ciwab_message(judgement: CiwabJudgement) -> str:
    rise = f"; up {judgement.rise} points since the last" if "rise" in _reasons(judgement) else ""
    return (
        f"CIWA-B {judgement.total} ({BAND_LABELS[judgement.band]}: patient-rated "
        f"{judgement.patient_rated}, observer-rated {judgement.observer_rated}{rise}). "
        f"{REVIEW_ADVICE}"
    )


def _reasons(judgement: CiwabJudgement) -> list[str]:
    return escalation_due(
        band=judgement.band, rise=judgement.rise, threshold=judgement.protocol.rise_threshold
    )


# The total of the patient's CIWA-B before this one (newest first), on every save.
_PREVIOUS_TOTAL = PreparedQuery(
    lambda patient_id, at: (
        CiwabJudgement.objects.filter(patient_id=patient_id, administered_at__lte=at)
        .order_by("-administered_at", "-id")
        .values_list("total")[:1]
    ),
    at=dt.datetime,
)


def judgement_of(
    administration: Administration,
    *,
    protocol: WithdrawalProtocol,
    actor: User,
    previous: int | None,
) -> CiwabJudgement:
    """Return the (unsaved) judgement of a CIWA-B under ``protocol``: its subtotals, the
    next due time for its band, and its rise over ``previous`` (the total before it)."""
    assert administration.total is not None  # noqa: S101 (CIWA-B always has a total)
    return CiwabJudgement(
        administration=administration,
        patient=administration.patient,
        protocol=protocol,
        total=administration.total,
        band=administration.band,
        patient_rated=administration.subscales[PATIENT_SUBSCALE],
        observer_rated=administration.subscales[OBSERVER_SUBSCALE],
        administered_at=administration.administered_at,
        administered_by=actor,
        next_due_at=next_due(
            administration.administered_at, administration.band, protocol.intervals
        ),
        rise=None if previous is None else administration.total - previous,
    )


def ciwab_follow_up(recorded: Recorded) -> FollowUp:
    """React to a recorded CIWA-B of a patient in withdrawal management (a registered
    ``instruments.reactions`` reaction): judge it under the protocol in force (the next
    due time; the rise since the previous one) and alert the physician on call when the
    band is severe or very severe or the rise reaches the protocol's threshold. Add
    ``next_due_at`` and ``protocol_version`` to the API's answer.
    """
    administration = recorded.administration
    if administration.code != CIWAB_CODE or not in_withdrawal_management(recorded.episode):
        return FollowUp()
    assert administration.total is not None  # noqa: S101 (CIWA-B always has a total)
    protocol = protocol_current()
    found = _PREVIOUS_TOTAL.fetch(patient_id=recorded.patient.pk, at=administration.administered_at)
    previous = found[0][0] if found else None
    judgement = judgement_of(
        administration, protocol=protocol, actor=recorded.actor, previous=previous
    )
    # The judgement and its audit event in one statement (PostgreSQL), as the
    # administration itself was stored.
    audit_insert(
        judgement,
        action=Action.CREATE,
        actor=recorded.actor,
        request=recorded.request,
        patient_id=recorded.patient.pk,
        object_type=JUDGEMENT_OBJECT_TYPE,
        detail={"administration": administration.pk, "protocol_version": protocol.version},
    )
    follow_up = FollowUp(
        answer={"next_due_at": judgement.next_due_at, "protocol_version": protocol.version}
    )
    reasons = _reasons(judgement)
    if reasons:
        follow_up.alerts += escalation_raise(
            patient=recorded.patient,
            episode=recorded.episode,
            protocol=protocol,
            reasons=reasons,
            kind=AlertKind.WITHDRAWAL_CIWAB,
            message=_ciwab_message(judgement),
            actor=recorded.actor,
            judgement=judgement,
            request=recorded.request,
        )
        follow_up.notices.append(Notice(f"{NOTICE_ALERTED}. {REVIEW_ADVICE}"))
    return follow_up


def vitals_clean(values: Mapping[str, Any]) -> dict[str, Decimal]:
    """Return the readings as numbers, or raise ValidationError naming each impossible one."""
    errors: dict[str, str] = {}
    clean: dict[str, Decimal] = {}
    for sign in VitalSign:
        raw = values.get(sign)
        label = sign.label.split(" (")[0].lower()
        if raw is None or raw == "":
            errors[sign] = ERROR_MISSING % {"sign": label}
            continue
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[sign] = ERROR_NUMBER % {"sign": label}
            continue
        if not number.is_finite() or (sign in WHOLE_SIGNS and number != number.to_integral()):
            errors[sign] = ERROR_NUMBER % {"sign": label}
            continue
        low, high = PLAUSIBLE[sign]
        if not low <= number <= high:
            errors[sign] = ERROR_IMPOSSIBLE % {
                "value": number, "sign": label, "low": low, "high": high,
            }  # fmt: skip
            continue
        clean[sign] = number.quantize(Decimal("0.1")) if sign == VitalSign.TEMPERATURE else number
    if not errors and clean[VitalSign.DIASTOLIC] >= clean[VitalSign.SYSTOLIC]:
        errors[VitalSign.DIASTOLIC] = ERROR_PULSE_PRESSURE
    if errors:
        raise ValidationError(errors)
    return clean


def vitals_summary(vitals: VitalSigns) -> str:
    """Return the readings in one line: "BP 120/80, HR 80, T 36.8 °C, RR 16, SpO2 98%"."""
    return (
        f"BP {vitals.systolic}/{vitals.diastolic}, HR {vitals.heart_rate}, "
        f"T {vitals.temperature} °C, RR {vitals.respiratory_rate}, SpO2 {vitals.spo2}%"
    )


@transaction.atomic
def vitals_record(
    *,
    actor: User,
    patient: Patient,
    values: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> tuple[VitalSigns, list[ClinicalAlert]]:
    """Record a set of vital signs; flag (and alert on) those beyond the protocol's limits.

    Impossible readings raise ValidationError keyed by sign and nothing is saved; readings
    beyond the limits are saved, flagged, and alert the physician on call.
    """
    if not actor.has_perm(OBSERVE_PERMISSION):
        raise Forbidden(ERROR_CANNOT_OBSERVE)
    clean = vitals_clean(values)
    protocol = protocol_current()
    episode = EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()
    flagged = beyond_limits(clean, protocol.vital_limits)
    vitals = VitalSigns(
        patient=patient,
        episode=episode,
        protocol=protocol,
        systolic=int(clean[VitalSign.SYSTOLIC]),
        diastolic=int(clean[VitalSign.DIASTOLIC]),
        heart_rate=int(clean[VitalSign.HEART_RATE]),
        temperature=clean[VitalSign.TEMPERATURE],
        respiratory_rate=int(clean[VitalSign.RESPIRATORY_RATE]),
        spo2=int(clean[VitalSign.SPO2]),
        beyond_limits=flagged,
        recorded_at=timezone.now(),
        recorded_by=actor,
    )
    vitals.full_clean(exclude=["patient", "episode", "protocol", "recorded_by"])
    vitals.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=VITALS_OBJECT_TYPE,
        object_id=vitals.pk,
        detail={"protocol_version": protocol.version, "flagged": len(flagged)},
    )
    summary = vitals_summary(vitals)
    if flagged:
        summary += " (beyond limits: " + ", ".join(VitalSign(s).label for s in flagged) + ")"
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.OBSERVATION,
        summary=f"Vital signs: {summary}",
        actor=actor,
        occurred_at=vitals.recorded_at,
    )
    alerts: list[ClinicalAlert] = []
    if flagged:
        names = ", ".join(VitalSign(s).label.split(" (")[0].lower() for s in flagged)
        alerts = escalation_raise(
            patient=patient,
            episode=episode,
            protocol=protocol,
            reasons=[EscalationReason.VITALS],
            kind=AlertKind.WITHDRAWAL_VITALS,
            message=f"Vital signs beyond the protocol's limits ({names}): "
            f"{vitals_summary(vitals)}. Physician review now.",
            actor=actor,
            vitals=vitals,
            request=request,
        )
    return vitals, alerts
