"""Break-glass: ask for emergency access; review it afterwards."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import DomainError, error_messages
from openrecovery.core.forms import Form
from openrecovery.records.models import Patient

from .models import BreakGlassGrant
from .selectors import refused_under_grants
from .services import MIN_REASON_LENGTH, break_glass_grant, break_glass_review

ERROR_NO_SUCH_MRN = "No patient has that MRN."
REVIEW_PAGE = 100


class BreakGlassForm(Form):
    mrn = forms.CharField(label="Patient MRN", max_length=20)
    reason = forms.CharField(
        label="Describe the emergency",
        min_length=MIN_REASON_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BreakGlassReviewForm(Form):
    """The finding of a review (the service says when it is missing)."""

    note = forms.CharField(label="Review note", max_length=2000, required=False)


@staff_view("privacy.break_glass")
def break_glass(request: StaffRequest) -> HttpResponse:
    """Grant time-limited emergency access to a chart, flagged for review."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = Patient.objects.filter(mrn=form.cleaned_data["mrn"].strip().upper()).first()
        if patient is None:
            form.add_error("mrn", ERROR_NO_SUCH_MRN)
        else:
            try:
                break_glass_grant(
                    user=request.user,
                    patient=patient,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except (ValidationError, DomainError) as exc:
                form.add_error(None, error_messages(exc))
            else:
                messages.warning(request, "Emergency access granted. It is logged and reviewed.")
                return redirect("chart:chart", patient_id=patient.pk)
    return render(
        request, "privacy/break_glass.html", {"form": form}, status=422 if form.errors else 200
    )


@staff_view("privacy.review_break_glass")
def review_list(request: StaffRequest) -> HttpResponse:
    """List emergency accesses awaiting review, oldest first."""
    return _review_page(request)


def _review_page(
    request: StaffRequest, refused_form: BreakGlassReviewForm | None = None, grant_id: int = 0
) -> HttpResponse:
    """Render the review list, with the review of ``grant_id`` refused by its form (422)."""
    grants = list(
        BreakGlassGrant.objects.filter(reviewed_at__isnull=True)
        .select_related("user", "patient")
        .order_by("created_at")[:REVIEW_PAGE]
    )
    refused = refused_under_grants([grant.pk for grant in grants])
    rows = [(grant, refused.get(grant.pk, 0)) for grant in grants]
    audit_record(
        action=Action.VIEW,
        request=request,
        object_type="break_glass_review_list",
        detail={"patients": sorted({grant.patient_id for grant in grants})},
    )
    context = {"rows": rows, "refused_form": refused_form, "refused_grant_id": grant_id}
    status = 422 if refused_form is not None else 200
    return render(request, "privacy/review_list.html", context, status=status)


@staff_view("privacy.review_break_glass")
@require_POST
def review(request: StaffRequest, grant_id: int) -> HttpResponse:
    """Record the review of one emergency access."""
    grant = get_object_or_404(BreakGlassGrant, pk=grant_id)
    form = BreakGlassReviewForm(request.POST)
    if not form.is_valid():
        return _review_page(request, form, grant.pk)
    try:
        break_glass_review(
            reviewer=request.user, grant=grant, note=form.cleaned_data["note"], request=request
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, "Review recorded.")
    return redirect("privacy:review_list")
