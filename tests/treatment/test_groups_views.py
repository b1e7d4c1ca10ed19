"""The group pages: who may open them, the one-page save and sign, the calendar."""

import datetime as dt

import pytest
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.treatment.choices import NoteStatus, SessionStatus
from openrecovery.treatment.models import GroupMember, GroupNote, ProgressNote, TherapySession
from openrecovery.treatment.services.group_notes import ERROR_COPIED
from openrecovery.treatment.services.groups import individual_session_schedule
from tests.support.factories import make_patient, make_staff, verified_client
from tests.treatment.group_support import group_session, make_group, members

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def group(counselor):
    return make_group(counselor)


def _form(session, roster, objectives=None, **overrides) -> dict:
    data = {
        "topic": "Riding out a craving",
        "module_code": "cravings",
        "interventions": ["relapse_prevention"],
        "started_at": timezone.localtime(session.starts_at).strftime(LOCAL),
        "ended_at": timezone.localtime(session.ends_at).strftime(LOCAL),
        "modality": "in_person",
        "shared_text": "The group practised urge surfing.",
    }
    for patient in roster:
        data[f"attendance_{patient.pk}"] = "present"
        data[f"reason_{patient.pk}"] = ""
        data[f"text_{patient.pk}"] = ""
        data[f"objectives_{patient.pk}"] = [str(o) for o in (objectives or {}).get(patient.pk, [])]
    data.update(overrides)
    return data


def test_a_nurse_cannot_open_or_sign(group, director, nurse):
    members(group, director, 1)
    session = group_session(group)
    client = verified_client(nurse)
    assert client.get(f"/treatment/sessions/{session.pk}/").status_code == 403
    assert client.post(f"/treatment/sessions/{session.pk}/", {"action": "sign"}).status_code == 403
    assert client.get("/treatment/groups/").status_code == 403
    assert client.get("/treatment/calendar/").status_code == 403
    assert not GroupNote.objects.exists()


def test_an_unrelated_counselor_gets_404(group, director):
    members(group, director, 1)
    session = group_session(group)
    client = verified_client(make_staff(Role.COUNSELOR))
    assert client.get(f"/treatment/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/treatment/groups/{group.pk}/").status_code == 404
    assert client.post(f"/treatment/sessions/{session.pk}/", {"action": "sign"}).status_code == 404


