"""Forms for the intake assessment's sections, substance rows, signing, addenda and problems.

Every narrative section is stored as JSON; its form here is the schema that validates
it. Drafts may leave anything blank; what signing requires is ``required_for_signing``.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from openrecovery.core.forms import Form, ModelForm
from openrecovery.instruments.forms import context_answers, context_form_field

from .choices import (
    AsamDimension,
    Employment,
    Housing,
    LevelOfCare,
    WithdrawalSeverity,
    YesNoUnknown,
)
from .models import SubstanceUse

TEXT_MAX = 4000
ERROR_LAST_USE_FUTURE = "The last use cannot be in the future."
ERROR_CONFIRM_SIGN = "Tick the box to confirm you have reviewed the assessment."

BLANK = [("", "—")]


def _text(label: str, help_text: str = "", rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choice(label: str, choices: Any, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=BLANK + list(choices), help_text=help_text
    )


def _yes_no(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=YesNoUnknown.choices, widget=forms.RadioSelect
    )


class SectionForm(Form):
    """One narrative section of the intake, saved on its own (autosave)."""

    key: ClassVar[str]
    title: ClassVar[str]
    required_for_signing: ClassVar[tuple[str, ...]] = ()

    def answers(self) -> dict[str, Any]:
        """Return the cleaned answers as JSON-ready values."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


class WithdrawalHistoryForm(SectionForm):
    key = "withdrawal_history"
    title = "Prior treatment and withdrawal"
    required_for_signing = ("withdrawal_seizures", "withdrawal_delirium", "current_withdrawal")

    prior_treatment = _text("Prior treatment", "Programs, levels, dates and how they ended.")
    withdrawal_seizures = _yes_no("Ever had a seizure during withdrawal?")
    withdrawal_delirium = _yes_no("Ever had delirium or hallucinations during withdrawal?")
    current_withdrawal = _choice("Withdrawal now or expected", WithdrawalSeverity.choices)
    withdrawal_notes = _text("Withdrawal notes")


class MedicalForm(SectionForm):
    key = "medical"
    title = "Medical conditions and medications"
    required_for_signing = ("conditions", "medications")

    conditions = _text("Medical conditions", "Write “none known” if there are none.")
    medications = _text("Current medications", "Include prescribed benzodiazepines and doses.")
    complicating_condition = forms.BooleanField(
        label="A medical condition could complicate withdrawal", required=False
    )


class PsychiatricForm(SectionForm):
    key = "psychiatric"
    title = "Psychiatric history and safety"
    required_for_signing = ("suicidal_thoughts", "overdose_past_year", "falls_recent")

    history = _text("Psychiatric history", "Diagnoses, hospitalizations, current care.")
    suicidal_thoughts = _yes_no("Current thoughts of suicide?")
    overdose_past_year = _yes_no("Overdose in the past 12 months?")
    falls_recent = _yes_no("Falls or injuries while using?")
    complicating_condition = forms.BooleanField(
        label="A psychiatric condition could complicate withdrawal", required=False
    )


class SocialForm(SectionForm):
    key = "social"
    title = "Legal, housing and employment"
    required_for_signing = ("housing", "employment")

    legal = _text("Legal situation", "Charges, court dates, probation or parole.")
    housing = _choice("Housing", Housing.choices)
    employment = _choice("Employment", Employment.choices)
    social_notes = _text("Notes")


class SupportsForm(SectionForm):
    key = "supports"
    title = "Family and supports"
    required_for_signing = ("supports",)

    family = _text("Family")
    supports = _text("Supports", "Who helps; who could be involved in care.")


class StrengthsForm(SectionForm):
    key = "strengths"
    title = "Strengths and preferences"
    required_for_signing = ("strengths",)

    strengths = _text("Strengths")
    preferences = _text("Preferences", "Treatment preferences, language, culture, schedule.")


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.key: form
    for form in (
        WithdrawalHistoryForm,
        MedicalForm,
        PsychiatricForm,
        SocialForm,
        SupportsForm,
        StrengthsForm,
    )
}


