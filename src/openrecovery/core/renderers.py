"""The form renderer and its field groups: how every form field is drawn.

Every form renders through ``FormRenderer`` (the ``FORM_RENDERER`` setting): a field is
drawn by the one field-group template, ``partials/field.html``, through
``{{ field.as_field_group }}`` (or ``{{ form }}`` for a form laid out top to bottom).
What differs between fields lives in the forms: widget attributes (``autocomplete``,
``inputmode``, ``rows``, ``placeholder``, classes) and, where a widget cannot say it, a
``FieldLayout`` in the form's ``field_layouts``.
"""

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal, cast

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

FIELD_TEMPLATE = "partials/field.html"
FORM_TEMPLATE = "partials/form.html"
# A required field's label: the mark is for the eye; the control's ``required`` tells
# screen readers.
MARKED_LABEL = '{} <span class="text-danger" aria-hidden="true">*</span>'


@dataclasses.dataclass(frozen=True)
class FieldLayout:
    """How the field-group template draws one field, beyond what its widget says.

    A form names them by field in ``field_layouts`` (a form that builds fields in
    ``__init__`` assigns a new dict there, never changing the class's own):

    - ``group_class``: the classes of the group's wrapper (``mb-3`` unless told).
    - ``group_attrs``: more attributes of the wrapper (``data-*``, ``aria-hidden``).
    - ``label_hidden``: the label is for screen readers only (a cell of a table whose
      column heading shows it).
    - ``choices``: ``"buttons"`` draws a choice group as a row of toggle buttons
      instead of radio buttons or checkboxes.
    - ``shown_when``: ``(field name, value)``: the group is shown only while that
      other field of the form has that value (app.js hides it otherwise).
    """

    group_class: str = "mb-3"
    group_attrs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    label_hidden: bool = False
    choices: Literal["checks", "buttons"] = "checks"
    shown_when: tuple[str, str] | None = None


DEFAULT_LAYOUT = FieldLayout()


def field_is_required(field: forms.Field) -> bool:
    """Return True when ``field`` must be filled in.

    A field that ``clean()`` requires only sometimes (an instrument item that the skip
    logic may skip) is optional for Django and says so with ``required`` on its widget.
    """
    return field.required or bool(field.widget.attrs.get("required"))


def form_mixes_required(form: forms.BaseForm) -> bool:
    """Return True when ``form`` shows both required and optional fields.

    Only then are required fields marked: when all are required (sign in) or none are
    (a draft), a mark on every label would say nothing.
    """
    cached: bool | None = form.__dict__.get("_mixes_required")
    if cached is None:
        shown = [f for f in form.fields.values() if not f.widget.is_hidden]
        cached = len({field_is_required(f) for f in shown}) > 1
        form.__dict__["_mixes_required"] = cached
    return cached


def _control_class(widget: forms.Widget, layout: FieldLayout) -> str:
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "btn-check" if layout.choices == "buttons" else "form-check-input"
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class FieldGroup(forms.BoundField):
    """A bound field as the field-group template draws it (Bootstrap 5, accessible).

    Django already gives a control in error ``aria-invalid`` and points its
    ``aria-describedby`` at the help text and error ids (or the fieldset's, for a choice
    group); this adds Bootstrap's classes and what the template reads from the layout.
    """

    @property
    def layout(self) -> FieldLayout:
        layouts: Mapping[str, FieldLayout] = getattr(self.form, "field_layouts", {})
        return layouts.get(self.name, DEFAULT_LAYOUT)

    def build_widget_attrs(self, attrs: Any, widget: forms.Widget | None = None) -> Any:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        classes = [
            _control_class(widget, self.layout),
            *str(widget.attrs.get("class", "")).split(),
            *str(attrs.get("class", "")).split(),
        ]
        if self.errors:
            classes.append("is-invalid")
        attrs["class"] = " ".join(dict.fromkeys(classes))
        return attrs

    @property
    def marked_required(self) -> bool:
        """Return True when the label carries the required mark."""
        return field_is_required(self.field) and form_mixes_required(self.form)

    @property
    def label_html(self) -> SafeString:
        """Return the label's text with the required mark when it has one."""
        if self.marked_required:
            return format_html(MARKED_LABEL, self.label)
        return format_html("{}", self.label)

    @property
    def label_class(self) -> str:
        """Return the classes of the label (or of the legend, for a choice group)."""
        base = "form-label fs-6" if self.use_fieldset else "form-label"
        return f"{base} visually-hidden" if self.layout.label_hidden else base

    @property
    def group_class(self) -> str:
        """Return the wrapper's classes: the layout's, then the form's error and required ones.

        Unlike ``css_classes``, in a fixed order: ``error_css_class`` when the field has
        errors, then ``required_css_class`` when it is required.
        """
        classes = self.layout.group_class.split()
        if self.errors:
            classes += str(getattr(self.form, "error_css_class", "")).split()
        if field_is_required(self.field):
            classes += str(getattr(self.form, "required_css_class", "")).split()
        return " ".join(dict.fromkeys(classes))

    @property
    def group_attrs(self) -> SafeString:
        """Return the wrapper's extra attributes as HTML (with a leading space)."""
        attrs = dict(self.layout.group_attrs)
        if self.layout.shown_when is not None:
            name, value = self.layout.shown_when
            attrs["data-shown-when-field"] = self.form.add_prefix(name)
            attrs["data-shown-when-value"] = value
        return flatatt(attrs)

    def render(
        self, template_name: str | None = None, context: Any = None, renderer: Any = None
    ) -> SafeString:
        draw = super().render
        form = self.form
        if (
            isinstance(form, BlankRenderedOnce)
            and template_name is None
            and context is None
            and renderer is None
        ):
            return form.blank_render(f"field {self.name}", draw)
        return draw(template_name, context, renderer)

    @property
    def choice_buttons(self) -> bool:
        """Return True when a choice group is drawn as toggle buttons."""
        return self.layout.choices == "buttons"


