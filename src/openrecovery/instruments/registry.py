"""Every shipped instrument, by code."""

from .definitions.cssrs import CSSRS
from .definitions.phq9 import PHQ9
from .engine import Instrument

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (PHQ9, CSSRS)}


def instrument_get(code: str) -> Instrument | None:
    """Return the instrument with ``code``, or None."""
    return INSTRUMENTS.get(code)
