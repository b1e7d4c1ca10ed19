"""Instruments for tests: scoring by code, valid-answer strategies, answers and form bodies."""

from typing import Any

from hypothesis import strategies as st

from openrecovery.instruments.engine import Facts, Instrument, Score, score
from openrecovery.instruments.registry import INSTRUMENTS

# The contract: every code and its bands, in order of increasing severity or concern.
BAND_ORDER: dict[str, tuple[str, ...]] = {
    "phq9": ("minimal", "mild", "moderate", "moderately_severe", "severe"),
    "gad7": ("minimal", "mild", "moderate", "severe"),
    "cssrs": ("none", "low", "moderate", "high"),
    "taps1": ("negative", "positive"),
    "taps2": ("none", "problem_use", "higher_risk"),
    "dast10": ("none", "low", "moderate", "substantial", "severe"),
    "bam": ("none", "one_domain", "two_domains", "three_domains"),
    "ciwab": ("none", "mild", "moderate", "severe", "very_severe"),
    "dsm5-sedative": ("none", "mild", "moderate", "severe"),
}


# Answers for administering (None leaves an item blank).
PHQ9_MODERATE = [2, 2, 1, 1, 2, 1, 1, 1, 0, 1]  # total 11, item 9 negative
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1, None]  # total 9, item 9 positive
CSSRS_HIGH = [1, 1, 1, 1, 0, 0, None]  # Q4 (intent) yes
CSSRS_MODERATE = [1, 1, 1, 0, 0, 0, None]  # Q3 (method) yes
CSSRS_LOW = [1, 0, None, None, None, 0, None]
CSSRS_NONE = [0, 0, None, None, None, 0, None]


def run(code: str, answers: list[Any], context: dict[str, Any] | None = None) -> Score:
    """Score ``answers`` with the registered instrument ``code``."""
    return score(INSTRUMENTS[code], answers, context)


def asked(instrument: Instrument, answers: dict[str, int | None], number: str) -> bool:
    """Return whether the skip logic asks item ``number`` given the answers so far."""
    item = instrument.item(number)
    facts = Facts(answers=answers, scores={}, context={})
    return item.asked_if is None or item.asked_if.holds(facts)


def complete(instrument: Instrument, given: dict[str, int | None]) -> list[int | None]:
    """Return a full answer list: ``given`` answers, the lowest option for other asked
    items, and null for skipped ones (items are only gated by earlier items)."""
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        if not asked(instrument, answers, item.number):
            answers[item.number] = None
        elif item.number in given:
            answers[item.number] = given[item.number]
        else:
            answers[item.number] = min(item.values)
    return [answers[i.number] for i in instrument.items]


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument) -> list[int | None]:
    """Draw an answer list the skip logic accepts (optional items sometimes null)."""
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        if not asked(instrument, answers, item.number):
            answers[item.number] = None
        elif item.optional and draw(st.booleans()):
            answers[item.number] = None
        else:
            answers[item.number] = draw(st.sampled_from(item.values))
    return [answers[i.number] for i in instrument.items]


def form_data(code: str, answers: list[int | None], **extra) -> dict:
    """Return the POST body answering ``code``'s items in order (None leaves one blank)."""
    items = INSTRUMENTS[code].items
    data = {
        f"item_{item.number}": str(answer)
        for item, answer in zip(items, answers, strict=False)
        if answer is not None
    }
    data.update(extra)
    return data
