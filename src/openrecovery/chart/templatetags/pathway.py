"""Template filters for the suicide-risk pathway's badges on patient rows."""

import datetime as dt

from django import template
from django.utils.safestring import SafeString

from openrecovery.chart.dashboard import task_badge as badge_html

register = template.Library()


@register.filter
def task_badge(raw: str | None, now: dt.datetime) -> SafeString:
    """Return the open-task badge of a row read with ``dashboard.with_task_badge``.

    ``{{ patient.row_task|task_badge:now }}``, ``now`` being the page's clock.
    """
    return badge_html(raw, now)
