"""Placement prompts from open sources only: what the recorded data suggest considering.

The prompts come from the 2025 Joint Clinical Practice Guideline on Benzodiazepine
Tapering (Brunner E et al., J Gen Intern Med 2025, doi:10.1007/s11606-025-09499-2),
recommendations 2, 5, 12 and 17. They read only the intake's own answers and substance
rows, never the dimension ratings: no ASAM criteria or placement logic is reproduced.
They support a clinician, who decides; they never diagnose or place anyone.
"""

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from .choices import BENZODIAZEPINES, CNS_DEPRESSANTS, Substance, WithdrawalSeverity
from .models import IntakeAssessment

GUIDELINE = "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering"
CITATION = "Brunner E et al., J Gen Intern Med 2025, doi:10.1007/s11606-025-09499-2"
CONSIDER_INPATIENT = (
    "Consider medically managed or inpatient withdrawal management "
    "(2025 tapering guideline, rec. 5 and 12)."
)
YES = "yes"


@dataclasses.dataclass(frozen=True)
class Prompt:
    """One neutral prompt: why it shows, what to consider, and the source it comes from."""

    code: str
    finding: str
    consider: str
    source: str
    safety: bool = False


def _answer(sections: Mapping[str, Any], section: str, field: str) -> Any:
    return (sections.get(section) or {}).get(field)


def prompts_from(sections: Mapping[str, Any], substances: Iterable[str]) -> list[Prompt]:
    """Return the prompts for an intake's section answers and substance codes (pure)."""
    used = set(substances)
    prompts: list[Prompt] = []
    source = f"{GUIDELINE}, rec. 5 and 12 ({CITATION})"

    history = [
        label
        for field, label in (
            ("withdrawal_seizures", "withdrawal seizures"),
            ("withdrawal_delirium", "withdrawal delirium"),
        )
        if _answer(sections, "withdrawal_history", field) == YES
    ]
    if history:
        prompts.append(
            Prompt(
                "complicated_withdrawal_history",
                f"History of {' and '.join(history)} recorded.",
                CONSIDER_INPATIENT,
                source,
            )
        )
    current = _answer(sections, "withdrawal_history", "current_withdrawal")
    if current in (WithdrawalSeverity.SEVERE, WithdrawalSeverity.COMPLICATED):
        prompts.append(
            Prompt(
                "severe_withdrawal",
                f"{WithdrawalSeverity(current).label} withdrawal recorded.",
                CONSIDER_INPATIENT,
                source,
            )
        )
    harms = [
        label
        for field, label in (
            ("suicidal_thoughts", "current thoughts of suicide"),
            ("overdose_past_year", "an overdose in the past 12 months"),
            ("falls_recent", "falls or injuries while using"),
        )
        if _answer(sections, "psychiatric", field) == YES
    ]
    if harms:
        prompts.append(
            Prompt(
                "imminent_harm",
                f"Risk of imminent harm recorded: {', '.join(harms)}.",
                "Consider inpatient care and immediate safety measures "
                "(2025 tapering guideline, rec. 5).",
                f"{GUIDELINE}, rec. 5 ({CITATION})",
            )
        )
    comorbid = [
        label
        for section, label in (("medical", "medical"), ("psychiatric", "psychiatric"))
        if _answer(sections, section, "complicating_condition") is True
    ]
    if comorbid:
        prompts.append(
            Prompt(
                "complicating_comorbidity",
                f"A complicating {' and '.join(comorbid)} condition recorded.",
                "Consider medically managed or inpatient care (2025 tapering guideline, rec. 5).",
                f"{GUIDELINE}, rec. 5 ({CITATION})",
            )
        )
    benzodiazepines = used & BENZODIAZEPINES
    if benzodiazepines:
        prompts.append(
            Prompt(
                "no_abrupt_stop",
                "Benzodiazepine use recorded.",
                "Never stop a benzodiazepine abruptly after regular use: withdrawal can "
                "cause seizures and can be life-threatening (2025 tapering guideline, rec. 2).",
                f"{GUIDELINE}, rec. 2 ({CITATION})",
                safety=True,
            )
        )
        if used & CNS_DEPRESSANTS:
            depressants = sorted(Substance(s).label.lower() for s in used & CNS_DEPRESSANTS)
            consider = "Combined use sharply raises overdose risk."
            if Substance.OPIOIDS in used:
                consider += " Offer naloxone (2025 tapering guideline, rec. 17)."
            prompts.append(
                Prompt(
                    "cns_depressants",
                    f"Benzodiazepine use with {' and '.join(depressants)} recorded.",
                    consider,
                    f"{GUIDELINE}, rec. 17 ({CITATION})",
                    safety=True,
                )
            )
    return prompts


def placement_prompts(assessment: IntakeAssessment) -> list[Prompt]:
    """Return the prompts for an intake assessment (uses its prefetched substance rows)."""
    substances = [row.substance for row in assessment.substances.all()]
    return prompts_from(assessment.sections or {}, substances)
