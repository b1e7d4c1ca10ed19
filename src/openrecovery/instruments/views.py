"""Administer instruments, show scores over time, and act on clinical alerts. Thin views."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.http import RETURN_FIELD, post_only, return_url
from openrecovery.privacy.gates import MAX_DB_ID, access_patient_by_id, access_patient_grant_by_id
from openrecovery.records.alerts import alert_acknowledge, alert_resolve
from openrecovery.records.choices import TaskKind
from openrecovery.records.models import ClinicalAlert, ClinicalTask, Patient

from .forms import AdministrationForm, AlertResolveForm
from .registry import INSTRUMENTS, instrument_get
from .selectors import trends
from .services import (
    OBJECT_TYPE,
    AdministrationResult,
    administration_recorded,
    administration_summary,
    prompted_instrument,
    short_name,
)

ADMINISTER_PERMISSION = "instruments.administer_instrument"
MESSAGE_PROMPTED = (
    "{source} item 9 was answered above 0 (thoughts of being better off dead or of self-harm). "
    "Ask the {target} questions now, with the patient."
)
MESSAGE_ALERTED = "High risk: an urgent alert was sent to the patient's care team."


NOTICE_LEVELS = {"error": messages.error, "warning": messages.warning, "info": messages.info}


def _due(task: ClinicalTask) -> str:
    """Return " due by 15:42" (with the date when it is not today), or "" without a due time."""
    if task.due_at is None:
        return ""
    due, today = timezone.localtime(task.due_at), timezone.localdate()
    when = f"{due:%H:%M}" if due.date() == today else f"{due:%H:%M} on {due:%Y-%m-%d}"
    return f": due by {when}"


def _task_message(task: ClinicalTask) -> str:
    """Return what an opened task asks of the team, in words ("C-SSRS owed: due by 15:42")."""
    label = TaskKind(task.kind).label
    if task.assigned_to_id is not None:
        return f"{label} owed by {task.assigned_to}{_due(task)}"
    return f"{label}{_due(task)}"


def _follow_up_messages(request: HttpRequest, result: AdministrationResult) -> None:
    """Tell the clinician what the result opened: tasks, alerts and anything else."""
    follow_up = result.follow_up
    # The flag alerts' own words; a reaction's alerts (a stage's) come with their Notice.
    if any(a.source_type == OBJECT_TYPE for a in follow_up.alerts):
        messages.error(request, MESSAGE_ALERTED)
    for notice in follow_up.notices:
        add = NOTICE_LEVELS.get(notice.level, messages.error)
        if notice.url:
            add(
                request,
                format_html(
                    '{} <a class="alert-link" href="{}">{}</a>.',
                    notice.text + ".",
                    notice.url,
                    notice.link_text,
                ),
            )
        else:
            add(request, f"{notice.text}.")
    for task in follow_up.tasks:
        messages.warning(request, f"{_task_message(task)}.")


def _after_saving(
    request: HttpRequest, patient: Patient, result: AdministrationResult, return_to: str
) -> HttpResponse:
    saved = result.administration
    instrument = INSTRUMENTS[saved.code]
    messages.success(request, f"Saved. {administration_summary(instrument, saved)}")
    _follow_up_messages(request, result)
    prompted = prompted_instrument(saved)
    if prompted is not None and prompted in INSTRUMENTS:
        target = INSTRUMENTS[prompted]
        messages.warning(
            request,
            MESSAGE_PROMPTED.format(source=short_name(instrument), target=short_name(target)),
        )
        url = reverse("instruments:administer", args=[patient.pk, prompted])
        return redirect(f"{url}?{urlencode({RETURN_FIELD: return_to})}" if return_to else url)
    return redirect(return_to or reverse("chart:chart", args=[patient.pk]))


@staff_view(ADMINISTER_PERMISSION)
@require_http_methods(["GET", "POST"])
def administer(request: StaffRequest, patient_id: int, code: str) -> HttpResponse:
    """Show an instrument's form for a patient; on POST score it, store it, act on flags."""
    access = access_patient_grant_by_id(request.user, patient_id, request=request)
    instrument = instrument_get(code)
    if instrument is None:
        raise Http404("No such instrument.")
    form = AdministrationForm(request.POST or None, instrument=instrument)
    # Where the clinician came from (the unit board, say): back there once saved.
    return_to = return_url(request, "")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = administration_recorded(
                    actor=request.user,
                    patient=access.patient,
                    code=instrument.code,
                    answers=form.answers(),
                    context=form.context_values(),
                    request=request,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return _after_saving(request, access.patient, result, return_to)
        status = 422
    context = {
        "patient": access.patient,
        "basis": access.basis,
        "instrument": instrument,
        "short_name": short_name(instrument),
        "form": form,
        "return_to": return_to,
        "form_errors": form.errors.get(NON_FIELD_ERRORS, []) if form.is_bound else [],
        "error_count": len(form.errors) if form.is_bound else 0,
    }
    return render(request, "instruments/administer.html", context, status=status)


@staff_view("records.view_chart")
@require_GET
def trends_view(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show each instrument's scores over time: a chart and a table of the values."""
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type="instrument_administration"
    )
    context = {
        "patient": patient,
        "trends": trends(patient),
        "instruments": [(i.code, short_name(i), i.name) for i in INSTRUMENTS.values()],
        "can_administer": request.user.has_perm(ADMINISTER_PERMISSION),
    }
    return render(request, "instruments/trends.html", context)


def _alert_of(patient: Patient, alert_id: int) -> ClinicalAlert:
    if alert_id > MAX_DB_ID:
        raise Http404("No such alert.")
    return get_object_or_404(ClinicalAlert, pk=alert_id, patient=patient)


def _back(request: HttpRequest, patient: Patient) -> str:
    if request.POST.get("next") == "dashboard":
        return reverse("chart:dashboard")
    return reverse("chart:chart", args=[patient.pk])


@staff_view("records.view_chart")
@post_only("chart:chart", "patient_id")
def alert_acknowledge_view(request: StaffRequest, patient_id: int, alert_id: int) -> HttpResponse:
    """Acknowledge my copy of an alert (I have seen it)."""
    patient = access_patient_by_id(request.user, patient_id, request=request)
    alert = _alert_of(patient, alert_id)
    try:
        alert_acknowledge(actor=request.user, alert=alert, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Alert acknowledged.")
    return redirect(_back(request, patient))


@staff_view("records.view_chart")
@require_http_methods(["GET", "POST"])
def alert_resolve_view(request: StaffRequest, patient_id: int, alert_id: int) -> HttpResponse:
    """Mark an alert addressed, saying what was done (a clinician on the care team)."""
    patient = access_patient_by_id(request.user, patient_id, request=request)
    alert = _alert_of(patient, alert_id)
    if alert.resolved_at is not None:
        messages.info(request, "This alert has already been marked addressed.")
        return redirect("chart:chart", patient_id=patient.pk)
    form = AlertResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_resolve(
                actor=request.user, alert=alert, note=form.cleaned_data["note"], request=request
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Alert marked addressed.")
            return redirect("chart:chart", patient_id=patient.pk)
    context = {"patient": patient, "alert": alert, "form": form}
    status = 422 if form.errors else 200
    return render(request, "instruments/alert_resolve.html", context, status=status)
