"""BAM-R: Brief Addiction Monitor (revised), the VA's 17-item monitoring measure."""

from ..engine import Answer, Band, Flag, Instrument, Item, Option, ScoreIs, Subscale, all_of, any_of

DAYS = (
    Option(0, "0 days"),
    Option(1, "1-3 days"),
    Option(2, "4-8 days"),
    Option(3, "9-15 days"),
    Option(4, "16-30 days"),
)
HOW_MUCH = (
    Option(0, "Not at all"),
    Option(1, "Slightly"),
    Option(2, "Moderately"),
    Option(3, "Considerably"),
    Option(4, "Extremely"),
)
HEALTH = (
    Option(0, "Excellent"),
    Option(1, "Very good"),
    Option(2, "Good"),
    Option(3, "Fair"),
    Option(4, "Poor"),
)
INCOME = (Option(0, "No"), Option(4, "Yes"))

USE_ITEMS = ("4", "5", "6")
RISK_ITEMS = ("1", "2", "3", "8", "11", "15")
PROTECTIVE_ITEMS = ("9", "10", "12", "13", "14", "16")

DRUG_USE = Answer("6", ">", 0)
DRUGS = (
    ("7a", "Marijuana (cannabis, pot, weed)"),
    (
        "7b",
        "Sedatives or tranquilizers (for example benzodiazepines such as Valium, Xanax or "
        "Ativan; Ambien; barbiturates; 'downers')",
    ),
    ("7c", "Cocaine or crack"),
    (
        "7d",
        "Other stimulants (for example amphetamine, methamphetamine, Ritalin, Adderall, "
        "'speed', 'crystal meth')",
    ),
    (
        "7e",
        "Opiates (for example heroin, morphine, Dilaudid, OxyContin, codeine, Percocet, "
        "Vicodin, fentanyl)",
    ),
    ("7f", "Inhalants (for example glues, nail polish remover, paint thinner)"),
    (
        "7g",
        "Other drugs (for example steroids, non-prescription sleep or diet pills, other "
        "over-the-counter or unknown medications)",
    ),
)

USE_CONCERN = ScoreIs("use", ">=", 1)
RISK_CONCERN = ScoreIs("risk", ">=", 12)
PROTECTIVE_CONCERN = ScoreIs("protective", "<=", 12)

