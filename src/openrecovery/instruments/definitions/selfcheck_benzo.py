"""The public, anonymous self-check "Could my use be a problem?" for benzodiazepines.

Plain-language yes/no questions built from the signs of benzodiazepine misuse and
addiction a treatment center lists (REFERENCE.md section 8), each mapped to the one
DSM-5-TR criterion it paraphrases (section 2), so the count of signs follows the
DSM-5-TR count (2-3, 4-5, 6 or more). It is not a validated screen and never
diagnoses: the bands speak of "signs", and a clinician makes any diagnosis.

Danger questions are not counted; they raise flags the result page shows first.
"""

from ..engine import (
    Answer,
    Band,
    Exclusion,
    Flag,
    Instrument,
    Item,
    Option,
    all_of,
)

YES_NO = (Option(1, "Yes"), Option(0, "No"))

# Item numbers of the questions, by what they ask.
PRESCRIBED = "1"
OVERUSE = "2"
MIXING = "14"
SEIZURE = "15"
SELF_HARM = "16"

# Each counted question and the DSM-5-TR criterion (1-11, paraphrased in
# definitions/dsm5_sedative.py) it corresponds to: exactly one question per criterion,
# so the total is the number of criteria the answers point to.
DSM5_CRITERION_BY_ITEM: dict[str, int] = {
    "3": 1,
    "4": 2,
    "5": 3,
    "6": 4,
    "7": 5,
    "8": 6,
    "9": 7,
    "10": 8,
    "11": 9,
    "12": 10,
    "13": 11,
}

# The popular "four Cs" have no primary source (REFERENCE.md section 8); this is how
# each corresponds to DSM-5-TR criteria. Tolerance and withdrawal (10, 11) are none of them.
FOUR_CS_DSM5_CRITERIA: dict[str, tuple[int, ...]] = {
    "control": (1, 2),
    "compulsion": (3, 7),
    "cravings": (4,),
    "consequences": (5, 6, 8, 9),
}

# How the form groups the questions: (heading, item numbers).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("How you take it", (PRESCRIBED, OVERUSE)),
    ("In the past 12 months", tuple(DSM5_CRITERION_BY_ITEM)),
    ("Your safety", (MIXING, SEIZURE, SELF_HARM)),
)


def _sign(number: str, text: str) -> Item:
    return Item(number, text, YES_NO)


def _unscored(number: str, text: str) -> Item:
    return Item(number, text, YES_NO, scored=False)


