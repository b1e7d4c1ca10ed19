"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError

from .errors import DomainError, error_messages


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
