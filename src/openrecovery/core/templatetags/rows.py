"""Table rows drawn once per distinct row, for tables every coordinator polls.

``{% row_html "app/partials/thing_row.html" row %}`` gives what
``{% include "app/partials/thing_row.html" with row=row only %}`` gives, for a row that
is a frozen dataclass of display-ready values (hashable, and all its template reads):
the rendered HTML is kept per template, row value, time zone and language, so a row
that has not changed since the last poll costs one dictionary lookup instead of a
template rendering. Bounded: past ``ROW_CACHE_SIZE`` rows the cache starts again.
"""

from typing import Any

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

register = template.Library()

ROW_CACHE_SIZE = 4096
_rendered: dict[tuple, SafeString] = {}


@register.simple_tag(takes_context=True)
def row_html(context: Context, template_name: str, row: Any) -> SafeString:
    """Return ``template_name`` rendered with only ``row`` in its context (see above)."""
    key = (template_name, get_current_timezone_name(), get_language(), context.autoescape, row)
    html = _rendered.get(key)
    if html is None:
        if context.template is None:
            raise template.TemplateSyntaxError("row_html renders inside a template")
        row_template = context.template.engine.get_template(template_name)
        rendered = row_template.render(Context({"row": row}, autoescape=context.autoescape))
        html = mark_safe(rendered)  # noqa: S308 (the row template escaped its values)
        if len(_rendered) >= ROW_CACHE_SIZE:
            _rendered.clear()
        _rendered[key] = html
    return html
