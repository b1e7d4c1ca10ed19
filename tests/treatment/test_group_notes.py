"""Group notes: start, attendance, individual parts, the copy check, signing, addenda."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import AlertKind, CareTeamRole
from openrecovery.records.models import ClinicalAlert
from openrecovery.records.services import care_team_add
from openrecovery.treatment.choices import Attendance, NoteStatus, SessionStatus
from openrecovery.treatment.models import GroupAttendance, GroupNote, ProgressNote, TherapySession
from openrecovery.treatment.services import thread
from openrecovery.treatment.services.group_notes import (
    ERROR_ADDENDUM_DRAFT,
    ERROR_ADDENDUM_WHO,
    ERROR_COPIED,
    ERROR_NOT_FACILITATOR,
    ERROR_OBJECTIVE,
    ERROR_REASON,
    PARTICIPANTS,
    attendance_set,
    copied_parts,
    group_note_sign,
    group_note_start,
    group_note_update,
    member_note_individualize,
    normalized,
    note_addendum_add,
)
from openrecovery.treatment.services.thread import supervisors_by_patient
from tests.support.factories import make_staff
from tests.treatment.group_support import group_session, make_group, members, shared_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(counselor):
    return make_group(counselor)


def _start(group, director, n=3, **kwargs):
    roster = members(group, director, n)
    session = group_session(group)
    note = group_note_start(
        actor=group.facilitator, session=session, shared=shared_part(session), **kwargs
    )
    return roster, session, note


def _note(group_note, patient):
    return ProgressNote.objects.get(group_note=group_note, patient=patient)


def test_start_prefills_each_member_note_from_the_shared_part_and_their_own_plan(group, director):
    roster, session, group_note = _start(group, director, 3, absent={})
    assert GroupAttendance.objects.filter(group_note=group_note).count() == 3
    for patient in roster:
        note = _note(group_note, patient)
        assert note.status == NoteStatus.DRAFT and note.format == "dap"
        assert note.episode == patient.episodes.get()
        assert (note.started_at, note.ended_at) == (session.starts_at, session.ends_at)
        assert note.module_code == "cravings"
        assert note.interventions == ["relapse_prevention", "cbt"]
        assert note.individual_text == ""
        own = {o.text for o in note.objectives.all()}
        index = roster.index(patient)
        assert own == {f"Objective A of {index}", f"Objective B of {index}"}


def test_no_plan_means_no_objective_preselected(group, director):
    (patient,) = members(group, director, 1, plans=False)
    session = group_session(group)
    group_note = group_note_start(
        actor=group.facilitator, session=session, shared=shared_part(session)
    )
    assert not _note(group_note, patient).objectives.exists()


def test_only_the_facilitators_start_a_group_note(group, director):
    members(group, director, 1)
    session = group_session(group)
    with pytest.raises(Forbidden) as caught:
        group_note_start(
            actor=make_staff(Role.COUNSELOR), session=session, shared=shared_part(session)
        )
    assert caught.value.message == ERROR_NOT_FACILITATOR
    assert not GroupNote.objects.exists()


def test_absent_at_start_gets_no_note_and_needs_a_reason(group, director):
    roster = members(group, director, 2)
    session = group_session(group)
    with pytest.raises(ValidationError):
        group_note_start(
            actor=group.facilitator, session=session, shared=shared_part(session),
            absent={roster[0].pk: " "},
        )  # fmt: skip
    group_note = group_note_start(
        actor=group.facilitator, session=session, shared=shared_part(session),
        absent={roster[0].pk: "Medical appointment"},
    )  # fmt: skip
    row = GroupAttendance.objects.get(group_note=group_note, patient=roster[0])
    assert row.status == Attendance.ABSENT and row.absent_reason == "Medical appointment"
    assert not ProgressNote.objects.filter(group_note=group_note, patient=roster[0]).exists()
    assert ProgressNote.objects.filter(group_note=group_note, patient=roster[1]).exists()


def test_attendance_transitions(group, director):
    roster, _, group_note = _start(group, director, 2)
    patient = roster[0]
    with pytest.raises(ValidationError) as caught:
        attendance_set(
            actor=group.facilitator, group_note=group_note, patient=patient, status="absent"
        )
    assert caught.value.message_dict["absent_reason"] == [ERROR_REASON]
    attendance_set(
        actor=group.facilitator, group_note=group_note, patient=patient,
        status=Attendance.ABSENT, absent_reason="Unwell",
    )  # fmt: skip
    assert not ProgressNote.objects.filter(group_note=group_note, patient=patient).exists()
    attendance_set(
        actor=group.facilitator, group_note=group_note, patient=patient, status=Attendance.LATE
    )
    row = GroupAttendance.objects.get(group_note=group_note, patient=patient)
    assert row.status == Attendance.LATE and row.absent_reason == ""
    note = _note(group_note, patient)
    assert note.objectives.count() == 2
    attendance_set(
        actor=group.facilitator, group_note=group_note, patient=patient,
        status=Attendance.LEFT_EARLY,
    )  # fmt: skip
    assert _note(group_note, patient).pk == note.pk  # still attending: the same draft


def test_individualize_takes_only_the_members_own_objectives(group, director):
    roster, _, group_note = _start(group, director, 2)
    mine, theirs = _note(group_note, roster[0]), _note(group_note, roster[1])
    other_objective = theirs.objectives.first()
    with pytest.raises(ValidationError) as caught:
        member_note_individualize(
            actor=group.facilitator, note=mine, individual_text="Spoke of cravings at night.",
            objective_ids=[other_objective.pk],
        )  # fmt: skip
    assert caught.value.message_dict["objectives"] == [ERROR_OBJECTIVE]
    own = mine.objectives.first()
    saved = member_note_individualize(
        actor=group.facilitator, note=mine, individual_text="Spoke of cravings at night.",
        objective_ids=[own.pk],
    )  # fmt: skip
    assert saved.individual_text == "Spoke of cravings at night."
    assert list(saved.objectives.all()) == [own]


def test_updating_the_shared_part_reaches_the_member_notes(group, director):
    roster, session, group_note = _start(group, director, 2)
    group_note_update(
        actor=group.facilitator, group_note=group_note,
        shared=shared_part(session, module_code="refusal", interventions=["mi"]),
    )  # fmt: skip
    assert set(ProgressNote.objects.values_list("module_code", flat=True)) == {"refusal"}


def test_normalized_copies():
    assert normalized("  Spoke   OF\ncravings ") == "spoke of cravings"
    assert copied_parts({1: "Spoke of cravings.", 2: "spoke  of CRAVINGS.", 3: "", 4: ""}) == [
        [1, 2]
    ]


def test_the_copy_check_refuses_and_changes_nothing(group, director):
    roster, session, group_note = _start(group, director, 3)
    for patient, text in zip(
        roster, ["Shared a plan for Friday.", "shared a plan  for FRIDAY.", ""], strict=True
    ):
        note = _note(group_note, patient)
        member_note_individualize(
            actor=group.facilitator, note=note, individual_text=text,
            objective_ids=list(note.objectives.values_list("pk", flat=True)),
        )  # fmt: skip
    events = AuditEvent.objects.count()
    with pytest.raises(StateConflict) as caught:
        group_note_sign(actor=group.facilitator, group_note=group_note)
    names = f"{roster[0].display_name} and {roster[1].display_name}"
    assert caught.value.message == ERROR_COPIED.format(names=names)
    assert "Friday" not in caught.value.message
    assert not ProgressNote.objects.filter(status=NoteStatus.SIGNED).exists()
    assert GroupNote.objects.get().status == NoteStatus.DRAFT
    assert TherapySession.objects.get().status == SessionStatus.SCHEDULED
    assert AuditEvent.objects.count() == events


def test_empty_individual_parts_are_allowed(group, director):
    _, _, group_note = _start(group, director, 3)
    signed = group_note_sign(actor=group.facilitator, group_note=group_note)
    assert len(signed.notes) == 3 and not signed.over_warn_size


def test_signing_signs_every_member_note_with_one_audit_event_each(group, director):
    roster, session, group_note = _start(group, director, 4, absent={})
    attendance_set(
        actor=group.facilitator, group_note=group_note, patient=roster[3],
        status=Attendance.ABSENT, absent_reason="Court date",
    )  # fmt: skip
    signed = group_note_sign(actor=group.facilitator, group_note=group_note)
    assert signed.participants == 3
    notes = ProgressNote.objects.filter(group_note=group_note)
    assert notes.count() == 3
    for note in notes:
        assert note.status == NoteStatus.SIGNED and note.signed_at is not None
        assert note.sections[PARTICIPANTS] == 3
        assert note.flags == [] and not note.late_entry
        events = AuditEvent.objects.filter(
            object_type="progress_note", object_id=str(note.pk), detail__signed=True
        )
        assert list(events.values_list("patient_id", flat=True)) == [note.patient_id]
    assert GroupNote.objects.get().status == NoteStatus.SIGNED
    assert TherapySession.objects.get(pk=session.pk).status == SessionStatus.HELD
    with pytest.raises(StateConflict):
        group_note_sign(actor=group.facilitator, group_note=group_note)


@override_settings(TREATMENT_GROUP_WARN_SIZE=2)
def test_a_group_over_the_warning_size_warns_but_signs(group, director):
    _, _, group_note = _start(group, director, 3)
    signed = group_note_sign(actor=group.facilitator, group_note=group_note)
    assert signed.over_warn_size and signed.participants == 3
    assert GroupNote.objects.get().status == NoteStatus.SIGNED


@pytest.mark.parametrize(
    ("after", "late"),
    [(dt.timedelta(days=7), False), (dt.timedelta(days=7, seconds=1), True)],
)
def test_late_entry_after_seven_days(group, director, after, late):
    _, session, group_note = _start(group, director, 1)
    signed = group_note_sign(
        actor=group.facilitator, group_note=group_note, now=session.ends_at + after
    )
    note = signed.notes[0]
    note.refresh_from_db()
    assert note.late_entry is late
    assert note.flags == ([thread.FLAG_LATE_ENTRY] if late else [])
    alerts = ClinicalAlert.objects.filter(kind=AlertKind.TREATMENT_THREAD, source_id=str(note.pk))
    assert alerts.exists() is late


def test_a_note_addressing_no_objective_alerts_author_and_supervisor(group, director):
    roster, _, group_note = _start(group, director, 2)
    supervisor = make_staff(Role.CLINICAL_DIRECTOR)
    care_team_add(
        actor=director, patient=roster[0], user=supervisor,
        team_role=CareTeamRole.CLINICAL_SUPERVISOR,
    )  # fmt: skip
    bare = _note(group_note, roster[0])
    member_note_individualize(
        actor=group.facilitator, note=bare, individual_text="Quiet today.", objective_ids=[]
    )
    group_note_sign(actor=group.facilitator, group_note=group_note)
    bare.refresh_from_db()
    assert bare.flags == [thread.FLAG_NO_OBJECTIVE]
    recipients = set(
        ClinicalAlert.objects.filter(
            kind=AlertKind.TREATMENT_THREAD, source_id=str(bare.pk)
        ).values_list("recipient_id", flat=True)
    )
    assert recipients == {group.facilitator.pk, supervisor.pk}
    assert _note(group_note, roster[1]).flags == []


def test_supervisors_by_patient_matches_supervisors_of(group, director):
    a, b = members(group, director, 2)
    supervisor = make_staff(Role.CLINICAL_DIRECTOR)
    care_team_add(
        actor=director, patient=a, user=supervisor, team_role=CareTeamRole.CLINICAL_SUPERVISOR
    )
    found = supervisors_by_patient([a.pk, b.pk])
    assert found[a.pk] == thread.supervisors_of(a)
    assert found[b.pk] == thread.supervisors_of(b)


def test_addenda_correct_signed_notes(group, director):
    roster, _, group_note = _start(group, director, 1)
    note = _note(group_note, roster[0])
    with pytest.raises(StateConflict) as caught:
        note_addendum_add(actor=group.facilitator, note=note, text="Correction.")
    assert caught.value.message == ERROR_ADDENDUM_DRAFT
    group_note_sign(actor=group.facilitator, group_note=group_note)
    addendum = note_addendum_add(actor=group.facilitator, note=note, text=" Left at 10:40. ")
    assert addendum.text == "Left at 10:40."
    with pytest.raises(Forbidden) as caught:
        note_addendum_add(actor=make_staff(Role.COUNSELOR), note=note, text="Not mine.")
    assert caught.value.message == ERROR_ADDENDUM_WHO
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.addenda.count() == 1


def test_signed_group_notes_refuse_changes(group, director):
    roster, session, group_note = _start(group, director, 1)
    group_note_sign(actor=group.facilitator, group_note=group_note, now=timezone.now())
    with pytest.raises(StateConflict):
        group_note_update(
            actor=group.facilitator, group_note=group_note, shared=shared_part(session)
        )
    with pytest.raises(StateConflict):
        member_note_individualize(
            actor=group.facilitator, note=_note(group_note, roster[0]),
            individual_text="Changed.", objective_ids=[],
        )  # fmt: skip