class FormRenderer(TemplatesSetting):
    """Render forms, field groups and widgets with the project's templates."""

    form_template_name = FORM_TEMPLATE
    field_template_name = FIELD_TEMPLATE
    bound_field_class = FieldGroup


@dataclasses.dataclass(frozen=True)
class ErrorEntry:
    """One line of a form's error summary: what is wrong, and the id of the field (or '')."""

    text: str
    target: str = ""


def error_entries(form: forms.BaseForm) -> list[ErrorEntry]:
    """Return a form's errors in the order of its fields, form-wide errors first.

    A visible field's errors name it and point at its control (at its fieldset, for a
    choice group), so the summary at the top of the form (``partials/form_errors.html``)
    can link to each one.
    """
    entries = [ErrorEntry(str(error)) for error in form.non_field_errors()]
    for field in form:
        if not field.errors:
            continue
        if field.is_hidden:
            entries += [ErrorEntry(str(error)) for error in field.errors]
            continue
        target = field.auto_id if field.use_fieldset else field.id_for_label or field.auto_id
        label = str(field.label).rstrip(":?") if field.label else ""
        entries += [
            ErrorEntry(f"{label}: {error}" if label else str(error), target or "")
            for error in field.errors
        ]
    return entries


class BlankRenderedOnce:
    """A form mixin: the blank form (unbound, no initial data, no prefix) renders once.

    For a form shown blank on a busy page (the console's phone-inquiry form on every
    queue view, the chart's stage-move form) whose fields depend on nothing but code and
    ``blank_variant()``: no choices read from the database, no per-user fields, none
    changed by the view after the form is made. The form, or each of its field groups
    (``{{ form.field.as_field_group }}``), is drawn by the field-group template the first
    time, per language and variant; later blank instances return that HTML. A form made
    with any argument for Django's form (data, initial, prefix, auto_id, ...) renders as
    usual.
    """

    _blank_html: dict[tuple, SafeString]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._blank_html = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Blank only when Django's form is made with no arguments at all: no data, files,
        # initial, prefix, auto_id, label_suffix or renderer of the caller's.
        self._made_blank = not args and not kwargs
        super().__init__(*args, **kwargs)

    def blank_variant(self) -> tuple:
        """Return what, besides the class, the blank rendering depends on (the choices)."""
        return ()

    def blank_key(self) -> tuple | None:
        """Return the key of this form's blank rendering, or None when it is not blank."""
        form = cast(forms.BaseForm, self)
        if not self._made_blank or form.is_bound or form.initial or form.prefix is not None:
            return None
        return (get_language(), *self.blank_variant())

    def blank_render(self, part: str, render: Callable[[], SafeString]) -> SafeString:
        """Return the kept rendering of ``part`` (the form, or a field), drawing it once."""
        key = self.blank_key()
        if key is None:
            return render()
        key = (*key, part)
        html = self._blank_html.get(key)
        if html is None:
            html = self._blank_html[key] = render()
        return html

    def render(
        self, template_name: str | None = None, context: Any = None, renderer: Any = None
    ) -> SafeString:
        draw = super().render  # type: ignore[misc]
        if template_name is not None or context is not None or renderer is not None:
            return draw(template_name, context, renderer)
        return self.blank_render("", draw)

    # Django binds these to its own render() (``__str__ = render``): point them at this one.
    __str__ = render  # type: ignore[assignment]
    __html__ = render