BENZO_SELFCHECK = Instrument(
    code="benzo-selfcheck",
    name='Benzodiazepine self-check: "Could my use be a problem?"',
    version="openrecovery-2025.1",
    description="An anonymous self-check for the public site. It counts signs that "
    "correspond to the DSM-5-TR criteria and asks about dangers; it explains, it does "
    "not diagnose.",
    timeframe="Benzodiazepines ('benzos') include alprazolam (Xanax), clonazepam "
    "(Klonopin), diazepam (Valium) and lorazepam (Ativan). Think of the past 12 months.",
    total_label="Signs",
    items=(
        _unscored(
            PRESCRIBED,
            "Is a doctor prescribing the benzodiazepine you take, and do you take it only "
            "as prescribed?",
        ),
        _unscored(
            OVERUSE,
            "Do you sometimes take more than prescribed, take it more often, or take pills "
            "that were not prescribed to you (for example from a friend or bought on the "
            "street)?",
        ),
        _sign("3", "Have you often taken more of it, or for longer, than you meant to?"),
        _sign("4", "Have you wanted to cut down, or tried to cut down and not managed to?"),
        _sign(
            "5",
            "Do you spend a lot of time getting pills (for example seeing several doctors "
            "for more prescriptions), taking them, or getting over their effects?",
        ),
        _sign("6", "Have you had strong cravings or urges to take it?"),
        _sign("7", "Have you fallen behind at home, at work or at school because of it?"),
        _sign(
            "8",
            "Have you kept taking it even though it caused arguments or trouble with "
            "family or friends?",
        ),
        _sign(
            "9",
            "Have you pulled away from people, or given up things you used to enjoy, "
            "because of it?",
        ),
        _sign(
            "10",
            "Have you taken it when it could be dangerous, such as before driving, or been "
            "drowsy, unsteady or 'nodding off' when you needed to be alert?",
        ),
        _sign(
            "11",
            "Have you kept taking it even though it seemed to cause or worsen a health "
            "problem, such as memory gaps, changes in sleep or appetite, or low mood?",
        ),
        _sign("12", "Do you need more than before to get the same effect?"),
        _sign(
            "13",
            "When you take less, miss a dose or it wears off, do you feel unwell (for "
            "example anxious, shaky, sweaty or unable to sleep), or take it to stop that "
            "feeling?",
        ),
        _unscored(
            MIXING,
            "Have you taken it with alcohol, with opioids (such as oxycodone, heroin, "
            "fentanyl or methadone) or with other sleeping pills?",
        ),
        _unscored(
            SEIZURE,
            "Have you ever had a seizure (a fit) when you cut down, stopped or missed doses?",
        ),
        _unscored(
            SELF_HARM,
            "Lately, have you had thoughts of hurting yourself, or that you would be "
            "better off dead?",
        ),
    ),
    exclusions=(
        Exclusion(
            ("12", "13"),
            all_of(Answer(PRESCRIBED, "==", 1), Answer(OVERUSE, "==", 0)),
            "Needing more for the same effect and feeling unwell without it do not count "
            "as signs for someone taking the medication only as prescribed (DSM-5-TR: "
            "tolerance and withdrawal under medical supervision).",
        ),
    ),
    bands=(
        Band("none_or_one", "No more than one of the signs", 0, 1),
        Band("few_signs", "A few of the signs (2 or 3)", 2, 3),
        Band("some_signs", "Several of the signs (4 or 5)", 4, 5),
        Band("many_signs", "Many of the signs (6 or more)", 6, 11),
    ),
    flags=(
        Flag(
            "self_harm",
            "Thoughts of self-harm: call or text 988 now; call 911 if in immediate danger",
            Answer(SELF_HARM, "==", 1),
        ),
        Flag(
            "seizure_risk",
            "A seizure when cutting down: withdrawal needs medical supervision",
            Answer(SEIZURE, "==", 1),
        ),
        Flag(
            "mixing_risk",
            "Taken with alcohol, opioids or other sedatives: a higher risk of overdose",
            Answer(MIXING, "==", 1),
        ),
        Flag(
            "overuse",
            "More than prescribed, or pills not prescribed (street pills may contain fentanyl)",
            Answer(OVERUSE, "==", 1),
        ),
    ),
    source="American Psychiatric Association. Diagnostic and Statistical Manual of Mental "
    "Disorders, Fifth Edition, Text Revision (DSM-5-TR). Washington, DC: American "
    "Psychiatric Association Publishing; 2022 (sedative, hypnotic, or anxiolytic use "
    "disorder criteria, paraphrased). American Society of Addiction Medicine. Definition "
    "of Addiction. Adopted 2019. Safety advice: Brunner E, et al. Joint Clinical Practice "
    "Guideline on Benzodiazepine Tapering. J Gen Intern Med. 2025 "
    "(doi:10.1007/s11606-025-09499-2), recs. 2 and 17; FDA boxed warning for "
    "benzodiazepines, 23 September 2020; 988 Suicide & Crisis Lifeline.",
    licence="Written for OpenRecovery (AGPL-3.0-or-later). The questions paraphrase the "
    "DSM-5-TR criteria (copyright the American Psychiatric Association) and do not "
    "reproduce them. Not a validated screening instrument: it never diagnoses.",
    notes="Answers are 1 (yes) or 0 (no), in item order. Items 3-13 are counted, one per "
    "DSM-5-TR criterion: "
    + "; ".join(f"item {i} -> criterion {c}" for i, c in DSM5_CRITERION_BY_ITEM.items())
    + ". Items 12 and 13 (tolerance, withdrawal) are left out of the count when item 1 is "
    "yes (taken only as prescribed) and item 2 is no. Bands follow the DSM-5-TR count (0-1, "
    "2-3, 4-5, 6 or more) but are worded as signs, never as a disorder. The four Cs map "
    "to criteria: "
    + "; ".join(
        f"{c} -> {', '.join(str(n) for n in ns)}" for c, ns in FOUR_CS_DSM5_CRITERIA.items()
    )
    + ". Items 1, 2 and 14-16 are not counted; items 2 and 14-16 raise the flags overuse, "
    "mixing_risk, seizure_risk and self_harm. Nothing is stored unless the person sends "
    "the result with a callback request.",
)
