"""The public callback request form (the public pages and the API both validate with it)."""

import re
from typing import Any

from django import forms

from .choices import ForWhom

MESSAGE_MAX = 2000
PHONE_CHARS = re.compile(r"^[0-9+().\-\s]+$")
ERROR_PHONE = "Enter a phone number we can call, with 7 to 15 digits."
ERROR_CONSENT = "Tick this box so we may call you back."


class CallbackRequestForm(forms.Form):
    """Ask for a callback: who to call, when, and whether a voicemail is safe.

    ``website`` is a honeypot: it is hidden from people (the template must hide it
    with CSS and ``aria-hidden``, and skip it in the tab order); bots fill it in.
    The service, not the form, decides what a filled honeypot means.
    """

    name = forms.CharField(label="Name or alias", max_length=100)
    phone = forms.CharField(label="Phone number", max_length=32)
    best_time = forms.CharField(label="Best time to call", max_length=100, required=False)
    for_whom = forms.ChoiceField(label="Who is this for?", choices=ForWhom.choices)
    substances = forms.CharField(label="Substances (optional)", max_length=300, required=False)
    voicemail_ok = forms.BooleanField(
        label="It is safe to leave a voicemail on this number", required=False
    )
    consent = forms.BooleanField(
        label="I agree to be contacted about this request",
        error_messages={"required": ERROR_CONSENT},
    )
    message = forms.CharField(
        label="Anything you want us to know (optional)",
        max_length=MESSAGE_MAX,
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
        digits = re.sub(r"\D", "", phone)
        if not PHONE_CHARS.match(phone) or not 7 <= len(digits) <= 15:
            raise forms.ValidationError(ERROR_PHONE)
        return phone

    def honeypot_filled(self) -> bool:
        """Return True when the hidden ``website`` field holds anything (a bot)."""
        data: Any = self.data
        return bool(str(data.get("website") or "").strip())
