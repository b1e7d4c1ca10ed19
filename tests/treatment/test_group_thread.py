"""Signing a group checks each member's golden thread and writes each member's timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from openrecovery.records.choices import AlertKind
from openrecovery.records.models import ClinicalAlert, TimelineEvent
from openrecovery.treatment.models import ProgressNote, TreatmentPlan
from openrecovery.treatment.services.group_notes import (
    MemberPart,
    group_note_save,
    group_note_sign,
    group_note_start,
)
from tests.treatment.group_support import group_session, make_group, members, shared_part

pytestmark = pytest.mark.django_db


def test_an_objective_no_member_note_addressed_in_30_days_is_flagged_for_that_member(
    counselor, director
):
    group = make_group(counselor)
    first, second = members(group, director, 2)
    # The first member's plan was signed 40 days ago; the second's today.
    TreatmentPlan.objects.filter(patient=first).update(
        signed_at=timezone.now() - dt.timedelta(days=40)
    )
    session = group_session(group)
    shared = shared_part(session)
    group_note = group_note_start(actor=counselor, session=session, shared=shared)
    notes = {n.patient_id: n for n in ProgressNote.objects.filter(group_note=group_note)}
    first_objectives = list(
        notes[first.pk].episode.treatment_plans.get().problems.get().goals.get().objectives.all()
    )
    # The first member's note addresses only the first of their objectives.
    group_note_save(
        actor=counselor,
        group_note=group_note,
        shared=shared,
        attendance={},
        parts={
            first.pk: MemberPart("Named a trigger.", [first_objectives[0].pk]),
            second.pk: MemberPart("", []),
        },
    )
    group_note_sign(actor=counselor, group_note=group_note)
    stale = ClinicalAlert.objects.filter(
        kind=AlertKind.TREATMENT_THREAD, source_type="plan_objective"
    )
    flagged_threads = set(stale.values_list("source_id", flat=True))
    assert flagged_threads == {o.thread for o in first_objectives[1:]}
    assert set(stale.values_list("patient_id", flat=True)) == {first.pk}
    for patient in (first, second):
        assert (
            TimelineEvent.objects.filter(
                patient=patient, summary="Group session note signed"
            ).count()
            == 1
        )
