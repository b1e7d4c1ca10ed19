"""Forms of groups and the calendar: a group, its roster and schedule, and the session
page's one form (shared part, attendance and each member's individual part)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.html import format_html

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.core.forms import Form
from openrecovery.core.renderers import FieldLayout
from openrecovery.records.models import Patient

from .choices import Attendance, InterventionKind, Modality
from .curriculum import CHOICES as MODULE_CHOICES
from .models import PlanObjective
from .services.group_notes import MemberPart, SharedPart
from .services.groups import MAX_WEEKS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
TEXT_MAX = 4000
NOTE_ROLES = (Role.COUNSELOR, Role.PHYSICIAN, Role.CLINICAL_DIRECTOR)


def note_writers() -> QuerySet[User]:
    """Return the active staff whose role writes session notes, by name."""
    return User.objects.filter(is_active=True, role__in=NOTE_ROLES).order_by(
        "last_name", "first_name", "pk"
    )


def video_link_field(**kwargs: Any) -> forms.CharField:
    """Return a video link field: an https address, checked as typed (a URLField would add
    a scheme first, so a refused character's position would not be the one typed)."""
    return forms.CharField(
        label="Video link",
        required=False,
        max_length=200,
        validators=[URLValidator(schemes=["https"], message="Enter an https:// address.")],
        widget=forms.URLInput,
        **kwargs,
    )


class GroupForm(Form):
    """A new recurring group."""

    name = forms.CharField(label="Name", max_length=100)
    facilitator = forms.ModelChoiceField(label="Facilitator", queryset=User.objects.none())
    co_facilitator = forms.ModelChoiceField(
        label="Co-facilitator", queryset=User.objects.none(), required=False, empty_label="None"
    )
    weekday = forms.TypedChoiceField(label="Meets on", choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label="At", widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label="Minutes", min_value=15, max_value=240, initial=60)
    room = forms.CharField(label="Room", max_length=100, required=False)
    video_link = video_link_field(help_text="Or a room.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        writers = note_writers()
        self.fields["facilitator"].queryset = writers  # type: ignore[attr-defined]
        self.fields["co_facilitator"].queryset = writers  # type: ignore[attr-defined]


class MemberAddForm(Form):
    """Put one of the facilitator's patients on the roster."""

    patient = forms.ModelChoiceField(
        label="Patient", queryset=Patient.objects.none(), empty_label="Choose a patient"
    )

    def __init__(self, *args: Any, patients: QuerySet[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["patient"]
        field.queryset = patients  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: f"{p.display_name} ({p.mrn})"  # type: ignore[attr-defined]


class ScheduleForm(Form):
    """How many weeks ahead to put the group's sessions on the calendar."""

    weeks = forms.IntegerField(label="Weeks ahead", min_value=1, max_value=MAX_WEEKS, initial=8)


class IndividualSessionForm(Form):
    """An individual session with one of the clinician's patients."""

    patient = forms.ModelChoiceField(
        label="Patient", queryset=Patient.objects.none(), empty_label="Choose a patient"
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
    )
    minutes = forms.IntegerField(label="Minutes", min_value=10, max_value=240, initial=50)
    room = forms.CharField(label="Room", max_length=100, required=False)
    video_link = video_link_field()

    def __init__(self, *args: Any, patients: QuerySet[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["patient"]
        field.queryset = patients  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: f"{p.display_name} ({p.mrn})"  # type: ignore[attr-defined]


class AddendumForm(Form):
    """A correction or addition to a signed note."""

    note = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Addendum (the signed note stays as it is)",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WeekForm(Form):
    """The calendar's week (any day of it) and, for directors, whose calendar."""

    week = forms.DateField(required=False, widget=forms.HiddenInput)
    clinician = forms.ModelChoiceField(
        label="Whose calendar", queryset=User.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = note_writers()  # type: ignore[attr-defined]


def _member_fields(pid: int) -> tuple[str, str, str, str]:
    return f"attendance_{pid}", f"reason_{pid}", f"text_{pid}", f"objectives_{pid}"


class SessionNoteForm(Form):
    """The session page: the shared part once, then per roster member their attendance,
    the reason for an absence, what they said and did, and their own plan's objectives."""

    topic = forms.CharField(label="Topic", max_length=200)
    module_code = forms.ChoiceField(
        label="Curriculum module covered", choices=[("", "None"), *MODULE_CHOICES], required=False
    )
    interventions = forms.MultipleChoiceField(
        label="Interventions used",
        choices=InterventionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    started_at = forms.DateTimeField(
        label="Started",
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
    )
    ended_at = forms.DateTimeField(
        label="Ended",
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
    )
    modality = forms.ChoiceField(label="Modality", choices=Modality.choices)
    shared_text = forms.CharField(
        label="What the group did (shared by every member's note)",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        roster: Sequence[Patient],
        objectives: dict[int, list[PlanObjective]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roster = list(roster)
        self.field_layouts = {
            "interventions": FieldLayout(group_class="mb-3"),
        }
        for patient in self.roster:
            status, reason, text, chosen = _member_fields(patient.pk)
            name = patient.display_name
            # Each card is headed by the member's name: the labels say it to screen
            # readers only (every control's name must tell whose it is).
            self.fields[status] = forms.ChoiceField(
                label=format_html('Attendance<span class="visually-hidden"> of {}</span>', name),
                choices=Attendance.choices,
                initial=Attendance.PRESENT,
                widget=forms.RadioSelect,
            )
            self.fields[reason] = forms.CharField(
                label=format_html('Why<span class="visually-hidden"> {} was</span> absent', name),
                max_length=200,
                required=False,
            )
            self.fields[text] = forms.CharField(
                label=format_html(
                    'What <span class="visually-hidden">{}</span>'
                    '<span aria-hidden="true">they</span> said and did',
                    name,
                ),
                max_length=TEXT_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[chosen] = forms.MultipleChoiceField(
                label=format_html(
                    'Plan objectives addressed<span class="visually-hidden"> for {}</span>', name
                ),
                choices=[(str(o.pk), o.text) for o in objectives.get(patient.pk, [])],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.field_layouts[reason] = FieldLayout(
                group_class="mb-2", shown_when=(status, Attendance.ABSENT)
            )
            self.field_layouts[status] = FieldLayout(group_class="mb-2")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for patient in self.roster:
            status, reason, _, _ = _member_fields(patient.pk)
            if data.get(status) == Attendance.ABSENT and not data.get(reason, "").strip():
                self.add_error(reason, "Give the reason for the absence.")
        started, ended = data.get("started_at"), data.get("ended_at")
        if isinstance(started, dt.datetime) and isinstance(ended, dt.datetime) and ended <= started:
            self.add_error("ended_at", "The group must end after it starts.")
        return data

    def member_rows(self) -> list[tuple[Patient, Any, Any, Any, Any]]:
        """Return each roster member with their four bound fields, for the template."""
        return [
            (p, *(self[name] for name in _member_fields(p.pk)))  # type: ignore[misc]
            for p in self.roster
        ]

    def shared(self) -> SharedPart:
        """Return the shared part as cleaned."""
        d = self.cleaned_data
        return SharedPart(
            topic=d["topic"],
            shared_text=d["shared_text"],
            started_at=d["started_at"],
            ended_at=d["ended_at"],
            modality=d["modality"],
            module_code=d["module_code"],
            interventions=list(d["interventions"]),
        )

    def attendance(self) -> dict[int, tuple[str, str]]:
        """Return each member's attendance and reason, by patient id."""
        out = {}
        for p in self.roster:
            status, reason, _, _ = _member_fields(p.pk)
            out[p.pk] = (self.cleaned_data[status], self.cleaned_data.get(reason, ""))
        return out

    def absent(self) -> dict[int, str]:
        """Return the reasons of the members marked absent, by patient id."""
        return {pid: reason for pid, (s, reason) in self.attendance().items() if s == "absent"}

    def parts(self) -> dict[int, MemberPart]:
        """Return the individual parts of those attending, by patient id."""
        out = {}
        for pid, (status, _) in self.attendance().items():
            if status == Attendance.ABSENT:
                continue
            _, _, text, chosen = _member_fields(pid)
            out[pid] = MemberPart(
                self.cleaned_data.get(text, ""),
                [int(pk) for pk in self.cleaned_data.get(chosen, [])],
            )
        return out
