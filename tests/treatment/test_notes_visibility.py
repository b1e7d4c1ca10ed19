"""One member's words never reach another member's chart or API answer; the shared
part reaches every member's."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrecovery.treatment.models import ProgressNote
from openrecovery.treatment.services.group_notes import (
    MemberPart,
    group_note_save,
    group_note_sign,
    group_note_start,
)
from tests.support.factories import verified_client
from tests.treatment.group_support import group_session, make_group, members, shared_part

pytestmark = pytest.mark.django_db

SHARED = "The group practised urge surfing together."
WORDS = {
    0: "Amaranth described a craving at the bus stop.",
    1: "Bellflower planned to call her sponsor on Friday.",
    2: "",
}


@pytest.fixture
def signed_group(counselor, director):
    group = make_group(counselor)
    roster = members(group, director, 3)
    session = group_session(group)
    shared = shared_part(session, shared_text=SHARED)
    group_note = group_note_start(actor=counselor, session=session, shared=shared)
    notes = {n.patient_id: n for n in ProgressNote.objects.filter(group_note=group_note)}
    parts = {
        p.pk: MemberPart(WORDS[i], list(notes[p.pk].objectives.values_list("pk", flat=True)))
        for i, p in enumerate(roster)
    }
    group_note_save(
        actor=counselor, group_note=group_note, shared=shared, attendance={}, parts=parts
    )
    group_note_sign(actor=counselor, group_note=group_note)
    return roster


def _others(i: int) -> list[str]:
    return [w for j, w in WORDS.items() if j != i and w]


def test_each_chart_shows_the_shared_part_and_only_its_own_words(signed_group, counselor):
    client = verified_client(counselor)
    for i, patient in enumerate(signed_group):
        html = client.get(f"/patients/{patient.pk}/").content.decode()
        assert SHARED in html
        if WORDS[i]:
            assert WORDS[i] in html
        for words in _others(i):
            assert words not in html
        # Other members' names are not in this chart either.
        for other in signed_group:
            if other.pk != patient.pk:
                assert other.legal_family_name not in html


def test_the_notes_page_shows_only_its_own_words(signed_group, counselor):
    client = verified_client(counselor)
    for i, patient in enumerate(signed_group):
        html = client.get(f"/patients/{patient.pk}/treatment/notes/").content.decode()
        assert SHARED in html
        for words in _others(i):
            assert words not in html


def test_the_api_answers_with_only_its_own_words(signed_group, counselor):
    client = verified_client(counselor)
    for i, patient in enumerate(signed_group):
        response = client.get(f"/api/v1/patients/{patient.pk}/notes")
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == 1
        (note,) = body["notes"]
        assert note["kind"] == "group"
        assert note["individual_text"] == WORDS[i]
        assert note["group"]["shared_text"] == SHARED
        assert note["group"]["participants"] == 3
        assert note["group"]["attendance"] == "present"
        assert len(note["objectives"]) == 2
        text = response.content.decode()
        for words in _others(i):
            assert words not in text


def test_the_api_refuses_a_patient_out_of_sight(signed_group):
    from openrecovery.accounts.roles import Role
    from tests.support.factories import make_staff

    stranger = make_staff(Role.COUNSELOR)
    response = verified_client(stranger).get(f"/api/v1/patients/{signed_group[0].pk}/notes")
    assert response.status_code == 404


def test_the_notes_panel_runs_constant_queries(counselor, director):
    from openrecovery.privacy.gates import access_patient_grant_by_id
    from openrecovery.treatment.panels import curriculum_panel, notes_panel

    group = make_group(counselor)
    (patient,) = members(group, director, 1)
    counts = []
    for _ in range(3):
        session = group_session(group, ago=dt.timedelta(hours=3 + len(counts)))
        gn = group_note_start(actor=counselor, session=session, shared=shared_part(session))
        group_note_sign(actor=counselor, group_note=gn)
        access = access_patient_grant_by_id(counselor, patient.pk)
        with CaptureQueriesContext(connection) as queries:
            notes_panel(counselor, access, None)
            curriculum_panel(counselor, access, None)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
