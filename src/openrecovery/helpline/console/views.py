"""The admissions console: the live queue, one inquiry's work, and the figures. Thin views.

Reads go through ``helpline.selectors`` (``inquiry_for`` checks access and audits);
writes through ``helpline.services``, whose field errors are copied onto the forms and
whose state conflicts (closed, not claimed, not yours) show above them. Either answers
422 and changes nothing; a claim lost to a colleague answers 409.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import StateConflict
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.http import post_only
from openrecovery.records.models import CareTeamMember

from .. import merging, selectors, services
from ..bookings import ASSESSMENT_LENGTH, ClinicianBooked, booking_slot, clinician_bookings
from ..choices import ForWhom
from ..duplicates import DuplicateMatch, duplicate_matches, duplicate_matches_shown
from ..models import Inquiry, PreScreen
from .forms import (
    AssessmentSlotForm,
    CallAttemptForm,
    CloseForm,
    MergeForm,
    PhoneInquiryForm,
    PreScreenForm,
    ScheduleForm,
    substance_rows_from_callback,
)
from .selectors import (
    OPEN_COUNT_CAP,
    figures_panel,
    inquiries_closed_recent,
    queue_rows,
    urgency_badge,
)

VIEW = selectors.VIEW_PERMISSION
WORK = services.WORK_PERMISSION
MESSAGE_TAKEN = "Taken by {name} at {time}."


def poll_seconds() -> int:
    """Return how often the queue refreshes (``HELPLINE_QUEUE_POLL_SECONDS``, default 10)."""
    return max(1, int(settings.HELPLINE_QUEUE_POLL_SECONDS))


def _queue_context(request: HttpRequest) -> dict[str, Any]:
    rows = queue_rows()
    if rows:
        audit_record(
            action=Action.LIST,
            request=request,
            object_type="inquiry",
            # Which inquiries the list showed, so "who saw this one" can be answered.
            detail={"results": len(rows), "inquiries": [row.inquiry_id for row in rows]},
        )
    open_count = selectors.queue_open_count(cap=OPEN_COUNT_CAP)
    return {
        "rows": rows,
        "open_count": open_count,
        "open_count_label": (
            f"{OPEN_COUNT_CAP:,}+" if open_count > OPEN_COUNT_CAP else f"{open_count:,}"
        ),
        "response_minutes": selectors.response_minutes(),
        "poll_seconds": poll_seconds(),
        "refreshed_at": timezone.localtime(),
    }


def _render_console(
    request: StaffRequest, form: PhoneInquiryForm | None = None, status: int = 200
) -> HttpResponse:
    closed = inquiries_closed_recent()
    context = {
        **_queue_context(request),
        "form": form or PhoneInquiryForm(),
        "closed": closed,
        "can_work": request.user.has_perm(WORK),
    }
    return render(request, "helpline/console/console.html", context, status=status)


@staff_view(VIEW)
@require_GET
def console(request: StaffRequest) -> HttpResponse:
    """Show the live queue, the phone-inquiry form and recent closed inquiries.

    The figures load in their own request (see ``figures``) so the queue stays fast.
    """
    selectors.inquiry_access(request.user)
    return _render_console(request)


@staff_view(VIEW)
@require_GET
def figures(request: StaffRequest) -> HttpResponse:
    """Return the inquiry figures (loaded by the console in their own request)."""
    selectors.inquiry_access(request.user)
    return render(request, "helpline/console/partials/figures.html", {"figures": figures_panel()})


@staff_view(VIEW)
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    """Return just the queue table (htmx polls it; timers are computed on each request)."""
    selectors.inquiry_access(request.user)
    return render(request, "helpline/console/partials/queue.html", _queue_context(request))


@staff_view(WORK)
@post_only("helpline:console:queue_page")
def log_call(request: StaffRequest) -> HttpResponse:
    """Record a call taken by phone as an inquiry claimed by me; open it."""
    form = PhoneInquiryForm(request.POST)
    if form.is_valid():
        try:
            inquiry = services.inquiry_log_call(
                actor=request.user, data=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Inquiry {inquiry.reference} logged and claimed by you.")
            return redirect("helpline:console:inquiry", reference=inquiry.reference)
    return _render_console(request, form, status=422)


def _for_someone_else(inquiry: Inquiry) -> bool:
    return bool(inquiry.for_whom == ForWhom.SOMEONE_ELSE)


def callback_source(inquiry: Inquiry) -> str:
    """Return how carried-forward callback answers name their source."""
    when = timezone.localtime(inquiry.received_at)
    return f"From the callback request, {when:%b} {when.day} ({inquiry.get_source_display()})"


def _forms(inquiry: Inquiry, prescreen: PreScreen | None) -> dict[str, BaseForm]:
    initial: dict[str, Any] = {}
    if prescreen is not None:
        initial = {name: getattr(prescreen, name) for name in PreScreenForm.Meta.fields}
        rows = prescreen.substances
    else:
        # Nothing typed twice: the callback's substances are the first draft rows.
        rows = substance_rows_from_callback(inquiry.substances)
    return {
        "call_form": CallAttemptForm(),
        "prescreen_form": PreScreenForm(instance=prescreen, initial=initial, rows=rows),
        "schedule_form": ScheduleForm(for_someone_else=_for_someone_else(inquiry)),
        "close_form": CloseForm(),
    }


def _render_inquiry(
    request: StaffRequest,
    inquiry: Inquiry,
    *,
    status: int = 200,
    audit: bool = False,
    **extra: Any,
) -> HttpResponse:
    """Render the inquiry page; ``extra`` replaces the default (unbound) forms."""
    if audit:
        # After a refused write the page shows the inquiry again: that is a read.
        audit_record(
            action=Action.VIEW,
            request=request,
            patient_id=inquiry.patient_id,
            object_type="inquiry",
            object_id=inquiry.pk,
        )
    detail = selectors.inquiry_detail(inquiry)
    duplicates = merging.possible_duplicates(inquiry)
    merged_here = merging.merged_into(inquiry)
    if shown := [other.pk for other in (*duplicates, *merged_here)]:
        # The page shows these inquiries too (who they are, what they said): a read.
        audit_record(
            action=Action.LIST,
            request=request,
            object_type="inquiry",
            detail={"results": len(shown), "inquiries": shown, "beside": inquiry.pk},
        )
    user = request.user
    mine = inquiry.claimed_by_id == user.pk
    can_work = user.has_perm(WORK) and not inquiry.is_closed
    context = {
        "inquiry": inquiry,
        "urgency_badge": urgency_badge(inquiry.urgency),
        **detail,
        **_forms(inquiry, detail["prescreen"]),
        "can_claim": can_work and inquiry.claimed_by_id is None,
        "can_edit": can_work and mine,
        "can_schedule": can_work and mine and user.has_perm(services.REGISTER_PERMISSION),
        "taken_by_other": inquiry.claimed_by_id is not None and not mine,
        "response_minutes": selectors.response_minutes(),
        "prescreen_carried": (
            callback_source(inquiry)
            if detail["prescreen"] is None and inquiry.substances.strip()
            else ""
        ),
        "possible_duplicates": duplicates,
        "merged_here": merged_here,
        **extra,
    }
    schedule_form = extra.get("schedule_form")
    if isinstance(schedule_form, ScheduleForm) and schedule_form.is_bound:
        context.update(_booking_warning(schedule_form))
    return render(request, "helpline/console/inquiry.html", context, status=status)


def _booking_warning(form: AssessmentSlotForm) -> dict[str, Any]:
    """Return the double-booking warning when the chosen clinician is booked at that time.

    Shown on every return of a filled-in schedule form, so it stays in view while the
    coordinator settles the other questions (errors, likely duplicates).
    """
    data = getattr(form, "cleaned_data", {})
    clinician, when = data.get("clinician"), data.get("scheduled_for")
    if clinician is None or when is None:
        return {}
    bookings = clinician_bookings(clinician, when)
    if not bookings:
        return {}
    return {
        "bookings": [(start, start + ASSESSMENT_LENGTH) for start in bookings],
        "booked_clinician": clinician,
        "booking_slot": booking_slot(clinician, when),
    }


def _load(request: StaffRequest, reference: str, *, write: bool) -> Inquiry:
    return selectors.inquiry_for(
        request.user, reference, request=request, write=write, action="" if write else Action.VIEW
    )


def _reload(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.select_related("claimed_by", "logged_by", "patient", "merged_into").get(
        pk=inquiry.pk
    )


def _taken(request: StaffRequest, inquiry: Inquiry, exc: services.InquiryTaken) -> HttpResponse:
    inquiry = _reload(inquiry)
    when = timezone.localtime(inquiry.claimed_at) if inquiry.claimed_at else None
    taken = MESSAGE_TAKEN.format(name=exc.claimed_by_name, time=f"{when:%H:%M}" if when else "—")
    return _render_inquiry(request, inquiry, status=409, audit=True, taken_message=taken)


def _refused(
    request: StaffRequest, inquiry: Inquiry, exc: StateConflict, **forms: Any
) -> HttpResponse:
    # The inquiry moved on (closed, released): its forms may be gone, so say why on top.
    return _render_inquiry(
        request, _reload(inquiry), status=422, audit=True, action_errors=[exc.message], **forms
    )


@staff_view(VIEW)
@require_GET
def inquiry_view(request: StaffRequest, reference: str) -> HttpResponse:
    """Show one inquiry: details, calls, pre-screen, danger banners and disposition."""
    return _render_inquiry(request, _load(request, reference, write=False))


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def claim(request: StaffRequest, reference: str) -> HttpResponse:
    """Claim the inquiry; if a colleague was first, say who and since when (409)."""
    inquiry = _load(request, reference, write=True)
    try:
        services.inquiry_claim(actor=request.user, inquiry_id=inquiry.pk, request=request)
    except services.InquiryTaken as exc:
        return _taken(request, inquiry, exc)
    except StateConflict as exc:
        return _refused(request, inquiry, exc)
    messages.success(request, f"You have claimed {inquiry.reference}.")
    return redirect("helpline:console:inquiry", reference=inquiry.reference)


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def release(request: StaffRequest, reference: str) -> HttpResponse:
    """Put the inquiry back in the open queue."""
    inquiry = _load(request, reference, write=True)
    try:
        services.inquiry_release(actor=request.user, inquiry_id=inquiry.pk, request=request)
    except StateConflict as exc:
        return _refused(request, inquiry, exc)
    messages.success(request, f"{inquiry.reference} is back in the open queue.")
    return redirect("helpline:console:queue_page")


def _work(
    request: StaffRequest,
    inquiry: Inquiry,
    form: BaseForm,
    form_name: str,
    call: Callable[[], object],
    success: str,
) -> HttpResponse:
    """Validate ``form``, run ``call()``; redirect on success, else re-render (409/422)."""
    if form.is_valid():
        try:
            call()
        except services.InquiryTaken as exc:
            return _taken(request, inquiry, exc)
        except StateConflict as exc:
            return _refused(request, inquiry, exc, **{form_name: form})
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("helpline:console:inquiry", reference=inquiry.reference)
    return _render_inquiry(request, _reload(inquiry), status=422, audit=True, **{form_name: form})


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def call_record(request: StaffRequest, reference: str) -> HttpResponse:
    """Record one call attempt."""
    inquiry = _load(request, reference, write=True)
    form = CallAttemptForm(request.POST)
    return _work(
        request,
        inquiry,
        form,
        "call_form",
        lambda: services.call_attempt_record(
            actor=request.user, inquiry_id=inquiry.pk, request=request, **form.cleaned_data
        ),
        "Call attempt recorded.",
    )


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def prescreen(request: StaffRequest, reference: str) -> HttpResponse:
    """Save the pre-screen; the page then shows the danger rules it triggers."""
    inquiry = _load(request, reference, write=True)
    form = PreScreenForm(request.POST)
    return _work(
        request,
        inquiry,
        form,
        "prescreen_form",
        lambda: services.prescreen_save(
            actor=request.user, inquiry_id=inquiry.pk, answers=form.answers(), request=request
        ),
        "Pre-screen saved.",
    )


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def close(request: StaffRequest, reference: str) -> HttpResponse:
    """Close the inquiry as referred elsewhere, not a fit, or lost contact."""
    inquiry = _load(request, reference, write=True)
    form = CloseForm(request.POST)
    return _work(
        request,
        inquiry,
        form,
        "close_form",
        lambda: services.disposition_record(
            actor=request.user, inquiry_id=inquiry.pk, request=request, **form.cleaned_data
        ),
        "Inquiry closed.",
    )


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def schedule(request: StaffRequest, reference: str) -> HttpResponse:
    """Schedule an assessment: convert the inquiry into a patient at stage "assessment".

    Likely duplicates answer 409 with the matches listed; the coordinator then chooses
    to register a new patient or to attach the inquiry to one of them.
    """
    inquiry = _load(request, reference, write=True)
    form = ScheduleForm(request.POST, for_someone_else=_for_someone_else(inquiry))
    if not form.is_valid():
        return _render_inquiry(
            request, _reload(inquiry), status=422, audit=True, schedule_form=form
        )
    data = form.cleaned_data
    confirm, existing, match = form.choice()
    try:
        disposition = services.inquiry_convert(
            actor=request.user,
            inquiry_id=inquiry.pk,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex_at_birth=data["sex_at_birth"],
            scheduled_for=data["scheduled_for"],
            clinician=data["clinician"],
            confirm_not_duplicate=confirm,
            confirm_double_booking=data["confirm_double_booking"],
            existing_patient_id=existing,
            existing_match=match,
            emergency_reason=data["emergency_reason"],
            notes=data["notes"],
            request=request,
            **form.caller_fields(),
        )
    except services.InquiryTaken as exc:
        return _taken(request, inquiry, exc)
    except services.LikelyDuplicates as exc:
        return _render_schedule_choice(request, inquiry, form, exc.matches, status=409)
    except ClinicianBooked:
        # The warning comes with the form (``_booking_warning``): acknowledge or change.
        return _render_inquiry(
            request, _reload(inquiry), status=409, audit=True, schedule_form=form
        )
    except StateConflict as exc:
        return _refused(request, inquiry, exc, schedule_form=form)
    except ValidationError as exc:
        form_add_service_errors(form, exc)
        if CHOICE_FIELDS & set(getattr(exc, "error_dict", {})):
            # The choice among the matches was refused: show the matches again with why.
            matches = duplicate_matches(
                actor=request.user,
                inquiry=inquiry,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                patient_phone=data.get("patient_phone", ""),
            )
            duplicate_matches_shown(
                actor=request.user, inquiry=inquiry, matches=matches, request=request
            )
            return _render_schedule_choice(request, inquiry, form, matches, status=422)
        return _render_inquiry(
            request, _reload(inquiry), status=422, audit=True, schedule_form=form
        )
    joined = CareTeamMember.objects.filter(
        patient=disposition.inquiry.patient, user=data["clinician"], active=True
    ).exists()
    note = (
        f" {data['clinician']} is on the care team."
        if joined
        else " Nobody was added to the care team under emergency access: someone on the "
        "patient's team adds the clinician."
    )
    messages.success(request, "Assessment scheduled; the person is now a patient." + note)
    return redirect("helpline:console:inquiry", reference=inquiry.reference)


CHOICE_FIELDS = frozenset({"existing_patient_id", "existing_match", "emergency_reason"})


@staff_view(WORK)
@require_GET
def bookings(request: StaffRequest) -> HttpResponse:
    """Return the double-booking warning for a clinician and time (htmx; empty when free).

    The schedule form asks whenever its date, time or clinician changes. Only times are
    shown, never whom the clinician sees, so nothing here is audited as a patient read.
    """
    slot = AssessmentSlotForm(request.GET)
    context = _booking_warning(slot) if slot.is_valid() else {}
    return render(
        request,
        "helpline/console/partials/double_booking.html",
        {"form": ScheduleForm(), **context},
    )


def _render_schedule_choice(
    request: StaffRequest,
    inquiry: Inquiry,
    form: ScheduleForm,
    matches: list[DuplicateMatch],
    *,
    status: int,
) -> HttpResponse:
    """Show the schedule form with the likely matches to choose from (visible or not)."""
    return _render_inquiry(
        request,
        _reload(inquiry),
        status=status,
        audit=True,
        schedule_form=form,
        duplicates=matches,
        has_hidden_match=any(not m.visible for m in matches),
    )


@staff_view(WORK)
@post_only("helpline:console:inquiry", "reference")
def merge(request: StaffRequest, reference: str) -> HttpResponse:
    """Merge a possible duplicate (same phone within 24 hours) into this inquiry.

    The duplicate is closed with a pointer here; its calls and notes show on this page.
    """
    inquiry = _load(request, reference, write=True)
    form = MergeForm(request.POST)
    duplicate = None
    if form.is_valid():
        duplicate = Inquiry.objects.filter(reference=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", merging.ERROR_NOT_DUPLICATE)
    if duplicate is None:
        return _render_inquiry(request, _reload(inquiry), status=422, audit=True, merge_form=form)
    return _work(
        request,
        inquiry,
        form,
        "merge_form",
        lambda: merging.inquiry_merge(
            actor=request.user, inquiry_id=inquiry.pk, duplicate_id=duplicate.pk, request=request
        ),
        f"{duplicate.reference} merged into this inquiry; its calls and notes are shown below.",
    )
