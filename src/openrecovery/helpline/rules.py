"""Danger rules: banners computed from a pre-screen, each naming its source.

Pure functions of the answers, so they are easy to test and to show beside their
sources. They support the coordinator; a clinician decides. No rule ever advises
stopping a benzodiazepine: the guideline says to avoid abrupt discontinuation.
"""

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from openrecovery.medications.choices import DrugClass
from openrecovery.medications.matching import mentions_class

from .choices import Pregnancy, RuleSeverity, Urgency

SOURCE_911 = "Emergency 911: for someone unresponsive, not breathing, seizing or overdosing"
SOURCE_988 = "988 Suicide & Crisis Lifeline (call or text 988, 24/7; 988lifeline.org)"
SOURCE_SUPERVISED = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering (Brunner et al., "
    "J Gen Intern Med 2025), rec. 2 (avoid abrupt discontinuation), rec. 5 (consider "
    "inpatient care for imminent harm or complicated withdrawal), rec. 12 (severe or "
    "complicated withdrawal is managed inpatient or residential)"
)
SOURCE_NALOXONE = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, rec. 17 (offer "
    "naloxone with opioids); FDA boxed warnings on benzodiazepines with opioids (2016) "
    "and for all benzodiazepines (23 Sep 2020)"
)
SOURCE_NO_ABRUPT_STOP = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, rec. 2 (avoid abrupt "
    "discontinuation); FDA boxed warning for all benzodiazepines (23 Sep 2020: withdrawal "
    "reactions)"
)
SOURCE_WITHDRAWAL_NOW = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, rec. 2 (avoid abrupt "
    "discontinuation), rec. 12 (severe or complicated withdrawal is managed inpatient or "
    "residential, with vital signs and seizure-risk assessment); FDA boxed warning for all "
    "benzodiazepines (23 Sep 2020: withdrawal reactions, including seizures)"
)
SOURCE_WITHDRAWAL_911 = (
    SOURCE_911 + "; 2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, rec. 12 "
    "(complicated withdrawal needs medical management)"
)
SOURCE_PREGNANCY = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, rec. 5 (complicating "
    "comorbidity: consider inpatient care)"
)

MESSAGE_911 = (
    "Signs of overdose: call 911 now (or tell the caller to). Stay on the line until help "
    "arrives; give naloxone if opioids may be involved."
)
MESSAGE_988 = (
    "Suicidal thoughts: warm hand-off to the 988 Suicide & Crisis Lifeline now (call or "
    "text 988). Stay with the caller; call 911 if they are in immediate danger."
)
MESSAGE_SUPERVISED = (
    "Medically supervised withdrawal is likely needed ({reasons}). Do not advise stopping "
    "abruptly or cutting down alone; a clinician plans any taper."
)
MESSAGE_NALOXONE = (
    "Opioids with a sedative: overdose risk is high. Offer naloxone and explain that it "
    "reverses only the opioid part of a mixed overdose."
)
MESSAGE_NO_ABRUPT_STOP = (
    "Benzodiazepine use: tell the caller not to stop suddenly; stopping abruptly after "
    "regular use can cause seizures. A clinician will plan any change."
)
MESSAGE_WITHDRAWAL_NOW = (
    "Withdrawal now from a benzodiazepine or alcohol{since}: urgent, arrange a medical "
    "assessment today. This withdrawal can cause seizures: do not advise stopping or "
    "cutting down; a clinician decides what to take. Call 911 if a seizure, confusion or "
    "hallucinations start."
)
MESSAGE_WITHDRAWAL_911 = (
    "Seizure or confusion during withdrawal: call 911 now (or tell the caller to). Stay on "
    "the line; do not give anything by mouth to someone who is seizing or not fully awake."
)
MESSAGE_PREGNANCY = (
    "Pregnancy: route to a clinician today; withdrawal and medication changes need "
    "medical supervision."
)

# Benzodiazepines are found by the medication catalogue: every name, brand, street word
# and designer benzodiazepine it knows, by whole word and with common misspellings.
BENZODIAZEPINES = (DrugClass.BENZODIAZEPINE,)
ALCOHOL = re.compile(r"alcohol|beer|wine|vodka|whisk|liquor|drink", re.IGNORECASE)

