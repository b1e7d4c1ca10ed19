"""Every shipped instrument, by code.

Ordered as a program uses them: screens (depression, anxiety, suicide risk, substance use),
then the substance-use monitoring measure, the withdrawal scale and the diagnostic checklist.
"""

from .definitions.bam import BAM
from .definitions.ciwab import CIWAB
from .definitions.cssrs import CSSRS
from .definitions.dast10 import DAST10
from .definitions.dsm5_sedative import DSM5_SEDATIVE
from .definitions.gad7 import GAD7
from .definitions.phq9 import PHQ9
from .definitions.selfcheck_benzo import BENZO_SELFCHECK
from .definitions.taps import TAPS1, TAPS2
from .engine import Instrument

INSTRUMENTS: dict[str, Instrument] = {
    i.code: i for i in (PHQ9, GAD7, CSSRS, TAPS1, TAPS2, DAST10, BAM, CIWAB, DSM5_SEDATIVE)
}
# Public self-checks: not validated instruments, so not listed for staff or in the chart.
SELF_CHECKS: dict[str, Instrument] = {BENZO_SELFCHECK.code: BENZO_SELFCHECK}


def instrument_get(code: str) -> Instrument | None:
    """Return the validated instrument with ``code`` (what staff administer), or None."""
    return INSTRUMENTS.get(code)


def self_check_get(code: str) -> Instrument | None:
    """Return the public self-check with ``code``, or None."""
    return SELF_CHECKS.get(code)


def public_definition_get(code: str) -> Instrument | None:
    """Return an instrument or a self-check: what the public scoring API serves."""
    return INSTRUMENTS.get(code) or SELF_CHECKS.get(code)
