"""Writes of withdrawal management (each atomic and audited; ids and codes in the log only).

- ``protocols``: the protocol in force and its revisions (new versions).
- ``assessments``: the CIWA-B reaction (judgement, due time, escalation) and vital signs.
- ``escalation``: who is alerted (the physician on call, else the clinical directors)
  and re-escalation of alerts nobody acknowledged.
- ``units``: unit stays, the on-call rota and seizure precautions.
"""

from .assessments import ciwab_follow_up, vitals_record
from .escalation import escalation_recipients, escalations_reescalate
from .protocols import protocol_current, protocol_revise
from .units import on_call_add, seizure_precautions_set, unit_assign, unit_of

__all__ = [
    "ciwab_follow_up",
    "escalation_recipients",
    "escalations_reescalate",
    "on_call_add",
    "protocol_current",
    "protocol_revise",
    "seizure_precautions_set",
    "unit_assign",
    "unit_of",
    "vitals_record",
]
