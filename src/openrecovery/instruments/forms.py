"""The administration form, built from an instrument's definition."""

import dataclasses
import json
from typing import Any

from django import forms

from .engine import Answer, Facts, Instrument, Item
from .services import answer_field

ERROR_REQUIRED = "Choose an answer to item %(number)s."


@dataclasses.dataclass(frozen=True)
class OptionRow:
    value: int
    label: str
    input_id: str
    checked: bool


@dataclasses.dataclass(frozen=True)
class ItemRow:
    """One item as the template draws it: a fieldset of labelled radio buttons."""

    item: Item
    name: str
    options: list[OptionRow]
    required: bool
    asked_if_json: str
    skip_hint: str
    errors: list[str]


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


class AdministrationForm(forms.Form):
    """One radio group per item and one checkbox per context field of ``instrument``.

    Every item field is optional at the field level; ``clean`` applies the skip logic
    (answers to skipped items are dropped) and names each required item left blank.
    """

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[answer_field(item.number)] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(o.value, o.label) for o in item.options],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        for field in instrument.context_fields:
            self.fields[f"context_{field.key}"] = forms.BooleanField(
                label=field.label, required=False
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
                    self.add_error(name, ERROR_REQUIRED % {"number": item.number})
        return cleaned

    def answers(self) -> list[int | None]:
        """Return the cleaned answers in published item order (skipped items are None)."""
        return [self.cleaned_data.get(answer_field(i.number)) for i in self.instrument.items]

    def context_values(self) -> dict[str, bool]:
        """Return the context facts (ticked boxes are True)."""
        return {
            f.key: bool(self.cleaned_data.get(f"context_{f.key}"))
            for f in self.instrument.context_fields
        }

    def item_rows(self) -> list[ItemRow]:
        """Return the items with their options, current choice and errors, for the template."""
        current: dict[str, int | None] = {}
        for item in self.instrument.items:
            raw = self[answer_field(item.number)].value() if self.is_bound else None
            current[item.number] = (
                int(raw) if raw not in (None, "") and str(raw).isdigit() else None
            )
        rows = []
        for item in self.instrument.items:
            name = answer_field(item.number)
            rows.append(
                ItemRow(
                    item=item,
                    name=name,
                    options=[
                        OptionRow(
                            o.value, o.label, f"{name}_{o.value}", current[item.number] == o.value
                        )
                        for o in item.options
                    ],
                    required=not item.optional,
                    asked_if_json=json.dumps(item.asked_if.as_dict()) if item.asked_if else "",
                    skip_hint=skip_hint(self.instrument, item),
                    errors=[str(e) for e in self.errors.get(name, [])] if self.is_bound else [],
                )
            )
        return rows

    def context_fields(self) -> list[forms.BoundField]:
        """Return the bound context checkboxes."""
        return [self[f"context_{f.key}"] for f in self.instrument.context_fields]