class DimensionRatingsForm(Form):
    """The six dimension ratings (0-4) and notes, as neutral data."""

    key = "dimensions"
    title = "Dimension ratings"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension in AsamDimension:
            self.fields[f"rating_{dimension.value}"] = forms.TypedChoiceField(
                label=f"{dimension.value}. {dimension.label}",
                required=False,
                choices=[(str(n), str(n)) for n in range(5)],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.fields[f"notes_{dimension.value}"] = forms.CharField(
                label=f"Notes on dimension {dimension.value}",
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        """Return (rating field, notes field) per dimension, for the template."""
        return [(self[f"rating_{d.value}"], self[f"notes_{d.value}"]) for d in AsamDimension]


class LevelOfCareForm(Form):
    """The level of care the clinician chose, and why."""

    key = "level"
    title = "Level of care"

    level_of_care = forms.ChoiceField(
        label="Level of care chosen", required=False, choices=BLANK + LevelOfCare.choices
    )
    level_rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this level: the clinician's reasoning, in their own words.",
    )


DRAFT_FORMS: dict[str, type[forms.Form]] = {
    **SECTION_FORMS,
    DimensionRatingsForm.key: DimensionRatingsForm,
    LevelOfCareForm.key: LevelOfCareForm,
}


def draft_form(section: str, data: Mapping[str, Any] | None = None, **kwargs: Any) -> forms.Form:
    """Return the form of ``section`` (raise KeyError for an unknown section)."""
    return DRAFT_FORMS[section](data=data, prefix=section, **kwargs)


class SubstanceUseForm(ModelForm):
    """One substance row of the use history."""

    class Meta:
        model = SubstanceUse
        fields = [
            "substance",
            "detail",
            "route",
            "amount",
            "frequency",
            "duration",
            "last_use",
            "age_first_use",
        ]
        widgets = {"last_use": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "amount": "As reported, e.g. “2 mg” or “4 drinks”.",
            "duration": "E.g. “3 years”.",
        }

    def clean_last_use(self) -> Any:
        last_use = self.cleaned_data.get("last_use")
        if last_use and last_use > timezone.localdate():
            raise forms.ValidationError(ERROR_LAST_USE_FUTURE)
        return last_use


class SignForm(Form):
    """The signing step: an explicit confirmation."""

    confirm = forms.BooleanField(
        label="I have reviewed this assessment and sign it with the level of care chosen.",
        required=False,
    )

    def clean_confirm(self) -> bool:
        if not self.cleaned_data.get("confirm"):
            raise forms.ValidationError(ERROR_CONFIRM_SIGN)
        return True


class AddendumForm(Form):
    text = forms.CharField(
        label="Addendum", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class Dsm5ChecklistForm(Form):
    """The DSM-5-TR checklist, built from the instrument's (paraphrased) item text."""

    def __init__(self, *args: Any, instrument: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for field in instrument.context_fields:
            self.fields[f"context_{field.key}"] = context_form_field(field)
        for item in instrument.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(str(o.value), o.label) for o in item.options],
                coerce=int,
                widget=forms.RadioSelect,
            )

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{item.number}"] for item in self.instrument.items]

    def context(self) -> dict[str, bool]:
        return context_answers(self, self.instrument)

    def item_fields(self) -> list[Any]:
        return [self[f"item_{item.number}"] for item in self.instrument.items]

    def context_fields(self) -> list[Any]:
        return [self[f"context_{f.key}"] for f in self.instrument.context_fields]


def section_summary(section: str, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (label, readable answer) pairs of a section, for read-only display."""
    rows = []
    for name, field in SECTION_FORMS[section].base_fields.items():
        value = answers.get(name)
        if isinstance(field, forms.BooleanField):
            shown = "Yes" if value else "No"
        elif isinstance(field, forms.ChoiceField):
            labels = {str(code): label for code, label in field.choices}  # type: ignore[union-attr,misc]
            shown = str(labels.get(value, "")) if value else ""
        else:
            shown = value or ""
        rows.append((str(field.label), shown or "—"))
    return rows
