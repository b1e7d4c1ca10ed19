"""The audit report for administrators and directors, with an audited CSV export."""

import csv
import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from openrecovery.accounts.access import staff_view
from openrecovery.core.forms import StyledFormMixin

from .choices import Action
from .selectors import SORTABLE, AuditFilter, audit_events
from .services import audit_record

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


class AuditFilterForm(StyledFormMixin, forms.Form):
    since = forms.DateField(
        label="From (date)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To (date, inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    username = forms.CharField(label="User", max_length=150, required=False)
    patient_id = forms.IntegerField(
        label="Patient id", min_value=1, max_value=2**62, required=False
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any")] + list(Action.choices)
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(k, k) for k in SORTABLE] + [(f"-{k}", f"-{k}") for k in SORTABLE],
    )

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data

        def start_of(day: dt.date | None) -> dt.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

        until = data.get("until")
        return AuditFilter(
            since=start_of(data.get("since")),
            until=start_of(until + dt.timedelta(days=1)) if until else None,
            username=data.get("username") or "",
            patient_id=data.get("patient_id"),
            action=data.get("action") or "",
            sort=data.get("sort") or "-id",
        )


@staff_view("audit.view_audit_report")
def report(request: HttpRequest) -> HttpResponse:
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
    return render(request, "audit/report.html", context, status=200 if valid else 400)


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_view("audit.export_audit_report")
def export_csv(request: HttpRequest) -> HttpResponseBase:
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
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.values_list(*CSV_COLUMNS).iterator(2000):
            yield writer.writerow(event)

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response
