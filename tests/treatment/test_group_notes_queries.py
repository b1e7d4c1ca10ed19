"""Composing and signing a group note costs a constant number of queries per member."""

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
from tests.treatment.group_support import group_session, make_group, members, shared_part

pytestmark = pytest.mark.django_db


def _queries(counselor, director, n: int) -> dict[str, int]:
    group = make_group(counselor, name=f"Group of {n}")
    roster = members(group, director, n)
    session = group_session(group)
    shared = shared_part(session)
    counts = {}
    with CaptureQueriesContext(connection) as start:
        group_note = group_note_start(actor=counselor, session=session, shared=shared)
    counts["start"] = len(start)
    notes = {n.patient_id: n for n in ProgressNote.objects.filter(group_note=group_note)}
    parts = {
        p.pk: MemberPart(
            f"Member {i} named a trigger.",
            list(notes[p.pk].objectives.values_list("pk", flat=True)[:1]),
        )
        for i, p in enumerate(roster)
    }
    with CaptureQueriesContext(connection) as save:
        group_note_save(
            actor=counselor, group_note=group_note, shared=shared, attendance={}, parts=parts
        )
    counts["save"] = len(save)
    with CaptureQueriesContext(connection) as sign:
        group_note_sign(actor=counselor, group_note=group_note)
    counts["sign"] = len(sign)
    return counts


def test_queries_grow_by_a_small_constant_per_member(counselor, director):
    three = _queries(counselor, director, 3)
    twelve = _queries(counselor, director, 12)
    for step in ("start", "save", "sign"):
        per_member = (twelve[step] - three[step]) / 9
        # What grows is one audit event per member note (its lane head, the event and
        # the head's move); everything else is read and written in bulk.
        assert per_member <= 4, (step, three, twelve)


def test_signing_twelve_stays_within_a_fixed_bound(
    counselor, director, django_assert_max_num_queries
):
    group = make_group(counselor)
    members(group, director, 12)
    session = group_session(group)
    group_note = group_note_start(actor=counselor, session=session, shared=shared_part(session))
    with django_assert_max_num_queries(60):
        group_note_sign(actor=counselor, group_note=group_note)