def test_one_page_saves_and_signs(group, director, counselor):
    roster = members(group, director, 3)
    session = group_session(group)
    client = verified_client(counselor)
    page = client.get(f"/treatment/sessions/{session.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 on the roster" in html
    for patient in roster:
        assert patient.display_name in html
    data = _form(
        session,
        roster,
        **{
            f"attendance_{roster[2].pk}": "absent",
            f"reason_{roster[2].pk}": "Medical appointment",
            f"text_{roster[0].pk}": "Named the bus stop as a trigger.",
            "action": "sign",
        },
    )
    response = client.post(f"/treatment/sessions/{session.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    notes = ProgressNote.objects.filter(group_note__session=session)
    assert notes.count() == 2
    assert set(notes.values_list("status", flat=True)) == {NoteStatus.SIGNED}
    # No objective ticked on the form: both notes are flagged to author and supervisor.
    assert all(n.flags == ["no_objective"] for n in notes)
    assert notes.get(patient=roster[0]).individual_text == "Named the bus stop as a trigger."
    assert TherapySession.objects.get(pk=session.pk).status == SessionStatus.HELD
    done = client.get(f"/treatment/sessions/{session.pk}/").content.decode()
    assert "Signed group note" in done and "Medical appointment" in done


def test_the_copy_check_shows_on_the_page(group, director, counselor):
    roster = members(group, director, 2)
    session = group_session(group)
    client = verified_client(counselor)
    data = _form(
        session,
        roster,
        **{
            f"text_{roster[0].pk}": "Shared a plan.",
            f"text_{roster[1].pk}": "shared a  PLAN.",
            "action": "sign",
        },
    )
    response = client.post(f"/treatment/sessions/{session.pk}/", data)
    assert response.status_code == 422
    names = f"{roster[0].display_name} and {roster[1].display_name}"
    assert ERROR_COPIED.format(names=names) in response.content.decode()
    assert not ProgressNote.objects.filter(status=NoteStatus.SIGNED).exists()


def test_an_absence_needs_a_reason_on_the_form(group, director, counselor):
    roster = members(group, director, 1)
    session = group_session(group)
    data = _form(session, roster, **{f"attendance_{roster[0].pk}": "absent", "action": "save"})
    response = verified_client(counselor).post(f"/treatment/sessions/{session.pk}/", data)
    assert response.status_code == 422
    assert not GroupNote.objects.exists()


def test_the_page_warns_over_the_group_size(group, director, counselor, settings):
    settings.TREATMENT_GROUP_WARN_SIZE = 2
    members(group, director, 3)
    session = group_session(group)
    html = verified_client(counselor).get(f"/treatment/sessions/{session.pk}/").content.decode()
    assert "3 attendees: more than the program&#x27;s 2 for a group" in html


def test_groups_list_creates_and_the_group_page_adds_members(director, counselor, patient):
    client = verified_client(counselor)
    response = client.post(
        "/treatment/groups/",
        {
            "name": "Evening relapse prevention", "facilitator": counselor.pk, "weekday": 3,
            "start_time": "18:00", "minutes": 75, "room": "Room 3",
        },
    )  # fmt: skip
    assert response.status_code == 302
    group_id = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(f"/treatment/groups/{group_id}/", {"action": "add", "patient": patient.pk})
    assert GroupMember.objects.filter(group_id=group_id, patient=patient, active=True).exists()
    client.post(f"/treatment/groups/{group_id}/", {"action": "schedule", "weeks": 3})
    assert TherapySession.objects.filter(group_id=group_id).count() == 3
    html = client.get(f"/treatment/groups/{group_id}/").content.decode()
    assert patient.display_name in html
    listed = AuditEvent.objects.filter(object_type="group_roster", object_id=str(group_id))
    assert listed.last().detail["patients"] == [patient.pk]
    # Someone off the facilitator's care teams is not offered, and is refused if posted.
    stranger = make_patient(actor=director)
    client.post(f"/treatment/groups/{group_id}/", {"action": "add", "patient": stranger.pk})
    assert not GroupMember.objects.filter(patient=stranger).exists()


def test_the_calendar_shows_my_week_and_directors_see_others(director, counselor, patient):
    group = make_group(
        counselor, weekday=timezone.localdate().weekday(), start_time=dt.time(23, 59)
    )
    starts = timezone.now() + dt.timedelta(minutes=5)
    individual_session_schedule(
        actor=counselor, patient=patient, clinician=counselor, starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=50), room="Office 4",
    )  # fmt: skip
    TherapySession.objects.create(
        kind="group", group=group, clinician=counselor, starts_at=starts + dt.timedelta(hours=1),
        ends_at=starts + dt.timedelta(hours=2), room="Room 2",
    )  # fmt: skip
    week = timezone.localdate(starts).strftime("%Y-%m-%d")
    html = verified_client(counselor).get(f"/treatment/calendar/?week={week}").content.decode()
    assert patient.display_name in html and group.name in html
    other = make_staff(Role.COUNSELOR)
    assert (
        verified_client(other).get(f"/treatment/calendar/?clinician={counselor.pk}").status_code
        == 403
    )
    html = (
        verified_client(director)
        .get(f"/treatment/calendar/?week={week}&clinician={counselor.pk}")
        .content.decode()
    )
    assert group.name in html
    assert verified_client(counselor).get("/treatment/calendar/?week=not-a-date").status_code == 404


def test_the_calendar_schedules_an_individual_session(counselor, patient):
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    response = verified_client(counselor).post(
        "/treatment/calendar/",
        {
            "patient": patient.pk,
            "starts_at": starts.strftime(LOCAL),
            "minutes": 50,
            "room": "Office 4",
        },
    )
    assert response.status_code == 302
    session = TherapySession.objects.get(kind="individual")
    assert (session.patient, session.clinician) == (patient, counselor)
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=50)
    page = verified_client(counselor).get(response["Location"]).content.decode()
    assert patient.display_name in page


def test_the_notes_page_adds_an_addendum_to_a_member_note(group, director, counselor, nurse):
    from openrecovery.treatment.services.group_notes import group_note_sign, group_note_start
    from tests.treatment.group_support import shared_part

    (patient,) = members(group, director, 1)
    session = group_session(group)
    group_note = group_note_start(actor=counselor, session=session, shared=shared_part(session))
    group_note_sign(actor=counselor, group_note=group_note)
    note = ProgressNote.objects.get(group_note=group_note)
    url = f"/patients/{patient.pk}/treatment/notes/"
    response = verified_client(counselor).post(url, {"note": note.pk, "text": "Arrived at 10:05."})
    assert response.status_code == 302
    assert note.addenda.get().text == "Arrived at 10:05."
    html = verified_client(counselor).get(url).content.decode()
    assert "Arrived at 10:05." in html and "Add an addendum" in html
    # A nurse on the team may read the chart but writes no session notes.
    from openrecovery.records.services import care_team_add

    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    assert verified_client(nurse).post(url, {"note": note.pk, "text": "x"}).status_code == 403


def _page_queries(counselor, director, n: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from openrecovery.treatment.services.group_notes import group_note_start
    from tests.treatment.group_support import shared_part

    group = make_group(counselor, name=f"Group of {n}")
    members(group, director, n)
    session = group_session(group)
    group_note_start(actor=counselor, session=session, shared=shared_part(session))
    client = verified_client(counselor)
    client.get(f"/treatment/sessions/{session.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/treatment/sessions/{session.pk}/").status_code == 200
    return len(queries)


def test_the_session_page_reads_a_constant_number_of_queries(counselor, director):
    assert _page_queries(counselor, director, 3) == _page_queries(counselor, director, 12)
