"""DAST-10: Drug Abuse Screening Test, 10-item version."""

from ..engine import Band, Instrument, Item
from .answers import YES_NO

DAST10 = Instrument(
    code="dast10",
    name="DAST-10 (Drug Abuse Screening Test)",
    version="1982-skinner.1",
    description="Problems related to drug use (not alcohol or tobacco) in the past 12 months.",
    timeframe="In the past 12 months (drug use means the use of prescribed or over-the-counter "
    "drugs in excess of the directions, and any non-medical use of drugs; not alcohol or "
    "tobacco)",
    items=(
        Item("1", "Have you used drugs other than those required for medical reasons?", YES_NO),
        Item("2", "Do you abuse more than one drug at a time?", YES_NO),
        Item(
            "3",
            "Are you always able to stop using drugs when you want to?",
            YES_NO,
            reverse=True,
        ),
        Item("4", 'Have you had "blackouts" or "flashbacks" as a result of drug use?', YES_NO),
        Item("5", "Do you ever feel bad or guilty about your drug use?", YES_NO),
        Item(
            "6",
            "Does your spouse (or parents) ever complain about your involvement with drugs?",
            YES_NO,
        ),
        Item("7", "Have you neglected your family because of your use of drugs?", YES_NO),
        Item("8", "Have you engaged in illegal activities in order to obtain drugs?", YES_NO),
        Item(
            "9",
            "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking "
            "drugs?",
            YES_NO,
        ),
        Item(
            "10",
            "Have you had medical problems as a result of your drug use (e.g. memory loss, "
            "hepatitis, convulsions, bleeding)?",
            YES_NO,
        ),
    ),
    bands=(
        Band("none", "No problems reported", 0, 0),
        Band("low", "Low level", 1, 2),
        Band("moderate", "Moderate level", 3, 5),
        Band("substantial", "Substantial level", 6, 8),
        Band("severe", "Severe level", 9, 10),
    ),
    loinc_panel="82666-9",
    loinc_total="82667-7",
    source="Skinner HA. The Drug Abuse Screening Test. Addict Behav. 1982;7(4):363-371. "
    "Ten-item version: Yudko E, Lozhkina O, Fouts A. A comprehensive review of the "
    "psychometric properties of the Drug Abuse Screening Test. J Subst Abuse Treat. "
    "2007;32(2):189-198.",
    licence="Copyright 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental "
    "Health (CAMH), Toronto. Freely available for clinical use; keep the attribution.",
    notes="Send 1 for yes and 0 for no exactly as the person answered; the engine reverses "
    "item 3 (a no scores 1). Total 0-10. Item wording follows the widely reproduced "
    "DAST-10 form. LOINC panel "
    "82666-9 and total 82667-7 are to be confirmed [check].",
)
