"""The public callback request form; its rules are those of ``validation``."""

from typing import Any

from django import forms

from .choices import ForWhom
from .validation import ERROR_CONSENT, MAX_LENGTHS, phone_problem


class CallbackRequestForm(forms.Form):
    """Ask for a callback: who to call, when, and whether a voicemail is safe.

    ``website`` is a honeypot: it is hidden from people (the template must hide it
    with CSS and ``aria-hidden``, and skip it in the tab order); bots fill it in.
    The service, not the form, decides what a filled honeypot means.
    """

    name = forms.CharField(label="Name or alias", max_length=MAX_LENGTHS["name"])
    phone = forms.CharField(label="Phone number", max_length=MAX_LENGTHS["phone"])
    best_time = forms.CharField(
        label="Best time to call", max_length=MAX_LENGTHS["best_time"], required=False
    )
    for_whom = forms.ChoiceField(label="Who is this for?", choices=ForWhom.choices)
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
        widget=forms.Textarea(attrs={"rows": 4}),
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
