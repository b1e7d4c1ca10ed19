"""Measurement-based care's page actions: an episode's schedule. Thin: parse, call, redirect."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from openrecovery.accounts.access import StaffRequest, staff_view
from openrecovery.core.errors import DomainError, error_messages
from openrecovery.core.forms import Form
from openrecovery.core.http import post_only
from openrecovery.core.templatetags.links import url_for_id
from openrecovery.privacy.gates import access_patient_by_id

from .measurement import MEASURED_CODES
from .measurement_selectors import instrument_label
from .selectors import open_episode
from .services.measurement import (
    ERROR_INTERVAL,
    INTERVAL_MAX,
    INTERVAL_MIN,
    SCHEDULE_PERMISSION,
    measure_schedule_set,
)

SCHEDULE_SAVED = "{label} is now due every {days} days in this episode."
ERROR_NO_EPISODE = "There is no open episode to schedule measures in."


class MeasureScheduleForm(Form):
    """How often one instrument is due in the episode (days)."""

    code = forms.ChoiceField(choices=[(code, code) for code in MEASURED_CODES])
    interval_days = forms.IntegerField(
        min_value=INTERVAL_MIN,
        max_value=INTERVAL_MAX,
        error_messages={
            "invalid": ERROR_INTERVAL,
            "min_value": ERROR_INTERVAL,
            "max_value": ERROR_INTERVAL,
            "required": ERROR_INTERVAL,
        },
    )


@staff_view(SCHEDULE_PERMISSION)
@post_only("chart:chart", "patient_id")
def measure_schedule(request: StaffRequest, patient_id: int) -> HttpResponse:
    """Set how often an instrument is due in the patient's open episode; back to the chart."""
    patient = access_patient_by_id(request.user, patient_id, request=request)
    back = redirect(url_for_id("chart:chart", patient.pk) + "#measurement")
    episode = open_episode(patient)
    if episode is None:
        messages.error(request, ERROR_NO_EPISODE)
        return back
    form = MeasureScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    code, days = form.cleaned_data["code"], form.cleaned_data["interval_days"]
    try:
        measure_schedule_set(
            actor=request.user, episode=episode, code=code, interval_days=days, request=request
        )
    except (ValidationError, DomainError) as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, SCHEDULE_SAVED.format(label=instrument_label(code), days=days))
    return back
