"""The treatment plan page: write a plan with the patient, sign it together, revise and
review it. Thin: parse, call the plan services, render."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.privacy.gates import access_patient_grant_by_id
from openrecovery.records.choices import TaskKind, TaskStatus
from openrecovery.records.models import ClinicalTask, EpisodeOfCare, Patient

from .choices import InterventionKind, ReferralStatus
from .forms_plans import (
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    PlanStartForm,
    ProblemForm,
    ReferralForm,
    ReferralUpdateForm,
    ReviewForm,
    ReviseForm,
    SignForm,
)
from .models import PlanGoal, PlanProblem, Referral, TreatmentPlan
from .selectors import (
    open_episode,
    plan_in_force,
    plan_objectives,
    plan_view,
    problem_suggestions,
    review_state,
)
from .services import plans as svc
from .services import referrals

VIEW_CHART = "records.view_chart"
ERROR_NO_EPISODE = "This patient has no open episode of care."
ERROR_NO_DRAFT = "There is no draft plan to change."
ERROR_NO_PLAN = "There is no signed plan in force."
ERROR_PART = "That part is not on this plan."

INLINE_ACTIONS = frozenset({"goal", "objective", "intervention", "referral_update"})
FORMS: dict[str, type[forms.Form]] = {
    "start": PlanStartForm,
    "problem": ProblemForm,
    "goal": GoalForm,
    "objective": ObjectiveForm,
    "intervention": InterventionForm,
    "sign": SignForm,
    "revise": ReviseForm,
    "referral": ReferralForm,
    "referral_update": ReferralUpdateForm,
}


def _open_review_task(patient: Patient) -> ClinicalTask | None:
    return (
        ClinicalTask.objects.filter(
            patient=patient, kind=TaskKind.PLAN_REVIEW, status=TaskStatus.OPEN
        )
        .order_by("opened_at", "pk")
        .first()
    )


def _page(
    request: StaffRequest,
    patient: Patient,
    basis: str,
    episode: EpisodeOfCare | None,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = plan_view(episode) if episode is not None else None
    in_force = view.in_force if view else None
    task = _open_review_task(patient)
    objectives = plan_objectives(in_force)
    forms_: dict[str, Any] = {name: cls() for name, cls in FORMS.items()}
    forms_["review"] = ReviewForm(
        objectives=objectives,
        initial={
            "trigger": "measurement" if task else "scheduled",
            "task": task.pk if task else None,
        },
    )
    forms_.update(bound or {})
    return render(
        request,
        "treatment/plan.html",
        {
            "patient": patient,
            "basis": basis,
            "episode": episode,
            "view": view,
            "review_state": review_state(in_force, timezone.localdate()),
            "suggestions": problem_suggestions(episode) if episode and view and view.draft else [],
            "review_task": task,
            "forms": forms_,
            "can_edit": request.user.has_perm(svc.PERMISSION),
            "intervention_kinds": InterventionKind.choices,
            "referrals": list(Referral.objects.filter(episode=episode).order_by("-created_at")[:20])
            if episode is not None
            else [],
            "referral_statuses": [c for c in ReferralStatus.choices if c[0] != "requested"],
        },
        status=status,
    )


def _draft(episode: EpisodeOfCare) -> TreatmentPlan:
    draft = TreatmentPlan.objects.filter(episode=episode, status="draft").first()
    if draft is None:
        raise ValidationError(ERROR_NO_DRAFT)
    return draft


def _in_force(episode: EpisodeOfCare) -> TreatmentPlan:
    plan = plan_in_force(episode)
    if plan is None:
        raise ValidationError(ERROR_NO_PLAN)
    return plan


def _act(request: StaffRequest, action: str, form: forms.Form, episode: EpisodeOfCare) -> str:
    """Run one plan action with a valid form; return the success message."""
    data = form.cleaned_data
    actor = request.user
    if action == "start":
        svc.plan_create(actor=actor, episode=episode, setting=data["setting"], request=request)
        return "Draft plan started."
    if action == "revise":
        svc.plan_revise(
            actor=actor, plan=_in_force(episode), reason=data["reason"], request=request
        )
        return "A new version was started from the plan in force; it stays in force until signed."
    if action == "review" and isinstance(form, ReviewForm):
        task = None
        if data.get("task"):
            task = ClinicalTask.objects.filter(
                pk=data["task"], patient_id=episode.patient_id
            ).first()
        svc.plan_review_record(
            actor=actor,
            plan=_in_force(episode),
            progress=form.progress(),
            what_changed=data["what_changed"],
            trigger=data["trigger"],
            task=task,
            request=request,
        )
        return "Review recorded; the next review date is set."
    if action == "referral":
        referrals.referral_create(
            actor=actor,
            episode=episode,
            specialty=data["specialty"],
            to_whom=data["to_whom"],
            reason=data["reason"],
            appointment_at=data["appointment_at"],
            request=request,
        )
        return "Referral recorded."
    if action == "referral_update":
        referral = Referral.objects.filter(pk=data["referral"], episode=episode).first()
        if referral is None:
            raise ValidationError(ERROR_PART)
        referrals.referral_update(
            actor=actor,
            referral=referral,
            status=data["status"],
            appointment_at=data["appointment_at"],
            outcome=data["outcome"],
            request=request,
        )
        return "Referral updated."
    draft = _draft(episode)
    if action == "problem":
        svc.plan_problem_add(
            actor=actor,
            plan=draft,
            statement=data["statement"],
            source=data["source"],
            dimension=data["dimension"],
            request=request,
        )
        return "Problem added."
    if action in ("goal", "intervention"):
        problem = PlanProblem.objects.filter(pk=data["problem"], plan=draft).first()
        if problem is None:
            raise ValidationError(ERROR_PART)
        if action == "goal":
            svc.plan_goal_add(
                actor=actor, problem=problem, patient_words=data["patient_words"], request=request
            )
            return "Goal added."
        svc.plan_intervention_add(
            actor=actor,
            problem=problem,
            provider_role=data["provider_role"],
            kind=data["kind"],
            frequency=data["frequency"],
            description=data["description"],
            request=request,
        )
        return "Intervention added."
    if action == "objective":
        goal = PlanGoal.objects.filter(pk=data["goal"], problem__plan=draft).first()
        if goal is None:
            raise ValidationError(ERROR_PART)
        svc.plan_objective_add(
            actor=actor,
            goal=goal,
            text=data["text"],
            target_date=data["target_date"],
            request=request,
        )
        return "Objective added."
    if action == "sign":
        svc.plan_sign(
            actor=actor,
            plan=draft,
            patient_agreement=data["patient_agreement"],
            decline_reason=data["decline_reason"],
            request=request,
        )
        return f"Plan version {draft.version} signed."
    raise ValidationError("Nothing was changed.")


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def plan(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show an episode's treatment plan; POST runs one plan action (plan writers only)."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=svc.OBJECT_TYPE
    )
    patient = access.patient
    episode = open_episode(patient)
    if request.method == "GET":
        return _page(request, patient, access.basis, episode)
    if not request.user.has_perm(svc.PERMISSION):
        raise PermissionDenied(svc.ERROR_PERMISSION)
    if episode is None:
        messages.error(request, ERROR_NO_EPISODE)
        return redirect(reverse("treatment:plan", args=[patient.pk]))
    action = request.POST.get("action", "")
    if action == "remove":
        try:
            svc.plan_part_remove(
                actor=request.user,
                plan=_draft(episode),
                part=request.POST.get("part", ""),
                part_id=int(request.POST.get("part_id", "0") or 0),
                request=request,
            )
            messages.success(request, "Removed.")
        except (ValueError, KeyError):
            messages.error(request, ERROR_PART)
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(reverse("treatment:plan", args=[patient.pk]) + "#draft")
    if action == "review":
        objectives = plan_objectives(plan_in_force(episode))
        form: forms.Form = ReviewForm(request.POST, objectives=objectives)
    elif action in FORMS:
        form = FORMS[action](request.POST)
    else:
        messages.error(request, "Nothing was changed.")
        return redirect(reverse("treatment:plan", args=[patient.pk]))
    if form.is_valid():
        try:
            messages.success(request, _act(request, action, form, episode))
            anchor = {"sign": "", "review": "", "referral": "#referrals"}.get(action, "#draft")
            if action == "referral_update":
                anchor = "#referrals"
            return redirect(reverse("treatment:plan", args=[patient.pk]) + anchor)
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    if action in INLINE_ACTIONS:
        # These forms sit beside each part of the plan, written out in the template: say
        # what was refused above the page.
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    return _page(request, patient, access.basis, episode, {action: form}, status=422)
