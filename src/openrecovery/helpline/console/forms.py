"""Forms of the admissions console: call attempts, the pre-screen and dispositions.

They parse and validate what the coordinator typed; the helpline services decide
everything else (claims, urgency, conversion) and the views copy their errors back.
"""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import ROLE_PERMISSIONS
from openrecovery.core.forms import Form, ModelForm
from openrecovery.core.renderers import FieldLayout
from openrecovery.records.choices import SexAtBirth

from ..choices import CallOutcome, DispositionKind, ReferralTarget
from ..forms import CallbackRequestForm
from ..models import PreScreen
from ..services import CLINICIAN_PERMISSION, PRESCREEN_SUBSTANCE_KEYS, PRESCREEN_SUBSTANCES_MAX

SUBSTANCE_ROWS_MIN = 3
SUBSTANCE_LABELS = {
    "substance": "Substance",
    "dose": "Dose",
    "frequency": "How often",
    "duration": "For how long",
    "last_use": "Last use",
}
ERROR_ROW_SUBSTANCE = "Name the substance on this row, or clear the row."
ERROR_NEXT_IN_PAST = "Choose a time in the future for the next attempt."
ERROR_SCHEDULED_IN_PAST = "Choose a date and time in the future."
ERROR_BIRTH_DATE = "Enter a date of birth in the past."
CLOSING_KINDS = [
    (k.value, k.label) for k in DispositionKind if k != DispositionKind.SCHEDULE_ASSESSMENT
]


def clinicians_selectable() -> QuerySet[User]:
    """Return active staff whose role may see patients (they can take an assessment)."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if CLINICIAN_PERMISSION in perms]
    return User.objects.filter(is_active=True, role__in=roles).order_by("last_name", "first_name")


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.role_label})"


class PhoneInquiryForm(CallbackRequestForm):
    """Log a call taken by phone: the public callback fields, minus consent and honeypot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("consent", "website"):
            del self.fields[name]
        # The coordinator types the caller's number: not their own from autofill.
        self.fields["phone"].widget.attrs["autocomplete"] = "off"
        self.fields["substances"].label = "Substances"
        self.fields["message"].label = "Notes"
        self.fields["message"].widget.attrs["rows"] = 2


