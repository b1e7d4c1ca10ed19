"""Carry the pre-screen forward into the intake: prefilled, editable drafts with their source.

When an inquiry becomes a patient the helpline hands its pre-screen to the episode
(``records.EpisodeHandoff``). The intake offers each substance row as a prefilled "add
a substance" form, and fills sections nobody has saved yet, each saying where it came
from ("From pre-screen, Dec 1 by J. Smith"). Nothing is the intake's own until a
clinician checks it and saves it. Pure functions of the handoff, easy to test.
"""

import dataclasses
import datetime as dt
import re
from typing import Any

from django.utils import timezone

from openrecovery.medications.choices import DrugClass
from openrecovery.medications.matching import medications_in
from openrecovery.records.models import EpisodeHandoff

from .choices import Frequency, Substance, YesNoUnknown

DETAIL_MAX = 100
ROW_KEY = "{handoff}:{row}"
# Benzodiazepines (and the cross-tolerant Z-drugs) come from the medication catalogue:
# those with a choice of their own first, in this order; any other one it recognizes,
# designer benzodiazepines included, is "other benzodiazepine".
OWN_CHOICES = (Substance.ALPRAZOLAM, Substance.CLONAZEPAM, Substance.LORAZEPAM, Substance.DIAZEPAM)
SEDATIVE_CLASSES = (DrugClass.BENZODIAZEPINE, DrugClass.Z_DRUG)
# The rest, by family.
SUBSTANCE_PATTERNS = (
    (Substance.ALCOHOL, r"alcohol|beer|wine|vodka|whisk|liquor|drink"),
    (
        Substance.OPIOIDS,
        r"opioid|oxy|fentanyl|heroin|hydrocodone|vicodin|percocet|morphine|methadone|"
        r"buprenorphine|suboxone|codeine|tramadol",
    ),
    (Substance.STIMULANTS, r"cocaine|crack|meth|amphetamine|adderall|ritalin|stimulant"),
    (Substance.CANNABIS, r"cannabis|marijuana|weed|thc"),
)
FREQUENCY_PATTERNS = (
    (Frequency.SEVERAL_DAILY, r"several|times a day|twice a day|\b[2-9] ?x|tid|bid|qid"),
    (Frequency.DAILY, r"daily|every day|each day|nightly|every night|a day"),
    (Frequency.MOST_DAYS, r"most days|[3-6] (days|times) a week"),
    (Frequency.WEEKLY, r"weekly|once a week|weekend"),
    (Frequency.OCCASIONAL, r"occasional|sometimes|now and then|rarely"),
)
DAYS_AGO = re.compile(r"(\d+|one|two|three|four|five|six|seven) days? ago")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
YESTERDAY = re.compile(r"yesterday|last night")
TODAY = re.compile(r"today|this morning|this afternoon|this evening|tonight|hours? ago")


@dataclasses.dataclass(frozen=True)
class SubstanceDraft:
    """A substance row to add, prefilled from a pre-screen row, with its source."""

    key: str
    source: str
    initial: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class SectionDraft:
    """Answers to prefill an unsaved intake section with, and their source."""

    source: str
    initial: dict[str, Any]


def handoff_source(handoff: EpisodeHandoff) -> str:
    """Return how a draft names its source: "From pre-screen, Dec 1 by J. Smith"."""
    when = timezone.localtime(handoff.recorded_at)
    day = f"{when:%b} {when.day}" + (
        "" if when.year == timezone.localdate().year else f", {when.year}"
    )
    who = handoff.recorded_by
    by = f" by {(who.get_full_name() or who.get_username()).strip()}" if who is not None else ""
    return f"From {handoff.get_source_display().lower()}, {day}{by}"


def _match(patterns: Any, text: str, default: str = "") -> str:
    for value, pattern in patterns:
        if re.search(pattern, text, re.IGNORECASE):
            return str(value)
    return default


def substance_choice(name: str) -> str:
    """Return the intake's substance choice for a free-text name (OTHER if none fits)."""
    sedatives = [m for m in medications_in(name) if m.drug_class in SEDATIVE_CLASSES]
    if sedatives:
        named = {m.medication.code for m in sedatives if m.medication is not None}
        own = next((choice for choice in OWN_CHOICES if choice.value in named), None)
        return str(own or Substance.OTHER_BENZODIAZEPINE)
    return _match(SUBSTANCE_PATTERNS, name, Substance.OTHER)


