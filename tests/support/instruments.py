"""Shared helpers for the instrument tests: scoring by code and valid-answer strategies."""

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
