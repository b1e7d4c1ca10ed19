"""Staff dashboard, patient chart and search. Thin: parse, call, render."""

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import DomainError, StateConflict, error_messages
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.htmx import is_htmx, pick_template
from openrecovery.core.http import post_only
from openrecovery.privacy.forms import break_glass_search_form
from openrecovery.privacy.gates import (
    MAX_DB_ID,
    access_patient_by_id,
    access_patient_grant_by_id,
    patients_visible_to,
)
from openrecovery.privacy.services import (
    BREAK_GLASS_PERMISSION,
    care_team_member_add,
    care_team_member_remove,
)
from openrecovery.records.choices import Stage, TaskKind
from openrecovery.records.models import CareTeamMember, ClinicalTask, Patient
from openrecovery.records.stages import allowed_moves, discharge_types_from
from openrecovery.records.tasks import ERROR_CLOSED, task_close
from openrecovery.safety.services import CSSRS, episode_move_checked
from openrecovery.treatment.measurement_selectors import dashboard_measures_due
from openrecovery.withdrawal.services.orders import taper_in_force

from .context_processors import AlertBadge
from .dashboard import with_task_badge
from .forms import CareTeamAddForm, PatientSearchForm, StageMoveForm, TaskCloseForm
from .pathway import (
    CLOSE_TASK_PERMISSION,
    DASHBOARD_TASK_LIMIT,
    dashboard_tasks,
    due_text,
    is_overdue,
    when_label,
)
from .selectors import (
    COVERAGE_LIMIT,
    chart_for,
    dashboard_alerts,
    dashboard_groups,
    patient_search,
    timeline_page,
)


@staff_view(anonymous_to="helpline:public:home")
def dashboard(request: StaffRequest) -> HttpResponse:
    """Show my patients grouped by stage, and the episodes my role covers."""
    now = timezone.now()
    groups, covered = dashboard_groups(request.user, now)
    # The navbar's count (carried by the session until an alert to me changes) says
    # whether any alert waits for me: with none, the list's query is not run.
    alerts = dashboard_alerts(request.user) if AlertBadge(request, request.user).count else []
    tasks = dashboard_tasks(request.user, now)
    measures_due = dashboard_measures_due(request.user, now)  # my patients in treatment
    shown = [e.patient_id for g in groups for e in g.episodes] + [e.patient_id for e in covered]
    if shown or alerts or tasks:
        # Which patients the page showed, so "who saw this patient listed" can be answered.
        detail: dict[str, object] = {
            "count": len(shown),
            "patients": sorted(
                {*shown, *(a.patient_id for a in alerts), *(t.patient_id for t in tasks)}
            ),
        }
        if alerts:
            detail["alerts"] = len(alerts)
        if tasks:
            detail["tasks"] = len(tasks)
        audit_record(action=Action.LIST, request=request, object_type="dashboard", detail=detail)
    context = {
        "groups": groups,
        "covered": covered,
        "alerts": alerts,
        "tasks": tasks,
        "measures_due": measures_due,
        "task_limit": DASHBOARD_TASK_LIMIT,
        "coverage_limit": COVERAGE_LIMIT,
        "search_form": PatientSearchForm(),
    }
    return render(request, "chart/dashboard.html", context)


# The last search's results (patient ids, never the query), so that Back from a chart
# shows them again; kept in the server-side session for a short while.
SEARCH_SESSION_KEY = "chart_last_search"
SEARCH_REMEMBER_SECONDS = 15 * 60
SEARCH_PREFILL_KEY = "chart_search_prefill"
SEARCH_FRESH_KEY = "chart_search_fresh"


