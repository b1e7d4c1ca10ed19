"""CIWA-B: Clinical Institute Withdrawal Assessment for Benzodiazepines."""

from ..engine import Band, Instrument, Item, Option, Subscale

PROTOCOL_VERSION = "default-2026.1"


def _scale(low: str, high: str) -> tuple[Option, ...]:
    """Return the 0-4 scale with the published anchors at its ends."""
    return (
        Option(0, f"0 - {low}"),
        Option(1, "1"),
        Option(2, "2"),
        Option(3, "3"),
        Option(4, f"4 - {high}"),
    )


FEELING = _scale("Not at all", "Very much so")


def _asked(number: str, text: str, options: tuple[Option, ...] = FEELING) -> Item:
    return Item(number, text, options)


def _observed(number: str, text: str, options: tuple[Option, ...]) -> Item:
    return Item(number, text, options, rated_by="observer")


CIWAB = Instrument(
    code="ciwab",
    name="CIWA-B (Clinical Institute Withdrawal Assessment for Benzodiazepines)",
    version=f"busto-1989/protocol-{PROTOCOL_VERSION}",
    description="Benzodiazepine withdrawal severity: 17 questions to the patient and 3 signs "
    "rated by the observer, each 0-4.",
    timeframe="Now (sleep items: last night)",
    items=(
        _asked("1", "Do you feel irritable?"),
        _asked("2", "Do you feel fatigued?"),
        _asked("3", "Do you feel tense?"),
        _asked("4", "Do you have difficulties concentrating?"),
        _asked("5", "Do you have any loss of appetite?"),
        _asked("6", "Have you any numbness or burning on your face, hands or feet?"),
        _asked("7", "Do you feel your heart racing (palpitations)?"),
        _asked("8", "Does your head feel full or achy?"),
        _asked("9", "Do you feel muscle aches or stiffness?"),
        _asked("10", "Do you feel anxious, nervous or jittery?"),
        _asked("11", "Do you feel upset?"),
        _asked(
            "12",
            "How restful was your sleep last night?",
            _scale("Very restful", "Not at all restful"),
        ),
        _asked("13", "Do you feel weak?"),
        _asked(
            "14",
            "Do you think you had enough sleep last night?",
            _scale("Yes, definitely", "No, not at all"),
        ),
        _asked("15", "Do you have any visual disturbances (sensitivity to light, blurred vision)?"),
        _asked("16", "Are you fearful?"),
        _asked("17", "Have you been worrying about possible misfortunes lately?"),
        _observed(
            "18",
            "Restlessness and agitation (observe)",
            _scale("None, normal activity", "Paces back and forth, unable to sit still"),
        ),
        _observed(
            "19",
            "Tremor (observe with arms extended, fingers spread apart)",
            (
                Option(0, "0 - No tremor"),
                Option(1, "1 - Not visible, can be felt in the fingers"),
                Option(2, "2 - Visible but mild"),
                Option(3, "3 - Moderate, with arms extended"),
                Option(4, "4 - Severe, with arms not extended"),
            ),
        ),
        _observed(
            "20",
            "Sweating (observe, feel the palms)",
            (
                Option(0, "0 - No sweating visible"),
                Option(1, "1 - Barely perceptible sweating, palms moist"),
                Option(2, "2 - Palms and forehead moist, reports armpit sweating"),
                Option(3, "3 - Beads of sweat on the forehead"),
                Option(4, "4 - Severe drenching sweats"),
            ),
        ),
    ),
    subscales=(
        Subscale("patient", "Patient-rated (items 1-17)", tuple(str(n) for n in range(1, 18))),
        Subscale("observer", "Observer-rated (items 18-20)", ("18", "19", "20")),
    ),
    bands=(
        Band("none", "None", 0, 0),
        Band("mild", "Mild", 1, 20),
        Band("moderate", "Moderate", 21, 40),
        Band("severe", "Severe", 41, 60),
        Band("very_severe", "Very severe", 61, 80),
    ),
    bands_origin="local_protocol",
    source="Busto UE, Sykora K, Sellers EM. A clinical scale to assess benzodiazepine "
    "withdrawal. J Clin Psychopharmacol. 1989;9(6):412-416.",
    licence="Published in the peer-reviewed literature and reproduced in clinical "
    "withdrawal protocols; the paper states no licence terms [check]. Cite Busto, Sykora "
    "and Sellers (1989) wherever the scale is shown.",
    notes=f"20 items, each 0-4, total 0-80 (items 1-17 asked of the patient, 18-20 rated by "
    f"the observer; both subtotals are reported separately because subjective items can be "
    f"inflated). The severity bands are not from the paper: they are withdrawal protocol "
    f"{PROTOCOL_VERSION}, the default of a widely deployed clinical form citing Busto 1989 "
    f"(0 none, 1-20 mild, 21-40 moderate, 41-60 severe, 61-80 very severe). Other protocols "
    f"use <20 / 20-40 / >40; every stored score keeps this version. Item wording and the "
    f"anchors of the observer items are paraphrased from the published form [check]. No "
    f"LOINC code exists for the CIWA-B: FHIR export uses a local code system.",
)
