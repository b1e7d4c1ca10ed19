"""Taper orders and the medication administration record, from a patient's chart.

Thin: parse, call the services, render. Every page passes the privacy gate (audited);
signing needs ``withdrawal.sign_taper``, recording doses ``withdrawal.record_doses``.
"""

import dataclasses
import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.audit.choices import Action
from openrecovery.core.errors import DomainError
from openrecovery.medications.catalogue import medication_get
from openrecovery.privacy.gates import access_patient_grant_by_id
from openrecovery.records.models import Patient

from .choices import Adjustment, DoseStatus
from .forms import TaperSignForm
from .mar import ORDER, TAPER, ScheduledDose, day_bounds, late_words, order_doses_on, taper_doses_on
from .models import CiwabJudgement, DoseRecord, MedicationOrder, TaperOrder
from .services.doses import (
    RECORD_PERMISSION,
    dose_correct,
    dose_record,
    effective_records,
    is_controlled,
    prn_dose_record,
)
from .services.orders import (
    SIGN_PERMISSION,
    medication_order_create,
    medication_order_end,
    review_limit,
    taper_build,
    taper_in_force,
    taper_order_sign,
)
from .tapering import Step, step_date, step_on
from .timing import clock_words, due_words

VIEW_CHART = "records.view_chart"
TAPER_OBJECT_TYPE = "taper_order"
MAR_OBJECT_TYPE = "medication_administration_record"
INPUT_DEFAULTS = {
    "medication": "clonazepam",
    "daily_dose_mg": "",
    "equivalence_table": "va_dod_2021",
    "switch_to": "",
    "reduction_percent": "10",
    "interval_days": "14",
    "target_dose_mg": "0",
    "override_reason": "",
}
DEFAULT_TIMES = "08:00, 20:00"


@dataclasses.dataclass(frozen=True)
class DatedStep:
    number: int
    date: dt.date
    step: Step
    doses: str
    current: bool


def _dose_words(step: Step) -> str:
    parts = []
    for dose in step["doses"]:
        found = medication_get(dose["medication"])
        parts.append(f"{dose['daily_mg']} mg {found or dose['medication']} a day")
    return " + ".join(parts)


def dated_steps(steps: list[Step], start: dt.date, today: dt.date) -> list[DatedStep]:
    """Return the steps with their calendar dates and doses in words."""
    now_index = step_on(steps, start, today)
    return [
        DatedStep(i + 1, step_date(start, s), s, _dose_words(s), i == now_index)
        for i, s in enumerate(steps)
    ]


def _inputs(data: QueryDict | dict[str, Any]) -> dict[str, Any]:
    return {k: str(data.get(k, v) or "").strip() for k, v in INPUT_DEFAULTS.items()}


def _adjustments(data: QueryDict) -> list[dict[str, Any]]:
    try:
        found = json.loads(data.get("adjustments") or "[]")
    except json.JSONDecodeError:
        return []
    return [dict(a) for a in found if isinstance(a, dict)][:50] if isinstance(found, list) else []


def _new_adjustment(data: QueryDict) -> dict[str, Any] | None:
    op = data.get("op", "")
    if op not in Adjustment.values:
        return None
    try:
        step = int(data.get("step") or 0) - 1
    except ValueError:
        step = -1
    if op == Adjustment.RESUME:
        try:
            return {"op": op, "day": int(data.get("resume_day") or 0)}
        except ValueError:
            return {"op": op, "day": -1}
    extra: dict[str, Any] = {}
    for name, wanted in (("days", Adjustment.PAUSE), ("factor", Adjustment.SLOW)):
        if op == wanted:
            raw = str(data.get(name) or "").strip()
            extra[name] = int(raw) if raw.isdigit() else 0
    return {"op": op, "step": step, **extra}


