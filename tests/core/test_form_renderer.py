"""The project's form renderer writes exactly what Django's default renderer writes."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from openrecovery.accounts.roles import Role
from openrecovery.chart.forms import CareTeamAddForm, PatientSearchForm, StageMoveForm
from openrecovery.core.forms import FormRenderer
from openrecovery.helpline.console.forms import (
    CallAttemptForm,
    CloseForm,
    PhoneInquiryForm,
    ScheduleForm,
)
from openrecovery.records.choices import Stage

from ..factories import make_staff

DJANGO = DjangoTemplates()
OURS = FormRenderer()


class CheckboxOptionsSelect(forms.Select):
    """A select whose options use another template (the tag's fallback path)."""

    option_template_name = "django/forms/widgets/checkbox_option.html"


class EveryWidget(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(
            attrs={
                "placeholder": 'Say "hi" & <wave>',
                "required": True,
                "disabled": False,
                "data-n": 3,
                "data-none": None,
                "data-safe": mark_safe("<b>"),
                "aria-describedby": "x_helptext",
            }
        )
    )
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    number = forms.IntegerField(min_value=0, max_value=10)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    choice = forms.ChoiceField(choices=[("a", "A & B"), ("b", '"B"')])
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("1", 1000), ("2", mark_safe("<i>2</i>"))]), ("3", "Three")]
    )
    several = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two")])
    maybe = forms.NullBooleanField()
    odd = forms.ChoiceField(choices=[("p", "P"), ("q", "Q")], widget=CheckboxOptionsSelect)
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")], widget=forms.RadioSelect)
    check = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))


def _render_all(form_class, data=None, **kwargs) -> list[str]:
    rendered = []
    for renderer in (DJANGO, OURS):
        form = form_class(data, renderer=renderer, **kwargs)
        if data is not None:
            form.is_valid()
        rendered.append([str(field) for field in form] + [form.render()])
    return rendered


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": "<x>", "number": "11", "choice": "b", "many": ["x"], "grouped": "2"},
        {"check": "on", "several": ["1", "2"], "grouped": "1"},
    ],
)
def test_every_widget_renders_the_same(data):
    django_out, ours = _render_all(EveryWidget, data)
    assert ours == django_out


@pytest.mark.parametrize(
    "form_class",
    [
        PatientSearchForm,
        CareTeamAddForm,
        PhoneInquiryForm,
        CallAttemptForm,
        ScheduleForm,
        CloseForm,
    ],
)
@pytest.mark.parametrize("data", [None, {}])
def test_the_projects_forms_render_the_same(db, form_class, data):
    make_staff(Role.NURSE)  # options for the care-team form's staff picker
    make_staff(Role.PHYSICIAN)
    django_out, ours = _render_all(form_class, data)
    assert ours == django_out


def test_the_stage_form_renders_the_same():
    allowed = [Stage.TREATMENT, Stage.CLOSED]
    django_out, ours = _render_all(StageMoveForm, {"reason": ""}, allowed=allowed)
    assert ours == django_out


def test_it_is_the_renderer_in_use():
    assert type(PatientSearchForm().renderer) is FormRenderer


def test_widget_attributes_come_from_the_python_tag():
    origin = OURS.get_template("django/forms/widgets/attrs.html").origin.name
    assert origin.endswith("core/form_templates/django/forms/widgets/attrs.html")
    page = str(EveryWidget(renderer=OURS)["text"])
    assert ' placeholder="Say &quot;hi&quot; &amp; &lt;wave&gt;"' in page
    assert " required" in page and "disabled" not in page
