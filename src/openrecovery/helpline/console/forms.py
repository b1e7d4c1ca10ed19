"""Forms of the admissions console: call attempts, the pre-screen and dispositions.

They parse and validate what the coordinator typed; the helpline services decide
everything else (claims, urgency, conversion) and the views copy their errors back.
"""

import datetime as dt
import re
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.pickers import StaffChoiceField, staff_for
from openrecovery.accounts.roles import ASSESSMENT_PERMISSION
from openrecovery.core.forms import Form, ModelForm
from openrecovery.core.renderers import BlankRenderedOnce, FieldLayout
from openrecovery.records.choices import SexAtBirth

from ..bookings import booking_slot
from ..choices import CallOutcome, DispositionKind, ReferralTarget
from ..forms import CallbackRequestForm
from ..merging import ERROR_NOT_DUPLICATE
from ..models import PreScreen
from ..references import reference_normalize
from ..services import (
    PRESCREEN_SUBSTANCE_KEYS,
    PRESCREEN_SUBSTANCES_MAX,
    PRESCREEN_TEXT_MAX,
)

SUBSTANCE_ROWS_MIN = 3
CALLBACK_SPLIT = re.compile(r"[,;/\n+&]|\band\b", re.IGNORECASE)
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
# The schedule form's fields a booking check sends.
SLOT_FIELDS = (
    "#schedule-form [name=date], #schedule-form [name=time], #schedule-form [name=clinician]"
)
# Scheduling converts the inquiry; merging is done from the duplicate's own list.
CLOSING_KINDS = [
    (k.value, k.label)
    for k in DispositionKind
    if k not in {DispositionKind.SCHEDULE_ASSESSMENT, DispositionKind.MERGED}
]


class PhoneInquiryForm(BlankRenderedOnce, CallbackRequestForm):
    """Log a call taken by phone: the public callback fields, minus consent and honeypot.

    Shown blank on every console view: its blank rendering is kept (``BlankRenderedOnce``).
    """

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


