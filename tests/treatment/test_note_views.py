"""The individual session note page: write, sign, flags shown, addenda."""

from django.urls import reverse

from openrecovery.treatment.models import PlanObjective, ProgressNote
from openrecovery.treatment.services import plans
from tests.support.factories import make_staff, verified_client
from tests.treatment.test_plans import complete_plan

FIELDS = {
    "started_at": "2026-01-05T10:00",
    "ended_at": "2026-01-05T10:50",
    "modality": "in_person",
    "data": "Talked about sleep after the taper.",
    "assessment": "Engaged, cravings lower.",
    "plan": "Keep the wind-down routine.",
    "interventions": ["cbt"],
    "next_session_plan": "Review the sleep diary.",
}


def test_a_counselor_writes_and_signs_a_note_naming_an_objective(counselor, patient, episode):
    plan = plans.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )
    objective = PlanObjective.objects.get(goal__problem__plan=plan)
    client = verified_client(counselor)
    page = client.get(reverse("treatment:note_new", args=[patient.pk])).content.decode()
    assert objective.text in page and "Suicide-risk check" in page and "Measures due" in page
    response = client.post(
        reverse("treatment:note_new", args=[patient.pk]),
        {**FIELDS, "objectives": [str(objective.pk)], "action": "sign"},
        follow=True,
    )
    note = ProgressNote.objects.get()
    assert note.status == "signed" and list(note.objectives.all()) == [objective]
    page = response.content.decode()
    assert "Note signed." in page and "Late entry" in page  # January is long past
    assert "Talked about sleep after the taper." in page
    assert "Next session:</strong> Review the sleep diary." in page


def test_a_refused_signature_saves_nothing_and_keeps_what_was_typed(counselor, patient):
    client = verified_client(counselor)
    url = reverse("treatment:note_new", args=[patient.pk])
    response = client.post(url, {**FIELDS, "assessment": "", "action": "sign"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Write the Assessment section before signing." in page
    assert "Talked about sleep after the taper." in page  # what was typed is still there
    assert not ProgressNote.objects.exists()
    assert f'action="{url}"' in page
    client.post(url, {**FIELDS, "assessment": "", "action": "save"})
    assert ProgressNote.objects.get().status == "draft"  # a draft may be incomplete


def test_an_addendum_corrects_a_signed_note(counselor, patient):
    client = verified_client(counselor)
    client.post(reverse("treatment:note_new", args=[patient.pk]), {**FIELDS, "action": "sign"})
    note = ProgressNote.objects.get()
    url = reverse("treatment:note", args=[patient.pk, note.pk])
    response = client.post(
        url, {"action": "addendum", "text": "Session was by video, not in person."}, follow=True
    )
    assert "Session was by video, not in person." in response.content.decode()
    assert client.post(url, {**FIELDS, "action": "save"}).status_code == 403


def test_nurses_cannot_write_notes_and_strangers_see_nothing(patient, nurse, director):
    from openrecovery.records.services import care_team_add

    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    assert (
        verified_client(nurse).get(reverse("treatment:note_new", args=[patient.pk])).status_code
        == 403
    )
    stranger = make_staff("counselor", "note_stranger")
    assert (
        verified_client(stranger).get(reverse("treatment:note_new", args=[patient.pk])).status_code
        == 404
    )


def test_a_note_from_the_calendar_takes_the_sessions_times_and_marks_it_held(counselor, patient):
    import datetime as dt

    from django.utils import timezone

    from openrecovery.treatment.services.groups import individual_session_schedule

    starts = (timezone.now() - dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    session = individual_session_schedule(
        actor=counselor,
        patient=patient,
        clinician=counselor,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=45),
        room="Office 4",
    )
    client = verified_client(counselor)
    url = reverse("treatment:note_new", args=[patient.pk])
    page = client.get(f"{url}?session={session.pk}").content.decode()
    local = timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page and f'name="session" value="{session.pk}"' in page
    client.post(url, {**FIELDS, "session": session.pk, "action": "sign"})
    note = ProgressNote.objects.get()
    assert note.session == session
    session.refresh_from_db()
    assert session.status == "held"
    assert client.get(f"{url}?session=99999999999999999999").status_code == 200


def test_a_colleagues_draft_stays_theirs_as_in_the_chart(counselor, patient, director):
    from openrecovery.records.services import care_team_add

    client = verified_client(counselor)
    client.post(reverse("treatment:note_new", args=[patient.pk]), {**FIELDS, "action": "save"})
    note = ProgressNote.objects.get()
    colleague = make_staff("counselor", "colleague")
    care_team_add(actor=director, patient=patient, user=colleague, team_role="case_manager")
    url = reverse("treatment:note", args=[patient.pk, note.pk])
    assert verified_client(colleague).get(url).status_code == 404
    assert client.get(url).status_code == 200
