"""The public callback request form; its rules are those of ``validation``."""

from typing import Any

from django import forms

from openrecovery.core.forms import Form
from openrecovery.core.renderers import FieldLayout

from .choices import ForWhom
from .validation import ERROR_CONSENT, MAX_LENGTHS, phone_problem


class CallbackRequestForm(Form):
    """Ask for a callback: who to call, when, and whether a voicemail is safe.

    ``website`` is a honeypot: it is hidden from people (its group is hidden with CSS
    and ``aria-hidden``, and it is out of the tab order); bots fill it in. The
    service, not the form, decides what a filled honeypot means.
    """

    field_layouts = {
        "website": FieldLayout(group_class="d-none", group_attrs={"aria-hidden": "true"})
    }

    # An alias is fine: the browser should not offer the person's real name.
    name = forms.CharField(
        label="Name or alias",
        max_length=MAX_LENGTHS["name"],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=MAX_LENGTHS["phone"],
        widget=forms.TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    best_time = forms.CharField(
        label="Best time to call", max_length=MAX_LENGTHS["best_time"], required=False
    )
    for_whom = forms.ChoiceField(
        label="Who is this for?", choices=ForWhom.choices, widget=forms.RadioSelect
    )
    substances = forms.CharField(
        label="Substances (optional)", max_length=MAX_LENGTHS["substances"], required=False
    )
    voicemail_ok = forms.BooleanField(
        label="It is safe to leave a voicemail on this number", required=False
    )
    consent = forms.BooleanField(
        label="I agree to be contacted about this request",
        error_messages={"required": ERROR_CONSENT},
    )
    message = forms.CharField(
        label="Anything you want us to know (optional)",
        max_length=MAX_LENGTHS["message"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if problem := phone_problem(phone):
            raise forms.ValidationError(problem)
        return phone

    def honeypot_filled(self) -> bool:
        """Return True when the hidden ``website`` field holds anything (a bot)."""
        data: Any = self.data
        return bool(str(data.get("website") or "").strip())
