"""Widget attributes and select options written in Python, for the form renderer.

Django's ``django/forms/widgets/attrs.html`` loops over a widget's attributes with two
``{% if %}`` tags and a filter each, and every widget and every ``<option>`` includes it
(each option through ``select_option.html``, included once per option by
``select.html``): most of the cost of rendering a form. ``widget_attrs``,
``select_option`` and ``select_widget`` write the same characters as those templates.
"""

from typing import Any

from django import template
from django.template import TemplateSyntaxError
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


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _option(context: Context, option: dict[str, Any]) -> str:
    value = conditional_escape(option["value"])
    label = render_value_in_context(option["label"], context)  # as {{ widget.label }}
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


@register.simple_tag(takes_context=True)
def select_option(context: Context, option: dict[str, Any]) -> SafeString:
    """Return one ``<option>`` as Django's ``select_option.html`` writes it."""
    return mark_safe(_option(context, option))  # noqa: S308 (escaped in _option)


@register.simple_tag(takes_context=True)
def select_widget(context: Context, widget: dict[str, Any]) -> SafeString:
    """Return a ``<select>`` with its options as Django's ``select.html`` writes it."""
    parts = [f'<select name="{render_value_in_context(widget["name"], context)}"']
    parts.append(_attrs(widget["attrs"]))
    parts.append(">")
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value_in_context(group_name, context)}">')
        for option in group_choices:
            parts.append("\n  ")
            if option["template_name"] == SELECT_OPTION:
                parts.append(_option(context, option) + "\n")  # the template ends in a newline
            elif context.template is None:
                raise TemplateSyntaxError("select options render inside a template")
            else:  # another option template: render it as {% include %} would
                template = context.template.engine.get_template(option["template_name"])
                with context.push(widget=option):
                    parts.append(template.render(context))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped)
