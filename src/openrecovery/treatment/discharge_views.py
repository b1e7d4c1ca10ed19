"""The discharge summary page: write, then sign (which closes the episode)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import Form, form_add_service_errors
from openrecovery.privacy.gates import access_patient_grant_by_id
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.safety.selectors import risk_current
from openrecovery.safety.services import safety_plan_current

from .choices import DischargeReason
from .measurement_selectors import episode_courses
from .models import DischargeSummary
from .selectors import open_episode
from .services import discharge as svc

VIEW_CHART = "records.view_chart"


class DischargeForm(Form):
    reason = forms.ChoiceField(label="Reason for discharge", choices=DischargeReason.choices)
    course = forms.CharField(
        label="Course of treatment",
        max_length=svc.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    medications = forms.CharField(
        label="Medications at discharge (with any taper still running)",
        max_length=svc.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aftercare_text = forms.CharField(
        label="First aftercare appointments",
        max_length=svc.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    risks_explained = forms.BooleanField(
        label="The risks of leaving now were explained (against advice)", required=False
    )
    crisis_resources_given = forms.BooleanField(
        label="The 24/7 line and the crisis numbers were given (against advice)", required=False
    )
    no_plan_reason = forms.CharField(
        label="If there is no signed safety plan after a recent elevated risk level: why",
        max_length=500,
        required=False,
    )


def _page(
    request: StaffRequest,
    patient: Patient,
    episode: EpisodeOfCare | None,
    summary: DischargeSummary | None,
    form: DischargeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    if form is None and (summary is None or summary.status == "draft"):
        initial = {}
        if summary is not None:
            initial = {
                f: getattr(summary, f)
                for f in (
                    "reason", "course", "medications", "aftercare_text",
                    "risks_explained", "crisis_resources_given",
                )
            }  # fmt: skip
        form = DischargeForm(initial=initial)
    return render(
        request,
        "treatment/discharge.html",
        {
            "patient": patient,
            "episode": episode,
            "summary": summary,
            "form": form,
            "courses": episode_courses(episode, now) if episode is not None else [],
            "risk": risk_current(patient.pk),
            "safety_plan": safety_plan_current(episode) if episode is not None else None,
        },
        status=status,
    )


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def discharge(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the open episode's discharge summary (or the last signed one); POST saves the
    draft or signs it (which closes the episode)."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=svc.OBJECT_TYPE
    )
    patient = access.patient
    episode = open_episode(patient)
    if episode is not None:
        summary = DischargeSummary.objects.filter(episode=episode).first()
    else:
        summary = (
            DischargeSummary.objects.filter(patient=patient, status="signed")
            .order_by("-signed_at")
            .first()
        )
    if request.method == "GET":
        return _page(request, patient, episode, summary)
    if not request.user.has_perm(svc.PERMISSION):
        raise PermissionDenied(svc.ERROR_PERMISSION)
    form = DischargeForm(request.POST)
    if episode is None:
        messages.error(request, svc.ERROR_EPISODE_CLOSED)
        return redirect(reverse("treatment:discharge", args=[patient.pk]))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused signature saves nothing either
                saved = svc.discharge_save(
                    actor=request.user,
                    episode=episode,
                    reason=data["reason"],
                    course=data["course"],
                    medications=data["medications"],
                    aftercare_text=data["aftercare_text"],
                    risks_explained=data["risks_explained"],
                    crisis_resources_given=data["crisis_resources_given"],
                    request=request,
                )
                if request.POST.get("action") == "sign":
                    svc.discharge_sign(
                        actor=request.user,
                        summary=saved,
                        no_plan_reason=data["no_plan_reason"],
                        request=request,
                    )
                    messages.success(request, "Discharge summary signed; the episode is closed.")
                else:
                    messages.success(request, "Draft saved.")
            return redirect(reverse("treatment:discharge", args=[patient.pk]))
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    summary = DischargeSummary.objects.filter(episode=episode).first()
    return _page(request, patient, episode, summary, form, status=422)
