"""C-SSRS screener (Columbia Suicide Severity Rating Scale, screen version, recent)."""

from ..engine import Answer, Band, BandIs, Flag, Instrument, Item, Option, any_of

YES_NO = (Option(1, "Yes", "LA33-6"), Option(0, "No", "LA32-8"))
Q2_YES = Answer("2", "==", 1)

CSSRS = Instrument(
    code="cssrs",
    name="C-SSRS Screener (Columbia Suicide Severity Rating Scale)",
    version="screen-recent.2",
    description="Suicidal ideation and behavior screen. Questions 1-5 ask about the past "
    "month; question 6 about lifetime behavior, and 6b whether it was in the past 3 months.",
    timeframe="In the past month (questions 1-5); ever, and in the past 3 months (question 6)",
    has_total=False,
    total_label="",
    items=(
        Item(
            "1",
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
            YES_NO,
            loinc="93246-7",
        ),
        Item(
            "2",
            "Have you actually had any thoughts of killing yourself?",
            YES_NO,
            loinc="93247-5",
        ),
        Item(
            "3",
            "Have you been thinking about how you might do this?",
            YES_NO,
            asked_if=Q2_YES,
            loinc="93248-3",
        ),
        Item(
            "4",
            "Have you had these thoughts and had some intention of acting on them?",
            YES_NO,
            asked_if=Q2_YES,
            loinc="93249-1",
        ),
        Item(
            "5",
            "Have you started to work out or worked out the details of how to kill "
            "yourself, and do you intend to carry out this plan?",
            YES_NO,
            asked_if=Q2_YES,
            loinc="93250-9",
        ),
        Item(
            "6",
            "Have you ever done anything, started to do anything, or prepared to do "
            "anything to end your life?",
            YES_NO,
            loinc="93267-3",
        ),
        Item(
            "6b",
            "Was this within the past 3 months?",
            YES_NO,
            asked_if=Answer("6", "==", 1),
            loinc="93269-9",
        ),
    ),
    bands=(
        Band(
            "high",
            "High risk",
            when=any_of(Answer("4", "==", 1), Answer("5", "==", 1), Answer("6b", "==", 1)),
        ),
        Band("moderate", "Moderate risk", when=any_of(Answer("3", "==", 1), Answer("6", "==", 1))),
        Band("low", "Low risk", when=any_of(Answer("1", "==", 1), Answer("2", "==", 1))),
        Band("none", "No risk identified"),
    ),
    flags=(
        Flag(
            "urgent_review",
            "High risk: immediate clinician review and safety precautions",
            BandIs("high"),
        ),
    ),
    loinc_panel="93373-9",
    loinc_total="93374-7",
    source="Posner K, Brown GK, Stanley B, et al. The Columbia-Suicide Severity Rating Scale: "
    "initial validity and internal consistency findings from three multisite studies with "
    "adolescents and adults. Am J Psychiatry. 2011;168(12):1266-1277. Screener risk levels "
    "as published by the Columbia Lighthouse Project.",
    licence="Free for clinical and nonprofit use; attribution to The Columbia Lighthouse "
    "Project (Columbia University Medical Center).",
    notes="If question 2 is no, questions 3-5 are skipped (send null). Question 6b is asked "
    "only when question 6 is yes. No total score: the risk level comes from the answers. "
    "High risk: Q4 or Q5 yes, or behavior in the past 3 months. Moderate: Q3 yes, or "
    "behavior longer ago. Low: Q1 or Q2 only. LOINC 93374-7 (stored as loinc_total) codes "
    "the risk level, the screener's result, since there is no total; LOINC 93373-9 is the "
    "screener panel. Version 2 (2026-12) restores the published wording of questions 2, 5 "
    'and 6 ("ever" in question 6).',
)
