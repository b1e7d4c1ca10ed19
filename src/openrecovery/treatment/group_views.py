"""Groups, the calendar and the group-note page; a patient's session notes. Thin: parse,
call, render. Pages that list patients audit which ones (ids only)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.privacy.gates import access_patient_grant_by_id
from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import ATTENDED, Attendance, Modality, NoteStatus, SessionStatus
from .forms_groups import (
    WEEKDAYS,
    AddendumForm,
    GroupForm,
    IndividualSessionForm,
    MemberAddForm,
    ScheduleForm,
    SessionNoteForm,
    WeekForm,
)
from .models import (
    GroupAttendance,
    GroupMember,
    GroupNote,
    ProgressNote,
    TherapySession,
    TreatmentGroup,
)
from .panels import PAGE_NOTES, patient_notes
from .selectors import plan_objectives_by_episode
from .services import group_notes as notes_svc
from .services import groups as svc

WRITE = "treatment.write_notes"
VIEW_CHART = "records.view_chart"
ROSTER_OBJECT_TYPE = "group_roster"
CALENDAR_OBJECT_TYPE = "treatment_calendar"
SESSION_OBJECT_TYPE = "group_session_page"
NOTES_OBJECT_TYPE = "session_notes"
UPCOMING = 8
DAY_NAMES = dict(WEEKDAYS)


def _audit_listed(request: StaffRequest, object_type: str, object_id: int, ids: list[int]) -> None:
    # Who saw which patients listed (ids only); a page listing nobody read no patient data.
    if ids:
        audit_record(
            action=Action.LIST,
            request=request,
            object_type=object_type,
            object_id=object_id,
            detail={"count": len(ids), "patients": sorted(set(ids))},
        )


def _team_patients(user: User) -> QuerySet[Patient]:
    # The patients a clinician may pick for a group or a session: those whose care team
    # they are on (a role covering every stage would otherwise list every patient).
    return (
        Patient.objects.filter(care_team__user=user, care_team__active=True)
        .distinct()
        .order_by("legal_family_name", "legal_given_name", "pk")
    )


def _group_for(request: StaffRequest, group_id: int) -> TreatmentGroup:
    group = get_object_or_404(
        TreatmentGroup.objects.select_related("facilitator", "co_facilitator"), pk=group_id
    )
    if not svc.group_runs(group, request.user):
        raise Http404("No such group.")
    return group


@staff_view(WRITE)
@require_http_methods(["GET", "POST"])
def groups(request: StaffRequest) -> HttpResponse:
    """List the groups I run (a director: every group); POST creates one."""
    form = GroupForm(request.POST or None, initial={"facilitator": request.user})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = svc.group_create(actor=request.user, request=request, **data)
            except (ValidationError, DomainError) as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"Group “{group.name}” created. Add its members.")
                return redirect("treatment:group", group.pk)
        status = 422
    listed = TreatmentGroup.objects.filter(active=True).select_related(
        "facilitator", "co_facilitator"
    )
    if request.user.role != Role.CLINICAL_DIRECTOR:
        listed = listed.filter(Q(facilitator=request.user) | Q(co_facilitator=request.user))
    context = {
        "groups": [(g, DAY_NAMES[g.weekday]) for g in listed.order_by("weekday", "start_time")],
        "form": form,
    }
    return render(request, "treatment/group_list.html", context, status=status)


@staff_view(WRITE)
@require_http_methods(["GET", "POST"])
def group(request: StaffRequest, group_id: int) -> HttpResponse:
    """Show a group's roster and upcoming sessions; POST adds or removes a member or
    schedules the coming weeks."""
    group = _group_for(request, group_id)
    candidates = _team_patients(group.facilitator).exclude(
        group_rosters__group=group, group_rosters__active=True
    )
    add_form = MemberAddForm(patients=candidates)
    schedule_form = ScheduleForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                add_form = MemberAddForm(request.POST, patients=candidates)
                if add_form.is_valid():
                    patient = add_form.cleaned_data["patient"]
                    svc.group_member_add(
                        actor=request.user, group=group, patient=patient, request=request
                    )
                    messages.success(request, f"{patient.display_name} is on the roster.")
                    return redirect("treatment:group", group.pk)
            elif action == "remove":
                member = get_object_or_404(
                    GroupMember.objects.select_related("patient"),
                    group=group,
                    pk=_int(request.POST.get("member")),
                )
                svc.group_member_remove(
                    actor=request.user, group=group, patient=member.patient, request=request
                )
                messages.success(request, f"{member.patient.display_name} left the roster.")
                return redirect("treatment:group", group.pk)
            elif action == "schedule":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    added = svc.group_sessions_schedule(
                        actor=request.user,
                        group=group,
                        weeks=schedule_form.cleaned_data["weeks"],
                        request=request,
                    )
                    messages.success(
                        request, f"{len(added)} session{'s' if len(added) != 1 else ''} added."
                    )
                    return redirect("treatment:group", group.pk)
            else:
                messages.error(request, "Nothing was changed.")
                return redirect("treatment:group", group.pk)
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(schedule_form if action == "schedule" else add_form, exc)
    roster = list(
        GroupMember.objects.filter(group=group, active=True)
        .select_related("patient")
        .order_by("patient__legal_family_name", "patient__legal_given_name")
    )
    _audit_listed(request, ROSTER_OBJECT_TYPE, group.pk, [m.patient_id for m in roster])
    upcoming = list(
        TherapySession.objects.filter(
            group=group, starts_at__gte=timezone.now() - dt.timedelta(days=1)
        ).order_by("starts_at")[:UPCOMING]
    )
    context = {
        "group": group,
        "day": DAY_NAMES[group.weekday],
        "roster": roster,
        "upcoming": upcoming,
        "add_form": add_form,
        "schedule_form": schedule_form,
        "warn_size": notes_svc.warn_size(),
    }
    return render(request, "treatment/group_detail.html", context)


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise Http404("No such member.") from None
    if not 1 <= number < 2**63:
        raise Http404("No such member.")
    return number


@staff_view(WRITE)
@require_http_methods(["GET", "POST"])
def calendar(request: StaffRequest) -> HttpResponse:
    """Show a week of my sessions (``?week=YYYY-MM-DD``, any day of it): groups I
    facilitate or co-facilitate, and individual sessions; ``?clinician=<id>`` shows another
    clinician's week to a clinical director. POST schedules an individual session."""
    form = WeekForm(request.GET)
    if not form.is_valid():
        raise Http404("No such week.")
    whose: User = form.cleaned_data["clinician"] or request.user
    if whose.pk != request.user.pk and request.user.role != Role.CLINICAL_DIRECTOR:
        raise PermissionDenied("Only a clinical director may open another's calendar.")
    day = form.cleaned_data["week"] or timezone.localdate()
    monday = day - dt.timedelta(days=day.weekday())
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time(), tzinfo=zone)
    sessions = list(
        TherapySession.objects.filter(
            Q(clinician=whose) | Q(co_facilitator=whose),
            starts_at__gte=start,
            starts_at__lt=start + dt.timedelta(days=7),
        )
        .select_related("group", "patient")
        .order_by("starts_at")
    )
    _audit_listed(
        request,
        CALENDAR_OBJECT_TYPE,
        whose.pk,
        [s.patient_id for s in sessions if s.patient_id is not None],
    )
    days = []
    for offset in range(7):
        date = monday + dt.timedelta(days=offset)
        days.append((date, [s for s in sessions if timezone.localtime(s.starts_at).date() == date]))
    base = reverse("treatment:calendar")
    suffix = f"&clinician={whose.pk}" if whose.pk != request.user.pk else ""
    own_patients = _team_patients(whose)
    session_form = IndividualSessionForm(request.POST or None, patients=own_patients)
    status = 200
    if request.method == "POST":
        if session_form.is_valid():
            data = session_form.cleaned_data
            try:
                added = svc.individual_session_schedule(
                    actor=request.user,
                    patient=data["patient"],
                    clinician=whose,
                    starts_at=data["starts_at"],
                    ends_at=data["starts_at"] + dt.timedelta(minutes=data["minutes"]),
                    room=data["room"],
                    video_link=data["video_link"],
                    request=request,
                )
            except (ValidationError, DomainError) as exc:
                form_add_service_errors(session_form, exc)
            else:
                messages.success(request, "Individual session added to the calendar.")
                week = timezone.localdate(added.starts_at)
                return redirect(f"{base}?week={week:%Y-%m-%d}{suffix}")
        status = 422
    context = {
        "session_form": session_form,
        "whose": whose,
        "mine": whose.pk == request.user.pk,
        "days": days,
        "monday": monday,
        "previous_url": f"{base}?week={monday - dt.timedelta(days=7):%Y-%m-%d}{suffix}",
        "next_url": f"{base}?week={monday + dt.timedelta(days=7):%Y-%m-%d}{suffix}",
        "whose_form": WeekForm(initial={"week": monday, "clinician": whose})
        if request.user.role == Role.CLINICAL_DIRECTOR
        else None,
    }
    return render(request, "treatment/calendar.html", context, status=status)


