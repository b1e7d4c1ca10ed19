"""Intake assessment and problem list pages. Thin: gate, parse, call a service, render."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError, StateConflict
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.htmx import is_htmx
from openrecovery.core.http import post_only
from openrecovery.instruments import registry
from openrecovery.instruments.engine import AnswerError, score
from openrecovery.privacy.gates import access_patient_by_id, access_patient_grant_by_id
from openrecovery.records.choices import HandoffSource, Stage
from openrecovery.records.contacts import handoffs_for

from .carry import SectionDraft, section_drafts, substance_drafts
from .forms import (
    SECTION_FORMS,
    AddendumForm,
    DimensionRatingsForm,
    Dsm5ChecklistForm,
    LevelOfCareForm,
    SignForm,
    SubstanceUseForm,
    draft_form,
    section_summary,
)
from .models import IntakeAssessment, Problem, SubstanceUse
from .prompts import placement_prompts
from .selectors import current_episode, intake_for, intake_view, problems_for
from .services import (
    DSM5_SEDATIVE,
    ERROR_NOT_SIGNED,
    ERROR_SIGNED,
    addendum_add,
    assessment_missing,
    assessment_save_draft,
    assessment_sign,
    assessment_start,
    problem_confirm,
    problem_record_from_dsm,
    substance_use_add,
    substance_use_remove,
)

VIEW = "records.view_chart"
EDIT = "assessment.edit_assessment"
SIGN = "assessment.sign_assessment"
RECORD_PROBLEM = "assessment.record_problem"
CONFIRM_PROBLEM = "assessment.confirm_problem"
NO_DRAFT = "There is no intake assessment in progress for this episode."
INTAKE_OBJECT = "intake_assessment"
CARRIED_KEY_MAX = 32


def _initial(assessment: IntakeAssessment | None, section: str) -> dict[str, Any]:
    if assessment is None:
        return {}
    if section in SECTION_FORMS:
        return dict(assessment.sections.get(section) or {})
    if section == "level":
        return {
            "level_of_care": assessment.level_of_care,
            "level_rationale": assessment.level_rationale,
        }
    initial: dict[str, Any] = {}
    for rating in assessment.ratings.all():
        initial[f"rating_{rating.dimension}"] = rating.rating
        initial[f"notes_{rating.dimension}"] = rating.notes
    return initial


def _draft(
    assessment: IntakeAssessment | None, key: str, carried: SectionDraft | None
) -> forms.Form:
    """Return a section's form: its saved answers, else the carried-forward draft's."""
    if carried is not None and assessment is not None and key not in assessment.sections:
        form = draft_form(key, initial=carried.initial)
        form.carried_source = carried.source  # type: ignore[attr-defined]
        return form
    return draft_form(key, initial=_initial(assessment, key))


def _intake_context(
    request: StaffRequest, patient_id: int, *, bound: dict[str, forms.BaseForm] | None = None
) -> dict[str, Any]:
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=INTAKE_OBJECT
    )
    page = intake_view(access)
    assessment = page.assessment
    bound = bound or {}
    user = request.user
    editable = assessment is not None and not assessment.is_signed and user.has_perm(EDIT)
    handoffs = handoffs_for(page.episode, HandoffSource.PRESCREEN) if editable else []
    carried_sections = section_drafts(handoffs)
    drafts = {
        key: bound.get(key) or _draft(assessment, key, carried_sections.get(key))
        for key in [*SECTION_FORMS, DimensionRatingsForm.key, LevelOfCareForm.key]
    }
    carried_rows = (
        substance_drafts(handoffs, {r.carried_from for r in assessment.substances.all()})
        if assessment is not None and handoffs
        else []
    )
    return {
        "page": page,
        "patient": page.patient,
        "assessment": assessment,
        "sections": [drafts[key] for key in SECTION_FORMS],
        "dimensions_form": drafts[DimensionRatingsForm.key],
        "level_form": drafts[LevelOfCareForm.key],
        "substance_form": bound.get("substance") or SubstanceUseForm(),
        "carried_substances": [
            (draft, SubstanceUseForm(initial=draft.initial, auto_id=f"id_carried{n}_%s"))
            for n, draft in enumerate(carried_rows)
        ],
        "sign_form": bound.get("sign") or SignForm(),
        "addendum_form": bound.get("addendum") or AddendumForm(),
        "editable": editable,
        "can_sign": editable and user.has_perm(SIGN),
        "can_start": (
            assessment is None
            and page.episode is not None
            and page.episode.is_open
            and page.episode.stage == Stage.ASSESSMENT
            and user.has_perm(EDIT)
        ),
        "missing": assessment_missing(assessment) if assessment and editable else [],
        "can_add_addendum": assessment is not None and assessment.is_signed and user.has_perm(EDIT),
        "summary": [
            {
                "key": key,
                "title": form.title,
                "rows": section_summary(key, assessment.sections.get(key) or {}),
            }
            for key, form in SECTION_FORMS.items()
        ]
        if assessment is not None and not editable
        else [],
    }


@staff_view(VIEW)
def intake(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the current episode's intake: a draft to fill in, or the signed record."""
    return render(request, "assessment/intake.html", _intake_context(request, patient_id))


