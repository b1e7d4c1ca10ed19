"""Forms of emergency access: the search for a patient outside one's care."""

import datetime as dt
import re

from django import forms

from openrecovery.core.forms import Form
from openrecovery.records.identifiers import birth_date_parse

from .services import MIN_REASON_LENGTH

ERROR_SEARCH_NEEDS = "Give the family name and date of birth, or the phone number."
ERROR_BIRTH_DATE = "Write the date of birth as MM/DD/YYYY (05/06/1967, 05061967 or 05/06/67)."
PHONE_CHARACTERS = re.compile(r"^[\d\s()+.\-]+$")
PHONE_MIN_DIGITS = 10
MRN_LIKE = re.compile(r"^(?:MRN-?)?\d+$", re.IGNORECASE)


def phone_digits(text: str) -> str:
    """Return the digits of a phone number, without a leading US country code."""
    digits = re.sub(r"\D", "", text)
    return digits[1:] if len(digits) == PHONE_MIN_DIGITS + 1 and digits[0] == "1" else digits


class BreakGlassSearchForm(Form):
    """Find a patient outside your care in an emergency: strong identifiers and a reason."""

    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    given_name = forms.CharField(label="Given name (optional)", max_length=100, required=False)
    date_of_birth = forms.CharField(label="Date of birth", max_length=20, required=False)
    phone = forms.CharField(label="Or phone number", max_length=32, required=False)
    reason = forms.CharField(
        label="Describe the emergency",
        min_length=MIN_REASON_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("family_name", "given_name", "date_of_birth", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_date_of_birth(self) -> dt.date | None:
        raw = self.cleaned_data["date_of_birth"].strip()
        if not raw:
            return None
        born = birth_date_parse(raw)
        if born is None:
            raise forms.ValidationError(ERROR_BIRTH_DATE)
        return born

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if raw and len(phone_digits(raw)) < PHONE_MIN_DIGITS:
            raise forms.ValidationError("Give the whole phone number, area code included.")
        return phone_digits(raw) if raw else ""

    def clean(self) -> dict:
        data = super().clean() or {}
        by_name = data.get("family_name", "").strip() and data.get("date_of_birth")
        if not self.errors and not by_name and not data.get("phone"):
            raise forms.ValidationError(ERROR_SEARCH_NEEDS)
        return data


def break_glass_search_form(query: str) -> BreakGlassSearchForm:
    """Return an unbound emergency search form prefilled from what was searched."""
    query = query.strip()
    initial: dict[str, str] = {}
    if birth_date_parse(query) is not None:
        initial["date_of_birth"] = query
    elif PHONE_CHARACTERS.match(query) and len(phone_digits(query)) >= PHONE_MIN_DIGITS:
        initial["phone"] = query
    elif MRN_LIKE.match(query):
        pass  # an MRN: the emergency access page takes it as it is
    elif query:
        if "," in query:
            family, _, given = query.partition(",")
        else:
            *given_words, family = query.split()
            given = " ".join(given_words)
        initial["family_name"], initial["given_name"] = family.strip(), given.strip()
    return BreakGlassSearchForm(initial=initial)