SEVERITY_URGENCY = {
    RuleSeverity.EMERGENCY: Urgency.URGENT,
    RuleSeverity.URGENT: Urgency.URGENT,
    RuleSeverity.HIGH: Urgency.HIGH,
    RuleSeverity.INFO: Urgency.NORMAL,
}
SEVERITY_ORDER = (
    RuleSeverity.EMERGENCY,
    RuleSeverity.URGENT,
    RuleSeverity.HIGH,
    RuleSeverity.INFO,
)
# Flags of the instruments and of the public benzodiazepine self-check.
SELF_CHECK_URGENT_FLAGS = frozenset({"suicide_risk", "urgent_review", "self_harm"})
SELF_CHECK_HIGH_FLAGS = frozenset({"seizure_risk", "mixing_risk"})
SELF_CHECK_HIGH_BANDS = frozenset({"severe", "moderately_severe", "substantial"})
SELF_CHECK_HIGH_BANDS_BY_CODE = {
    "cssrs": frozenset({"moderate", "high"}),
    "benzo-selfcheck": frozenset({"many_signs"}),
}


@dataclasses.dataclass(frozen=True)
class DangerRule:
    """A banner for the coordinator: what to do now, and where the advice comes from."""

    code: str
    severity: str
    message: str
    source: str


def _names(substances: Any) -> list[str]:
    return [
        str(row.get("substance", "") if isinstance(row, dict) else row) for row in substances or []
    ]


def _uses(pattern: re.Pattern[str], substances: Any) -> bool:
    return any(pattern.search(name) for name in _names(substances))


def _uses_benzodiazepine(substances: Any) -> bool:
    return any(mentions_class(name, BENZODIAZEPINES) for name in _names(substances))


def _since_last_dose(hours: int | None) -> str:
    if hours is None:
        return ""
    if hours < 48:
        return f", last dose {hours} hour{'s' if hours != 1 else ''} ago"
    return f", last dose {hours // 24} days ago"


def _withdrawal_rules(prescreen: Any) -> list[DangerRule]:
    """Return the rules for withdrawal happening now (seizure or confusion: 911)."""
    rules = []
    if getattr(prescreen, "withdrawal_seizure_or_confusion_now", False):
        rules.append(
            DangerRule(
                "withdrawal_911",
                RuleSeverity.EMERGENCY,
                MESSAGE_WITHDRAWAL_911,
                SOURCE_WITHDRAWAL_911,
            )
        )
    sedative = prescreen.alcohol_co_use or _uses_benzodiazepine(prescreen.substances)
    sedative = sedative or _uses(ALCOHOL, prescreen.substances)
    if getattr(prescreen, "withdrawal_now", False) and sedative:
        since = _since_last_dose(getattr(prescreen, "hours_since_last_dose", None))
        rules.append(
            DangerRule(
                "withdrawal_now",
                RuleSeverity.URGENT,
                MESSAGE_WITHDRAWAL_NOW.format(since=since),
                SOURCE_WITHDRAWAL_NOW,
            )
        )
    return rules


def danger_rules(prescreen: Any) -> list[DangerRule]:
    """Return the danger rules that fire for ``prescreen``, most severe first.

    ``prescreen`` is a PreScreen or anything with the same attributes.
    """
    rules: list[DangerRule] = []
    if prescreen.overdose_signs:
        rules.append(DangerRule("overdose_911", RuleSeverity.EMERGENCY, MESSAGE_911, SOURCE_911))
    if prescreen.suicidal_thoughts:
        rules.append(DangerRule("suicide_988", RuleSeverity.URGENT, MESSAGE_988, SOURCE_988))
    rules.extend(_withdrawal_rules(prescreen))
    reasons = [
        text
        for present, text in (
            (getattr(prescreen, "withdrawal_now", False), "withdrawal symptoms now"),
            (prescreen.withdrawal_seizures, "past withdrawal seizures"),
            (prescreen.withdrawal_complications, "past withdrawal complications"),
            (prescreen.alcohol_co_use, "alcohol co-use"),
            (prescreen.opioid_co_use, "opioid co-use"),
        )
        if present
    ]
    if reasons:
        message = MESSAGE_SUPERVISED.format(reasons=", ".join(reasons))
        rules.append(
            DangerRule("supervised_withdrawal", RuleSeverity.HIGH, message, SOURCE_SUPERVISED)
        )
    if prescreen.opioid_co_use:
        rules.append(DangerRule("naloxone", RuleSeverity.HIGH, MESSAGE_NALOXONE, SOURCE_NALOXONE))
    if prescreen.pregnancy == Pregnancy.YES:
        rules.append(
            DangerRule("pregnancy", RuleSeverity.HIGH, MESSAGE_PREGNANCY, SOURCE_PREGNANCY)
        )
    if _uses_benzodiazepine(prescreen.substances):
        rules.append(
            DangerRule(
                "no_abrupt_stop", RuleSeverity.INFO, MESSAGE_NO_ABRUPT_STOP, SOURCE_NO_ABRUPT_STOP
            )
        )
    # Stable: rules of one severity keep the order above.
    rules.sort(key=lambda rule: SEVERITY_ORDER.index(rule.severity))
    return rules