BAM = Instrument(
    code="bam",
    name="BAM-R (Brief Addiction Monitor, revised)",
    version="bam-r.1",
    description="Substance use, risk factors and protective factors over the past 30 days, "
    "for measurement-based care; read item by item and by its three subscales.",
    timeframe="In the past 30 days",
    has_total=False,
    total_label="",
    items=(
        Item("1", "In the past 30 days, would you say your physical health has been:", HEALTH),
        Item(
            "2",
            "In the past 30 days, how many nights did you have trouble falling asleep or "
            "staying asleep?",
            DAYS,
        ),
        Item(
            "3",
            "In the past 30 days, how many days have you felt depressed, anxious, angry or "
            "very upset throughout most of the day?",
            DAYS,
        ),
        Item("4", "In the past 30 days, how many days did you drink any alcohol?", DAYS),
        Item(
            "5",
            "In the past 30 days, how many days did you have at least 5 drinks (if you are a "
            "man) or at least 4 drinks (if you are a woman)? One drink is 12 oz of beer, 5 oz "
            "of wine, or 1.5 oz of liquor.",
            DAYS,
        ),
        Item(
            "6",
            "In the past 30 days, how many days did you use any illegal or street drugs, or "
            "abuse any prescription medications?",
            DAYS,
        ),
        *(
            Item(
                number,
                f"In the past 30 days, how many days did you use: {drug}?",
                DAYS,
                scored=False,
                asked_if=DRUG_USE,
            )
            for number, drug in DRUGS
        ),
        Item(
            "8",
            "In the past 30 days, how much were you bothered by cravings or urges to drink "
            "alcohol or use drugs?",
            HOW_MUCH,
        ),
        Item(
            "9",
            "How confident are you in your ability to be completely abstinent (clean) from "
            "alcohol and drugs in the next 30 days?",
            HOW_MUCH,
        ),
        Item(
            "10",
            "In the past 30 days, how many days did you attend self-help meetings like AA or "
            "NA to support your recovery?",
            DAYS,
        ),
        Item(
            "11",
            "In the past 30 days, how many days were you in any situations or with any people "
            "that might put you at an increased risk for using alcohol or drugs (around risky "
            "'people, places or things')?",
            DAYS,
        ),
        Item("12", "Does your religion or spirituality help support your recovery?", HOW_MUCH),
        Item(
            "13",
            "In the past 30 days, how many days did you spend much of the time at work, "
            "school, or doing volunteer work?",
            DAYS,
        ),
        Item(
            "14",
            "Do you have enough income (from legal sources) to pay for necessities such as "
            "housing, transportation, food and clothing for yourself and your dependents?",
            INCOME,
        ),
        Item(
            "15",
            "In the past 30 days, how much have you been bothered by arguments or problems "
            "getting along with any family members or friends?",
            HOW_MUCH,
        ),
        Item(
            "16",
            "In the past 30 days, how many days were you in contact or spent time with any "
            "family members or friends who are supportive of your recovery?",
            DAYS,
        ),
        Item(
            "17",
            "How satisfied are you with your progress toward achieving your recovery goals?",
            HOW_MUCH,
            scored=False,
        ),
    ),
    subscales=(
        Subscale("use", "Use (items 4, 5, 6; 0-12)", USE_ITEMS),
        Subscale("risk", "Risk factors (items 1, 2, 3, 8, 11, 15; 0-24)", RISK_ITEMS),
        Subscale(
            "protective", "Protective factors (items 9, 10, 12, 13, 14, 16; 0-24)", PROTECTIVE_ITEMS
        ),
    ),
    bands=(
        Band(
            "three_domains",
            "Concern in all three domains (use, risk, protective)",
            when=all_of(USE_CONCERN, RISK_CONCERN, PROTECTIVE_CONCERN),
        ),
        Band(
            "two_domains",
            "Concern in two domains",
            when=any_of(
                all_of(USE_CONCERN, RISK_CONCERN),
                all_of(USE_CONCERN, PROTECTIVE_CONCERN),
                all_of(RISK_CONCERN, PROTECTIVE_CONCERN),
            ),
        ),
        Band(
            "one_domain",
            "Concern in one domain",
            when=any_of(USE_CONCERN, RISK_CONCERN, PROTECTIVE_CONCERN),
        ),
        Band("none", "No domain at its level of concern"),
    ),
    flags=(
        Flag("use_concern", "Use: any alcohol or drug use (use score 1 or more)", USE_CONCERN),
        Flag("risk_concern", "Risk factors high (risk score 12 or more)", RISK_CONCERN),
        Flag(
            "protective_concern",
            "Protective factors low (protective score 12 or less)",
            PROTECTIVE_CONCERN,
        ),
    ),
    bands_origin="program_summary",
    source="Cacciola JS, Alterman AI, DePhilippis D, et al. Development and initial "
    "evaluation of the Brief Addiction Monitor (BAM). J Subst Abuse Treat. "
    "2013;44(3):256-263. Revised version (BAM-R) and scoring as distributed by the VA "
    "Center of Excellence in Substance Abuse Treatment and Education (CESATE) and VISN 4 "
    "MIRECC.",
    licence="Developed by the US Department of Veterans Affairs; public domain.",
    notes="Design (OpenRecovery): 23 answers for the 17 questions in published order: 1-6, "
    "then question 7 in its seven parts 7a-7g (days of each drug class), then 8-17. "
    "Questions 7a-7g elaborate question 6 and are not scored; they are asked only when "
    "question 6 is above 0 days (send null otherwise). Question 17 (satisfaction with "
    "progress) stands alone and is not in any subscale. Days-based questions use the 0-4 "
    "scale 0 = 0 days, 1 = 1-3, 2 = 4-8, 3 = 9-15, 4 = 16-30 days; question 1 runs from "
    "excellent (0) to poor (4); question 14 is no (0) or yes (4). Protective questions "
    "score higher for more protection, so a higher protective score is better. Subscales "
    "and their published levels of concern: use (4, 5, 6; 0-12) any use, 1 or more; risk "
    "(1, 2, 3, 8, 11, 15; 0-24) 12 or more; protective (9, 10, 12, 13, 14, 16; 0-24) 12 or "
    "less; each raises a flag (use_concern, risk_concern, protective_concern). The BAM has "
    "no validated total, so there is none. The band is OpenRecovery's summary, not part of "
    "the published BAM: how many of the three domains are at their level of concern (none, "
    "one_domain, two_domains, three_domains). It never falls as use or risk answers rise, "
    "and never rises as protective answers rise. Item-level answers matter most "
    "clinically. Question wording is paraphrased closely from the BAM-R form [check].",
)
