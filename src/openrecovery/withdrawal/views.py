"""Withdrawal management pages: the unit board, a patient's observations, the protocol and
the on-call rota. Thin: parse, call, render."""

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.htmx import pick_template
from openrecovery.core.http import RETURN_FIELD
from openrecovery.privacy.gates import access_patient_grant_by_id
from openrecovery.records.models import Patient

from .choices import VitalSign
from .forms import BoardFilterForm, OnCallForm, ProtocolForm, UnitForm, VitalSignsForm
from .models import CiwabJudgement, OnCallShift, SeizurePrecautions, Unit, VitalSigns
from .protocols import BAND_LABELS, CIWAB_CODE, is_overdue
from .reports import DRIFT_DAYS, HANDOFF_HOURS, handoff, rater_drift
from .selectors import BoardMar, BoardRow, board_audit, board_mar, unit_board
from .services import (
    on_call_add,
    protocol_current,
    protocol_revise,
    seizure_precautions_set,
    unit_assign,
    unit_of,
    vitals_record,
)
from .services.assessments import vitals_summary
from .services.units import MANAGE_PERMISSION, OBSERVE_PERMISSION
from .timing import age_words, clock_words, due_words

VIEW_CHART = "records.view_chart"
ADMINISTER_PERMISSION = "instruments.administer_instrument"
PATIENT_OBJECT_TYPE = "withdrawal_observations"
HISTORY_LIMIT = 12
_SLOT = 9_223_372_036_854_775_806  # an id no patient has: where each id goes in a URL


def poll_seconds() -> int:
    """Return how often the board refreshes itself (``WITHDRAWAL_BOARD_POLL_SECONDS``)."""
    return max(5, int(settings.WITHDRAWAL_BOARD_POLL_SECONDS))


@dataclasses.dataclass(frozen=True)
class BoardLine:
    """A board row with what the page says of it, in words."""

    row: BoardRow
    due: str
    ciwab_age: str
    vitals_age: str
    vitals_summary: str
    vitals_flagged: list[str]
    record_url: str
    patient_url: str
    chart_url: str
    mar: BoardMar | None = None
    mar_url: str = ""
    effect_check: str = ""
    effect_overdue: bool = False
    # Numbers as text, made here: the template localises every number it prints, which
    # for 40 cards cost more than the rest of their rendering.
    key: str = ""
    ciwab_total: str = ""
    ciwab_split: str = ""
    taper_text: str = ""
    doses_text: str = ""
    doses_late: str = ""


def _taper_text(m: BoardMar) -> str:
    review = f"review by {m.review_by:%Y-%m-%d}" if m.review_by else ""
    if m.taper_step:
        return f"Taper step {m.taper_step} of {m.taper_steps}: {m.taper_doses} · {review}"
    return f"Taper starts later · {review}" if review else ""


def _urls(name: str, *extra: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_SLOT, *extra]).partition(str(_SLOT))
    return head, tail


def _board_url(unit: Unit | None) -> str:
    url = reverse("withdrawal:board")
    return f"{url}?{urlencode({'unit': unit.code})}" if unit else url


def _lines(rows: list[BoardRow], now: Any, board_url: str) -> list[BoardLine]:
    head, tail = _urls("instruments:administer", CIWAB_CODE)
    # Saving the CIWA-B comes back to this board (the unit shown included).
    record = head, f"{tail}?{urlencode({RETURN_FIELD: board_url})}"
    page = _urls("withdrawal:patient")
    chart = _urls("chart:chart")
    mar_page = _urls("withdrawal:mar")
    mar = board_mar(rows, now)
    lines = []
    for row in rows:
        pk = row.patient.pk
        v, j, m = row.vitals, row.ciwab, mar.get(pk)
        checks = m.effect_checks if m else []
        lines.append(
            BoardLine(
                row=row,
                due=due_words(row.next_due_at, now),
                ciwab_age=age_words(row.ciwab.administered_at, now) if row.ciwab else "",
                vitals_age=age_words(v.recorded_at, now) if v else "",
                vitals_summary=vitals_summary(v) if v else "",
                vitals_flagged=[VitalSign(s).label.split(" (")[0] for s in v.beyond_limits]
                if v
                else [],
                record_url=f"{record[0]}{pk}{record[1]}",
                patient_url=f"{page[0]}{pk}{page[1]}",
                chart_url=f"{chart[0]}{pk}{chart[1]}",
                mar=m,
                mar_url=f"{mar_page[0]}{pk}{mar_page[1]}",
                effect_check=due_words(checks[0], now) if checks else "",
                effect_overdue=is_overdue(checks[0], now) if checks else False,
                key=str(pk),
                ciwab_total=str(j.total) if j else "",
                ciwab_split=f"Patient-rated {j.patient_rated} · observer-rated {j.observer_rated}"
                if j
                else "",
                taper_text=_taper_text(m) if m else "",
                doses_text=f"Doses today: {m.doses_given} of {m.doses_due} given"
                if m and m.doses_due
                else "",
                doses_late=str(m.doses_late) if m and m.doses_late else "",
            )
        )
    return lines