def substance_rows_from_callback(text: str) -> list[dict[str, str]]:
    """Split what the person typed on the callback form into pre-screen rows to check.

    "alprazolam, sometimes wine" gives two rows; the coordinator edits them.
    """
    names = [name.strip()[:PRESCREEN_TEXT_MAX] for name in CALLBACK_SPLIT.split(text)]
    return [{"substance": name} for name in names if name][: PRESCREEN_SUBSTANCES_MAX - 1]


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
            "withdrawal_now",
            "withdrawal_seizure_or_confusion_now",
            "hours_since_last_dose",
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
            "withdrawal_now": "Withdrawal symptoms now (shaking, sweating, racing heart, "
            "anxiety, cannot sleep)",
            "withdrawal_seizure_or_confusion_now": "A seizure, confusion or hallucinations now",
            "hours_since_last_dose": "Hours since the last dose",
        }
        help_texts = {
            "hours_since_last_dose": "Of the benzodiazepine or alcohol; e.g. 48 for "
            "“ran out two days ago”.",
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


class AssessmentSlotForm(Form):
    """When an assessment takes place and with whom: a clinician who takes assessments.

    Changing any of the three asks ``bookings`` (htmx) whether the clinician is already
    booked then, so the warning shows before the form is sent; the service checks again.
    """

    date = forms.DateField(label="Assessment date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Assessment time", widget=forms.TimeInput(attrs={"type": "time"}))
    clinician = StaffChoiceField(
        queryset=User.objects.none(),
        help_text="Staff who take assessments. You are warned if they are already booked then.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = staff_for(ASSESSMENT_PERMISSION)  # type: ignore[attr-defined]
        check = {
            "hx-get": reverse("helpline:console:bookings"),
            "hx-trigger": "change",
            "hx-target": "#booking-warning",
            "hx-include": SLOT_FIELDS,
            # One check at a time: a newer one replaces one in flight, whose answer is stale.
            "hx-sync": "closest form:replace",
        }
        for name in ("date", "time", "clinician"):
            self.fields[name].widget.attrs.update(check)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date") and cleaned.get("time"):
            when = timezone.make_aware(dt.datetime.combine(cleaned["date"], cleaned["time"]))
            if when <= timezone.now():
                self.add_error("date", ERROR_SCHEDULED_IN_PAST)
            cleaned["scheduled_for"] = when
        return cleaned


class ScheduleForm(AssessmentSlotForm):
    """Schedule an assessment: who the person is, when, and with which clinician.

    ``decision`` is empty on the first try; when likely duplicates exist the coordinator
    must choose "new" (register a new patient) or the id of an existing patient.
    """

    field_order = ["given_name", "family_name", "date_of_birth", "sex_at_birth", "date", "time"]

    given_name = forms.CharField(label="Patient's legal given name", max_length=100)
    family_name = forms.CharField(label="Patient's legal family name", max_length=100)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    sex_at_birth = forms.ChoiceField(choices=[("", "Choose…"), *SexAtBirth.choices])
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    # Shown with the double-booking warning: the slot warned about, and the acknowledgment.
    booking_slot = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    confirm_double_booking = forms.BooleanField(
        label="Book anyway: the clinician has agreed to the overlap",
        required=False,
    )
    emergency_reason = forms.CharField(
        label="Emergency reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only to attach to a record you cannot see: this opens emergency access, "
        "which is logged and reviewed.",
    )

    # Only when the inquiry is for someone else: the caller is the patient's contact.
    patient_phone = forms.CharField(
        label="Patient's own phone",
        required=False,
        max_length=32,
        widget=forms.TelInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        help_text="If known. The number on the inquiry is the caller's.",
    )
    caller_relationship = forms.CharField(
        label="Caller's relationship to the patient",
        max_length=64,
        help_text="E.g. sister, partner, friend.",
    )
    caller_may_be_told = forms.BooleanField(
        label="The patient consents to the caller being told about their care",
        required=False,
        help_text="Leave unticked until the patient says so (42 CFR Part 2): until then, "
        "tell the caller nothing, not even whether the person is a patient.",
    )
    caller_consent_note = forms.CharField(
        label="How the patient consented",
        required=False,
        max_length=300,
        help_text="Needed when the box above is ticked, e.g. “signed consent form, Dec 2”.",
    )
    CALLER_FIELDS = (
        "patient_phone",
        "caller_relationship",
        "caller_may_be_told",
        "caller_consent_note",
    )

    def __init__(self, *args: Any, for_someone_else: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_someone_else = for_someone_else
        if not for_someone_else:
            for name in self.CALLER_FIELDS:
                del self.fields[name]

    def caller_fields(self) -> dict[str, Any]:
        """Return the caller-as-contact arguments of ``inquiry_convert`` (empty if myself)."""
        return {name: self.cleaned_data[name] for name in self.CALLER_FIELDS if name in self.fields}

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        if value >= timezone.localdate():
            raise forms.ValidationError(ERROR_BIRTH_DATE)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["confirm_double_booking"] = self._double_booking_confirmed(cleaned)
        return cleaned

    def _double_booking_confirmed(self, cleaned: dict[str, Any]) -> bool:
        """Return whether the double booking was confirmed for this clinician and time.

        A tick given for another slot does not count, and the new warning shows it unticked.
        """
        clinician, when = cleaned.get("clinician"), cleaned.get("scheduled_for")
        ticked = bool(cleaned.get("confirm_double_booking"))
        slot = booking_slot(clinician, when) if clinician and when else None
        if ticked and slot and cleaned.get("booking_slot") == slot:
            return True
        if ticked:
            self.data = {k: v for k, v in self.data.items() if k != "confirm_double_booking"}
        return False

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


class MergeForm(Form):
    """Merge a possible duplicate, named by its reference, into the inquiry on the page."""

    duplicate = forms.CharField(label="Duplicate inquiry", max_length=20)

    def clean_duplicate(self) -> str:
        value = reference_normalize(self.cleaned_data["duplicate"])
        if value is None:
            raise forms.ValidationError(ERROR_NOT_DUPLICATE)
        return value
