"""TAPS-1 and TAPS-2: the NIDA Tobacco, Alcohol, Prescription medication, and other Substance
use tool (screen, then brief assessment per substance)."""

from ..engine import Answer, Band, Flag, Instrument, Item, Option, ScoreIs, Subscale, any_of
from .answers import YES_NO

SOURCE = (
    "McNeely J, Wu LT, Subramaniam G, et al. Performance of the Tobacco, Alcohol, "
    "Prescription Medication, and Other Substance Use (TAPS) Tool for substance use "
    "screening in primary care patients. Ann Intern Med. 2016;165(10):690-699. "
    "NIDA Clinical Trials Network CTN-0059; the TAPS Tool as published by NIDA."
)
LICENCE = "Public domain (US government work, National Institute on Drug Abuse)."
FREQUENCY = (
    Option(0, "Never"),
    Option(1, "Less than monthly"),
    Option(2, "Monthly"),
    Option(3, "Weekly"),
    Option(4, "Daily or almost daily"),
)

# --- TAPS-1 -------------------------------------------------------------------------

TAPS1_SUBSTANCES = (
    (
        "tobacco",
        "Tobacco",
        "How often have you used any tobacco product (for example, cigarettes, "
        "e-cigarettes, cigars, pipes, or smokeless tobacco)?",
    ),
    (
        "alcohol",
        "Heavy drinking",
        "How often have you had 5 or more drinks containing alcohol in one day (men), or "
        "4 or more drinks containing alcohol in one day (women)? One standard drink is about "
        "12 oz of beer, 5 oz of wine, or 1.5 oz of liquor.",
    ),
    (
        "illicit_drugs",
        "Illicit drugs",
        "How often have you used any drugs including marijuana, cocaine or crack, heroin, "
        "methamphetamine (crystal meth), hallucinogens, or ecstasy/MDMA?",
    ),
    (
        "prescription_drugs",
        "Prescription medications (non-medical use)",
        "How often have you used any prescription medications just for the feeling, more "
        "than prescribed, or that were not prescribed for you? (For example opiate pain "
        "relievers such as OxyContin, Vicodin, Percocet or methadone; medications for "
        "anxiety or sleep such as Xanax, Ativan or Klonopin; medications for ADHD such as "
        "Adderall or Ritalin.)",
    ),
)

TAPS1 = Instrument(
    code="taps1",
    name="TAPS-1 (TAPS Tool part 1: screen)",
    version="nida-2016.1",
    description="Four questions on how often tobacco, heavy drinking, illicit drugs and "
    "non-medical prescription medication were used in the past 12 months. Any answer but "
    "never is a positive screen for that substance; go on to TAPS-2.",
    timeframe="In the past 12 months",
    has_total=False,
    total_label="",
    items=tuple(
        Item(str(n), text, FREQUENCY) for n, (_, _, text) in enumerate(TAPS1_SUBSTANCES, 1)
    ),
    bands=(
        Band(
            "positive",
            "Positive screen: go on to TAPS-2",
            when=any_of(*(Answer(str(n), ">", 0) for n in range(1, 5))),
        ),
        Band("negative", "Negative screen"),
    ),
    flags=tuple(
        Flag(f"{code}_positive", f"{label}: positive screen", Answer(str(n), ">", 0))
        for n, (code, label, _) in enumerate(TAPS1_SUBSTANCES, 1)
    ),
    source=SOURCE,
    licence=LICENCE,
    notes="Design (OpenRecovery): one answer per question in the published order (1 tobacco, "
    "2 heavy drinking, 3 illicit drugs, 4 prescription medications), 0 never, 1 less than "
    "monthly, 2 monthly, 3 weekly, 4 daily or almost daily. The published form asks the "
    "heavy-drinking question with a sex-specific threshold (5 or more drinks a day for men, "
    "4 or more for women); here one item states both thresholds. No total: TAPS-1 has no "
    "published summed score. Band 'positive' when any answer is not never, else "
    "'negative'; one flag per substance that screened positive "
    "(tobacco_positive, alcohol_positive, illicit_drugs_positive, "
    "prescription_drugs_positive). Question wording is paraphrased closely from the NIDA "
    "form [check].",
)

# --- TAPS-2 -------------------------------------------------------------------------

