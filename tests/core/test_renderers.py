"""The form renderer and its one field-group template: every form, and the aria it writes."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.template import engines
from django.test.signals import template_rendered

import openrecovery
from openrecovery.core.renderers import FIELD_TEMPLATE, FieldLayout, FormRenderer
from tests.support.forms import form_build, project_form_classes

# Templates that draw a bound field's control or label by hand: only the one may.
HAND_DRAWN_FIELD = re.compile(
    r"id_for_label|\{\{\s*field\s*\}\}|\.tag\s*\}\}|as_widget|widget\.attrs|\.html_name|radio\.data"
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes and tag == "div":
            self._open.append(attributes["id"])
            self.texts[attributes["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for ident in self._open:
            self.texts[ident] += data


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def described_ids(attrs: dict[str, str]) -> list[str]:
    return attrs.get("aria-describedby", "").split()


@contextmanager
def templates_used() -> Iterator[list[str]]:
    names: list[str] = []

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def test_the_project_renders_forms_through_its_renderer():
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    assert renderer.field_template_name == FIELD_TEMPLATE == "partials/field.html"
    assert forms.Form().renderer is renderer


def test_every_form_class_is_found_and_can_be_built(db):
    classes = project_form_classes()
    names = {cls.__name__ for cls in classes}
    # A sample from each app that has forms, so the search itself is known to work.
    assert {"LoginForm", "BreakGlassForm", "PatientSearchForm", "CallbackRequestForm"} <= names
    assert {"PreScreenForm", "MedicalForm", "AdministrationForm", "SelfCheckForm"} <= names
    for cls in classes:
        form_build(
            cls, {}
        )  # a form that needs more than data gets a line in tests.support.forms.BUILDERS


def test_no_form_or_field_chooses_another_template(db):
    for cls in project_form_classes():
        for klass in cls.__mro__:
            if klass.__module__.startswith("openrecovery."):
                for attribute in ("template_name", "template_name_div", "default_renderer"):
                    assert attribute not in vars(klass), (cls, attribute)
        for name, field in form_build(cls, {}).fields.items():
            assert field.template_name is None, (cls, name)


def test_no_other_template_draws_a_field():
    one = Path(engines["django"].engine.find_template(FIELD_TEMPLATE)[0].origin.name)
    root = Path(openrecovery.__file__).parent
    # templates/django/forms/widgets/ replaces Django's own widget templates (one tag each,
    # for speed): widgets, not field groups.
    widgets = root / "templates" / "django" / "forms" / "widgets"
    drawn = [
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        if path != one and widgets not in path.parents and HAND_DRAWN_FIELD.search(path.read_text())
    ]
    assert drawn == []
    assert HAND_DRAWN_FIELD.search(one.read_text())  # the pattern does find a field template


def _check_group(bound: forms.BoundField) -> None:
    """Render ``bound`` as a field group; check the template and the aria it carries."""
    with templates_used() as used:
        html = str(bound.as_field_group())
    assert FIELD_TEMPLATE in used, bound.name
    page = parse(html)
    controls = [(tag, a) for tag, a in page.tags if a.get("name") == bound.html_name]
    assert controls, (bound.name, html)
    if bound.is_hidden:
        return
    if bound.use_fieldset:
        assert page.tags[0][0] == "fieldset" and ("legend", {"class": bound.label_class}) in (
            page.tags
        ), html
        describer = page.tags[0][1]
        assert all("aria-describedby" not in a for _, a in controls)
    else:
        [(_, describer)] = controls
        labels = [a for tag, a in page.tags if tag == "label"]
        assert {"class": bound.label_class, "for": bound.id_for_label} in labels or (
            {"class": "form-check-label", "for": bound.id_for_label} in labels
        ), html
    ids = described_ids(describer)
    if bound.help_text:
        assert f"{bound.auto_id}_helptext" in ids and f"{bound.auto_id}_helptext" in page.texts
    if bound.errors:
        error_id = f"{bound.auto_id}_error"
        assert error_id in ids, (bound.name, html)
        assert str(bound.errors[0]) in page.texts[error_id].replace("&#x27;", "'")
        assert all(a.get("aria-invalid") == "true" for _, a in controls), html
        assert all("is-invalid" in a["class"].split() for _, a in controls), html
    else:
        assert all("aria-invalid" not in a for _, a in controls), html
        assert ids == ([f"{bound.auto_id}_helptext"] if bound.help_text else []), html


@pytest.mark.parametrize("bound_with", [{}, None], ids=["submitted-empty", "unbound"])
def test_every_field_of_every_form_renders_through_the_one_template(db, bound_with):
    checked = errors = 0
    for cls in project_form_classes():
        form = form_build(cls, bound_with)
        for bound in form:
            _check_group(bound)
            checked += 1
            errors += bool(bound.errors)
    assert checked > 150
    assert (errors > 20) == (bound_with is not None)


class ExampleForm(forms.Form):
    field_layouts = {
        "cell": FieldLayout(group_class="mb-0", label_hidden=True),
        "why": FieldLayout(shown_when=("kind", "other"), group_attrs={"data-note": 'a "b"'}),
        "answer": FieldLayout(choices="buttons"),
    }

    name = forms.CharField(label="Name", help_text="As you like to be called.")
    kind = forms.ChoiceField(
        label="Kind", choices=[("one", "One"), ("other", "Other")], widget=forms.RadioSelect
    )
    why = forms.CharField(label="Why", required=False, widget=forms.Textarea)
    agree = forms.BooleanField(label="I agree")
    cell = forms.CharField(label="Dose, row 1", required=False)
    answer = forms.ChoiceField(
        label="Yes or no?",
        required=False,
        choices=[("1", "Yes"), ("0", "No")],
        widget=forms.RadioSelect,
    )
    step = forms.CharField(widget=forms.HiddenInput, required=False)


def group(form: forms.BaseForm, name: str) -> str:
    return str(form[name].as_field_group())


def test_a_valid_text_field_is_described_by_its_help_text_only():
    html = group(ExampleForm(), "name")
    assert '<label class="form-label" for="id_name">Name <span class="text-danger"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<div class="form-text" id="id_name_helptext">As you like to be called.</div>' in html
    assert "aria-invalid" not in html and "_error" not in html
    assert 'class="form-control"' in html and " required " in html


def test_a_field_in_error_is_invalid_and_described_by_help_and_error():
    form = ExampleForm({"name": ""})
    html = group(form, "name")
    assert 'aria-invalid="true" aria-describedby="id_name_helptext id_name_error"' in html
    assert 'class="form-control is-invalid"' in html
    error = '<div class="invalid-feedback d-block" id="id_name_error">This field is required.</div>'
    assert error in html


def test_a_radio_group_is_a_fieldset_with_a_legend_described_by_its_error():
    html = group(ExampleForm({}), "kind")
    assert html.startswith('<fieldset id="id_kind" class="mb-3" aria-describedby="id_kind_error">')
    assert '<legend class="form-label fs-6">Kind <span class="text-danger"' in html
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert len(radios) == 2
    assert all('aria-invalid="true"' in r and "aria-describedby" not in r for r in radios)
    assert all('class="form-check-input is-invalid"' in r for r in radios)
    assert '<label class="form-check-label" for="id_kind_1">Other</label>' in html
    assert 'id="id_kind_error">This field is required.</div>\n</fieldset>' in html


def test_a_checkbox_sits_before_its_label_and_is_described_by_its_error():
    html = group(ExampleForm({}), "agree")
    assert html.startswith('<div class="form-check mb-3">\n  <input type="checkbox" name="agree"')
    assert 'aria-invalid="true" aria-describedby="id_agree_error"' in html
    assert '<label class="form-check-label" for="id_agree">I agree <span' in html


def test_required_fields_are_marked_only_beside_optional_ones():
    mixed = ExampleForm()
    mark = '<span class="text-danger" aria-hidden="true">*</span>'
    assert mark in group(mixed, "name") and mark in group(mixed, "kind")
    assert mark not in group(mixed, "why")

    class AllRequired(forms.Form):
        code = forms.CharField(label="Code")
        other = forms.CharField(label="Other")

    html = group(AllRequired(), "code")
    assert mark not in html and " required " in html  # the control still says so


def test_layouts_say_what_a_widget_cannot():
    form = ExampleForm(prefix="x")
    cell = group(form, "cell")
    assert cell.startswith('<div class="mb-0">')
    assert '<label class="form-label visually-hidden" for="id_x-cell">Dose, row 1</label>' in cell
    why = group(form, "why")
    assert 'data-shown-when-field="x-kind" data-shown-when-value="other"' in why
    assert 'data-note="a &quot;b&quot;"' in why
    buttons = group(form, "answer")
    assert '<div class="d-flex flex-wrap gap-2">' in buttons
    assert 'class="btn-check"' in buttons
    assert '<label class="btn btn-outline-primary px-4" for="id_x-answer_0">Yes</label>' in buttons


def test_a_hidden_field_is_only_its_input():
    assert group(ExampleForm(), "step") == '<input type="hidden" name="step" id="id_step">'


def test_a_whole_form_shows_its_own_errors_then_its_fields():
    form = ExampleForm({"name": "Sam", "kind": "one", "agree": "on"})
    form.add_error(None, "Nothing was saved.")
    html = str(form)
    alert = '<div class="alert alert-danger" role="alert"><div>Nothing was saved.</div></div>'
    assert html.startswith(alert)
    assert html.count("<label") == 8  # each visible field but the radio groups, each choice
    assert html.count("<legend") == 2
    assert html.endswith('<input type="hidden" name="step" id="id_step">')
