"""Recording doses on the medication administration record: atomic, audited, never edited.

A dose is given, held, missed or refused (a reason for all but given), at a time. An
as-needed dose is refused when it would go beyond the order's 24-hour maximum or come
before its minimum interval (nothing saved); it keeps the latest CIWA-B and vitals and
schedules its effect check (the protocol's ``prn_reassess_minutes``). A controlled
substance (schedule II-V) given needs a witness physically present, who confirms on the
same screen with their own username, password and authenticator code. A correction is a
new record referencing the original, with a reason.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden
from openrecovery.medications.catalogue import medication_get
from openrecovery.medications.choices import Schedule
from openrecovery.records.models import Patient
from openrecovery.records.services import patient_lock

from ..choices import DoseStatus
from ..mar import ScheduledDose, order_doses_on, taper_doses_on
from ..models import CiwabJudgement, DoseRecord, MedicationOrder, TaperOrder, VitalSigns
from .protocols import protocol_current

RECORD_PERMISSION = "withdrawal.record_doses"
DOSE_OBJECT_TYPE = "dose_record"
WITNESS_OBJECT_TYPE = "dose_witness"
CONTROLLED = frozenset({Schedule.II, Schedule.III, Schedule.IV, Schedule.V})
MAX_BACKDATE = dt.timedelta(hours=24)
ERROR_CANNOT_RECORD = "Your role may not record medication doses."
ERROR_REASON = "Say why the dose was {status}."
ERROR_STATUS = "Choose given, held, missed or refused."
ERROR_TIME = "The time must be within the last 24 hours, not in the future."
ERROR_NOT_SCHEDULED = "That dose is not on the patient's schedule. Nothing was saved."
ERROR_RECORDED = "That dose is recorded already: correct it with an addendum. Nothing was saved."
ERROR_PRN_MAXIMUM = (
    "Not given: {dose} mg now would make {total} mg of {medication} in 24 hours, above the "
    "order's maximum of {maximum} mg. Nothing was saved; call the physician if the patient "
    "needs more."
)
ERROR_PRN_INTERVAL = (
    "Not given: the last dose was {minutes} min ago and the order asks for at least "
    "{interval} min between doses. Nothing was saved."
)
ERROR_PRN_ENDED = "That as-needed order has ended. Nothing was saved."
ERROR_WITNESS_NEEDED = (
    "{medication} is a controlled substance: a second staff member who is present confirms "
    "the dose with their username, password and authenticator code."
)
ERROR_WITNESS = "The witness could not be confirmed: check the username, password and code."
ERROR_WITNESS_SELF = "The witness must be another staff member, not the one giving the dose."
ERROR_WITNESS_ROLE = "The witness must be an active nurse, physician or clinical director."
ERROR_CORRECTION_REASON = "Say why the record is corrected."
ERROR_CORRECT_ORIGINAL = "Correct the original record (an addendum corrects the original)."


def is_controlled(medication: str) -> bool:
    """Return True for a catalogue medication in schedules II to V."""
    found = medication_get(medication)
    return found is not None and found.schedule in CONTROLLED


def _witness_failed(request: HttpRequest | None, actor: User, username: str, step: str) -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=actor,
        request=request,
        outcome=Outcome.FAILURE,
        object_type=WITNESS_OBJECT_TYPE,
        actor_username=username[:150],
        detail={"step": step},
    )


def witness_verify(
    *,
    actor: User,
    username: str,
    password: str,
    code: str,
    request: HttpRequest | None,
) -> User:
    """Return the witness who confirmed with their own username, password and current TOTP
    code; raise ValidationError otherwise. Every failure is audited; a wrong password or
    code counts toward the sign-in lockout (``user_login_failed``, as a failed sign-in)."""
    username = username.strip()
    if username.lower() == actor.get_username().lower():
        _witness_failed(request, actor, username, "same_user")
        raise ValidationError({"witness_username": ERROR_WITNESS_SELF})
    # Signing in's own check (and lockout: django-axes counts the failure signal).
    witness = authenticate(request, username=username, password=password)
    if not isinstance(witness, User):
        _witness_failed(request, actor, username, "password")
        raise ValidationError({"witness_username": ERROR_WITNESS})
    if witness.pk == actor.pk:
        _witness_failed(request, actor, username, "same_user")
        raise ValidationError({"witness_username": ERROR_WITNESS_SELF})
    if not witness.is_active or not witness.has_perm(RECORD_PERMISSION):
        _witness_failed(request, actor, username, "role")
        raise ValidationError({"witness_username": ERROR_WITNESS_ROLE})
    token = code.strip()
    devices = list(TOTPDevice.objects.filter(user=witness, confirmed=True))
    if token.isdigit() and any(d.verify_is_allowed()[0] and d.verify_token(token) for d in devices):
        return witness
    _witness_failed(request, actor, username, "code")
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    raise ValidationError({"witness_code": ERROR_WITNESS})


def _check_status(status: str, reason: str) -> None:
    if status not in DoseStatus.values:
        raise ValidationError({"status": ERROR_STATUS})
    if status != DoseStatus.GIVEN and not reason.strip():
        raise ValidationError(
            {"reason": ERROR_REASON.format(status=DoseStatus(status).label.lower())}
        )


def _check_time(occurred_at: dt.datetime, now: dt.datetime) -> None:
    if occurred_at > now + dt.timedelta(minutes=1) or occurred_at < now - MAX_BACKDATE:
        raise ValidationError({"occurred_at": ERROR_TIME})


def _witness_for(
    *, actor: User, medication: str, status: str, witness: dict[str, str] | None,
    request: HttpRequest | None,
) -> User | None:  # fmt: skip
    if status != DoseStatus.GIVEN or not is_controlled(medication):
        return None
    if not witness or not witness.get("username"):
        found = medication_get(medication)
        raise ValidationError({"witness_username": ERROR_WITNESS_NEEDED.format(medication=found)})
    return witness_verify(
        actor=actor,
        username=witness.get("username", ""),
        password=witness.get("password", ""),
        code=witness.get("code", ""),
        request=request,
    )


def _audit(record: DoseRecord, actor: User, request: HttpRequest | None) -> None:
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=record.patient_id,
        object_type=DOSE_OBJECT_TYPE,
        object_id=record.pk,
        detail={
            "status": record.status,
            "as_needed": record.scheduled_for is None,
            "witnessed": record.witness_id is not None,
            "corrects": record.corrects_id,
        },
    )


def _scheduled(patient: Patient, source: str, order_id: int, key: str) -> ScheduledDose:
    """Find the scheduled dose ``key`` among the patient's orders' doses near its time."""
    if source == "taper":
        # Only the version in force schedules doses (a new version replaces the old).
        taper = TaperOrder.objects.filter(
            pk=order_id, patient=patient, superseded_at__isnull=True
        ).first()
        orders: list[ScheduledDose] = []
        if taper is not None:
            orders = _around(lambda day: taper_doses_on(taper, day))
    else:
        order = MedicationOrder.objects.filter(pk=order_id, patient=patient).first()
        orders = _around(lambda day: order_doses_on(order, day)) if order else []
    for dose in orders:
        if dose.key == key:
            return dose
    raise ValidationError({"dose": ERROR_NOT_SCHEDULED})


def _around(doses_on) -> list[ScheduledDose]:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return [d for offset in (-1, 0, 1) for d in doses_on(today + dt.timedelta(days=offset))]


def dose_record(
    *,
    actor: User,
    patient: Patient,
    dose_key: str,
    status: str,
    occurred_at: dt.datetime,
    reason: str = "",
    witness: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> DoseRecord:
    """Record what happened to a scheduled dose (``ScheduledDose.key``, from yesterday,
    today or tomorrow). A controlled substance given needs the witness's credentials.

    The witness is checked before the write's transaction, so a failed attempt stays
    audited (and counted toward lockout) when nothing is saved."""
    if not actor.has_perm(RECORD_PERMISSION):
        raise Forbidden(ERROR_CANNOT_RECORD)
    _check_status(status, reason)
    now = timezone.now()
    _check_time(occurred_at, now)
    try:
        source, order_id, _rest = dose_key.split(":", 2)
        scheduled = _scheduled(patient, source, int(order_id), dose_key)
    except ValueError as error:
        if isinstance(error, ValidationError):
            raise
        raise ValidationError({"dose": ERROR_NOT_SCHEDULED}) from error
    is_taper = scheduled.source == "taper"
    existing = DoseRecord.objects.filter(
        corrects__isnull=True,
        scheduled_for=scheduled.scheduled_for,
        medication=scheduled.medication,
        # A dose recorded under an earlier version of the same taper counts as recorded.
        **(
            {"taper_order__series": TaperOrder.objects.filter(pk=order_id).values("series")[:1]}
            if is_taper
            else {"medication_order_id": order_id}
        ),
    )
    if existing.exists():
        raise ValidationError({"dose": ERROR_RECORDED})
    seen = _witness_for(
        actor=actor, medication=scheduled.medication, status=status, witness=witness,
        request=request,
    )  # fmt: skip
    with transaction.atomic():
        patient_lock(patient)
        if existing.exists():
            raise ValidationError({"dose": ERROR_RECORDED})
        record = _dose_create(
            patient, scheduled, is_taper, status, reason, occurred_at, actor, now, seen
        )
        _audit(record, actor, request)
    return record


def _dose_create(
    patient: Patient, scheduled: ScheduledDose, is_taper: bool, status: str, reason: str,
    occurred_at: dt.datetime, actor: User, now: dt.datetime, seen: User | None,
) -> DoseRecord:  # fmt: skip
    return DoseRecord.objects.create(
        patient=patient,
        taper_order_id=scheduled.order_id if is_taper else None,
        medication_order_id=None if is_taper else scheduled.order_id,
        medication=scheduled.medication,
        dose_mg=scheduled.dose_mg,
        scheduled_for=scheduled.scheduled_for,
        status=status,
        reason=reason.strip(),
        occurred_at=occurred_at,
        recorded_by=actor,
        recorded_at=now,
        witness=seen,
    )


def effective_records(records: Sequence[DoseRecord]) -> list[DoseRecord]:
    """Return each original record replaced by its newest addendum (corrections count)."""
    latest: dict[int, DoseRecord] = {}
    for r in sorted(records, key=lambda r: (r.recorded_at, r.pk)):
        latest[r.corrects_id or r.pk] = r
    return list(latest.values())


def prn_given_since(order: MedicationOrder, since: dt.datetime) -> list[DoseRecord]:
    """Return the order's as-needed doses given since ``since`` (corrections applied)."""
    rows = list(
        DoseRecord.objects.filter(medication_order=order, scheduled_for__isnull=True).filter(
            occurred_at__gte=since - MAX_BACKDATE
        )
    )
    return [
        r for r in effective_records(rows) if r.status == DoseStatus.GIVEN and r.occurred_at > since
    ]


