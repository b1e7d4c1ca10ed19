"""The rules every callback request meets, whoever parsed it.

The public form, the JSON API and the coordinator's phone form each check the shape
of their own input and show errors their own way; ``callback_fields`` is the
services' last word on what may be stored. It is plain Python, cheap enough for the
public path to run it on every request instead of validating a second form.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from openrecovery.core.text import ALLOWED_PATTERN, REFUSED_CLASS, text_problem

from .choices import ForWhom

MAX_LENGTHS = {"name": 100, "phone": 32, "best_time": 100, "substances": 300, "message": 2000}
REQUIRED = frozenset({"name", "phone"})
TEXT_FIELDS = tuple(MAX_LENGTHS)
PHONE_CHARS = re.compile(r"^[0-9+().\-\s]+$")
PHONE_DIGITS = (7, 15)

# The rules above as JSON Schema patterns, for the API's schema; a test proves each
# pattern accepts exactly what the checks below accept. The checks stay the source of
# the messages people read.
PHONE_PATTERN = r"^[+().\-\s]*(?:[0-9][+().\-\s]*){7,15}$"
TEXT_PATTERN = ALLOWED_PATTERN
REQUIRED_TEXT_PATTERN = f"^[^{REFUSED_CLASS}]*[^\\s{REFUSED_CLASS}][^{REFUSED_CLASS}]*$"

ERROR_REQUIRED = "This field is required."
ERROR_TEXT = "Enter text."
ERROR_TOO_LONG = "Ensure this value has at most %(limit)d characters (it has %(length)d)."
ERROR_PHONE = "Enter a phone number we can call, with 7 to 15 digits."
ERROR_FOR_WHOM = "Choose who this is for."
ERROR_YES_NO = "Answer yes or no."
ERROR_CONSENT = "Tick this box so we may call you back."


def phone_problem(phone: str) -> str | None:
    """Return why ``phone`` cannot be dialled, or None when it can."""
    digits = sum(c.isdigit() for c in phone)
    if not PHONE_CHARS.match(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return ERROR_PHONE
    return None


def _text(value: Any, field: str, problems: dict[str, list[str]]) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.setdefault(field, []).append(ERROR_TEXT)
        return ""
    # Checked before stripping: Python strips some controls (U+001F) as whitespace.
    if (problem := text_problem(value)) is not None:
        problems.setdefault(field, []).append(problem)
    value = value.strip()
    if len(value) > MAX_LENGTHS[field]:
        params = {"limit": MAX_LENGTHS[field], "length": len(value)}
        problems.setdefault(field, []).append(ERROR_TOO_LONG % params)
    if not value and field in REQUIRED:
        problems.setdefault(field, []).append(ERROR_REQUIRED)
    return value


def callback_fields(data: Mapping[str, Any], *, consent_required: bool = True) -> dict[str, Any]:
    """Return the inquiry fields of a callback request, stripped and checked.

    Missing optional text is "", a missing ``voicemail_ok`` is False. Raise a
    ValidationError keyed by field, naming every problem at once.
    """
    problems: dict[str, list[str]] = {}
    fields: dict[str, Any] = {name: _text(data.get(name), name, problems) for name in TEXT_FIELDS}
    if "phone" not in problems and (problem := phone_problem(fields["phone"])):
        problems["phone"] = [problem]
    if data.get("for_whom") not in ForWhom.values:
        problems["for_whom"] = [ERROR_FOR_WHOM]
    fields["for_whom"] = data.get("for_whom")
    voicemail_ok = data.get("voicemail_ok", False)
    if not isinstance(voicemail_ok, bool):
        problems["voicemail_ok"] = [ERROR_YES_NO]
    fields["voicemail_ok"] = voicemail_ok
    consent = data.get("consent", False)
    if consent_required and consent is not True:
        problems["consent"] = [ERROR_CONSENT]
    fields["consent"] = consent is True
    if problems:
        raise ValidationError(
            {field: [ValidationError(m) for m in messages] for field, messages in problems.items()}
        )
    return fields
