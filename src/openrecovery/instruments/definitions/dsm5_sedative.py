"""DSM-5-TR sedative, hypnotic, or anxiolytic use disorder: the criteria checklist."""

from ..engine import Band, ContextField, Exclusion, InContext, Instrument, Item, Option

MET = (Option(1, "Met"), Option(0, "Not met"))


def _criterion(number: str, text: str) -> Item:
    return Item(number, text, MET)


DSM5_SEDATIVE = Instrument(
    code="dsm5-sedative",
    name="DSM-5-TR sedative, hypnotic, or anxiolytic use disorder (criteria checklist)",
    version="dsm-5-tr-2022.1",
    description="The clinician marks each of the 11 criteria met or not met within a 12-month "
    "period; severity follows the number met. Criteria are paraphrased.",
    timeframe="Within a 12-month period",
    total_label="Criteria met",
    items=(
        _criterion("1", "Used in larger amounts or over a longer period than intended"),
        _criterion("2", "Persistent desire, or unsuccessful efforts, to cut down or control use"),
        _criterion(
            "3", "A great deal of time spent obtaining, using, or recovering from its effects"
        ),
        _criterion("4", "Craving: a strong desire or urge to use"),
        _criterion(
            "5", "Use leading to failure to fulfil major obligations at work, school or home"
        ),
        _criterion(
            "6",
            "Continued use despite persistent social or interpersonal problems it causes "
            "or worsens",
        ),
        _criterion("7", "Important social, work or leisure activities given up or reduced"),
        _criterion("8", "Repeated use in situations where it is physically hazardous"),
        _criterion(
            "9",
            "Continued use despite knowing of a physical or psychological problem it has "
            "probably caused or worsened",
        ),
        _criterion(
            "10",
            "Tolerance (needing more for the same effect, or less effect from the same amount)",
        ),
        _criterion(
            "11",
            "Withdrawal (the characteristic syndrome, or taking it, or a related "
            "substance, to relieve or avoid withdrawal)",
        ),
    ),
    context_fields=(
        ContextField(
            "medically_supervised",
            "Taking it as prescribed under medical supervision?",
            required=True,
        ),
    ),
    exclusions=(
        Exclusion(
            ("10", "11"),
            InContext("medically_supervised"),
            "Tolerance and withdrawal do not count for someone taking the medication under "
            "medical supervision.",
        ),
    ),
    bands=(
        Band("none", "Criteria for the disorder not met", 0, 1),
        Band("mild", "Mild", 2, 3),
        Band("moderate", "Moderate", 4, 5),
        Band("severe", "Severe", 6, 11),
    ),
    source="American Psychiatric Association. Diagnostic and Statistical Manual of Mental "
    "Disorders, Fifth Edition, Text Revision (DSM-5-TR). Washington, DC: American "
    "Psychiatric Association Publishing; 2022. Sedative, hypnotic, or anxiolytic use "
    "disorder.",
    licence="The criteria text is copyright the American Psychiatric Association; this "
    "checklist paraphrases it and does not reproduce it. A clinician makes the diagnosis.",
    notes="Send 1 (met) or 0 (not met) for each of the 11 criteria. Whether the person takes "
    "the medication as prescribed under medical supervision is a required yes/no (context "
    "medically_supervised true or false; leaving it out is an error): true leaves out "
    "criteria 10 (tolerance) and 11 (withdrawal). The "
    "total is the number of criteria counted; 2 or more within 12 months meets the "
    "disorder; severity 0-1 none, 2-3 mild, 4-5 moderate, 6 or more severe. Not scored "
    "here: remission specifiers (early: 3 to under 12 months with no criterion met except "
    "craving; sustained: 12 months or more; 'in a controlled environment'). ICD-10-CM: mild "
    "F13.10 (in remission F13.11); moderate or severe F13.20 (in remission F13.21); with "
    "withdrawal F13.23x / F13.13x / F13.93x [check the suffixes against the current CMS "
    "table]. No LOINC panel is used for this checklist.",
)
