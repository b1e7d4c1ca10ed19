"""Possible duplicate callbacks (issue 10, point 3): marked in the queue, merged by a
coordinator without losing anything, audited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.audit.models import AuditEvent
from openrecovery.helpline.choices import DispositionKind, InquiryStatus, Urgency
from openrecovery.helpline.merging import ERROR_NOT_DUPLICATE, inquiry_merge
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.selectors import conversion_figures, queue_open
from openrecovery.helpline.services import (
    InquiryTaken,
    call_attempt_record,
    inquiry_claim,
)
from tests.support.factories import verified_client
from tests.support.helpline import callback


def received(inquiry, hours_ago):
    Inquiry.objects.filter(pk=inquiry.pk).update(
        received_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )
    inquiry.refresh_from_db()
    return inquiry


def test_same_phone_within_a_day_is_marked_both_ways(db):
    first = callback(phone="(555) 010-4477")
    second = callback(phone="555.010.4477", name="S.")  # the same number, typed differently
    other = callback(phone="555-010-9999")
    marks = {e.inquiry.pk: e.inquiry.possible_duplicate_of for e in queue_open()}
    assert marks == {first.pk: second.reference, second.pk: first.reference, other.pk: None}


def test_same_phone_more_than_a_day_apart_is_not_marked(db):
    old = received(callback(), 30)
    callback()
    assert all(e.inquiry.possible_duplicate_of is None for e in queue_open())
    assert old.pk in [e.inquiry.pk for e in queue_open()]


def test_queue_is_still_one_query_with_duplicates(db, django_assert_num_queries):
    for _ in range(4):
        callback()
    with django_assert_num_queries(1):
        entries = queue_open()
    assert all(e.inquiry.possible_duplicate_of for e in entries)


def test_merge_closes_the_duplicate_with_a_pointer_and_keeps_its_calls(coordinator):
    kept = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    duplicate = callback(message="please call after 6", self_check=None)
    Inquiry.objects.filter(pk=duplicate.pk).update(urgency=Urgency.HIGH)
    inquiry_claim(actor=coordinator, inquiry_id=duplicate.pk)
    attempt = call_attempt_record(
        actor=coordinator, inquiry_id=duplicate.pk, outcome="voicemail", notes="left a message"
    )
    inquiry_merge(actor=coordinator, inquiry_id=kept.pk, duplicate_id=duplicate.pk)
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.merged_into == kept and duplicate.status == InquiryStatus.CLOSED
    assert duplicate.disposition.kind == DispositionKind.MERGED
    assert kept.reference in duplicate.disposition.notes
    assert list(duplicate.call_attempts.all()) == [attempt]  # nothing moved or deleted
    assert duplicate.message == "please call after 6"
    assert kept.urgency == Urgency.HIGH and kept.closed_at is None
    events = AuditEvent.objects.filter(object_type="inquiry").order_by("-id")[:2]
    assert {e.object_id for e in events} == {str(kept.pk), str(duplicate.pk)}
    assert {"merged_into", "merged_from"} <= {k for e in events for k in e.detail}
    assert [e.inquiry for e in queue_open()] == [kept]


def test_merge_refuses_what_is_not_a_duplicate(coordinator):
    kept = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    stranger = callback(phone="555-010-9999")
    with pytest.raises(ValidationError) as refused:
        inquiry_merge(actor=coordinator, inquiry_id=kept.pk, duplicate_id=stranger.pk)
    assert refused.value.message_dict == {"duplicate": [ERROR_NOT_DUPLICATE]}
    stranger.refresh_from_db()
    assert stranger.closed_at is None


def test_merge_refuses_a_duplicate_someone_else_holds(coordinator, coordinator2):
    kept = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    held = inquiry_claim(actor=coordinator2, inquiry_id=callback().pk)
    with pytest.raises(InquiryTaken):
        inquiry_merge(actor=coordinator, inquiry_id=kept.pk, duplicate_id=held.pk)


def test_console_marks_the_pair_and_merges_from_the_inquiry_page(coordinator):
    client = verified_client(coordinator)
    kept = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    duplicate = callback()
    call_attempt = {"outcome": "no_answer", "notes": "rang twice"}
    inquiry_claim(actor=coordinator, inquiry_id=duplicate.pk)
    call_attempt_record(actor=coordinator, inquiry_id=duplicate.pk, **call_attempt)
    queue = client.get("/admissions/queue/").content.decode()
    assert f"possible duplicate of {duplicate.reference}" in queue
    assert f"possible duplicate of {kept.reference}" in queue
    page = client.get(f"/admissions/inquiries/{kept.reference}/").content.decode()
    assert f"Merge {duplicate.reference} into this inquiry" in page
    shown = AuditEvent.objects.filter(action="list", object_type="inquiry").order_by("-id")[0]
    assert shown.detail["inquiries"] == [duplicate.pk]  # what the page showed is audited
    response = client.post(
        f"/admissions/inquiries/{kept.reference}/merge/",
        {"duplicate": duplicate.reference},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="merged-here"' in body and "rang twice" in body
    merged_page = client.get(f"/admissions/inquiries/{duplicate.reference}/").content.decode()
    assert 'id="merged-into"' in merged_page and kept.reference in merged_page


def test_console_merge_of_a_stranger_answers_422_and_changes_nothing(coordinator):
    client = verified_client(coordinator)
    kept = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    stranger = callback(phone="555-010-9999")
    response = client.post(
        f"/admissions/inquiries/{kept.reference}/merge/", {"duplicate": stranger.reference}
    )
    assert response.status_code == 422
    assert ERROR_NOT_DUPLICATE in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.closed_at is None


def test_the_queue_api_names_the_possible_duplicate(coordinator):
    first, again = callback(), callback(phone="555 010 4477")
    entries = verified_client(coordinator).get("/api/v1/helpline/inquiries").json()["entries"]
    marks = {e["reference"]: e["possible_duplicate_of"] for e in entries}
    assert marks == {first.reference: again.reference, again.reference: first.reference}


def test_a_merged_duplicate_is_not_counted_again_in_the_figures(coordinator):
    kept = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    duplicate = callback()
    assert conversion_figures(7).total == 2
    inquiry_merge(actor=coordinator, inquiry_id=kept.pk, duplicate_id=duplicate.pk)
    assert conversion_figures(7).total == 1