# (subscale code, label, use question, follow-up questions asked only after a yes)
TAPS2_SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "tobacco",
        "Tobacco",
        "Did you smoke a cigarette containing tobacco?",
        (
            "Did you usually smoke more than 10 cigarettes each day?",
            "Did you usually smoke within 30 minutes after waking?",
        ),
    ),
    (
        "alcohol",
        "Alcohol",
        "Did you have a drink containing alcohol?",
        (
            "Did you have 5 or more drinks containing alcohol in a day (men), or 4 or more "
            "drinks containing alcohol in a day (women)?",
            "Have you tried and failed to control, cut down or stop drinking?",
            "Has anyone expressed concern about your drinking?",
        ),
    ),
    (
        "marijuana",
        "Marijuana",
        "Did you use marijuana (hash, weed)?",
        (
            "Have you had a strong desire or urge to use marijuana at least once a week or "
            "more often?",
            "Has anyone expressed concern about your use of marijuana?",
        ),
    ),
    (
        "stimulants",
        "Cocaine, crack or methamphetamine",
        "Did you use cocaine, crack, or methamphetamine (crystal meth)?",
        (
            "Did you use cocaine, crack, or methamphetamine at least once a week or more often?",
            "Has anyone expressed concern about your use of cocaine, crack, or methamphetamine?",
        ),
    ),
    (
        "heroin",
        "Heroin",
        "Did you use heroin?",
        (
            "Have you tried and failed to control, cut down or stop using heroin?",
            "Has anyone expressed concern about your use of heroin?",
        ),
    ),
    (
        "opioids",
        "Prescription opioid pain relievers",
        "Did you use a prescription opiate pain reliever (for example, Percocet or Vicodin) "
        "not as prescribed or that was not prescribed for you?",
        (
            "Have you tried and failed to control, cut down or stop using an opiate pain reliever?",
            "Has anyone expressed concern about your use of an opiate pain reliever?",
        ),
    ),
    (
        "sedatives",
        "Medications for anxiety or sleep (sedatives)",
        "Did you use a medication for anxiety or sleep (for example, Xanax, Ativan, or "
        "Klonopin) not as prescribed or that was not prescribed for you?",
        (
            "Have you had a strong desire or urge to use medications for anxiety or sleep at "
            "least once a week or more often?",
            "Has anyone expressed concern about your use of medication for anxiety or sleep?",
        ),
    ),
    (
        "adhd_stimulants",
        "Medications for ADHD",
        "Did you use a medication for ADHD (for example, Adderall or Ritalin) not as "
        "prescribed or that was not prescribed for you?",
        (
            "Did you use a medication for ADHD (for example, Adderall or Ritalin) at least "
            "once a week or more often?",
            "Has anyone expressed concern about your use of a medication for ADHD?",
        ),
    ),
    (
        "other_drugs",
        "Other drugs",
        "Did you use any other illegal or recreational drug (for example, hallucinogens or "
        "ecstasy)?",
        (),
    ),
)


def _taps2_items() -> tuple[Item, ...]:
    items: list[Item] = []
    for section, (_, _, use, follow_ups) in enumerate(TAPS2_SECTIONS, 1):
        items.append(Item(str(section), use, YES_NO))
        asked = Answer(str(section), "==", 1)
        for letter, text in zip("abc", follow_ups, strict=False):
            items.append(Item(f"{section}{letter}", text, YES_NO, asked_if=asked))
    return tuple(items)


def _taps2_subscales() -> tuple[Subscale, ...]:
    return tuple(
        Subscale(
            code,
            label,
            (str(n), *(f"{n}{letter}" for letter, _ in zip("abc", follow_ups, strict=False))),
        )
        for n, (code, label, _, follow_ups) in enumerate(TAPS2_SECTIONS, 1)
    )


def _taps2_flags() -> tuple[Flag, ...]:
    flags: list[Flag] = []
    for code, label, _, _ in TAPS2_SECTIONS:
        flags.append(Flag(f"{code}_problem_use", f"{label}: problem use", ScoreIs(code, "==", 1)))
        flags.append(Flag(f"{code}_higher_risk", f"{label}: higher risk", ScoreIs(code, ">=", 2)))
    return tuple(flags)


TAPS2 = Instrument(
    code="taps2",
    name="TAPS-2 (TAPS Tool part 2: brief assessment)",
    version="nida-2016.1",
    description="Yes/no questions per substance about the past 3 months; each substance's "
    "score gives its risk level: 0 no use in the past 3 months, 1 problem use, 2 or more "
    "higher risk.",
    timeframe="In the past 3 months",
    has_total=False,
    total_label="",
    items=_taps2_items(),
    subscales=_taps2_subscales(),
    bands=(
        Band(
            "higher_risk",
            "Higher risk for at least one substance",
            when=any_of(*(ScoreIs(s[0], ">=", 2) for s in TAPS2_SECTIONS)),
        ),
        Band(
            "problem_use",
            "Problem use of at least one substance",
            when=any_of(*(ScoreIs(s[0], "==", 1) for s in TAPS2_SECTIONS)),
        ),
        Band("none", "No use in the past 3 months"),
    ),
    flags=_taps2_flags(),
    source=SOURCE,
    licence=LICENCE,
    notes="Design (OpenRecovery): answers in the published section order, 1 yes, 0 no: "
    "1 tobacco (1, 1a, 1b), 2 alcohol (2, 2a-2c), 3 marijuana (3, 3a, 3b), 4 cocaine, crack "
    "or methamphetamine (4, 4a, 4b), 5 heroin (5, 5a, 5b), 6 prescription opioids (6, 6a, "
    "6b), 7 medications for anxiety or sleep (7, 7a, 7b), 8 medications for ADHD (8, 8a, "
    "8b), 9 other drugs (9). Skip logic: the follow-up questions of a section are asked "
    "only after a yes to its first question, and are sent as null otherwise. A section not "
    "administered because TAPS-1 was negative for it is sent as 0 (no use). Each "
    "substance's subscale is its number of yes answers; its risk level follows the "
    "published scoring: 0 no use in the past 3 months, 1 problem use, 2 or more higher "
    "risk (flags <substance>_problem_use and <substance>_higher_risk). The band is the "
    "highest risk level found: none, problem_use, higher_risk. No total: TAPS-2 has no "
    "published overall score. The published alcohol section asks the heavy-drinking "
    "question with a sex-specific threshold (women 4+, men 5+, one of the two answered); "
    "here one item (2a) states both, which scores the same. The published 'other drugs' "
    "section adds a free-text 'which drug'; it is not scored and is not part of these "
    "integer answers, so that section's score is 0 or 1. Question wording is paraphrased "
    "closely from the NIDA form [check]; the 0 / 1 / 2+ risk levels are as published.",
)
