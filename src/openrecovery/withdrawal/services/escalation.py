"""Alert the physician on call (the clinical directors when no one is), and go further when
nobody acknowledges within the protocol's time (``manage.py withdrawal_escalate``)."""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.records.alerts import alert_raise, alert_recipients
from openrecovery.records.choices import AlertKind, AlertSeverity
from openrecovery.records.models import ClinicalAlert, EpisodeOfCare, Patient

from ..models import CiwabJudgement, Escalation, OnCallShift, Unit, VitalSigns, WithdrawalProtocol
from .units import unit_of

ESCALATION_OBJECT_TYPE = "withdrawal_escalation"
REALERT_PREFIX = "Not acknowledged after {minutes} minutes."


def on_call_physicians(unit: Unit | None, now: dt.datetime) -> list[User]:
    """Return the active physicians on call for ``unit`` at ``now`` (rota order)."""
    if unit is None:
        return []
    shifts = (
        OnCallShift.objects.filter(
            unit=unit, starts_at__lte=now, ends_at__gt=now, physician__is_active=True
        )
        .select_related("physician")
        .order_by("starts_at", "pk")
    )
    return [s.physician for s in shifts]


def clinical_directors() -> list[User]:
    """Return the active clinical directors."""
    return list(User.objects.filter(role=Role.CLINICAL_DIRECTOR, is_active=True).order_by("pk"))


def escalation_recipients(
    patient: Patient, unit: Unit | None, now: dt.datetime
) -> tuple[list[User], bool]:
    """Return who hears of a withdrawal alert, and whether it is the fallback.

    The physician on call for the patient's unit; when no one is on call (or the patient
    is on no unit), the clinical directors; should there be none, the care team (so
    someone always hears).
    """
    physicians = on_call_physicians(unit, now)
    if physicians:
        return physicians, False
    return clinical_directors() or alert_recipients(patient), True


@transaction.atomic
def escalation_raise(
    *,
    patient: Patient,
    episode: EpisodeOfCare | None,
    protocol: WithdrawalProtocol,
    reasons: list[str],
    kind: AlertKind,
    message: str,
    actor: User,
    judgement: CiwabJudgement | None = None,
    vitals: VitalSigns | None = None,
    request: HttpRequest | None = None,
) -> list[ClinicalAlert]:
    """Record why the physician is called, under which protocol, and raise the alerts."""
    now = timezone.now()
    unit = unit_of(patient)
    recipients, fallback = escalation_recipients(patient, unit, now)
    escalation = Escalation.objects.create(
        patient=patient,
        protocol=protocol,
        reasons=reasons,
        judgement=judgement,
        vitals=vitals,
        unit=unit,
        fallback=fallback,
        raised_at=now,
    )
    return alert_raise(
        patient=patient,
        episode=episode,
        kind=kind,
        severity=AlertSeverity.URGENT,
        message=message,
        source_type=ESCALATION_OBJECT_TYPE,
        source_id=escalation.pk,
        recipients=recipients,
        actor=actor,
        request=request,
    )


def _further(escalation: Escalation, holders: set[int], now: dt.datetime) -> list[User]:
    # Next tier: whoever is on call now and the clinical directors; if they all hold a
    # copy already (the fallback went to the directors), every active physician.
    wanted = on_call_physicians(escalation.unit, now) + clinical_directors()
    missing = [u for u in wanted if u.pk not in holders]
    if missing:
        return missing
    physicians = User.objects.filter(role=Role.PHYSICIAN, is_active=True).order_by("pk")
    return [u for u in physicians if u.pk not in holders]


@transaction.atomic
def escalations_reescalate(*, now: dt.datetime | None = None) -> list[ClinicalAlert]:
    """Send further every withdrawal alert nobody acknowledged within its protocol's
    ``reescalate_minutes``, once. An alert acknowledged or addressed stops being watched.
    Run every minute (``manage.py withdrawal_escalate``). Return the copies raised.
    """
    now = now or timezone.now()
    pending = list(
        Escalation.objects.select_for_update(of=("self",))
        .filter(settled_at__isnull=True, raised_at__lte=now)
        .select_related("protocol", "patient", "unit")
        .order_by("raised_at", "pk")
    )
    if not pending:
        return []
    copies: dict[str, list[ClinicalAlert]] = {}
    for alert in ClinicalAlert.objects.filter(
        source_type=ESCALATION_OBJECT_TYPE, source_id__in=[str(e.pk) for e in pending]
    ).order_by("created_at", "pk"):
        copies.setdefault(alert.source_id, []).append(alert)
    raised: list[ClinicalAlert] = []
    for escalation in pending:
        group = copies.get(str(escalation.pk), [])
        if any(a.acknowledged_at is not None or a.resolved_at is not None for a in group):
            escalation.settled_at = now
            escalation.save(update_fields=["settled_at"])
            continue
        minutes = escalation.protocol.reescalate_minutes
        if not group or escalation.raised_at > now - dt.timedelta(minutes=minutes):
            continue
        first = group[0]
        recipients = _further(escalation, {a.recipient_id for a in group}, now)
        raised += alert_raise(
            patient=escalation.patient,
            episode=first.episode,
            kind=first.kind,
            severity=first.severity,
            message=f"{REALERT_PREFIX.format(minutes=minutes)} {first.message}",
            source_type=ESCALATION_OBJECT_TYPE,
            source_id=escalation.pk,
            recipients=recipients,
        )
        escalation.reescalated_at = escalation.settled_at = now
        escalation.save(update_fields=["reescalated_at", "settled_at"])
    return raised
