"""Reports: the audit report for administrators and directors, with an audited CSV export."""

import itertools

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.audit.choices import Action
from openrecovery.audit.selectors import AuditFilter, audit_events
from openrecovery.audit.services import audit_record
from openrecovery.core.spreadsheets import csv_lines

from .forms import AuditFilterForm

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


@staff_view("audit.view_audit_report")
def report(request: StaffRequest) -> HttpResponse:
    """Show audit events, filtered and sorted, a page at a time."""
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    audit_filter = form.to_filter() if request.GET and valid else AuditFilter()
    page = None
    if valid:
        page = Paginator(audit_events(audit_filter), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(action=Action.VIEW, request=request, object_type="audit_report")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "sort": audit_filter.sort,
        "query": query.urlencode(),
        "columns": [
            ("id", "#"),
            ("time", "Time (UTC)"),
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
