"""``form_add_service_errors`` puts a service's refusal where the person will see it."""

from django import forms
from django.core.exceptions import ValidationError

from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.core.forms import form_add_service_errors


class NoteForm(forms.Form):
    note = forms.CharField()


def _bound() -> NoteForm:
    form = NoteForm({"note": "Seen."})
    assert form.is_valid()
    return form


def test_a_domain_error_is_form_wide():
    for error in (StateConflict("This alert was resolved already."), Forbidden("Not yours.")):
        form = _bound()
        form_add_service_errors(form, error)
        assert form.errors == {"__all__": [error.message]}


def test_field_errors_go_on_their_fields_and_the_rest_form_wide():
    form = _bound()
    form_add_service_errors(form, ValidationError({"note": ["Too short."], "other": ["Odd."]}))
    assert form.errors == {"note": ["Too short."], "__all__": ["Odd."]}


def test_a_list_of_messages_is_form_wide():
    form = _bound()
    form_add_service_errors(form, ValidationError(["Add a substance.", "Rate all six."]))
    assert form.non_field_errors() == ["Add a substance.", "Rate all six."]
