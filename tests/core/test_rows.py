"""``row_html`` draws what ``{% include ... with row=row only %}`` draws, once per row."""

import dataclasses

from django import forms
from django.template import engines
from django.utils import timezone

from openrecovery.core.renderers import BlankRenderedOnce
from openrecovery.core.templatetags import rows
from openrecovery.helpline.console.selectors import QueueRow
from tests.support.cost import templates_rendered

ROW = "helpline/console/partials/queue_row.html"


def _row(**changes):
    base = QueueRow(1, "ABC-123", "/x/", "Urgent", "text-bg-danger", "Web", "<b>Ana</b>", "Self", 7,
               True, False, "Sam Lee", timezone.now())  # fmt: skip
    return dataclasses.replace(base, **changes)


def _both(row):
    template = engines["django"].from_string(
        "{% load rows %}{% row_html name row %}|{% include name with row=row only %}"
    )
    return template.render({"name": ROW, "row": row}).split("|")


def test_same_html_as_an_isolated_include():
    rows._rendered.clear()
    for row in (_row(), _row(overdue=False, contacted=True), _row(claimed_by="")):
        mine, included = _both(row)
        assert mine == included
    assert "&lt;b&gt;Ana&lt;/b&gt;" in mine  # still escaped


def test_a_row_is_drawn_once_until_it_changes():
    rows._rendered.clear()
    row = _row()
    template = engines["django"].from_string("{% load rows %}{% row_html name row %}")
    with templates_rendered() as drawn:
        first = template.render({"name": ROW, "row": row})
        again = template.render({"name": ROW, "row": _row(claimed_at=row.claimed_at)})
        changed = template.render(
            {"name": ROW, "row": _row(claimed_at=row.claimed_at, minutes_waiting=8)}
        )
    assert drawn[ROW] == 2
    assert first == again != changed and "8 min" in changed


def test_the_cache_is_bounded(monkeypatch):
    rows._rendered.clear()
    monkeypatch.setattr(rows, "ROW_CACHE_SIZE", 3)
    template = engines["django"].from_string("{% load rows %}{% row_html name row %}")
    for n in range(10):
        template.render({"name": ROW, "row": _row(minutes_waiting=n)})
        assert len(rows._rendered) <= 3


class Plain(forms.Form):
    name = forms.CharField(max_length=10)
    note = forms.CharField(required=False, widget=forms.Textarea)


class Kept(BlankRenderedOnce, Plain):
    pass


def test_a_blank_form_renders_once_and_the_same():
    Kept._blank_html.clear()
    with templates_rendered() as drawn:
        first, second = str(Kept()), str(Kept())
    assert first == second == str(Plain())
    assert drawn["partials/form.html"] == 1


def test_bound_initial_or_prefixed_forms_render_as_usual():
    Kept._blank_html.clear()
    str(Kept())
    assert str(Kept({"name": ""})) == str(Plain({"name": ""}))  # with its error
    assert "is-invalid" in str(Kept({"name": ""}))
    assert str(Kept(initial={"name": "Ana"})) == str(Plain(initial={"name": "Ana"}))
    assert str(Kept(prefix="p")) == str(Plain(prefix="p"))
    assert Kept().as_div() == Plain().as_div()
    assert str(Kept(auto_id=False)) == str(Plain(auto_id=False))
    assert str(Kept(label_suffix="?")) == str(Plain(label_suffix="?"))
