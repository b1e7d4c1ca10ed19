"""The instrument engine: definitions as data, and one small pure scoring function.

An instrument is an ``Instrument`` value: items with their answer options, how the
total is formed (summed items, reverse-scored items, items excluded in a context),
subscales, bands (thresholds on a score, or ordered rules), flags, LOINC codes, the
source citation, the licence and a version. ``score()`` validates answers against
the definition and returns a ``Score``; it touches no database and no clock.

Conditions (``Answer``, ``ScoreIs``, ``InContext``, ``BandIs``, ``AnyOf``, ``AllOf``,
``Not``) are
small values that evaluate against the answers and computed scores, so skip logic,
rule-based bands and flags are data too. Every piece serializes with ``as_dict()``
for the API.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping, Sequence
from typing import Any

OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class AnswerError(ValueError):
    """Answers that do not fit the definition; ``item`` names the item ("" for the list)."""

    def __init__(self, item: str, message: str) -> None:
        super().__init__(f"item {item}: {message}" if item else message)
        self.item = item
        self.message = message


# --- conditions ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a condition can look at: answers by item number, scores by name, context."""

    answers: Mapping[str, int | None]
    scores: Mapping[str, int | None]
    context: Mapping[str, Any]
    band: str = ""


class Condition:
    """Base of the condition values."""

    def holds(self, facts: Facts) -> bool:
        raise NotImplementedError

    def as_dict(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Answer(Condition):
    """True when the answer to ``item`` compares to ``value`` (a missing answer is False)."""

    item: str
    op: str
    value: int

    def holds(self, facts: Facts) -> bool:
        answer = facts.answers.get(self.item)
        return answer is not None and OPERATORS[self.op](answer, self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"answer": self.item, "op": self.op, "value": self.value}


@dataclasses.dataclass(frozen=True)
class ScoreIs(Condition):
    """True when the score ``name`` ("total" or a subscale code) compares to ``value``."""

    name: str
    op: str
    value: int

    def holds(self, facts: Facts) -> bool:
        score = facts.scores.get(self.name)
        return score is not None and OPERATORS[self.op](score, self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.name, "op": self.op, "value": self.value}


@dataclasses.dataclass(frozen=True)
class InContext(Condition):
    """True when the context value ``key`` is true (e.g. ``medically_supervised``)."""

    key: str

    def holds(self, facts: Facts) -> bool:
        return facts.context.get(self.key) is True

    def as_dict(self) -> dict[str, Any]:
        return {"context": self.key}


@dataclasses.dataclass(frozen=True)
class BandIs(Condition):
    """True when the band chosen is ``code`` (usable in flags, which are judged last)."""

    code: str

    def holds(self, facts: Facts) -> bool:
        return facts.band == self.code

    def as_dict(self) -> dict[str, Any]:
        return {"band": self.code}


@dataclasses.dataclass(frozen=True)
class AnyOf(Condition):
    conditions: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return any(c.holds(facts) for c in self.conditions)

    def as_dict(self) -> dict[str, Any]:
        return {"any": [c.as_dict() for c in self.conditions]}


@dataclasses.dataclass(frozen=True)
class AllOf(Condition):
    conditions: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return all(c.holds(facts) for c in self.conditions)

    def as_dict(self) -> dict[str, Any]:
        return {"all": [c.as_dict() for c in self.conditions]}


@dataclasses.dataclass(frozen=True)
class Not(Condition):
    condition: Condition

    def holds(self, facts: Facts) -> bool:
        return not self.condition.holds(facts)

    def as_dict(self) -> dict[str, Any]:
        return {"not": self.condition.as_dict()}


def any_of(*conditions: Condition) -> AnyOf:
    return AnyOf(tuple(conditions))


def all_of(*conditions: Condition) -> AllOf:
    return AllOf(tuple(conditions))


# --- definition parts ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Option:
    """One answer option: the value sent and stored, its label and LOINC answer code."""

    value: int
    label: str
    loinc: str = ""


@dataclasses.dataclass(frozen=True)
class Item:
    """One question, in published order.

    ``scored`` items count towards the total; ``reverse`` items count as
    (max + min - answer); ``optional`` items may be omitted at the end of the list or
    sent as null; ``asked_if`` is skip logic: when it does not hold, the answer must be
    null, and when it holds the answer is required.
    """

    number: str
    text: str
    options: tuple[Option, ...]
    scored: bool = True
    reverse: bool = False
    optional: bool = False
    asked_if: Condition | None = None
    loinc: str = ""
    rated_by: str = "patient"  # or "observer" (clinician-rated)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)

    def points(self, answer: int) -> int:
        """Return the points an answer earns (reverse-scored items are mirrored)."""
        if self.reverse:
            return max(self.values) + min(self.values) - answer
        return answer


@dataclasses.dataclass(frozen=True)
class Subscale:
    """A named sum over some items (by number)."""

    code: str
    label: str
    items: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Band:
    """A severity band: chosen by a score range (``low``..``high``) or by a rule (``when``).

    Threshold bands cover ``basis`` (default the total). Rule bands are tried in order
    and the first that holds wins; a band with neither range nor rule is the default.
    """

    code: str
    label: str
    low: int | None = None
    high: int | None = None
    when: Condition | None = None
    basis: str = "total"

    def matches(self, facts: Facts) -> bool:
        if self.when is not None:
            return self.when.holds(facts)
        if self.low is None and self.high is None:
            return True
        value = facts.scores.get(self.basis)
        if value is None:
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclasses.dataclass(frozen=True)
class Flag:
    """A named alert raised when ``when`` holds (e.g. ``suicide_risk`` on PHQ-9 item 9)."""

    code: str
    label: str
    when: Condition


@dataclasses.dataclass(frozen=True)
class Exclusion:
    """Items left out of the total when ``when`` holds (e.g. DSM-5 tolerance under supervision)."""

    items: tuple[str, ...]
    when: Condition
    reason: str


@dataclasses.dataclass(frozen=True)
class ContextField:
    """A fact about the administration the scoring may use (sent as ``context``).

    A ``required`` fact must be answered yes or no: left unanswered it would silently
    count as "no", which changes the score.
    """

    key: str
    label: str
    kind: str = "boolean"
    required: bool = False


# Where an instrument's bands come from: the published instrument, a local clinical
# protocol (CIWA-B's severity bands are not in the paper), or this program's own summary
# of published subscales (the BAM's domain count). The UI says which.
BANDS_ORIGINS = {
    "published": "Published bands",
    "local_protocol": "Bands from a local protocol, not from the published instrument",
    "program_summary": "This program's own summary, not a published score",
}


@dataclasses.dataclass(frozen=True)
class Instrument:
    """A validated instrument as data: items, scoring, bands, flags, codes and source."""

    code: str
    name: str
    version: str
    timeframe: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    source: str
    licence: str
    description: str = ""
    has_total: bool = True
    total_label: str = "Total score"
    subscales: tuple[Subscale, ...] = ()
    flags: tuple[Flag, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    context_fields: tuple[ContextField, ...] = ()
    loinc_panel: str = ""
    loinc_total: str = ""
    notes: str = ""
    bands_origin: str = "published"

    def __post_init__(self) -> None:
        if self.bands_origin not in BANDS_ORIGINS:
            raise ValueError(f"{self.code}: unknown bands_origin {self.bands_origin!r}")

    @property
    def bands_origin_label(self) -> str:
        """Return where the bands come from, in words ("Published bands")."""
        return BANDS_ORIGINS[self.bands_origin]

    def subscale_values(self, stored: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """Return (label, value) for each subscale in ``stored``, in definition order."""
        return [(s.label, stored[s.code]) for s in self.subscales if s.code in stored]

    @property
    def required_count(self) -> int:
        """Return how many answers are required (trailing optional items may be left off)."""
        count = len(self.items)
        while count and self.items[count - 1].optional:
            count -= 1
        return count

    @property
    def total_range(self) -> tuple[int, int]:
        """Return the lowest and highest possible total."""
        scored = [i for i in self.items if i.scored]
        return sum(min(i.values) for i in scored), sum(max(i.values) for i in scored)

    def item(self, number: str) -> Item:
        return next(i for i in self.items if i.number == number)

    def band_label(self, code: str) -> str:
        return next((b.label for b in self.bands if b.code == code), code)

    def as_dict(self) -> dict[str, Any]:
        """Return the definition as JSON-ready data (the API's definition view)."""
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "timeframe": self.timeframe,
            "has_total": self.has_total,
            "total_range": list(self.total_range) if self.has_total else None,
            "items": [
                {
                    "number": i.number,
                    "text": i.text,
                    "options": [dataclasses.asdict(o) for o in i.options],
                    "scored": i.scored,
                    "reverse": i.reverse,
                    "optional": i.optional,
                    "asked_if": i.asked_if.as_dict() if i.asked_if else None,
                    "loinc": i.loinc,
                    "rated_by": i.rated_by,
                }
                for i in self.items
            ],
            "subscales": [dataclasses.asdict(s) for s in self.subscales],
            "bands": [
                {
                    "code": b.code,
                    "label": b.label,
                    "low": b.low,
                    "high": b.high,
                    "basis": b.basis,
                    "when": b.when.as_dict() if b.when else None,
                }
                for b in self.bands
            ],
            "flags": [
                {"code": f.code, "label": f.label, "when": f.when.as_dict()} for f in self.flags
            ],
            "exclusions": [
                {"items": list(e.items), "when": e.when.as_dict(), "reason": e.reason}
                for e in self.exclusions
            ],
            "context": [dataclasses.asdict(c) for c in self.context_fields],
            "bands_origin": self.bands_origin,
            "loinc_panel": self.loinc_panel,
            "loinc_total": self.loinc_total,
            "source": self.source,
            "licence": self.licence,
            "notes": self.notes,
        }


# --- scoring ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Score:
    """The result of scoring one set of answers."""

    code: str
    version: str
    total: int | None
    band: str
    flags: tuple[str, ...]
    subscales: dict[str, int]
    answers: tuple[int | None, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "total": self.total,
            "band": self.band,
            "flags": list(self.flags),
            "subscales": dict(self.subscales),
        }


def _validate(
    instrument: Instrument, answers: Sequence[Any], context: Mapping[str, Any]
) -> dict[str, int | None]:
    required, full = instrument.required_count, len(instrument.items)
    if not isinstance(answers, list | tuple):
        raise AnswerError("", "answers must be a list")
    if not required <= len(answers) <= full:
        expected = str(full) if required == full else f"{required} to {full}"
        raise AnswerError("", f"expected {expected} answers in item order, got {len(answers)}")
    for field in instrument.context_fields:
        value = context.get(field.key)
        if value is not None and not isinstance(value, bool):
            raise AnswerError("", f"context.{field.key} must be true or false")
        if value is None and field.required:
            raise AnswerError("", f"context.{field.key} is required: answer true or false")
    known = {f.key for f in instrument.context_fields}
    unknown = sorted(set(context) - known)
    if unknown:
        raise AnswerError("", f"unknown context field {unknown[0]!r}")

    by_number: dict[str, int | None] = {}
    for position, item in enumerate(instrument.items):
        raw = answers[position] if position < len(answers) else None
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise AnswerError(item.number, "answer must be a whole number or null")
        if raw is not None and raw not in item.values:
            allowed = ", ".join(str(v) for v in item.values)
            raise AnswerError(item.number, f"{raw} is not one of {allowed}")
        by_number[item.number] = raw

    facts = Facts(answers=by_number, scores={}, context=context)
    for item in instrument.items:
        answer = by_number[item.number]
        asked = item.asked_if is None or item.asked_if.holds(facts)
        if not asked and answer is not None:
            raise AnswerError(item.number, "must be null: the skip logic skips this item")
        if asked and answer is None and not item.optional:
            raise AnswerError(item.number, "an answer is required")
    return by_number


def score(
    instrument: Instrument, answers: Sequence[Any], context: Mapping[str, Any] | None = None
) -> Score:
    """Validate ``answers`` (in published item order) and score them.

    Raise AnswerError naming the item when an answer is missing, out of range, of
    the wrong type, or inconsistent with the skip logic.
    """
    context = dict(context or {})
    by_number = _validate(instrument, answers, context)
    facts = Facts(answers=by_number, scores={}, context=context)
    excluded = {number for e in instrument.exclusions if e.when.holds(facts) for number in e.items}

    def points(numbers: Sequence[str]) -> int:
        total = 0
        for number in numbers:
            item = instrument.item(number)
            answer = by_number[number]
            if answer is not None and number not in excluded:
                total += item.points(answer)
        return total

    scored = [i.number for i in instrument.items if i.scored]
    scores: dict[str, int | None] = {"total": points(scored) if instrument.has_total else None}
    subscales = {s.code: points(s.items) for s in instrument.subscales}
    scores.update(subscales)
    facts = Facts(answers=by_number, scores=scores, context=context)
    band = next(b.code for b in instrument.bands if b.matches(facts))
    facts = dataclasses.replace(facts, band=band)
    flags = tuple(f.code for f in instrument.flags if f.when.holds(facts))
    return Score(
        code=instrument.code,
        version=instrument.version,
        total=scores["total"],
        band=band,
        flags=flags,
        subscales=subscales,
        answers=tuple(by_number[i.number] for i in instrument.items),
    )