def _last_use_date(text: str, recorded: dt.datetime) -> dt.date | None:
    """Return the date a free-text "last use" names, counted from when it was recorded."""
    day = timezone.localtime(recorded).date()
    text = text.strip().lower()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    if found := DAYS_AGO.search(text):
        count = found.group(1)
        return day - dt.timedelta(days=int(NUMBERS.get(count, count)))
    if YESTERDAY.search(text):
        return day - dt.timedelta(days=1)
    if TODAY.search(text):
        return day
    return None


def substance_initial(row: dict[str, str], recorded: dt.datetime) -> dict[str, Any]:
    """Map a pre-screen row (free text) onto the intake's substance fields.

    What does not map onto a choice or a date stays in the detail, so nothing is lost.
    """
    name = row.get("substance", "").strip()
    frequency = _match(FREQUENCY_PATTERNS, row.get("frequency", ""))
    last_use = _last_use_date(row.get("last_use", ""), recorded)
    extra = [name]
    if row.get("frequency") and not frequency:
        extra.append(row["frequency"].strip())
    if row.get("last_use") and last_use is None:
        extra.append(f"last use {row['last_use'].strip()}")
    return {
        "substance": substance_choice(name),
        "detail": "; ".join(e for e in extra if e)[:DETAIL_MAX],
        "amount": row.get("dose", "").strip(),
        "frequency": frequency,
        "duration": row.get("duration", "").strip(),
        "last_use": last_use,
    }


def substance_drafts(handoffs: list[EpisodeHandoff], taken: set[str]) -> list[SubstanceDraft]:
    """Return the pre-screen's substance rows not yet added (``taken`` keys), as drafts.

    Alcohol co-use without an alcohol row becomes a row of its own.
    """
    drafts = []
    for handoff in handoffs:
        source = handoff_source(handoff)
        rows = [r for r in handoff.data.get("substances", []) if isinstance(r, dict)]
        initials = [substance_initial(r, handoff.recorded_at) for r in rows]
        if handoff.data.get("alcohol_co_use") and not any(
            i["substance"] == Substance.ALCOHOL for i in initials
        ):
            initials.append(substance_initial({"substance": "Alcohol"}, handoff.recorded_at))
        for number, initial in enumerate(initials):
            key = ROW_KEY.format(handoff=handoff.pk, row=number)
            if key not in taken:
                drafts.append(SubstanceDraft(key, source, initial))
    return drafts


def _yes(value: Any) -> str:
    return YesNoUnknown.YES if value else ""


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def section_drafts(handoffs: list[EpisodeHandoff]) -> dict[str, SectionDraft]:
    """Return prefills for the intake sections from the latest pre-screen handed over.

    Only what the pre-screen recorded as present is carried (a "no" there means "not
    reported", which the clinician still has to ask).
    """
    if not handoffs:
        return {}
    handoff = handoffs[-1]
    data, source = handoff.data, handoff_source(handoff)
    hours = data.get("hours_since_last_dose")
    now = _lines(
        "Withdrawal symptoms at the pre-screen." if data.get("withdrawal_now") else "",
        f"Last dose {hours} hours before the pre-screen." if hours is not None else "",
    )
    drafts = {
        "withdrawal_history": {
            "withdrawal_seizures": _yes(data.get("withdrawal_seizures")),
            "withdrawal_delirium": _yes(data.get("withdrawal_complications")),
            "current_withdrawal": (
                "complicated" if data.get("withdrawal_seizure_or_confusion_now") else ""
            ),
            "withdrawal_notes": now,
        },
        "medical": {
            "conditions": _lines(
                "Pregnant (pre-screen)." if data.get("pregnancy") == "yes" else "",
                data.get("medical_conditions", ""),
            ),
            "medications": _lines(
                f"Prescriber: {data['current_prescriber']}"
                if data.get("current_prescriber")
                else ""
            ),
        },
        "psychiatric": {
            "history": data.get("psychiatric_conditions", ""),
            "suicidal_thoughts": _yes(data.get("suicidal_thoughts")),
        },
    }
    return {
        key: SectionDraft(source, {k: v for k, v in initial.items() if v})
        for key, initial in drafts.items()
        if any(initial.values())
    }