def _session_for(request: StaffRequest, session_id: int) -> TherapySession:
    session = get_object_or_404(
        TherapySession.objects.select_related("group", "patient", "clinician", "co_facilitator"),
        pk=session_id,
    )
    if session.group is not None:
        if not svc.group_runs(session.group, request.user):
            raise Http404("No such session.")
    elif request.user.pk != session.clinician_id and request.user.role != Role.CLINICAL_DIRECTOR:
        raise Http404("No such session.")
    return session


def _note_page(request: StaffRequest, session: TherapySession) -> dict[str, Any]:
    """Load the session page: the roster (or the attendance taken), each member's plan
    objectives and their draft or signed notes (a constant number of queries)."""
    group_note = GroupNote.objects.filter(session=session).select_related("author").first()
    if group_note is not None:
        rows = list(
            GroupAttendance.objects.filter(group_note=group_note)
            .select_related("patient")
            .order_by("patient__legal_family_name", "patient__legal_given_name")
        )
        roster = [a.patient for a in rows]
        attendance = {a.patient_id: a for a in rows}
        notes = {
            n.patient_id: n
            for n in ProgressNote.objects.filter(group_note=group_note).prefetch_related(
                "objectives"
            )
        }
    else:
        roster = [
            m.patient
            for m in GroupMember.objects.filter(group_id=session.group_id, active=True)
            .select_related("patient")
            .order_by("patient__legal_family_name", "patient__legal_given_name")
        ]
        attendance, notes = {}, {}
    episodes = {
        e.patient_id: e.pk
        for e in EpisodeOfCare.objects.filter(patient__in=roster, ended_at__isnull=True)
    }
    by_episode = plan_objectives_by_episode(episodes.values())
    objectives = {pid: by_episode.get(eid, []) for pid, eid in episodes.items()}
    initial: dict[str, Any] = {}
    if group_note is not None:
        initial.update(
            topic=group_note.topic,
            module_code=group_note.module_code,
            interventions=group_note.interventions,
            started_at=timezone.localtime(group_note.started_at),
            ended_at=timezone.localtime(group_note.ended_at),
            modality=group_note.modality,
            shared_text=group_note.shared_text,
        )
    else:
        initial.update(
            started_at=timezone.localtime(session.starts_at),
            ended_at=timezone.localtime(session.ends_at),
            modality=Modality.VIDEO
            if session.video_link and not session.room
            else Modality.IN_PERSON,
        )
    for patient in roster:
        row = attendance.get(patient.pk)
        note = notes.get(patient.pk)
        initial[f"attendance_{patient.pk}"] = row.status if row else Attendance.PRESENT
        initial[f"reason_{patient.pk}"] = row.absent_reason if row else ""
        initial[f"text_{patient.pk}"] = note.individual_text if note else ""
        chosen = note.objectives.all() if note else objectives.get(patient.pk, [])
        initial[f"objectives_{patient.pk}"] = [str(o.pk) for o in chosen]
    attending = (
        sum(1 for a in attendance.values() if a.status in ATTENDED) if group_note else len(roster)
    )
    return {
        "group_note": group_note,
        "roster": roster,
        "objectives": objectives,
        "initial": initial,
        "notes": notes,
        "attendance": attendance,
        "attending": attending,
        "no_episode": [p for p in roster if p.pk not in episodes],
        "members": [(p, attendance.get(p.pk), notes.get(p.pk)) for p in roster],
    }


