"""The project's widget templates write exactly what Django's own widget templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from openrecovery.accounts.roles import Role
from openrecovery.chart.forms import CareTeamAddForm, PatientSearchForm, StageMoveForm
from openrecovery.helpline.console.forms import (
    CallAttemptForm,
    CloseForm,
    PhoneInquiryForm,
    ScheduleForm,
)
from openrecovery.records.choices import Stage
from tests.support.factories import make_staff

DJANGO = DjangoTemplates()


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


def _render_all(form_class, data=None, **kwargs) -> list[list[str]]:
    """Render every widget of the form with Django's templates, then with the project's.

    The form and its bound fields (so each widget's attributes) come from the project's
    renderer; only the widget templates differ between the two lists.
    """
    form = form_class(data, **kwargs)
    if data is not None:
        form.is_valid()
    rendered: list[list[str]] = [[], []]
    for bound in form:
        attrs = bound.build_widget_attrs({})
        if bound.auto_id and "id" not in bound.field.widget.attrs:
            attrs.setdefault("id", bound.auto_id)
        for n, renderer in enumerate((DJANGO, get_default_renderer())):
            rendered[n].append(
                bound.field.widget.render(bound.html_name, bound.value(), attrs, renderer)
            )
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


def test_the_widget_templates_in_use_are_the_projects():
    renderer = get_default_renderer()
    for name in ("attrs", "select", "select_option"):
        origin = renderer.get_template(f"django/forms/widgets/{name}.html").origin.name
        assert origin.endswith(f"openrecovery/templates/django/forms/widgets/{name}.html")
    page = EveryWidget()["text"].as_widget()
    assert ' placeholder="Say &quot;hi&quot; &amp; &lt;wave&gt;"' in page
    assert " required" in page and "disabled" not in page
