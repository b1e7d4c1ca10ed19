"""The safety plan's forms: the six steps in the patient's words, contacts as rows."""

from typing import Any

from django import forms

from openrecovery.core.forms import Form

TEXT_MAX = 4000
HELP_ROWS = 3
CRISIS_ROWS = 5
ERROR_NAME_WITHOUT_PHONE = "Add a phone number for %(name)s, or clear the name."
ERROR_PHONE_WITHOUT_NAME = "Add who this number reaches."


def _text(label: str, help_text: str, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _contact_fields(prefix: str, rows: int) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for n in range(1, rows + 1):
        fields[f"{prefix}_{n}_name"] = forms.CharField(
            label=f"Name {n}", required=False, max_length=100
        )
        fields[f"{prefix}_{n}_phone"] = forms.CharField(
            label=f"Phone {n}",
            required=False,
            max_length=40,
            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        )
    return fields


class SafetyPlanForm(Form):
    """A draft safety plan (Stanley & Brown 2012): every step optional until signing."""

    warning_signs = _text(
        "1. Warning signs",
        "Thoughts, images, moods, situations or behaviors that mean a crisis may be coming, "
        "in the patient's words.",
    )
    coping_strategies = _text(
        "2. Things I can do on my own to take my mind off my problems",
        "Internal coping strategies: relaxation, physical activity, a hobby.",
    )
    distractions = _text(
        "3. People and social settings that take my mind off things",
        "Names of people and places (a coffee shop, a meeting, a gym).",
    )
    means_medications = _text(
        "Medications",
        "Lethal-means counselling: who will hold the medications and how much is kept at "
        "home. Never stop a benzodiazepine suddenly: the taper stays under medical care.",
        rows=2,
    )
    means_firearms = _text(
        "Firearms",
        "Whether there is access to a firearm, and what was agreed (stored away, locked, "
        "held by someone else).",
        rows=2,
    )
    means_other = _text("Other means", "Anything else agreed to make the setting safer.", rows=2)
    reasons_for_living = _text(
        "The one thing that is most important to me and worth living for", "", rows=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_contact_fields("help", HELP_ROWS))
        self.fields.update(_contact_fields("crisis", CRISIS_ROWS))

    @classmethod
    def initial_from(cls, plan: Any) -> dict[str, Any]:
        """Return the form's initial values from a stored plan."""
        initial = {name: getattr(plan, name) for name in cls.base_fields}
        for prefix, contacts in (("help", plan.help_contacts), ("crisis", plan.crisis_contacts)):
            for n, contact in enumerate(contacts, start=1):
                initial[f"{prefix}_{n}_name"] = contact.get("name", "")
                initial[f"{prefix}_{n}_phone"] = contact.get("phone", "")
        return initial

    def _contacts(self, prefix: str, rows: int) -> list[dict[str, str]]:
        contacts = []
        for n in range(1, rows + 1):
            name = self.cleaned_data.get(f"{prefix}_{n}_name", "").strip()
            phone = self.cleaned_data.get(f"{prefix}_{n}_phone", "").strip()
            if name and not phone:
                self.add_error(f"{prefix}_{n}_phone", ERROR_NAME_WITHOUT_PHONE % {"name": name})
            elif phone and not name:
                self.add_error(f"{prefix}_{n}_name", ERROR_PHONE_WITHOUT_NAME)
            elif name:
                contacts.append({"name": name, "phone": phone})
        return contacts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["help_contacts"] = self._contacts("help", HELP_ROWS)
        cleaned["crisis_contacts"] = self._contacts("crisis", CRISIS_ROWS)
        return cleaned

    def _rows(self, prefix: str, rows: int) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"{prefix}_{n}_name"], self[f"{prefix}_{n}_phone"]) for n in range(1, rows + 1)
        ]

    @property
    def help_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return self._rows("help", HELP_ROWS)

    @property
    def crisis_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return self._rows("crisis", CRISIS_ROWS)


class SafetyPlanSignForm(Form):
    patient_signed_name = forms.CharField(
        label="Name the patient signed with",
        max_length=200,
        help_text="The patient signs the printed copy or on this screen; type the name they "
        "signed with.",
    )


class PrecautionStepForm(Form):
    """Complete one step of the safety precautions checklist, with an optional note."""

    step = forms.CharField(max_length=40)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="For example who is observing, or which physician was called.",
    )