def _draft_or_redirect(
    request: StaffRequest, patient_id: int
) -> tuple[Any, IntakeAssessment | None]:
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type=INTAKE_OBJECT
    )
    return patient, intake_for(current_episode(patient))


def _refuse_signed(request: HttpRequest, patient_id: int) -> HttpResponse:
    # A signed intake offers no edit forms; say why nothing changed, on the page.
    if is_htmx(request):
        return HttpResponse(ERROR_SIGNED)
    messages.error(request, ERROR_SIGNED)
    return redirect("assessment:intake", patient_id=patient_id)


@staff_view(EDIT)
@post_only("assessment:intake", "patient_id")
def intake_start(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Start the intake of the patient's episode at Assessment."""
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type=INTAKE_OBJECT
    )
    try:
        assessment_start(actor=request.user, patient=patient, request=request)
    except StateConflict as exc:
        messages.error(request, exc.message)
    return redirect("assessment:intake", patient_id=patient_id)


@staff_view(EDIT)
@post_only("assessment:intake", "patient_id")
def section_save(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Save one section of the draft (htmx autosave answers with a small "Saved" note)."""
    section = request.POST.get("section", "")
    patient, assessment = _draft_or_redirect(request, patient_id)
    if assessment is None or section not in (*SECTION_FORMS, "dimensions", "level"):
        messages.error(request, NO_DRAFT if assessment is None else "Unknown section.")
        return redirect("assessment:intake", patient_id=patient_id)
    if assessment.is_signed:
        return _refuse_signed(request, patient_id)
    form = draft_form(section, request.POST)
    if form.is_valid():
        try:
            assessment = assessment_save_draft(
                actor=request.user,
                assessment=assessment,
                section=section,
                answers=form.cleaned_data,
                request=request,
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    saved = form.is_valid() and not form.errors
    if is_htmx(request):
        context = {
            "form": form,
            "key": section,
            "patient": patient,
            "saved_at": timezone.localtime(),
            "prompts": placement_prompts(assessment),
            "missing": assessment_missing(assessment),
        }
        if saved:
            return render(request, "assessment/partials/saved.html", context)
        # Show the field errors in place: swap the whole section form.
        response = render(request, "assessment/partials/section_form.html", context)
        response["HX-Retarget"] = f"#section-{section}"
        response["HX-Reswap"] = "outerHTML"
        return response
    if saved:
        messages.success(request, "Saved.")
        return redirect("assessment:intake", patient_id=patient_id)
    context = _intake_context(request, patient_id, bound={section: form})
    return render(request, "assessment/intake.html", context, status=422)


def _rerender_or_redirect(
    request: StaffRequest, patient_id: int, key: str, form: forms.BaseForm, done: str
) -> HttpResponse:
    if not form.errors:
        messages.success(request, done)
        return redirect("assessment:intake", patient_id=patient_id)
    context = _intake_context(request, patient_id, bound={key: form})
    return render(request, "assessment/intake.html", context, status=422)


@staff_view(EDIT)
@post_only("assessment:intake", "patient_id")
def substance_add(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Add a row to the draft's substance use history."""
    _patient, assessment = _draft_or_redirect(request, patient_id)
    if assessment is None:
        messages.error(request, NO_DRAFT)
        return redirect("assessment:intake", patient_id=patient_id)
    if assessment.is_signed:
        return _refuse_signed(request, patient_id)
    form = SubstanceUseForm(request.POST)
    if form.is_valid():
        try:
            substance_use_add(
                actor=request.user,
                assessment=assessment,
                fields=request.POST,
                carried_from=request.POST.get("carried_from", "")[:CARRIED_KEY_MAX],
                request=request,
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    return _rerender_or_redirect(request, patient_id, "substance", form, "Substance added.")


@staff_view(EDIT)
@post_only("assessment:intake", "patient_id")
def substance_remove(request: StaffRequest, patient_id: int, substance_id: int) -> HttpResponse:
    """Remove a row from the draft's substance use history."""
    _patient, assessment = _draft_or_redirect(request, patient_id)
    row = get_object_or_404(SubstanceUse, pk=substance_id, assessment=assessment)
    try:
        substance_use_remove(actor=request.user, row=row, request=request)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Substance removed.")
    return redirect("assessment:intake", patient_id=patient_id)


@staff_view(SIGN)
@post_only("assessment:intake", "patient_id")
def intake_sign(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Sign the intake (after an explicit confirmation); the episode moves stage."""
    _patient, assessment = _draft_or_redirect(request, patient_id)
    if assessment is None:
        messages.error(request, NO_DRAFT)
        return redirect("assessment:intake", patient_id=patient_id)
    if assessment.is_signed:
        return _refuse_signed(request, patient_id)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            assessment_sign(actor=request.user, assessment=assessment, request=request)
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    return _rerender_or_redirect(
        request, patient_id, "sign", form, "Intake assessment signed; the episode moved stage."
    )


@staff_view(EDIT)
@post_only("assessment:intake", "patient_id")
def addendum_create(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Add an addendum to the signed intake."""
    _patient, assessment = _draft_or_redirect(request, patient_id)
    form = AddendumForm(request.POST)
    if assessment is None or not assessment.is_signed:
        messages.error(request, NO_DRAFT if assessment is None else ERROR_NOT_SIGNED)
        return redirect("assessment:intake", patient_id=patient_id)
    if form.is_valid():
        try:
            addendum_add(
                actor=request.user,
                assessment=assessment,
                text=form.cleaned_data["text"],
                request=request,
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    return _rerender_or_redirect(request, patient_id, "addendum", form, "Addendum added.")


def _checklist_form(data: Any = None) -> Dsm5ChecklistForm | None:
    instrument = registry.instrument_get(DSM5_SEDATIVE)
    return Dsm5ChecklistForm(data, instrument=instrument) if instrument is not None else None


def _problems_page(
    request: StaffRequest, patient_id: int, checklist: Dsm5ChecklistForm | None = None, status=200
) -> HttpResponse:
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type="problem_list"
    )
    user = request.user
    context = {
        "patient": access.patient,
        "problems": problems_for(access.patient),
        "checklist": (checklist or _checklist_form()) if user.has_perm(RECORD_PROBLEM) else None,
        "instrument": registry.instrument_get(DSM5_SEDATIVE),
        "can_confirm": user.has_perm(CONFIRM_PROBLEM),
    }
    return render(request, "assessment/problems.html", context, status=status)


@staff_view(VIEW)
def problems(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show the patient's problem list, with the DSM-5-TR checklist to record from."""
    return _problems_page(request, patient_id)


@staff_view(RECORD_PROBLEM)
@post_only("assessment:problems", "patient_id")
def problem_record(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Score a DSM-5-TR sedative checklist and record the use disorder it suggests."""
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type="problem_list"
    )
    form = _checklist_form(request.POST)
    if form is None:
        messages.error(request, "The DSM-5-TR checklist is not available.")
        return redirect("assessment:problems", patient_id=patient_id)
    if form.is_valid():
        try:
            result = score(form.instrument, form.answers(), form.context())
            problem_record_from_dsm(
                actor=request.user,
                patient=patient,
                score=result,
                context=form.context(),
                request=request,
            )
        except AnswerError as exc:
            form.add_error(None, exc.message)
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Recorded on the problem list as unconfirmed.")
            return redirect("assessment:problems", patient_id=patient_id)
    return _problems_page(request, patient_id, form, status=422)


@staff_view(CONFIRM_PROBLEM)
@post_only("assessment:problems", "patient_id")
def problem_confirm_view(request: StaffRequest, patient_id: int, problem_id: int) -> HttpResponse:
    """Confirm an unconfirmed problem-list entry."""
    patient = access_patient_by_id(
        request.user, patient_id, request=request, object_type="problem_list"
    )
    problem = get_object_or_404(Problem, pk=problem_id, patient=patient)
    try:
        problem_confirm(actor=request.user, problem=problem, request=request)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{problem.icd10cm} confirmed.")
    return redirect("assessment:problems", patient_id=patient_id)