def prn_dose_record(
    *,
    actor: User,
    patient: Patient,
    order: MedicationOrder,
    occurred_at: dt.datetime,
    status: str = DoseStatus.GIVEN,
    reason: str = "",
    witness: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> DoseRecord:
    """Record an as-needed dose; refuse (nothing saved) beyond the 24-hour maximum or
    before the minimum interval. A given dose keeps the latest CIWA-B and vitals and its
    effect check is due the protocol's ``prn_reassess_minutes`` later."""
    if not actor.has_perm(RECORD_PERMISSION):
        raise Forbidden(ERROR_CANNOT_RECORD)
    if order.patient_id != patient.pk or not order.as_needed:
        raise ValidationError({"dose": ERROR_NOT_SCHEDULED})
    if order.ended_at is not None and order.ended_at <= occurred_at:
        raise ValidationError({"dose": ERROR_PRN_ENDED})
    _check_status(status, reason)
    now = timezone.now()
    _check_time(occurred_at, now)
    _prn_limits(order, status, occurred_at)  # before the witness is asked for
    seen = _witness_for(
        actor=actor, medication=order.medication, status=status, witness=witness,
        request=request,
    )  # fmt: skip
    with transaction.atomic():
        patient_lock(patient)
        effect_due = _prn_limits(order, status, occurred_at)
        record = DoseRecord.objects.create(
            patient=patient,
            medication_order=order,
            medication=order.medication,
            dose_mg=order.dose_mg,
            status=status,
            reason=reason.strip(),
            occurred_at=occurred_at,
            recorded_by=actor,
            recorded_at=now,
            witness=seen,
            ciwab=CiwabJudgement.objects.filter(patient=patient, administered_at__lte=occurred_at)
            .order_by("-administered_at", "-id")
            .first(),
            vitals=VitalSigns.objects.filter(patient=patient, recorded_at__lte=occurred_at)
            .order_by("-recorded_at", "-id")
            .first(),
            effect_check_due_at=effect_due,
        )
        _audit(record, actor, request)
    return record


def _prn_limits(
    order: MedicationOrder, status: str, occurred_at: dt.datetime
) -> dt.datetime | None:
    """Refuse a dose beyond the 24-hour maximum or the minimum interval; return when its
    effect check is due (None for a dose not given)."""
    effect_due = None
    if status == DoseStatus.GIVEN:
        assert order.max_daily_mg is not None and order.min_interval_minutes is not None  # noqa: S101
        window = occurred_at - dt.timedelta(hours=24)
        given = [r for r in prn_given_since(order, window) if r.occurred_at <= occurred_at]
        total = sum((r.dose_mg for r in given), Decimal(0)) + order.dose_mg
        found = medication_get(order.medication)
        if total > order.max_daily_mg:
            raise ValidationError(
                {
                    "dose": ERROR_PRN_MAXIMUM.format(
                        dose=_mg(order.dose_mg),
                        total=_mg(total),
                        medication=found,
                        maximum=_mg(order.max_daily_mg),
                    )  # fmt: skip
                }
            )
        last = max((r.occurred_at for r in given), default=None)
        gap = dt.timedelta(minutes=order.min_interval_minutes)
        if last is not None and occurred_at - last < gap:
            minutes = int((occurred_at - last).total_seconds() // 60)
            raise ValidationError(
                {
                    "dose": ERROR_PRN_INTERVAL.format(
                        minutes=minutes, interval=order.min_interval_minutes
                    )
                }
            )
        effect_due = occurred_at + dt.timedelta(minutes=protocol_current().prn_reassess_minutes)
    return effect_due


def _mg(value: Decimal) -> str:
    return format(value.normalize(), "f")


def dose_correct(
    *,
    actor: User,
    original: DoseRecord,
    status: str,
    occurred_at: dt.datetime,
    reason: str,
    witness: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> DoseRecord:
    """Add an addendum correcting ``original`` (its status or time), with a reason; the
    original stays as it was. A correction to "given" of a controlled substance needs
    its witness too."""
    if not actor.has_perm(RECORD_PERMISSION):
        raise Forbidden(ERROR_CANNOT_RECORD)
    if original.corrects_id is not None:
        raise ValidationError({"dose": ERROR_CORRECT_ORIGINAL})
    if not reason.strip():
        raise ValidationError({"reason": ERROR_CORRECTION_REASON})
    _check_status(status, reason)
    now = timezone.now()
    _check_time(occurred_at, now)
    seen = _witness_for(
        actor=actor, medication=original.medication, status=status, witness=witness,
        request=request,
    )  # fmt: skip
    with transaction.atomic():
        patient_lock(original.patient)
        record = _addendum(original, status, reason, occurred_at, actor, now, seen)
        _audit(record, actor, request)
    return record


def _addendum(
    original: DoseRecord, status: str, reason: str, occurred_at: dt.datetime, actor: User,
    now: dt.datetime, seen: User | None,
) -> DoseRecord:  # fmt: skip
    return DoseRecord.objects.create(
        patient_id=original.patient_id,
        taper_order_id=original.taper_order_id,
        medication_order_id=original.medication_order_id,
        medication=original.medication,
        dose_mg=original.dose_mg,
        scheduled_for=original.scheduled_for,
        status=status,
        reason=reason.strip(),
        occurred_at=occurred_at,
        recorded_by=actor,
        recorded_at=now,
        witness=seen,
        ciwab_id=original.ciwab_id,
        vitals_id=original.vitals_id,
        effect_check_due_at=original.effect_check_due_at if status == DoseStatus.GIVEN else None,
        corrects=original,
    )
