"""What was recorded is carried forward, not typed again (issue 10, point 2).

The callback's substances become the pre-screen's first draft rows; at conversion the
pre-screen is handed to the episode, and the intake offers it as prefilled drafts that
name their source.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from openrecovery.assessment.carry import (
    handoff_source,
    section_drafts,
    substance_drafts,
    substance_initial,
)
from openrecovery.assessment.choices import Frequency, Substance
from openrecovery.assessment.services import assessment_start, substance_use_add
from openrecovery.helpline.console.forms import substance_rows_from_callback
from openrecovery.helpline.services import inquiry_claim, prescreen_save
from openrecovery.records.choices import HandoffSource
from openrecovery.records.models import EpisodeHandoff
from tests.support.factories import verified_client
from tests.support.helpline import callback, convert

RECORDED = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
XANAX = {
    "substance": "Xanax",
    "dose": "2 mg",
    "frequency": "three times a day",
    "duration": "3 years",
    "last_use": "2 days ago",
}


def test_callback_text_splits_into_rows():
    assert substance_rows_from_callback("alprazolam, sometimes wine") == [
        {"substance": "alprazolam"},
        {"substance": "sometimes wine"},
    ]
    assert substance_rows_from_callback("  ") == []


def test_a_prescreen_row_maps_onto_the_intakes_fields():
    initial = substance_initial(XANAX, RECORDED)
    assert initial["substance"] == Substance.ALPRAZOLAM
    assert initial["frequency"] == Frequency.SEVERAL_DAILY
    assert initial["amount"] == "2 mg" and initial["duration"] == "3 years"
    assert initial["last_use"] == dt.date(2026, 11, 29)
    assert initial["detail"] == "Xanax"


def test_what_does_not_map_stays_in_the_detail():
    initial = substance_initial(
        {"substance": "kratom", "frequency": "when stressed", "last_use": "around payday"},
        RECORDED,
    )
    assert initial["substance"] == Substance.OTHER and initial["frequency"] == ""
    assert initial["detail"] == "kratom; when stressed; last use around payday"


@pytest.mark.parametrize(
    ("name", "substance"),
    [
        ("Xanax bars", Substance.ALPRAZOLAM), ("xannies", Substance.ALPRAZOLAM),
        ("K-pins", Substance.CLONAZEPAM), ("klonipin", Substance.CLONAZEPAM),
        ("Ativan", Substance.LORAZEPAM), ("Valtoco", Substance.DIAZEPAM),
        ("Klonopin and Xanax", Substance.ALPRAZOLAM),
        # Catalogue benzodiazepines without a choice of their own, designer ones included.
        ("Tranxene", Substance.OTHER_BENZODIAZEPINE), ("estazolam", Substance.OTHER_BENZODIAZEPINE),
        ("Dalmane", Substance.OTHER_BENZODIAZEPINE), ("Doral", Substance.OTHER_BENZODIAZEPINE),
        ("midazolam", Substance.OTHER_BENZODIAZEPINE), ("Librium", Substance.OTHER_BENZODIAZEPINE),
        ("bromazolam", Substance.OTHER_BENZODIAZEPINE),
        ("flualprazolam", Substance.OTHER_BENZODIAZEPINE),
        ("etizolam", Substance.OTHER_BENZODIAZEPINE), ("benzos", Substance.OTHER_BENZODIAZEPINE),
        ("Ambien", Substance.OTHER_BENZODIAZEPINE),
        ("vodka", Substance.ALCOHOL), ("percocet", Substance.OPIOIDS),
        ("suboxone", Substance.OPIOIDS), ("kratom", Substance.OTHER),
    ],
)  # fmt: skip
def test_substance_names_map_through_the_medication_catalogue(name, substance):
    assert substance_initial({"substance": name}, RECORDED)["substance"] == substance


def prescreened(coordinator, **answers):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(substances="xanax").pk)
    prescreen_save(actor=coordinator, inquiry_id=inquiry.pk, answers=answers)
    return inquiry


def converted(coordinator, inquiry, counselor):
    convert(coordinator, inquiry, counselor)
    inquiry.refresh_from_db()
    return inquiry.patient


def test_conversion_hands_the_prescreen_to_the_episode(coordinator, counselor):
    inquiry = prescreened(
        coordinator,
        substances=[XANAX],
        alcohol_co_use=True,
        withdrawal_seizures=True,
        pregnancy="yes",
        withdrawal_now=True,
        hours_since_last_dose=48,
    )
    patient = converted(coordinator, inquiry, counselor)
    handoff = EpisodeHandoff.objects.get(episode__patient=patient)
    assert handoff.source == HandoffSource.PRESCREEN
    assert handoff.source_reference == inquiry.reference
    assert handoff.recorded_by == coordinator
    assert handoff.data["substances"] == [XANAX]
    assert handoff_source(handoff).startswith("From pre-screen, ")
    assert handoff_source(handoff).endswith(f" by {coordinator.get_full_name()}".rstrip())
    drafts = substance_drafts([handoff], set())
    assert [d.initial["substance"] for d in drafts] == [Substance.ALPRAZOLAM, Substance.ALCOHOL]
    sections = section_drafts([handoff])
    assert sections["withdrawal_history"].initial["withdrawal_seizures"] == "yes"
    assert "48 hours" in sections["withdrawal_history"].initial["withdrawal_notes"]
    assert sections["medical"].initial["conditions"].startswith("Pregnant")


def test_the_prescreen_starts_from_the_callbacks_substances(coordinator):
    client = verified_client(coordinator)
    inquiry = inquiry_claim(
        actor=coordinator, inquiry_id=callback(substances="alprazolam, sometimes wine").pk
    )
    page = client.get(f"/admissions/inquiries/{inquiry.reference}/").content.decode()
    assert 'name="substance_0" value="alprazolam"' in page
    assert 'name="substance_1" value="sometimes wine"' in page
    assert 'id="prescreen-carried"' in page and "From the callback request, " in page


def test_the_intake_offers_the_prescreen_as_drafts_with_their_source(
    coordinator, counselor, director
):
    inquiry = prescreened(coordinator, substances=[XANAX], withdrawal_seizures=True)
    patient = converted(coordinator, inquiry, counselor)
    assessment_start(actor=counselor, patient=patient)
    client = verified_client(counselor)
    url = f"/patients/{patient.pk}/assessment/"
    page = client.get(url).content.decode()
    assert 'id="carried-substances"' in page
    assert "From pre-screen, " in page
    assert 'value="alprazolam" selected' in page  # the substance choice, prefilled
    assert "a prefilled draft" in page  # the withdrawal section names its source too
    key = EpisodeHandoff.objects.get(episode__patient=patient).pk
    data = {
        "carried_from": f"{key}:0",
        "substance": "alprazolam",
        "detail": "Xanax",
        "amount": "2 mg",  # the clinician may edit before adding
        "frequency": "several_daily",
        "duration": "3 years",
        "last_use": "",
        "route": "",
        "age_first_use": "",
    }
    assert client.post(f"/patients/{patient.pk}/assessment/substances/", data).status_code == 302
    row = patient.episodes.get().intake_assessment.substances.get()
    assert row.source.startswith("From pre-screen, ") and row.carried_from == f"{key}:0"
    page = client.get(url).content.decode()
    assert 'id="carried-substances"' not in page  # the draft is done
    assert "From pre-screen, " in page  # the row names its source


def test_a_carried_draft_cannot_be_added_twice(coordinator, counselor):
    inquiry = prescreened(coordinator, substances=[XANAX])
    patient = converted(coordinator, inquiry, counselor)
    assessment = assessment_start(actor=counselor, patient=patient)
    key = f"{EpisodeHandoff.objects.get(episode__patient=patient).pk}:0"
    fields = {"substance": "alprazolam"}
    substance_use_add(actor=counselor, assessment=assessment, fields=fields, carried_from=key)
    with pytest.raises(ValidationError, match="not available"):
        substance_use_add(actor=counselor, assessment=assessment, fields=fields, carried_from=key)
    assert assessment.substances.count() == 1
