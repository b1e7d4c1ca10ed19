"""The public self-check: its questions grouped for the form, and a result to explain.

Nothing here touches the database: the answers are scored, shown and forgotten. They
travel on only in the body of a POST the person chooses to send (never in a URL).
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

from django import forms

from openrecovery.core.renderers import FieldLayout
from openrecovery.instruments.definitions.dsm5_sedative import DSM5_SEDATIVE
from openrecovery.instruments.definitions.selfcheck_benzo import (
    BENZO_SELFCHECK,
    DSM5_CRITERION_BY_ITEM,
    SECTIONS,
)
from openrecovery.instruments.engine import AnswerError, Facts, Score, score
from openrecovery.instruments.forms import AdministrationForm
from openrecovery.instruments.services import answer_field

SELF_CHECK = BENZO_SELFCHECK
ANSWERS_FIELD = "self_check_answers"
# Ordered as the result page shows the danger messages: the most urgent first.
FLAG_ORDER = ("self_harm", "seizure_risk", "mixing_risk", "overuse")
ERROR_UNANSWERED = "Please answer this question."


class SelfCheckForm(AdministrationForm):
    """The self-check's form as the public sees it: a yes and a no button per question."""

    error_css_class = ""
    item_layout = FieldLayout(group_class="mb-3 pb-3 border-bottom", choices="buttons")
    error_required = ERROR_UNANSWERED
    option_scores_shown = False


@dataclasses.dataclass(frozen=True)
class Section:
    """A heading and the questions under it (item number and field), as the form draws them."""

    heading: str
    questions: list[tuple[str, forms.BoundField]]


@dataclasses.dataclass(frozen=True)
class Sign:
    """A question answered yes that counts, and the DSM-5-TR criterion it corresponds to."""

    question: str
    criterion: int
    criterion_text: str


@dataclasses.dataclass(frozen=True)
class SelfCheckResult:
    """What the result page explains: the count, the band, the flags and the signs."""

    score: Score
    signs: list[Sign]
    uncounted: list[str]  # questions answered yes but left out of the count
    encoded: str

    @property
    def band_label(self) -> str:
        return SELF_CHECK.band_label(self.score.band)

    @property
    def flags(self) -> list[str]:
        return [f for f in FLAG_ORDER if f in self.score.flags]

    @property
    def flag_labels(self) -> list[str]:
        labels = {f.code: f.label for f in SELF_CHECK.flags}
        return [labels[f] for f in self.flags]

    @property
    def possible(self) -> int:
        return len(DSM5_CRITERION_BY_ITEM)


def self_check_form(data: Mapping[str, Any] | None = None) -> SelfCheckForm:
    """Return the self-check form (bound to ``data`` when given)."""
    return SelfCheckForm(data, instrument=SELF_CHECK)


def self_check_sections(form: SelfCheckForm) -> list[Section]:
    """Return the form's questions grouped under the definition's headings."""
    return [
        Section(heading, [(n, form[answer_field(n)]) for n in numbers])
        for heading, numbers in SECTIONS
    ]


def answers_encode(answers: list[int | None]) -> str:
    """Return answers as the compact text a hidden form field carries ("1,0,...")."""
    return ",".join("" if a is None else str(a) for a in answers)


def answers_decode(raw: str | None) -> list[int | None] | None:
    """Return the answers carried by a hidden field, or None when they do not score."""
    if not raw or len(raw) > 4 * len(SELF_CHECK.items):
        return None
    parts = raw.split(",")
    if not all(p in ("", "0", "1") for p in parts):
        return None
    answers: list[int | None] = [None if p == "" else int(p) for p in parts]
    try:
        score(SELF_CHECK, answers)
    except AnswerError:
        return None
    return answers


def self_check_result(answers: list[int | None]) -> SelfCheckResult:
    """Score ``answers`` and collect what the result page explains (raise AnswerError)."""
    result = score(SELF_CHECK, answers)
    by_number = dict(zip((i.number for i in SELF_CHECK.items), result.answers, strict=True))
    facts = Facts(answers=by_number, scores={}, context={})
    excluded = {n for e in SELF_CHECK.exclusions if e.when.holds(facts) for n in e.items}
    signs, uncounted = [], []
    for number, criterion in DSM5_CRITERION_BY_ITEM.items():
        if by_number[number] != 1:
            continue
        question = SELF_CHECK.item(number).text
        if number in excluded:
            uncounted.append(question)
        else:
            criterion_text = DSM5_SEDATIVE.item(str(criterion)).text
            signs.append(Sign(question, criterion, criterion_text))
    return SelfCheckResult(result, signs, uncounted, answers_encode(list(result.answers)))


def self_check_payload(answers: list[int | None]) -> dict[str, Any]:
    """Return what the callback service stores for a self-check the person sends."""
    return {"code": SELF_CHECK.code, "answers": list(answers)}
