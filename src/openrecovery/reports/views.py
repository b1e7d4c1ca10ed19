"""Reports: the audit report for administrators and directors, with an audited CSV export."""

import itertools

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.selectors import AuditFilter, audit_events
from openrecovery.audit.services import audit_record
from openrecovery.core.spreadsheets import csv_lines
from openrecovery.records.models import Patient

from .forms import USER_SUGGESTIONS_ID, AuditFilterForm

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_username",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "source_ip",
    "purpose",
    "flagged",
)


SUGGESTIONS_MAX = 500


def patients_named(ids: list[int]) -> dict[int, Patient]:
    """Return the patients of a report page by id (one query), to show MRN and name."""
    if not ids:
        return {}
    return {
        p.pk: p
        for p in Patient.objects.filter(pk__in=set(ids)).only(
            "mrn", "legal_given_name", "legal_family_name", "preferred_name"
        )
    }


def _patient_label(patient_id: int | None, patients: dict[int, Patient]) -> str:
    if patient_id is None:
        return ""
    patient = patients.get(patient_id)
    # An id no patient has (a test event, a deleted demo row) is shown as it is.
    return f"{patient.mrn} · {patient.display_name}" if patient else f"#{patient_id}"


def staff_suggestions() -> list[tuple[str, str]]:
    """Return (username, full name) of staff, for the user filter's suggestions."""
    rows = User.objects.order_by("username").values_list("username", "first_name", "last_name")
    return [(u, f"{first} {last}".strip()) for u, first, last in rows[:SUGGESTIONS_MAX]]


@staff_view("audit.view_audit_report")
def report(request: StaffRequest) -> HttpResponse:
    """Show audit events, filtered and sorted, a page at a time."""
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    audit_filter = form.to_filter() if request.GET and valid else AuditFilter()
    page = None
    if valid:
        page = Paginator(audit_events(audit_filter), PAGE_SIZE).get_page(request.GET.get("page"))
    patients = patients_named([e.patient_id for e in page or () if e.patient_id is not None])
    audit_record(
        action=Action.VIEW,
        request=request,
        object_type="audit_report",
        detail={"patients": sorted(patients)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "sort": audit_filter.sort,
        "query": query.urlencode(),
        "rows": [(e, _patient_label(e.patient_id, patients)) for e in page or ()],
        "staff_suggestions": staff_suggestions(),
        "suggestions_id": USER_SUGGESTIONS_ID,
        "columns": [
            ("id", "#"),
            ("time", f"Time ({timezone.get_current_timezone_name()})"),
            ("user", "User"),
            ("patient", "Patient"),
            ("action", "Action"),
            ("outcome", "Outcome"),
        ],
    }
    return render(request, "reports/audit_report.html", context, status=200 if valid else 400)


@staff_view("audit.export_audit_report")
def export_csv(request: StaffRequest) -> HttpResponseBase:
    """Stream the filtered audit events as CSV; the export itself is audited first."""
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse("Invalid filter.", status=400, content_type="text/plain")
    audit_filter = form.to_filter() if request.GET else AuditFilter()
    events = audit_events(audit_filter)[:EXPORT_LIMIT]
    audit_record(
        action=Action.EXPORT,
        request=request,
        object_type="audit_report",
        detail={"format": "csv", "filter": {k: str(v) for k, v in vars(audit_filter).items() if v}},
    )
    rows = itertools.chain([CSV_COLUMNS], events.values_list(*CSV_COLUMNS).iterator(2000))
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response
