"""Filters of the reports."""

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.selectors import SORTABLE, AuditFilter
from openrecovery.core.forms import Form

# Days the report can be asked about: wide enough for any real audit trail, and far
# from the ends of Python's dates, where "the day after" or a time zone would overflow.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def _day_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
        ),
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
    )


USER_SUGGESTIONS_ID = "audit-user-suggestions"
USER_MATCHES_MAX = 200
ERROR_INVERTED_RANGE = "The end date is before the start date."


def staff_matching(text: str) -> tuple[int, ...]:
    """Return the ids of staff whose username, first, last or full name contains ``text``."""
    if not text:
        return ()
    full = Concat("first_name", Value(" "), "last_name")
    ids = (
        User.objects.annotate(full=full)
        .filter(
            Q(username__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(full__icontains=text)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:USER_MATCHES_MAX]
    )
    return tuple(ids)


class AuditFilterForm(Form):
    """Filter and sort the audit report (dates are local days, the end day inclusive)."""

    since = _day_field("From (date)")
    until = _day_field("To (date, inclusive)")
    username = forms.CharField(
        label="User",
        max_length=150,
        required=False,
        help_text="Name or username, or part of one.",
        widget=forms.TextInput(attrs={"list": USER_SUGGESTIONS_ID, "autocomplete": "off"}),
    )
    patient_id = forms.IntegerField(
        label="Patient id", min_value=1, max_value=2**62, required=False
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any")] + list(Action.choices)
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(k, k) for k in SORTABLE] + [(f"-{k}", f"-{k}") for k in SORTABLE],
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", ERROR_INVERTED_RANGE)
        return cleaned

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
            username=(data.get("username") or "").strip(),
            actor_ids=staff_matching((data.get("username") or "").strip()),
            patient_id=data.get("patient_id"),
            action=data.get("action") or "",
            sort=data.get("sort") or "-id",
        )