def urgency_from_rules(rules: list[DangerRule]) -> int:
    """Return the queue urgency the most severe rule calls for (NORMAL when none fire)."""
    return min((SEVERITY_URGENCY[RuleSeverity(r.severity)] for r in rules), default=Urgency.NORMAL)


def urgency_from_self_check(self_check: dict[str, Any] | None) -> int:
    """Return the urgency a verified self-check result calls for.

    A suicide or self-harm flag (PHQ-9 item 9, C-SSRS high risk, the self-check's
    self-harm question) makes the callback urgent; seizure or mixing risk, or a severe
    band, makes it high.
    """
    if not self_check:
        return Urgency.NORMAL
    flags = set(self_check.get("flags", ()))
    if SELF_CHECK_URGENT_FLAGS & flags:
        return Urgency.URGENT
    if SELF_CHECK_HIGH_FLAGS & flags:
        return Urgency.HIGH
    high = SELF_CHECK_HIGH_BANDS_BY_CODE.get(self_check.get("code", ""), SELF_CHECK_HIGH_BANDS)
    if self_check.get("band") in high:
        return Urgency.HIGH
    return Urgency.NORMAL


# What the public benzodiazepine self-check's flags and top band ask of the coordinator.
SOURCE_MIXING = SOURCE_NALOXONE
SOURCE_OVERUSE = (
    "FDA boxed warning for all benzodiazepines (23 Sep 2020: abuse, misuse, addiction and "
    "overdose); DEA public safety alert on counterfeit pills containing fentanyl (27 Sep 2021)"
)
SOURCE_MANY_SIGNS = (
    "DSM-5-TR sedative, hypnotic, or anxiolytic use disorder (6 or more criteria: severe); "
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, rec. 2 (avoid abrupt "
    "discontinuation)"
)
MESSAGE_MIXING = (
    "Benzodiazepines taken with alcohol, opioids or other sedatives: overdose risk is high. "
    "Ask what else they take; offer naloxone if opioids may be involved (it reverses only "
    "the opioid part)."
)
MESSAGE_OVERUSE = (
    "More than prescribed, or pills not from a pharmacy: counterfeit pills may contain "
    "fentanyl. Ask where the pills come from and offer naloxone; do not advise stopping "
    "suddenly."
)
MESSAGE_MANY_SIGNS = (
    "Many signs of a benzodiazepine problem (6 or more): route to a clinician for an "
    "assessment soon. Do not advise stopping abruptly; a clinician plans any taper."
)
SELF_CHECK_FLAG_RULES = {
    "self_harm": DangerRule("suicide_988", RuleSeverity.URGENT, MESSAGE_988, SOURCE_988),
    "seizure_risk": DangerRule(
        "supervised_withdrawal",
        RuleSeverity.HIGH,
        MESSAGE_SUPERVISED.format(reasons="a seizure when cutting down"),
        SOURCE_SUPERVISED,
    ),
    "mixing_risk": DangerRule("mixing_overdose", RuleSeverity.HIGH, MESSAGE_MIXING, SOURCE_MIXING),
    "overuse": DangerRule("overuse", RuleSeverity.HIGH, MESSAGE_OVERUSE, SOURCE_OVERUSE),
}
SELF_CHECK_BAND_RULES = {
    ("benzo-selfcheck", "many_signs"): DangerRule(
        "many_signs", RuleSeverity.HIGH, MESSAGE_MANY_SIGNS, SOURCE_MANY_SIGNS
    ),
}
SEVERITY_ORDER = (RuleSeverity.EMERGENCY, RuleSeverity.URGENT, RuleSeverity.HIGH, RuleSeverity.INFO)


def self_check_rules(
    self_check: dict[str, Any] | None, *, already: Sequence[DangerRule] = ()
) -> list[DangerRule]:
    """Return the danger rules a verified self-check calls for, most severe first.

    The stored codes (flags, band) stay as they are; these are the same banners the
    pre-screen shows. Rules whose code fired in ``already`` (the pre-screen's) are left
    out, so one danger gets one banner.
    """
    if not self_check:
        return []
    fired = {rule.code for rule in already}
    rules = [
        SELF_CHECK_FLAG_RULES[f] for f in self_check.get("flags", ()) if f in SELF_CHECK_FLAG_RULES
    ]
    band_rule = SELF_CHECK_BAND_RULES.get((self_check.get("code", ""), self_check.get("band", "")))
    if band_rule is not None:
        rules.append(band_rule)
    unique = {rule.code: rule for rule in rules if rule.code not in fired}
    return sorted(
        unique.values(), key=lambda rule: SEVERITY_ORDER.index(RuleSeverity(rule.severity))
    )
