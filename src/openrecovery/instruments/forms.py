"""The administration form, built from an instrument's definition; the alert resolution."""

import dataclasses
import json
from typing import Any, ClassVar

from django import forms
from django.utils.html import format_html

from openrecovery.core.forms import Form
from openrecovery.core.renderers import FieldLayout, form_mixes_required

from .engine import Answer, ContextField, Facts, Instrument, Item, Option
from .services import answer_field

ERROR_REQUIRED = "Choose an answer to item %(number)s."
YES_NO = (("true", "Yes"), ("false", "No"))


def context_form_field(field: ContextField) -> forms.Field:
    """Return the field that asks one context fact: a required yes/no, or a checkbox.

    A required fact is never a checkbox: an unticked box cannot tell "no" from "not
    asked", and the answer changes the score.
    """
    if field.required:
        return forms.TypedChoiceField(
            label=field.label,
            choices=YES_NO,
            coerce=lambda value: value == "true",
            widget=forms.RadioSelect(attrs={"required": True}),
            error_messages={"required": f"Answer yes or no: {field.label}"},
        )
    return forms.BooleanField(label=field.label, required=False)


def context_answers(form: forms.Form, instrument: Instrument) -> dict[str, bool]:
    """Return the context facts a valid ``form`` holds (an unticked checkbox is False)."""
    return {
        f.key: bool(form.cleaned_data.get(f"context_{f.key}")) for f in instrument.context_fields
    }


class AlertResolveForm(Form):
    """What was done about an alert (the service says when it is missing)."""

    note = forms.CharField(
        label="What was done",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def skip_hint(instrument: Instrument, item: Item) -> str:
    """Return when a conditional item is asked, in words ("" for items always asked)."""
    condition = item.asked_if
    if condition is None:
        return ""
    if isinstance(condition, Answer) and condition.op == "==":
        source = instrument.item(condition.item)
        label = next((o.label for o in source.options if o.value == condition.value), "")
        if label:
            return f"Asked only if the answer to {condition.item} is {label}."
    return "Asked only when earlier answers call for it."


class AdministrationForm(Form):
    """One radio group per item and one checkbox per context field of ``instrument``.

    Every item field is optional at the field level; ``clean`` applies the skip logic
    (answers to skipped items are dropped) and names each required item left blank.
    A required item says so with ``required`` on its widget. Each item's group carries
    its number and skip logic for app.js (``data-item``, ``data-asked-if``); when it is
    asked is its help text. Ids are the field names (``item_3``), so the error summary
    links to an item's group.
    """

    error_css_class = "border-danger border-2"
    item_layout: ClassVar[FieldLayout] = FieldLayout(
        group_class="instrument-item border rounded p-3 mb-3"
    )
    error_required: ClassVar[str] = ERROR_REQUIRED
    option_scores_shown: ClassVar[bool] = True

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        layouts = {}
        for item in instrument.items:
            name = answer_field(item.number)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(o.value, self.option_label(o)) for o in item.options],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=skip_hint(instrument, item),
                widget=forms.RadioSelect(attrs={} if item.optional else {"required": True}),
            )
            attrs = {"data-item": item.number}
            if item.asked_if is not None:
                attrs["data-asked-if"] = json.dumps(item.asked_if.as_dict())
            layouts[name] = dataclasses.replace(self.item_layout, group_attrs=attrs)
        for field in instrument.context_fields:
            self.fields[f"context_{field.key}"] = context_form_field(field)
        self.field_layouts = layouts

    def option_label(self, option: Option) -> str:
        """Return an option's label as the form shows it: with its score, for staff."""
        if not self.option_scores_shown:
            return option.label
        return format_html(
            '{} <span class="text-body-secondary">({})</span>', option.label, option.value
        )

    def _asked(self, answers: dict[str, int | None]) -> dict[str, bool]:
        # Items are judged in order against answers already cleared by the skip logic.
        asked: dict[str, bool] = {}
        context = self.context_values() if hasattr(self, "cleaned_data") else {}
        for item in self.instrument.items:
            facts = Facts(answers=answers, scores={}, context=context)
            asked[item.number] = item.asked_if is None or item.asked_if.holds(facts)
            if not asked[item.number]:
                answers[item.number] = None
        return asked

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = {i.number: cleaned.get(answer_field(i.number)) for i in self.instrument.items}
        asked = self._asked(answers)
        for item in self.instrument.items:
            name = answer_field(item.number)
            cleaned[name] = answers[item.number]
            if asked[item.number] and not item.optional and answers[item.number] is None:
                if name not in self.errors:
                    self.add_error(name, self.error_required % {"number": item.number})
        return cleaned

    def answers(self) -> list[int | None]:
        """Return the cleaned answers in published item order (skipped items are None)."""
        return [self.cleaned_data.get(answer_field(i.number)) for i in self.instrument.items]

    def context_values(self) -> dict[str, bool]:
        """Return the context facts (ticked boxes and "yes" answers are True)."""
        return context_answers(self, self.instrument)

    def marks_required(self) -> bool:
        """Return True when the required items carry the required mark (some are optional)."""
        return form_mixes_required(self)

    def running_subtotals(self) -> list[tuple[str, str]]:
        """Return (label, comma-separated item numbers) of each subscale, and the total, that
        app.js sums as answers are chosen: only where the score is the plain sum of the
        chosen answers (no reverse-scored items, no exclusions), so the page never shows a
        sum the engine would not give. The saved score is always the engine's.
        """
        instrument = self.instrument
        if instrument.exclusions or any(item.reverse for item in instrument.items):
            return []
        sums = [(s.label, ",".join(s.items)) for s in instrument.subscales]
        if sums and instrument.has_total:
            scored = [item.number for item in instrument.items if item.scored]
            sums.append((instrument.total_label, ",".join(scored)))
        return sums

    def item_fields(self) -> list[forms.BoundField]:
        """Return the bound item fields, in published order."""
        return [self[answer_field(i.number)] for i in self.instrument.items]

    def context_fields(self) -> list[forms.BoundField]:
        """Return the bound context checkboxes."""
        return [self[f"context_{f.key}"] for f in self.instrument.context_fields]
