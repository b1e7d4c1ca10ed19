"""Form helpers shared by every app, and the form renderer."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

# The project's templates come first: templates/django/forms/widgets/ holds one-tag
# versions of Django's attrs.html, select.html and select_option.html.
FORM_TEMPLATE_OVERRIDES = Path(__file__).resolve().parent.parent / "templates"


class FormRenderer(DjangoTemplates):
    """Django's default form renderer, with widget attributes and options written in Python.

    It reads the project's ``templates/`` first, whose ``django/forms/widgets/attrs.html``,
    ``select.html`` and ``select_option.html`` are one tag each
    (``core.templatetags.widget_attrs``) writing exactly what Django's templates write;
    every other widget template is Django's own. A renderer reading the ``TEMPLATES``
    setting (``TemplatesSetting``) picks the same overrides up from ``DIRS``.
    """

    @cached_property
    def engine(self):  # type: ignore[no-untyped-def]
        builtin = Path(forms.__file__).resolve().parent / "templates"
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [FORM_TEMPLATE_OVERRIDES, builtin],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )


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


def form_add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on ``form``.

    Errors keyed by a field the form has go on that field; the rest are form-wide.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