def _date(text: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _history(patient: Patient) -> list[TaperOrder]:
    return list(
        TaperOrder.objects.filter(patient=patient)
        .select_related("signed_by")
        .order_by("-signed_at", "-id")[:50]
    )


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def taper(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the patient's taper order in force and its versions; POST (a physician)
    previews a plan, adjusts it (pause, slow, hold, resume) and signs it as an order."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=TAPER_OBJECT_TYPE
    )
    patient = access.patient
    today = timezone.localdate()
    current = taper_in_force(patient)
    can_sign = request.user.has_perm(SIGN_PERMISSION)
    data: Any = request.POST if request.method == "POST" else {}
    inputs = _inputs(data or (current.inputs if current else {}))
    adjustments = _adjustments(request.POST) if request.method == "POST" else []
    errors: dict[str, list[str]] = {}
    preview: list[DatedStep] = []
    held: list[Step] = []
    plan_warnings: list[str] = []
    start = _date(str(data.get("start_date", "")), today)
    status = 200
    if request.method == "POST":
        if not can_sign:
            raise PermissionDenied("Only a physician or the clinical director may sign tapers.")
        action = request.POST.get("action", "preview")
        if action == "adjust":
            new = _new_adjustment(request.POST)
            if new is not None:
                adjustments.append(new)
        if action == "undo" and adjustments:
            adjustments.pop()
        try:
            plan, steps, held = taper_build(inputs, adjustments)
        except ValidationError as exc:
            if action == "adjust" and adjustments:
                adjustments.pop()
            errors = exc.message_dict
            try:
                plan, steps, held = taper_build(inputs, adjustments)
            except ValidationError:
                steps = []
        if steps:
            preview = dated_steps(steps, start, today)
            plan_warnings = list(plan.warnings)
        signing = TaperSignForm(request.POST) if action == "sign" and not errors else None
        if signing is not None and not signing.is_valid():
            errors = {key: [str(m) for m in found] for key, found in signing.errors.items()}
        elif signing is not None:
            try:
                order = taper_order_sign(
                    actor=request.user,
                    patient=patient,
                    inputs=inputs,
                    adjustments=adjustments,
                    start_date=start,
                    times=signing.cleaned_data["times"].split(","),
                    review_by=signing.cleaned_data["review_by"],
                    change_reason=signing.cleaned_data["change_reason"],
                    request=request,
                )
            except ValidationError as exc:
                errors = exc.message_dict
            except DomainError as exc:
                errors = {"__all__": [exc.message]}
            else:
                messages.success(
                    request,
                    f"Taper order signed (version {order.version}); review by "
                    f"{order.review_by:%Y-%m-%d}.",
                )
                return redirect("withdrawal:taper", patient.pk)
        status = 422 if errors else 200
    context = {
        "patient": patient,
        "basis": access.basis,
        "current": current,
        "current_steps": dated_steps(current.steps, current.start_date, today) if current else [],
        "history": _history(patient),
        "inputs": inputs,
        "adjustments": adjustments,
        "adjustments_json": json.dumps(adjustments),
        "adjustment_choices": list(Adjustment),
        "preview": preview,
        "held": held,
        "plan_warnings": plan_warnings,
        "errors": errors,
        "start_date": start,
        "times": str(data.get("times", ""))
        or (", ".join(current.times) if current else DEFAULT_TIMES),
        "review_by": str(data.get("review_by", "")) or review_limit(today).isoformat(),
        "review_limit": review_limit(today),
        "change_reason": str(data.get("change_reason", "")),
        "can_sign": can_sign,
        "today": today,
    }
    return render(request, "withdrawal/taper.html", context, status=status)


@staff_view(VIEW_CHART)
@require_GET
def taper_print(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the patient's schedule in plain language, to print and take home (audited as
    a print): the dates and doses, not to stop suddenly, and whom to call."""
    access = access_patient_grant_by_id(
        request.user,
        patient_id,
        request=request,
        action=Action.PRINT,
        object_type=TAPER_OBJECT_TYPE,
    )
    current = taper_in_force(access.patient)
    today = timezone.localdate()
    context = {
        "patient": access.patient,
        "current": current,
        "steps": dated_steps(current.steps, current.start_date, today) if current else [],
        "today": today,
    }
    return render(request, "withdrawal/taper_print.html", context)


@dataclasses.dataclass(frozen=True)
class MarLine:
    """One scheduled dose on the record, with what happened to it and whether it is late."""

    dose: ScheduledDose
    label: str
    record: DoseRecord | None
    original: DoseRecord | None
    late: str  # not recorded yet and late, or recorded late ("Late by 1 h 5 min")
    controlled: bool


def _label(medication: str, mg: Any) -> str:
    found = medication_get(medication)
    return f"{found or medication} {format(mg.normalize(), 'f')} mg"


def _parse_time(text: str, now: dt.datetime) -> dt.datetime:
    """Return today's local ``HH:MM`` as an aware moment (now when blank)."""
    if not text.strip():
        return now
    try:
        clock = dt.time.fromisoformat(text.strip())
    except ValueError as error:
        raise ValidationError({"occurred_at": "Give the time as HH:MM."}) from error
    local = dt.datetime.combine(timezone.localdate(now), clock)
    return timezone.make_aware(local)


def mar_context(patient: Patient, day: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Return the record of ``day``: the scheduled doses with their records, the as-needed
    orders and doses with their effect checks (a constant number of queries)."""
    current = taper_in_force(patient)
    orders = list(
        MedicationOrder.objects.filter(patient=patient, ended_at__isnull=True).select_related(
            "ordered_by"
        )
    )
    start, end = day_bounds(day)
    records = list(
        DoseRecord.objects.filter(patient=patient, occurred_at__gte=start - dt.timedelta(days=1))
        .filter(occurred_at__lt=end + dt.timedelta(days=1))
        .select_related("recorded_by", "witness", "corrects")
        .annotate(series=F("taper_order__series"))
        .order_by("recorded_at", "id")
    )
    effective = effective_records(records)
    by_slot: dict[tuple[str, int | None, str, dt.datetime], DoseRecord] = {}
    originals: dict[int, DoseRecord] = {r.pk: r for r in records if r.corrects_id is None}
    for r in effective:
        if r.scheduled_for is None:
            continue
        # Taper doses by series: one recorded under an earlier version still counts.
        source, order_id = (
            (TAPER, r.series) if r.taper_order_id else (ORDER, r.medication_order_id)  # type: ignore[attr-defined]
        )
        assert order_id is not None  # noqa: S101 (the constraint: one order)
        by_slot[(source, order_id, r.medication, r.scheduled_for)] = r
    scheduled = taper_doses_on(current, day) if current else []
    for order in orders:
        scheduled += order_doses_on(order, day)
    lines = []
    for d in sorted(scheduled, key=lambda d: (d.scheduled_for, d.medication)):
        slot_id = current.series if d.source == TAPER and current else d.order_id
        record = by_slot.get((d.source, slot_id, d.medication, d.scheduled_for))
        original = originals.get(record.corrects_id) if record and record.corrects_id else None
        lines.append(
            MarLine(
                dose=d,
                label=_label(d.medication, d.dose_mg),
                record=record,
                original=original,
                late=late_words(d.scheduled_for, record.occurred_at if record else now),
                controlled=is_controlled(d.medication),
            )
        )
    prn_orders = [o for o in orders if o.as_needed]
    last_ciwab = (
        CiwabJudgement.objects.filter(patient=patient).order_by("-administered_at", "-id").first()
    )
    prn_doses = []
    for r in effective:
        if r.scheduled_for is not None or not start <= r.occurred_at < end:
            continue
        checked = (
            last_ciwab is not None
            and r.effect_check_due_at is not None
            and last_ciwab.administered_at > r.occurred_at
        )
        due = (
            ""
            if checked or r.effect_check_due_at is None
            else due_words(r.effect_check_due_at, now)
        )
        prn_doses.append((r, _label(r.medication, r.dose_mg), due, checked))
    given = sum(1 for line in lines if line.record and line.record.status == DoseStatus.GIVEN)
    return {
        "current": current,
        "lines": lines,
        "prn_orders": [
            (o, _label(o.medication, o.dose_mg), is_controlled(o.medication)) for o in prn_orders
        ],
        "scheduled_orders": [
            (o, _label(o.medication, o.dose_mg)) for o in orders if not o.as_needed
        ],
        "prn_doses": prn_doses,
        "given": given,
        "due_count": len(lines),
        "clock": lambda m: clock_words(m, now),
    }


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def mar(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show today's medication administration record; POST records a dose (given, held,
    missed, refused), an as-needed dose, a correction (an addendum), or (a physician) a
    new scheduled or as-needed order."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=MAR_OBJECT_TYPE
    )
    patient = access.patient
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        post = request.POST
        witness = {
            "username": post.get("witness_username", ""),
            "password": post.get("witness_password", ""),
            "code": post.get("witness_code", ""),
        }
        try:
            if action == "order":
                if not request.user.has_perm(SIGN_PERMISSION):
                    raise PermissionDenied("Only a physician may sign medication orders.")
                interval = post.get("min_interval_minutes") or ""
                medication_order_create(
                    actor=request.user,
                    patient=patient,
                    medication=post.get("medication", ""),
                    dose_mg=post.get("dose_mg", ""),
                    as_needed=post.get("as_needed") == "on",
                    times=post.get("times", "").split(","),
                    max_daily_mg=post.get("max_daily_mg") or None,
                    min_interval_minutes=int(interval) if interval.isdigit() else None,
                    indication=post.get("indication", ""),
                    request=request,
                )
                messages.success(request, "Order signed.")
            elif action == "end_order":
                if not request.user.has_perm(SIGN_PERMISSION):
                    raise PermissionDenied("Only a physician may end medication orders.")
                ending = MedicationOrder.objects.filter(
                    patient=patient, pk=_int(post.get("order"))
                ).first()
                if ending is None:
                    raise ValidationError({"order": "Choose one of the patient's orders."})
                medication_order_end(actor=request.user, order=ending, request=request)
                messages.success(request, "Order ended.")
            else:
                if not request.user.has_perm(RECORD_PERMISSION):
                    raise PermissionDenied("Your role may not record doses.")
                occurred = _parse_time(post.get("time", ""), now)
                if action == "dose":
                    dose_record(
                        actor=request.user,
                        patient=patient,
                        dose_key=post.get("dose", ""),
                        status=post.get("status", ""),
                        reason=post.get("reason", ""),
                        occurred_at=occurred,
                        witness=witness,
                        request=request,
                    )
                elif action == "prn":
                    order = MedicationOrder.objects.filter(
                        patient=patient, pk=_int(post.get("order")), as_needed=True
                    ).first()
                    if order is None:
                        raise ValidationError({"dose": "Choose one of the as-needed orders."})
                    prn_dose_record(
                        actor=request.user,
                        patient=patient,
                        order=order,
                        occurred_at=occurred,
                        status=post.get("status", DoseStatus.GIVEN),
                        reason=post.get("reason", ""),
                        witness=witness,
                        request=request,
                    )
                elif action == "correct":
                    original = DoseRecord.objects.filter(
                        patient=patient, pk=_int(post.get("record"))
                    ).first()
                    if original is None:
                        raise ValidationError({"dose": "Choose a recorded dose to correct."})
                    dose_correct(
                        actor=request.user,
                        original=original,
                        status=post.get("status", ""),
                        reason=post.get("reason", ""),
                        occurred_at=occurred,
                        witness=witness,
                        request=request,
                    )
                else:
                    raise ValidationError({"action": "Nothing was changed."})
                messages.success(request, "Dose recorded.")
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            status = 422
        except DomainError as exc:
            errors = {"__all__": [exc.message]}
            status = 422
        else:
            return redirect(reverse("withdrawal:mar", args=[patient.pk]))
    context = {
        "patient": patient,
        "basis": access.basis,
        **mar_context(patient, timezone.localdate(now), now),
        "errors": errors,
        "statuses": list(DoseStatus),
        "can_record": request.user.has_perm(RECORD_PERMISSION),
        "can_sign": request.user.has_perm(SIGN_PERMISSION),
        "post": request.POST if request.method == "POST" else {},
        "now_clock": f"{timezone.localtime(now):%H:%M}",
    }
    return render(request, "withdrawal/mar.html", context, status=status)


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0
