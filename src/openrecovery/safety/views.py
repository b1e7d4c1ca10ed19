"""The safety plan pages: write it with the patient, sign it, print it. Thin views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.htmx import is_htmx
from openrecovery.privacy.gates import access_patient_grant_by_id
from openrecovery.records.models import Patient

from .forms import PrecautionStepForm, SafetyPlanForm, SafetyPlanSignForm
from .models import PrecautionChecklist, PrecautionStep, SafetyPlan
from .services import (
    ERROR_PRECAUTIONS_FORBIDDEN,
    PLAN_OBJECT_TYPE,
    PRECAUTIONS_OBJECT_TYPE,
    PRECAUTIONS_PERMISSION,
    precaution_step_complete,
    safety_plan_draft,
    safety_plan_save,
    safety_plan_sign,
)

VIEW_CHART = "records.view_chart"
EDIT_PLAN = "safety.edit_safety_plan"


def _plans(patient: Patient) -> list[SafetyPlan]:
    return list(
        SafetyPlan.objects.filter(patient=patient)
        .select_related("signed_by", "created_by")
        .order_by("-version")
    )


def _page(
    request: StaffRequest,
    patient: Patient,
    form: SafetyPlanForm | None = None,
    sign_form: SafetyPlanSignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plans = _plans(patient)
    current = next((p for p in plans if p.is_signed), None)
    draft = plans[0] if plans and not plans[0].is_signed else None
    can_edit = request.user.has_perm(EDIT_PLAN)
    if can_edit and draft is not None and form is None:
        form = SafetyPlanForm(initial=SafetyPlanForm.initial_from(draft))
    context = {
        "patient": patient,
        "current": current,
        "draft": draft,
        "plans": plans,
        "can_edit": can_edit,
        "form": form,
        "sign_form": sign_form or SafetyPlanSignForm(),
    }
    return render(request, "safety/plan.html", context, status=status)


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def plan(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the current safety plan, its versions and the draft; POST starts, saves or signs."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=PLAN_OBJECT_TYPE
    )
    patient = access.patient
    if request.method == "GET":
        return _page(request, patient)
    if not request.user.has_perm(EDIT_PLAN):
        raise PermissionDenied("Only clinicians write safety plans.")
    action = request.POST.get("action", "")
    if action == "start":
        safety_plan_draft(actor=request.user, patient=patient, request=request)
        return redirect("safety:plan", patient_id=patient.pk)
    draft = SafetyPlan.objects.filter(patient=patient, signed_at__isnull=True).first()
    if draft is None or action not in ("save", "sign"):
        raise Http404("No draft safety plan.")
    form = SafetyPlanForm(request.POST)
    if not form.is_valid():
        return _page(request, patient, form=form, status=422)
    try:
        draft = safety_plan_save(
            actor=request.user, plan=draft, data=form.cleaned_data, request=request
        )
    except DomainError as exc:
        form_add_service_errors(form, exc)
        return _page(request, patient, form=form, status=409)
    if action == "save":
        messages.success(request, f"Draft saved (version {draft.version}).")
        return redirect("safety:plan", patient_id=patient.pk)
    sign_form = SafetyPlanSignForm(request.POST)
    if sign_form.is_valid():
        try:
            safety_plan_sign(
                actor=request.user,
                plan=draft,
                patient_signed_name=sign_form.cleaned_data["patient_signed_name"],
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = sign_form if field in sign_form.fields else form
                for error in errors:
                    target.add_error(field if field in target.fields else None, error)
        else:
            messages.success(request, f"Safety plan signed (version {draft.version}).")
            return redirect("safety:plan", patient_id=patient.pk)
    return _page(request, patient, form=form, sign_form=sign_form, status=422)


@staff_view(VIEW_CHART)
@require_GET
def plan_print(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the current signed plan as a one-page, plain-language copy for the patient.

    Without a signed plan the page says so (and shows the crisis lines all the same).
    """
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=PLAN_OBJECT_TYPE
    )
    current = (
        SafetyPlan.objects.filter(patient=access.patient, signed_at__isnull=False)
        .select_related("signed_by")
        .order_by("-version")
        .first()
    )
    return render(request, "safety/plan_print.html", {"patient": access.patient, "plan": current})


ERROR_NO_CHECKLIST = "There is no open safety precautions checklist for this patient."


def _checklist_shown(patient: Patient) -> PrecautionChecklist | None:
    """Return the open checklist (else the latest) with its steps: three queries."""
    steps = PrecautionStep.objects.select_related("completed_by").order_by("position", "id")
    shown = (
        PrecautionChecklist.objects.filter(patient=patient)
        .select_related("opened_by", "assessment")
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("completed_at", "-opened_at", "-id")  # the open one (NULL) first
        .first()
    )
    return shown


def _precautions_page(
    request: StaffRequest,
    patient: Patient,
    *,
    error: str = "",
    failed_code: str = "",
    form: PrecautionStepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    checklist = _checklist_shown(patient)
    context = {
        "patient": patient,
        "checklist": checklist,
        "can_complete": request.user.has_perm(PRECAUTIONS_PERMISSION),
        "error": error,
        "failed_code": failed_code,
        "form": form,
    }
    template = (
        "safety/partials/precautions_card.html" if is_htmx(request) else "safety/precautions.html"
    )
    return render(request, template, context, status=200 if is_htmx(request) else status)


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def precautions(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the open (or latest) immediate safety precautions checklist; POST does a step.

    Any clinician who may open the chart sees it; completing a step takes
    ``safety.complete_precautions`` (nurses, physicians, counselors, clinical directors).
    Under htmx a POST answers with the checklist card alone; without JS it redirects.
    """
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=PRECAUTIONS_OBJECT_TYPE
    )
    patient = access.patient
    if request.method == "GET":
        return _precautions_page(request, patient)
    if not request.user.has_perm(PRECAUTIONS_PERMISSION):
        raise PermissionDenied(ERROR_PRECAUTIONS_FORBIDDEN)
    form = PrecautionStepForm(request.POST)
    if not form.is_valid():
        return _precautions_page(
            request,
            patient,
            error=form.errors.as_text(),
            failed_code=str(form["step"].value() or "")[:40],
            form=form,
            status=422,
        )
    checklist = PrecautionChecklist.objects.filter(
        patient=patient, completed_at__isnull=True
    ).first()
    if checklist is None:
        return _precautions_page(request, patient, error=ERROR_NO_CHECKLIST, status=409)
    code = form.cleaned_data["step"]
    try:
        step = precaution_step_complete(
            actor=request.user,
            checklist=checklist,
            code=code,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        message = " ".join(m for ms in exc.message_dict.values() for m in ms)
        return _precautions_page(request, patient, error=message, failed_code=code, status=422)
    except DomainError as exc:
        return _precautions_page(
            request, patient, error=exc.message, failed_code=code, status=exc.status
        )
    if is_htmx(request):
        return _precautions_page(request, patient)
    messages.success(request, f"Done: {step.label}.")
    return redirect("safety:precautions", patient_id=patient.pk)
