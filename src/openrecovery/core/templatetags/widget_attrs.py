"""Widget attributes and select options written in Python, for the form renderer.

Django's ``django/forms/widgets/attrs.html`` loops over a widget's attributes with two
``{% if %}`` tags and a filter each, and every widget and every ``<option>`` includes it
(each option through ``select_option.html``): most of the cost of rendering a form.
``widget_attrs`` and ``select_option`` write the same characters as those templates.
"""

from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(value)}"')
    return "".join(parts)


@register.simple_tag
def widget_attrs(attrs: dict[str, Any]) -> SafeString:
    """Return `` name="value"`` for each attribute, `` name`` for True, nothing for False."""
    return mark_safe(_attrs(attrs))  # noqa: S308 (every part is escaped)


@register.simple_tag(takes_context=True)
def select_option(context: Context, option: dict[str, Any]) -> SafeString:
    """Return one ``<option>`` as Django's ``select_option.html`` writes it."""
    value = conditional_escape(option["value"])
    label = render_value_in_context(option["label"], context)  # as {{ widget.label }}
    return mark_safe(f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>')  # noqa: S308