class CallAttemptForm(Form):
    """One attempt to reach the person: what happened, notes and when to try next."""

    outcome = forms.ChoiceField(choices=CallOutcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_attempt_at = forms.DateTimeField(
        label="Next attempt",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty when no further call is needed.",
    )

    def clean_next_attempt_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("next_attempt_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(ERROR_NEXT_IN_PAST)
        return value


class PreScreenForm(ModelForm):
    """The admissions pre-screen; substance rows are numbered fields ``substance_0`` ...

    The form never saves: ``answers()`` is handed to ``prescreen_save``.
    """

    substance_rows = forms.IntegerField(
        min_value=0, max_value=PRESCREEN_SUBSTANCES_MAX, widget=forms.HiddenInput
    )

    class Meta:
        model = PreScreen
        fields = [
            "alcohol_co_use",
            "opioid_co_use",
            "withdrawal_seizures",
            "withdrawal_complications",
            "overdose_signs",
            "suicidal_thoughts",
            "pregnancy",
            "medical_conditions",
            "psychiatric_conditions",
            "current_prescriber",
            "insurance_provider",
            "insurance_member_id",
            "insurance_notes",
            "referral_source",
            "referral_detail",
        ]
        labels = {
            "referral_source": "How they heard of the program",
            "referral_detail": "Referral detail (who referred them)",
            "medical_conditions": "Other medical conditions",
            "psychiatric_conditions": "Psychiatric conditions",
        }
        widgets = {
            "medical_conditions": forms.Textarea(attrs={"rows": 2}),
            "psychiatric_conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, rows: list[dict[str, str]] | None = None, **kwargs: Any):
        data = args[0] if args else kwargs.get("data")
        count = len(rows or []) + 1
        if data is not None:
            try:
                count = int(data.get("substance_rows", count))
            except (TypeError, ValueError):
                count = SUBSTANCE_ROWS_MIN
        count = min(max(count, SUBSTANCE_ROWS_MIN), PRESCREEN_SUBSTANCES_MAX)
        initial = kwargs.setdefault("initial", {})
        initial["substance_rows"] = count
        for i, row in enumerate(rows or []):
            for key in PRESCREEN_SUBSTANCE_KEYS:
                initial[f"{key}_{i}"] = row.get(key, "")
        super().__init__(*args, **kwargs)
        self.row_count = count
        for i in range(count):
            for key in PRESCREEN_SUBSTANCE_KEYS:
                self.fields[f"{key}_{i}"] = forms.CharField(
                    label=f"{SUBSTANCE_LABELS[key]}, row {i + 1}",
                    required=False,
                    max_length=100,
                    widget=forms.TextInput(attrs={"class": "form-control-sm"}),
                )
        # Cells of the substance table: its column headings show the labels.
        cell = FieldLayout(group_class="mb-0", label_hidden=True)
        self.field_layouts = {name: cell for row in self.substance_names() for name in row}
        self.fields[
            "referral_source"
        ].help_text = (
            "Recorded to understand how people find us; no payment is ever made per referral."
        )

    def substance_names(self) -> list[list[str]]:
        """Return the names of the substance rows' fields, row by row, in column order."""
        return [[f"{k}_{i}" for k in PRESCREEN_SUBSTANCE_KEYS] for i in range(self.row_count)]

    def substance_table(self) -> list[list[forms.BoundField]]:
        """Return the substance rows as lists of bound fields, in column order."""
        return [[self[name] for name in row] for row in self.substance_names()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows = []
        for i in range(self.row_count):
            row = {k: (cleaned.get(f"{k}_{i}") or "").strip() for k in PRESCREEN_SUBSTANCE_KEYS}
            if not any(row.values()):
                continue
            if not row["substance"]:
                self.add_error(f"substance_{i}", ERROR_ROW_SUBSTANCE)
            rows.append(row)
        cleaned["substances"] = rows
        return cleaned

    def answers(self) -> dict[str, Any]:
        """Return the answers in the shape ``prescreen_save`` takes."""
        names = [*self.Meta.fields, "substances"]
        return {name: self.cleaned_data[name] for name in names}


class ScheduleForm(Form):
    """Schedule an assessment: who the person is, when, and with which clinician.

    ``decision`` is empty on the first try; when likely duplicates exist the coordinator
    must choose "new" (register a new patient) or the id of an existing patient.
    """

    given_name = forms.CharField(label="Legal given name", max_length=100)
    family_name = forms.CharField(label="Legal family name", max_length=100)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    sex_at_birth = forms.ChoiceField(choices=[("", "Choose…"), *SexAtBirth.choices])
    date = forms.DateField(label="Assessment date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Assessment time", widget=forms.TimeInput(attrs={"type": "time"}))
    clinician = ClinicianChoiceField(queryset=User.objects.none())
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    emergency_reason = forms.CharField(
        label="Emergency reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only to attach to a record you cannot see: this opens emergency access, "
        "which is logged and reviewed.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_selectable()  # type: ignore[attr-defined]

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        if value >= timezone.localdate():
            raise forms.ValidationError(ERROR_BIRTH_DATE)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date") and cleaned.get("time"):
            when = timezone.make_aware(dt.datetime.combine(cleaned["date"], cleaned["time"]))
            if when <= timezone.now():
                self.add_error("date", ERROR_SCHEDULED_IN_PAST)
            cleaned["scheduled_for"] = when
        return cleaned

    def choice(self) -> tuple[bool, int | None, str | None]:
        """Return (confirm_not_duplicate, existing_patient_id, existing_match) from ``decision``.

        ``decision`` is "new", a visible match's patient id, or "match:<token>" for a match
        the coordinator may not see.
        """
        decision = (self.cleaned_data.get("decision") or "").strip()
        if decision == "new":
            return True, None, None
        if decision.startswith("match:"):
            return False, None, decision.removeprefix("match:")
        if decision.isdigit() and len(decision) < 19:
            return False, int(decision), None
        return False, None, None


class CloseForm(Form):
    """Close an inquiry without an assessment: referred elsewhere, not a fit, lost contact."""

    kind = forms.ChoiceField(label="Outcome", choices=CLOSING_KINDS, widget=forms.RadioSelect)
    referral_target = forms.ChoiceField(
        label="Referred to",
        choices=[("", "—"), *ReferralTarget.choices],
        required=False,
        help_text="Needed when the person was referred elsewhere.",
    )
    referral_detail = forms.CharField(
        label="Referral detail (provider name, phone)", required=False, max_length=200
    )
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
