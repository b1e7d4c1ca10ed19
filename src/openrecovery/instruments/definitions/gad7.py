"""GAD-7: Generalized Anxiety Disorder 7-item scale."""

from ..engine import Band, Instrument, Item, Option

FREQUENCY = (
    Option(0, "Not at all", "LA6568-5"),
    Option(1, "Several days", "LA6569-3"),
    Option(2, "More than half the days", "LA6570-1"),
    Option(3, "Nearly every day", "LA6571-9"),
)

GAD7 = Instrument(
    code="gad7",
    name="GAD-7 (Generalized Anxiety Disorder 7-item scale)",
    version="2006-spitzer.1",
    description="Anxiety symptoms over the last two weeks; a screen and severity measure.",
    timeframe="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        Item("1", "Feeling nervous, anxious, or on edge", FREQUENCY, loinc="69725-0"),
        Item("2", "Not being able to stop or control worrying", FREQUENCY, loinc="68509-9"),
        Item("3", "Worrying too much about different things", FREQUENCY, loinc="69733-4"),
        Item("4", "Trouble relaxing", FREQUENCY, loinc="69734-2"),
        Item("5", "Being so restless that it is hard to sit still", FREQUENCY, loinc="69735-9"),
        Item("6", "Becoming easily annoyed or irritable", FREQUENCY, loinc="69689-8"),
        Item("7", "Feeling afraid, as if something awful might happen", FREQUENCY, loinc="69736-7"),
    ),
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("severe", "Severe", 15, 21),
    ),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    source="Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
    "generalized anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097.",
    licence="Developed by Drs. Spitzer, Williams, Kroenke and colleagues with an educational "
    "grant from Pfizer Inc. No permission required to reproduce, translate, display or "
    "distribute; keep the attribution.",
    notes="Seven items, each 0-3, total 0-21. The published form's optional difficulty "
    "question is not part of this definition (it is not scored). LOINC panel 69737-5, "
    "total 70274-6 and the item codes are to be confirmed against the current LOINC "
    "release [check].",
)
