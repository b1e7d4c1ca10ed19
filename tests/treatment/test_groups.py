"""Groups, rosters and the calendar: services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import Stage
from openrecovery.treatment.choices import SessionKind, SessionStatus
from openrecovery.treatment.models import GroupMember, TherapySession
from openrecovery.treatment.services.groups import (
    ERROR_ALREADY_MEMBER,
    ERROR_CHART_CLOSED,
    ERROR_CLINICIAN_CHART,
    ERROR_NOT_RUNNING,
    ERROR_NOT_SCHEDULED,
    ERROR_PLACE,
    ERROR_SAME_FACILITATOR,
    group_member_add,
    group_member_remove,
    group_sessions_schedule,
    individual_session_schedule,
    session_cancel,
)
from tests.support.factories import make_patient, make_staff
from tests.treatment.group_support import make_group

pytestmark = pytest.mark.django_db


def test_a_group_needs_a_room_or_a_video_link(counselor):
    with pytest.raises(ValidationError) as caught:
        make_group(counselor, room="")
    assert caught.value.message_dict["room"] == [ERROR_PLACE]
    group = make_group(counselor, room="", video_link="https://video.example.org/rp")
    assert group.video_link and not group.room


def test_the_co_facilitator_is_someone_else(counselor):
    with pytest.raises(ValidationError) as caught:
        make_group(counselor, co_facilitator=counselor)
    assert caught.value.message_dict["co_facilitator"] == [ERROR_SAME_FACILITATOR]


def test_a_nurse_cannot_create_a_group(nurse, counselor):
    from openrecovery.treatment.services.groups import group_create

    with pytest.raises(Forbidden):
        group_create(
            actor=nurse, name="x", facilitator=counselor, weekday=1,
            start_time=dt.time(10), room="Room 1",
        )  # fmt: skip


def test_roster_add_requires_the_facilitator_on_the_care_team(director, counselor):
    group = make_group(counselor)
    stranger = make_patient(actor=director, stage=Stage.TREATMENT)
    with pytest.raises(Forbidden) as caught:
        group_member_add(actor=counselor, group=group, patient=stranger)
    assert caught.value.message == ERROR_CHART_CLOSED
    assert not GroupMember.objects.exists()


def test_roster_add_remove_and_add_again(director, counselor, patient):
    group = make_group(counselor)
    member = group_member_add(actor=counselor, group=group, patient=patient)
    with pytest.raises(StateConflict) as caught:
        group_member_add(actor=counselor, group=group, patient=patient)
    assert caught.value.message == ERROR_ALREADY_MEMBER
    group_member_remove(actor=counselor, group=group, patient=patient)
    assert not GroupMember.objects.get(pk=member.pk).active
    again = group_member_add(actor=director, group=group, patient=patient)
    assert again.pk == member.pk and again.active
    events = AuditEvent.objects.filter(object_type="group_member", patient_id=patient.pk)
    assert events.count() == 3


def test_another_counselor_cannot_change_the_roster(director, counselor, patient):
    group = make_group(counselor)
    other = make_staff(Role.COUNSELOR)
    with pytest.raises(Forbidden) as caught:
        group_member_add(actor=other, group=group, patient=patient)
    assert caught.value.message == ERROR_NOT_RUNNING


def test_scheduling_is_idempotent_and_weekly(counselor):
    group = make_group(counselor, weekday=2, start_time=dt.time(14, 30), minutes=90)
    now = timezone.now()
    first = group_sessions_schedule(actor=counselor, group=group, weeks=4, now=now)
    assert len(first) == 4
    again = group_sessions_schedule(actor=counselor, group=group, weeks=6, now=now)
    assert len(again) == 2
    sessions = list(TherapySession.objects.filter(group=group))
    assert len(sessions) == 6
    for s in sessions:
        local = timezone.localtime(s.starts_at)
        assert local.weekday() == 2 and local.time() == dt.time(14, 30)
        assert s.ends_at - s.starts_at == dt.timedelta(minutes=90)
        assert s.clinician_id == counselor.pk and s.kind == SessionKind.GROUP
        assert s.starts_at > now
    gaps = {b.starts_at - a.starts_at for a, b in zip(sessions, sessions[1:], strict=False)}
    assert all(dt.timedelta(days=6, hours=23) <= g <= dt.timedelta(days=7, hours=1) for g in gaps)


def test_an_individual_session_needs_the_clinician_on_the_team(director, counselor, patient):
    starts = timezone.now() + dt.timedelta(days=1)
    session = individual_session_schedule(
        actor=counselor, patient=patient, clinician=counselor, starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=50), room="Office 4",
    )  # fmt: skip
    assert session.kind == SessionKind.INDIVIDUAL and session.patient_id == patient.pk
    other = make_staff(Role.COUNSELOR)
    with pytest.raises(Forbidden) as caught:
        individual_session_schedule(
            actor=other, patient=patient, clinician=other, starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=50),
        )  # fmt: skip
    assert caught.value.message == ERROR_CLINICIAN_CHART


def test_cancel_a_scheduled_session_once(counselor):
    group = make_group(counselor)
    session = group_sessions_schedule(actor=counselor, group=group, weeks=1)[0]
    cancelled = session_cancel(actor=counselor, session=session)
    assert cancelled.status == SessionStatus.CANCELLED
    with pytest.raises(StateConflict) as caught:
        session_cancel(actor=counselor, session=session)
    assert caught.value.message == ERROR_NOT_SCHEDULED
