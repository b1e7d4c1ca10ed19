"""Forms of the treatment plan page: one per action, the services check the rest."""

from typing import Any

from django import forms

from openrecovery.core.forms import Form

from .choices import (
    CareSetting,
    InterventionKind,
    ObjectiveProgress,
    PatientAgreement,
    ReferralSpecialty,
    ReferralStatus,
    ReviewTrigger,
)
from .models import PlanObjective


class PlanStartForm(Form):
    setting = forms.ChoiceField(
        label="Care setting",
        choices=CareSetting.choices,
        help_text="Sets how often the plan is reviewed.",
    )


class ProblemForm(Form):
    statement = forms.CharField(label="Problem", max_length=300)
    source = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    dimension = forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)


class GoalForm(Form):
    problem = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    patient_words = forms.CharField(label="Goal, in the patient's own words", max_length=500)


class ObjectiveForm(Form):
    goal = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label="Measurable objective",
        max_length=500,
        help_text="What will be done, how often or how much, so it can be checked.",
    )
    target_date = forms.DateField(
        label="Target date", widget=forms.DateInput(attrs={"type": "date"})
    )


class InterventionForm(Form):
    problem = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    provider_role = forms.CharField(label="Who", max_length=100, initial="Primary counselor")
    kind = forms.ChoiceField(label="Modality", choices=InterventionKind.choices)
    frequency = forms.CharField(label="How often", max_length=100, initial="Weekly")
    description = forms.CharField(label="Details (optional)", max_length=500, required=False)


class SignForm(Form):
    patient_agreement = forms.ChoiceField(
        label="The patient", choices=PatientAgreement.choices, widget=forms.RadioSelect
    )
    decline_reason = forms.CharField(
        label="Why the patient declined (if they did)", max_length=500, required=False
    )


class ReviseForm(Form):
    reason = forms.CharField(label="Why the plan is being revised", max_length=500)


class ReviewForm(Form):
    """Progress for each objective of the plan in force, and what changed."""

    what_changed = forms.CharField(
        label="What changed in the plan (or why nothing needs to)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    trigger = forms.ChoiceField(label="Why this review", choices=ReviewTrigger.choices)
    task = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, objectives: list[PlanObjective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        for o in objectives:
            self.fields[f"progress_{o.pk}"] = forms.ChoiceField(
                label=o.text, choices=ObjectiveProgress.choices, widget=forms.RadioSelect
            )

    def progress(self) -> dict[int, str]:
        return {o.pk: self.cleaned_data[f"progress_{o.pk}"] for o in self.objectives}


LOCAL = "%Y-%m-%dT%H:%M"


class ReferralForm(Form):
    specialty = forms.ChoiceField(label="To", choices=ReferralSpecialty.choices)
    to_whom = forms.CharField(label="Clinician or service", max_length=200)
    reason = forms.CharField(label="Reason", max_length=500)
    appointment_at = forms.DateTimeField(
        label="Appointment (if booked)",
        required=False,
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )


class ReferralUpdateForm(Form):
    referral = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(
        label="Now", choices=[c for c in ReferralStatus.choices if c[0] != "requested"]
    )
    appointment_at = forms.DateTimeField(
        label="Appointment",
        required=False,
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )
    outcome = forms.CharField(label="Outcome", max_length=2000, required=False)
