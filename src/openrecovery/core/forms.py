"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError

from .errors import DomainError, error_messages


class StyledFormMixin:
    """Give widgets Bootstrap's classes, and mark invalid fields for assistive technology."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                attrs["class"] = f"{attrs.get('class', '')} is-invalid"


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