@staff_view(VIEW_CHART)
@require_GET
def board(request: StaffRequest) -> HttpResponse:
    """Show every patient in withdrawal management I may see, most urgent first; htmx
    polls the rows (``?unit=<code>`` shows one unit)."""
    chosen = BoardFilterForm(request.GET)
    if not chosen.is_valid():
        raise Http404("No such unit.")
    code = chosen.cleaned_data["unit"]
    unit = get_object_or_404(Unit, code=code) if code else None
    now = timezone.now()
    rows = unit_board(request.user, unit=unit, now=now)
    board_audit(request, rows, via="page")
    context = {
        "lines": _lines(rows, now, _board_url(unit)),
        "unit": unit,
        "units": Unit.objects.filter(active=True),
        "poll_seconds": poll_seconds(),
        "refreshed_at": timezone.localtime(now),
        "can_record": request.user.has_perm(ADMINISTER_PERMISSION),
        "can_observe": request.user.has_perm(OBSERVE_PERMISSION),
        "band_labels": BAND_LABELS,
    }
    template = pick_template(
        request, "withdrawal/board.html", "withdrawal/partials/board_rows.html"
    )
    return render(request, template, context)


def _patient_page(
    request: StaffRequest,
    patient: Patient,
    basis: str,
    vitals_form: VitalSignsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    judgements = list(
        CiwabJudgement.objects.filter(patient=patient)
        .select_related("protocol", "administered_by")
        .order_by("-administered_at", "-id")[:HISTORY_LIMIT]
    )
    vitals = list(
        VitalSigns.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")[:HISTORY_LIMIT]
    )
    latest = judgements[0] if judgements else None
    context = {
        "patient": patient,
        "basis": basis,
        "judgements": [
            (j, BAND_LABELS[j.band], clock_words(j.administered_at, now)) for j in judgements
        ],
        "vitals": [
            (v, [VitalSign(s).label for s in v.beyond_limits], clock_words(v.recorded_at, now))
            for v in vitals
        ],
        "due": due_words(latest.next_due_at if latest else None, now),
        "overdue": is_overdue(latest.next_due_at if latest else None, now),
        "protocol": protocol_current(),
        "seizure": SeizurePrecautions.objects.filter(
            patient=patient, ended_at__isnull=True
        ).first(),
        "unit": unit_of(patient),
        "vitals_form": vitals_form or VitalSignsForm(),
        "unit_form": UnitForm(initial={"unit": unit_of(patient)}),
        "can_observe": request.user.has_perm(OBSERVE_PERMISSION),
        "can_record": request.user.has_perm(ADMINISTER_PERMISSION),
        "signs": list(VitalSign),
    }
    return render(request, "withdrawal/patient.html", context, status=status)


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def patient(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show a patient's CIWA-B and vital signs; POST records vitals, seizure precautions or
    the unit (roles that record observations)."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=PATIENT_OBJECT_TYPE
    )
    if request.method == "GET":
        return _patient_page(request, access.patient, access.basis)
    if not request.user.has_perm(OBSERVE_PERMISSION):
        raise PermissionDenied("Your role may not record observations.")
    action = request.POST.get("action", "")
    here = reverse("withdrawal:patient", args=[access.patient.pk])
    try:
        if action == "vitals":
            form = VitalSignsForm(request.POST)
            if not form.is_valid():
                return _patient_page(request, access.patient, access.basis, form, status=422)
            try:
                saved, alerts = vitals_record(
                    actor=request.user,
                    patient=access.patient,
                    values=form.readings(),
                    request=request,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                return _patient_page(request, access.patient, access.basis, form, status=422)
            messages.success(request, f"Vital signs saved: {vitals_summary(saved)}.")
            if saved.beyond_limits:
                flagged = ", ".join(VitalSign(s).label for s in saved.beyond_limits)
                messages.error(request, f"Beyond the protocol's limits: {flagged}.")
            if alerts:
                messages.error(request, "The physician on call was alerted.")
        elif action in ("seizure_on", "seizure_off"):
            seizure_precautions_set(
                actor=request.user,
                patient=access.patient,
                on=action == "seizure_on",
                request=request,
            )
            messages.success(
                request,
                "Seizure precautions marked."
                if action == "seizure_on"
                else "Seizure precautions ended.",
            )
        elif action == "unit":
            unit_form = UnitForm(request.POST)
            if unit_form.is_valid():
                unit_assign(
                    actor=request.user,
                    patient=access.patient,
                    unit=unit_form.cleaned_data["unit"],
                    request=request,
                )
                messages.success(request, f"Now on {unit_form.cleaned_data['unit']}.")
            else:
                messages.error(request, "Choose one of the units. Nothing was changed.")
        else:
            messages.error(request, "Nothing was changed.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(here)


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def protocol(request: StaffRequest) -> HttpResponse:
    """Show the protocol in force and its versions; POST (a clinical director) saves a new
    version."""
    current = protocol_current()
    can_manage = request.user.has_perm(MANAGE_PERMISSION)
    form = ProtocolForm(request.POST or None, protocol=current)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only a clinical director may change the protocol.")
        if form.is_valid():
            try:
                saved = protocol_revise(
                    actor=request.user,
                    reason=form.cleaned_data["change_reason"],
                    request=request,
                    **form.changes(),
                )
            except (ValidationError, DomainError) as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"Protocol version {saved.version} is now in force.")
                return redirect("withdrawal:protocol")
        status = 422
    versions = list(
        current.__class__.objects.select_related("created_by").order_by("-version")[:50]
    )
    context = {
        "current": current,
        "bands": [(code, BAND_LABELS[code], current.intervals[code]) for code in BAND_LABELS],
        "limits": [(s.label, current.vital_limits[s]) for s in VitalSign],
        "versions": versions,
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "withdrawal/protocol.html", context, status=status)


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def on_call(request: StaffRequest) -> HttpResponse:
    """Show who is on call for each unit (now and next); POST (a clinical director) adds a
    shift."""
    can_manage = request.user.has_perm(MANAGE_PERMISSION)
    form = OnCallForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only a clinical director may change the on-call rota.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                on_call_add(
                    actor=request.user,
                    unit=data["unit"],
                    physician=data["physician"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    request=request,
                )
            except (ValidationError, DomainError) as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, "Shift added to the on-call rota.")
                return redirect("withdrawal:on_call")
        status = 422
    now = timezone.now()
    shifts = (
        OnCallShift.objects.filter(ends_at__gt=now)
        .select_related("unit", "physician")
        .order_by("unit__name", "starts_at")[:100]
    )
    context: dict[str, Any] = {
        "shifts": [(s, s.starts_at <= now) for s in shifts],
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "withdrawal/on_call.html", context, status=status)


@staff_view(VIEW_CHART)
@require_GET
def drift(request: StaffRequest) -> HttpResponse:
    """Show the mean CIWA-B subtotals per nurse and per shift over the last 30 days, so a
    program sees scores that drift by rater or shift (patients the viewer may see)."""
    raters, shifts = rater_drift(request.user)
    count = sum(r.count for r in raters)
    if count:
        audit_record(
            action=Action.VIEW,
            request=request,
            object_type="ciwab_rater_drift",
            detail={"days": DRIFT_DAYS, "assessments": count},
        )
    context = {"raters": raters, "shifts": shifts, "days": DRIFT_DAYS, "count": count}
    return render(request, "withdrawal/drift.html", context)


@staff_view(VIEW_CHART)
@require_GET
def handoff_print(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show one patient's printable shift hand-off (the last 24 hours); audited as a print."""
    access = access_patient_grant_by_id(
        request.user,
        patient_id,
        request=request,
        action=Action.PRINT,
        object_type="withdrawal_handoff",
    )
    now = timezone.now()
    summary = handoff(access.patient, now=now)
    latest = summary.judgements[-1] if summary.judgements else None
    due_at = latest.next_due_at if latest else None
    context = {
        "h": summary,
        "patient": access.patient,
        "hours": HANDOFF_HOURS,
        "now": timezone.localtime(now),
        "due": due_words(due_at, now),
        "overdue": is_overdue(due_at, now),
        "judgements": [(j, BAND_LABELS[j.band]) for j in summary.judgements],
        "vitals": [(v, [VitalSign(s).label for s in v.beyond_limits]) for v in summary.vitals],
        "unit": unit_of(access.patient),
    }
    return render(request, "withdrawal/handoff.html", context)
