"""The individual session note form: DAP or BIRP sections, times, the thread."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from openrecovery.core.forms import Form

from .choices import InterventionKind, Modality
from .curriculum import CHOICES as MODULE_CHOICES
from .models import PlanObjective
from .services.notes import SECTION_MAX, SECTIONS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class NoteForm(Form):
    """One session note; sections follow the program's format (``fmt``)."""

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
    session = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, fmt: str, objectives: list[PlanObjective], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SECTIONS[fmt]:
            self.fields[key] = forms.CharField(
                label=label,
                max_length=SECTION_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if objectives:  # without a plan in force there is nothing to pick (the page says so)
            self.fields["objectives"] = forms.MultipleChoiceField(
                label="Plan objectives addressed",
                choices=[(str(o.pk), o.text) for o in objectives],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text="Every note names the objectives it worked on (the golden thread).",
            )
        self.fields["interventions"] = forms.MultipleChoiceField(
            label="Interventions used",
            choices=InterventionKind.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.fields["module_code"] = forms.ChoiceField(
            label="Curriculum module covered",
            choices=[("", "None"), *MODULE_CHOICES],
            required=False,
        )
        self.fields["next_session_plan"] = forms.CharField(
            label="Plan for the next session",
            max_length=SECTION_MAX,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fmt = fmt

    @staticmethod
    def initial_times(now: dt.datetime) -> dict[str, dt.datetime]:
        local = timezone.localtime(now).replace(second=0, microsecond=0)
        return {"started_at": local - dt.timedelta(minutes=50), "ended_at": local}

    def objective_ids(self) -> list[int]:
        return [int(i) for i in self.cleaned_data.get("objectives", [])]

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key, _ in SECTIONS[self.fmt]}


class AddendumForm(Form):
    text = forms.CharField(
        label="Addendum (a correction or addition)",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