@staff_view(WRITE)
@require_http_methods(["GET", "POST"])
def session(request: StaffRequest, session_id: int) -> HttpResponse:
    """The session page. For a group: the shared part, attendance and each member's own
    part on one form; "Save" keeps the draft, "Sign" saves and signs every member's note.
    POST ``action=cancel`` cancels a scheduled session."""
    session = _session_for(request, session_id)
    if session.patient_id is not None:
        access = access_patient_grant_by_id(
            request.user, session.patient_id, request=request, object_type=SESSION_OBJECT_TYPE
        )
        return _individual(request, session, access.patient)
    page = _note_page(request, session)
    _audit_listed(request, SESSION_OBJECT_TYPE, session.pk, [p.pk for p in page["roster"]])
    form = SessionNoteForm(
        request.POST or None,
        roster=page["roster"],
        objectives=page["objectives"],
        initial=page["initial"],
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "cancel":
            try:
                svc.session_cancel(actor=request.user, session=session, request=request)
                messages.success(request, "Session cancelled.")
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("treatment:session", session.pk)
        if form.is_valid():
            try:
                group_note = notes_svc.group_note_compose(
                    actor=request.user,
                    session=session,
                    shared=form.shared(),
                    attendance=form.attendance(),
                    parts=form.parts(),
                    request=request,
                )
                if action == "sign":
                    signed = notes_svc.group_note_sign(
                        actor=request.user, group_note=group_note, request=request
                    )
                    messages.success(
                        request,
                        f"Signed: {signed.participants} member note"
                        f"{'s' if signed.participants != 1 else ''}, each in its member's chart.",
                    )
                    if signed.over_warn_size:
                        messages.warning(request, _over_size(signed.participants))
                    flagged = sum(1 for n in signed.notes if n.flags)
                    if flagged:
                        messages.warning(
                            request,
                            f"{flagged} note{'s' if flagged != 1 else ''} flagged (no plan "
                            "objective, or a late entry): you and the supervisor were alerted.",
                        )
                else:
                    messages.success(request, "Group note saved as a draft.")
                return redirect("treatment:session", session.pk)
            except (ValidationError, DomainError) as exc:
                form_add_service_errors(form, exc)
        status = 422
    signed_note = page["group_note"] is not None and page["group_note"].status == NoteStatus.SIGNED
    attending = page["attending"]
    context = {
        "session": session,
        "group": session.group,
        "form": form,
        "rows": form.member_rows(),
        "page": page,
        "signed": signed_note,
        "attending": attending,
        "over_size": attending > notes_svc.warn_size(),
        "over_size_text": _over_size(attending),
        "can_cancel": session.status == SessionStatus.SCHEDULED and page["group_note"] is None,
    }
    return render(request, "treatment/group_session.html", context, status=status)


def _over_size(count: int) -> str:
    return (
        f"{count} attendees: more than the program's {notes_svc.warn_size()} for a group. "
        "Consider splitting it."
    )


def _individual(request: StaffRequest, session: TherapySession, patient: Patient) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                svc.session_cancel(actor=request.user, session=session, request=request)
                messages.success(request, "Session cancelled.")
            except DomainError as exc:
                messages.error(request, exc.message)
        return redirect("treatment:session", session.pk)
    context = {"session": session, "patient": patient}
    return render(request, "treatment/calendar_session.html", context)


@staff_view(VIEW_CHART)
@require_http_methods(["GET", "POST"])
def notes(request: StaffRequest, patient_id: int) -> HttpResponse:
    """List a patient's session notes, newest first (each member note with only this
    patient's part); POST adds an addendum to a signed one."""
    access = access_patient_grant_by_id(
        request.user, patient_id, request=request, object_type=NOTES_OBJECT_TYPE
    )
    here = reverse("treatment:patient_notes", args=[access.patient.pk])
    if request.method == "POST":
        if not request.user.has_perm(WRITE):
            raise PermissionDenied("Your role does not write session notes.")
        form = AddendumForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Write the addendum. Nothing was saved.")
            return redirect(here)
        note = get_object_or_404(ProgressNote, pk=form.cleaned_data["note"], patient=access.patient)
        try:
            notes_svc.note_addendum_add(
                actor=request.user, note=note, text=form.cleaned_data["text"], request=request
            )
        except (ValidationError, DomainError) as exc:
            for message in exc.messages if isinstance(exc, ValidationError) else [exc.message]:
                messages.error(request, message)
        else:
            messages.success(request, "Addendum added; the signed note is unchanged.")
        return redirect(f"{here}#note-{note.pk}-h")
    views, total = patient_notes(access.patient, request.user, limit=PAGE_NOTES)
    can_write = request.user.has_perm(WRITE)
    context = {
        "patient": access.patient,
        "notes": [
            (
                v,
                AddendumForm(auto_id=f"addendum-{v.note.pk}-%s", initial={"note": v.note.pk})
                if can_write and v.note.status == NoteStatus.SIGNED
                else None,
            )
            for v in views
        ],
        "total": total,
    }
    return render(request, "treatment/group_patient_notes.html", context)