def _remembered_results(request: StaffRequest) -> list[Patient] | None:
    saved = request.session.get(SEARCH_SESSION_KEY)
    if not isinstance(saved, dict) or time.time() - saved.get("at", 0) > SEARCH_REMEMBER_SECONDS:
        return None
    ids = [pk for pk in saved.get("ids", []) if isinstance(pk, int)]
    # The gate decides again: access may have ended since the search.
    visible = with_task_badge(patients_visible_to(request.user))
    found = {p.pk: p for p in visible.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


@staff_view("records.view_chart")
def search(request: StaffRequest) -> HttpResponse:
    """Search patients by name, MRN or date of birth; the query travels in the POST body.

    A search from a full page redirects to this page's GET (so Back and reload do not
    post again), which shows the last results again for a while: the session keeps
    their patient ids, not the query. See docs/adr/0012-break-glass-from-search.md.
    """
    form = PatientSearchForm(request.POST or None)
    results = None
    restored = False
    searched = ""
    if request.method == "POST" and form.is_valid():
        searched = form.cleaned_data["q"]
        results = list(patient_search(request.user, searched))
        request.session[SEARCH_SESSION_KEY] = {
            "ids": [p.pk for p in results],
            "at": int(time.time()),
        }
        if not is_htmx(request):
            if not results:
                # Only across the redirect, to prefill the emergency search; the GET drops it.
                request.session[SEARCH_PREFILL_KEY] = searched
            else:
                request.session.pop(SEARCH_PREFILL_KEY, None)
            request.session[SEARCH_FRESH_KEY] = True
            return redirect("chart:search")
    elif request.method == "GET":
        results = _remembered_results(request)
        searched = request.session.pop(SEARCH_PREFILL_KEY, "")
        restored = results is not None and not request.session.pop(SEARCH_FRESH_KEY, False)
    if results is not None:
        detail: dict[str, object] = {"results": len(results), "patients": [p.pk for p in results]}
        if restored:
            detail["restored"] = True
        audit_record(action=Action.SEARCH, request=request, object_type="patient", detail=detail)
    offer = results == [] and request.user.has_perm(BREAK_GLASS_PERMISSION)
    context = {
        "search_form": form,
        "results": results,
        "restored": restored,
        "now": timezone.now(),  # the page's clock: which open tasks are overdue
        # Offered on every empty search, so it never tells whether a hidden patient exists.
        "break_glass_form": break_glass_search_form(searched) if offer else None,
    }
    template = pick_template(request, "chart/search.html", "chart/partials/search_results.html")
    return render(request, template, context)


def _chart_context(request: StaffRequest, patient_id: int, action: str = Action.VIEW) -> dict:
    access = access_patient_grant_by_id(request.user, patient_id, request=request, action=action)
    chart = chart_for(access, request.user)
    stage_form = None
    if chart.episode and chart.episode.is_open and request.user.has_perm("records.move_stage"):
        stage_form = StageMoveForm(allowed=allowed_moves(chart.episode.stage))
    return {
        "chart": chart,
        "stage_form": stage_form,
        "discharge_types": discharge_types_from(chart.episode.stage) if chart.episode else [],
        "care_team_form": CareTeamAddForm()
        if request.user.has_perm("records.manage_care_team")
        else None,
        # Withdrawal management: the taper order in force and its review date (rec. 1).
        "taper": taper_in_force(access.patient)
        if chart.episode
        and chart.episode.is_open
        and chart.episode.stage == Stage.WITHDRAWAL_MANAGEMENT
        else None,
        "today": timezone.localdate(),
    }


@staff_view("records.view_chart")
def chart(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show a patient's demographics, current episode, care team and timeline."""
    return render(request, "chart/chart.html", _chart_context(request, patient_id))


@staff_view("records.view_chart")
def chart_print(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Show a printable chart summary; the print is audited."""
    return render(request, "chart/print.html", _chart_context(request, patient_id, Action.PRINT))


@staff_view("records.view_chart")
def timeline_more(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Return the next page of the timeline (htmx partial)."""
    patient = access_patient_by_id(request.user, patient_id, request=request)
    raw = request.GET.get("before", "")
    before = int(raw) if raw.isdigit() and int(raw) <= MAX_DB_ID else None
    events, more = timeline_page(patient, before)
    context = {"events": events, "more": more, "patient": patient}
    return render(request, "chart/partials/timeline_page.html", context)


@staff_view("records.move_stage")
@post_only("chart:chart", "patient_id")
def stage_move(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Move the patient's current episode to another stage."""
    context = _chart_context(request, patient_id)
    episode = context["chart"].episode
    if episode is None or not episode.is_open:
        messages.error(request, "There is no open episode to move.")
        return redirect("chart:chart", patient_id=patient_id)
    form = StageMoveForm(request.POST, allowed=allowed_moves(episode.stage))
    if form.is_valid():
        try:
            # Through the suicide-risk pathway's check: leaving withdrawal management or
            # treatment (a discharge too) after a recent moderate or high level needs a
            # signed safety plan or the reason there is none.
            episode_move_checked(
                actor=request.user,
                episode=episode,
                request=request,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
                discharge_type=form.cleaned_data["discharge_type"],
                no_plan_reason=form.cleaned_data["no_plan_reason"],
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Stage changed.")
            return redirect("chart:chart", patient_id=patient_id)
    context["stage_form"] = form
    return render(request, "chart/chart.html", context, status=422)


@staff_view("records.manage_care_team")
@post_only("chart:chart", "patient_id")
def care_team_add_view(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Add a staff member to the patient's care team."""
    context = _chart_context(request, patient_id)
    form = CareTeamAddForm(request.POST)
    if form.is_valid():
        try:
            care_team_member_add(
                actor=request.user,
                patient=context["chart"].patient,
                request=request,
                user=form.cleaned_data["user"],
                team_role=form.cleaned_data["team_role"],
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Care team updated.")
            return redirect("chart:chart", patient_id=patient_id)
    context["care_team_form"] = form
    return render(request, "chart/chart.html", context, status=422)


@staff_view("records.manage_care_team")
@post_only("chart:chart", "patient_id")
def care_team_remove_view(request: StaffRequest, patient_id: int, member_id: int) -> HttpResponse:
    """Take a staff member off the patient's care team."""
    patient = access_patient_by_id(request.user, patient_id, request=request)
    member = get_object_or_404(CareTeamMember, pk=member_id, patient=patient, active=True)
    try:
        care_team_member_remove(actor=request.user, member=member, request=request)
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, "Care team updated.")
    return redirect("chart:chart", patient_id=patient_id)


TASK_CLOSED = "Task closed."


@staff_view(CLOSE_TASK_PERMISSION)
@require_http_methods(["GET", "POST"])
def task_close_view(request: StaffRequest, patient_id: int, task_id: int) -> HttpResponse:
    """Show an open task's close form; POST closes it as not done or with its outcome.

    A task of another patient, or of a patient the gate hides, is a 404; one closed
    meanwhile sends back to the chart, saying so. The task service audits the close.
    """
    patient = access_patient_by_id(request.user, patient_id, request=request)
    if task_id > MAX_DB_ID:
        raise Http404("No such task.")
    task = get_object_or_404(ClinicalTask, pk=task_id, patient=patient)
    if not task.is_open:
        messages.info(request, ERROR_CLOSED)
        return redirect("chart:chart", patient_id=patient.pk)
    if request.method == "GET":
        form = TaskCloseForm(kind=task.kind)
        return _task_page(request, patient, task, form)
    form = TaskCloseForm(request.POST, kind=task.kind)
    if form.is_valid():
        status, outcome = form.status_outcome()
        try:
            task_close(
                task=task,
                status=status,
                outcome=outcome,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except StateConflict:
            messages.info(request, ERROR_CLOSED)
            return redirect("chart:chart", patient_id=patient.pk)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, TASK_CLOSED)
            return redirect("chart:chart", patient_id=patient.pk)
    return _task_page(request, patient, task, form, status=422)


def _task_page(
    request: StaffRequest,
    patient: Patient,
    task: ClinicalTask,
    form: TaskCloseForm,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    context = {
        "patient": patient,
        "task": task,
        "label": TaskKind(task.kind).label,
        "due_text": due_text(task.due_at, now),
        "overdue": is_overdue(task.due_at, now),
        "opened": when_label(task.opened_at, now),
        "form": form,
        "cssrs_url": reverse("instruments:administer", args=[patient.pk, CSSRS])
        if task.kind == TaskKind.CSSRS_OWED
        else "",
    }
    return render(request, "chart/task_close.html", context, status=status)
