"""Form helpers shared by every app, and the base classes every form is built on."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator as NullRefused

from .errors import DomainError, error_messages
from .text import text_refuse_control_characters


class ControlCharactersRefused:
    """Make every field of the form refuse control characters (``core.text``, ADR 0009).

    The check is added when the form is cleaned, so fields a form builds in
    ``__init__`` (one per instrument item, per substance row) get it too. It replaces
    Django's own NUL check, which refuses a subset of the same characters.
    """

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for field in self.fields.values():
            if text_refuse_control_characters not in field.validators:
                kept = [v for v in field.validators if not isinstance(v, NullRefused)]
                field.validators = [*kept, text_refuse_control_characters]
        super().full_clean()  # type: ignore[misc]


class Form(ControlCharactersRefused, forms.Form):
    """A form whose fields refuse control characters: the base of every form."""


class ModelForm(ControlCharactersRefused, forms.ModelForm):
    """A model form whose fields refuse control characters: the base of every model form."""


def form_add_service_errors(form: forms.BaseForm, exc: ValidationError | DomainError) -> None:
    """Show a service's refusal on ``form``.

    A ValidationError's errors keyed by a field the form has go on that field, the rest
    are form-wide; a DomainError (the state of things forbids it) is form-wide.
    """
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(exc))
