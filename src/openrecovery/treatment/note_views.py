"""Individual session notes: write, sign and correct (addenda). Thin: parse, call, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.privacy.gates import MAX_DB_ID, access_patient_grant_by_id
from openrecovery.records.models import Patient
from openrecovery.safety.selectors import risk_current

from .choices import NoteStatus, SessionKind
from .forms_notes import AddendumForm, NoteForm
from .measurement_selectors import measures_due
from .models import ProgressNote, TherapySession
from .panels import individual_note_view
from .selectors import open_episode, plan_in_force, plan_objectives
from .services import notes as svc
from .services.group_notes import note_addendum_add

VIEW_CHART = "records.view_chart"


def _context(patient: Patient, note: ProgressNote | None) -> dict[str, Any]:
    episode = note.episode if note is not None else open_episode(patient)
    now = timezone.now()
    risk = risk_current(patient.pk)
    return {
        "patient": patient,
        "episode": episode,
        "note": note,
        "risk": risk,
        "due": measures_due(episode, now) if episode is not None else [],
        "objectives": plan_objectives(plan_in_force(episode)) if episode is not None else [],
    }


def _render(request: StaffRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "treatment/note.html", context, status=status)


def _save(
    request: StaffRequest, patient: Patient, note: ProgressNote | None, base: dict[str, Any]
) -> HttpResponse:
    fmt = note.format if note is not None else svc.note_format()
    form = NoteForm(request.POST, fmt=fmt, objectives=base["objectives"])
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = _session(patient, data.get("session"))
            with transaction.atomic():  # a refused signature saves nothing either
                saved = svc.note_save(
                    session=session,
                    actor=request.user,
                    patient=patient,
                    note=note,
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    modality=data["modality"],
                    sections=form.sections(),
                    objective_ids=form.objective_ids(),
                    interventions=data["interventions"],
                    module_code=data["module_code"],
                    next_session_plan=data["next_session_plan"],
                    request=request,
                )
                if request.POST.get("action") == "sign":
                    saved = svc.note_sign(actor=request.user, note=saved, request=request)
            if saved.status == NoteStatus.SIGNED:
                messages.success(request, "Note signed." + _flag_words(saved))
            else:
                messages.success(request, "Draft saved.")
            return redirect(reverse("treatment:note", args=[patient.pk, saved.pk]))
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
    return _render(request, {**base, "form": form, "fmt": fmt}, status=422)


def _session(patient: Patient, session_id: int | str | None) -> TherapySession | None:
    """Return the patient's individual session ``session_id`` (from the calendar), if any."""
    if not session_id or not str(session_id).isdigit() or int(session_id) > MAX_DB_ID:
        return None
    return TherapySession.objects.filter(
        pk=session_id, patient=patient, kind=SessionKind.INDIVIDUAL
    ).first()


def _flag_words(note: ProgressNote) -> str:
    words = []
    if "no_objective" in note.flags:
        words.append("it addresses no plan objective, so your supervisor was told")
    if note.late_entry:
        words.append("it is a late entry")
    return f" Flagged: {'; '.join(words)}." if words else ""


@staff_view(svc.PERMISSION)
@require_http_methods(["GET", "POST"])
def note_new(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Start an individual session note; POST saves the draft or signs it."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=svc.OBJECT_TYPE
    )
    base = _context(access.patient, None)
    if base["episode"] is None:
        messages.error(request, svc.ERROR_NO_EPISODE)
        return redirect(reverse("chart:chart", args=[access.patient.pk]))
    if request.method == "POST":
        return _save(request, access.patient, None, base)
    fmt = svc.note_format()
    initial: dict[str, Any] = {**NoteForm.initial_times(timezone.now()), "modality": "in_person"}
    session = _session(access.patient, request.GET.get("session"))
    if session is not None:
        initial.update(
            session=session.pk,
            started_at=timezone.localtime(session.starts_at),
            ended_at=timezone.localtime(session.ends_at),
            modality="video" if session.video_link and not session.room else "in_person",
        )
    form = NoteForm(fmt=fmt, objectives=base["objectives"], initial=initial)
    return _render(request, {**base, "form": form, "fmt": fmt})


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def note(request: StaffRequest, patient_id: int, note_id: int) -> HttpResponse:
    """Show a note: the author's draft to edit and sign, a signed note with its addenda
    (another clinician's draft is not shown, as in the chart)."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=svc.OBJECT_TYPE
    )
    # Signed notes and the viewer's own drafts, as the chart lists them.
    view = individual_note_view(access.patient.pk, request.user, note_id)
    if view is None:
        raise Http404("No such note.")
    found = view.note
    base = {**_context(access.patient, found), "view": view}
    editable = found.status == NoteStatus.DRAFT and found.author_id == request.user.pk
    if request.method == "POST":
        if request.POST.get("action") == "addendum":
            form = AddendumForm(request.POST)
            if form.is_valid():
                try:
                    note_addendum_add(
                        actor=request.user,
                        note=found,
                        text=form.cleaned_data["text"],
                        request=request,
                    )
                    messages.success(request, "Addendum added.")
                    return redirect(reverse("treatment:note", args=[patient_id, found.pk]))
                except (ValidationError, DomainError) as exc:
                    form_add_service_errors(form, exc)
            return _render(request, {**base, "addendum_form": form}, status=422)
        if not editable:
            raise PermissionDenied(svc.ERROR_NOT_AUTHOR)
        return _save(request, access.patient, found, base)
    context: dict[str, Any] = {**base, "addendum_form": AddendumForm()}
    if editable:
        initial = {
            "started_at": timezone.localtime(found.started_at),
            "ended_at": timezone.localtime(found.ended_at),
            "modality": found.modality,
            "objectives": [str(o.pk) for o in view.objectives],
            "interventions": found.interventions,
            "module_code": found.module_code,
            "next_session_plan": found.next_session_plan,
            **found.sections,
        }
        edit = NoteForm(fmt=found.format, objectives=base["objectives"], initial=initial)
        context.update(form=edit, fmt=found.format)
    return _render(request, context)
