"""The error summary's entries, for ``partials/form_errors.html``."""

from django import forms, template

from openrecovery.core.renderers import ErrorEntry, error_entries

register = template.Library()


@register.filter(name="error_entries")
def error_entries_filter(form: forms.BaseForm) -> list[ErrorEntry]:
    """Return the lines of ``form``'s error summary (see ``core.renderers.error_entries``)."""
    return error_entries(form)
