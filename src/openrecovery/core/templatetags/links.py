"""Links reversed once per process instead of once per use.

``{{ episode.patient_id|url_for:"chart:chart" }}`` gives what
``{% url "chart:chart" episode.patient_id %}`` gives, for views that take one integer
argument: the URL is reversed once per view name and script prefix, and each row only
fills in its id (a ``{% url %}`` tag costs a full ``reverse()`` per row).
``{% link "chart:dashboard" %}`` gives what ``{% url "chart:dashboard" %}`` gives, for
views without arguments (the navbar's links, on every page).
"""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# An id no real row has: it marks where the id goes in the reversed URL.
_MARKER = 9_223_372_036_854_775_806
_patterns: dict[tuple, tuple[str, str]] = {}
_links: dict[tuple, str] = {}


def _key(viewname: str) -> tuple:
    # The same name may reverse differently under another URLconf or script prefix.
    return (viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def url_parts(viewname: str) -> tuple[str, str]:
    """Return what comes before and after the id in ``viewname``'s URL (for many rows)."""
    key = _key(viewname)
    pattern = _patterns.get(key)
    if pattern is None:
        head, _, tail = reverse(viewname, args=[_MARKER]).partition(str(_MARKER))
        pattern = _patterns[key] = (head, tail)
    return pattern


def url_for_id(viewname: str, pk: int) -> str:
    """Return the URL of ``viewname`` for the integer ``pk``: ``reverse(viewname, args=[pk])``."""
    head, tail = url_parts(viewname)
    return f"{head}{int(pk)}{tail}"


@register.filter
def url_for(pk: int, viewname: str) -> str:
    """Return the URL of ``viewname`` for ``pk`` (see the module docstring)."""
    return url_for_id(viewname, pk)


@register.simple_tag
def link(viewname: str) -> str:
    """Return the URL of ``viewname``, which takes no arguments (see the module docstring)."""
    key = _key(viewname)
    url = _links.get(key)
    if url is None:
        url = _links[key] = reverse(viewname)
    return url
