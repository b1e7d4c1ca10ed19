"""PHQ-9: Patient Health Questionnaire, depression severity."""

from ..engine import Answer, Band, Flag, Instrument, Item, Option

FREQUENCY = (
    Option(0, "Not at all", "LA6568-5"),
    Option(1, "Several days", "LA6569-3"),
    Option(2, "More than half the days", "LA6570-1"),
    Option(3, "Nearly every day", "LA6571-9"),
)
# LOINC answer list LL358-3 (item 69722-7); its codes are not in label order.
DIFFICULTY = (
    Option(0, "Not difficult at all", "LA6572-7"),
    Option(1, "Somewhat difficult", "LA6573-5"),
    Option(2, "Very difficult", "LA6575-0"),
    Option(3, "Extremely difficult", "LA6574-3"),
)

PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9 (Patient Health Questionnaire-9)",
    version="1999-pfizer.1",
    description="Depression symptoms over the last two weeks; a screen and severity measure.",
    timeframe="Over the last 2 weeks, how often have you been bothered by any of the "
    "following problems?",
    items=(
        Item("1", "Little interest or pleasure in doing things", FREQUENCY, loinc="44250-9"),
        Item("2", "Feeling down, depressed, or hopeless", FREQUENCY, loinc="44255-8"),
        Item(
            "3",
            "Trouble falling or staying asleep, or sleeping too much",
            FREQUENCY,
            loinc="44259-0",
        ),
        Item("4", "Feeling tired or having little energy", FREQUENCY, loinc="44254-1"),
        Item("5", "Poor appetite or overeating", FREQUENCY, loinc="44251-7"),
        Item(
            "6",
            "Feeling bad about yourself — or that you are a failure or have let yourself or "
            "your family down",
            FREQUENCY,
            loinc="44258-2",
        ),
        Item(
            "7",
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            FREQUENCY,
            loinc="44252-5",
        ),
        Item(
            "8",
            "Moving or speaking so slowly that other people could have noticed? Or the "
            "opposite — being so fidgety or restless that you have been moving around a lot "
            "more than usual",
            FREQUENCY,
            loinc="44253-3",
        ),
        Item(
            "9",
            "Thoughts that you would be better off dead or of hurting yourself in some way",
            FREQUENCY,
            loinc="44260-8",
        ),
        Item(
            "10",
            "If you checked off any problems, how difficult have these problems made it for "
            "you to do your work, take care of things at home, or get along with other people?",
            DIFFICULTY,
            scored=False,
            optional=True,
            loinc="69722-7",
        ),
    ),
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("moderately_severe", "Moderately severe", 15, 19),
        Band("severe", "Severe", 20, 27),
    ),
    flags=(
        Flag(
            "suicide_risk",
            "Item 9 positive: ask about suicidal thoughts now (C-SSRS screener)",
            Answer("9", ">", 0),
        ),
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    source="Kroenke K, Spitzer RL, Williams JB. The PHQ-9: validity of a brief depression "
    "severity measure. J Gen Intern Med. 2001;16(9):606-613.",
    licence="Developed by Drs. Spitzer, Williams, Kroenke and colleagues with an educational "
    "grant from Pfizer Inc. No permission required to reproduce, translate, display or "
    "distribute; keep the attribution.",
    notes="Item 10 (difficulty) is stored but not scored. Item 9 above 0 prompts the C-SSRS "
    "screener.",
)
