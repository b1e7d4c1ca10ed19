"""Claiming is atomic: of two coordinators, exactly one gets the inquiry."""

import threading
import time

import pytest
from django.db import OperationalError, connection
from django.db.models import QuerySet

from openrecovery.audit.choices import Action
from openrecovery.helpline.choices import InquiryStatus
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.services import (
    ERROR_CLAIM_FIRST,
    InquiryConflict,
    InquiryTaken,
    inquiry_claim,
    inquiry_release,
)
from tests.support.audit import audit_mark, events_since
from tests.support.factories import verified_client
from tests.support.helpline import callback


def test_claim_marks_the_inquiry_and_audits(coordinator):
    inquiry = callback()
    mark = audit_mark()
    claimed = inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    assert (claimed.status, claimed.claimed_by) == (InquiryStatus.CLAIMED, coordinator)
    assert claimed.claimed_at is not None
    [event] = events_since(mark, action=Action.UPDATE)
    assert (event.object_type, event.object_id, event.actor_id) == (
        "inquiry",
        str(inquiry.pk),
        coordinator.pk,
    )
    assert event.detail == {"claimed": True}


def test_second_claim_learns_who_has_it(coordinator, coordinator2):
    inquiry = callback()
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    with pytest.raises(InquiryTaken) as taken:
        inquiry_claim(actor=coordinator2, inquiry_id=inquiry.pk)
    assert taken.value.claimed_by == coordinator
    assert taken.value.claimed_by_name == "Admissions_Coordinator Tester"
    assert Inquiry.objects.get(pk=inquiry.pk).claimed_by == coordinator


def test_claiming_again_is_a_no_op_and_release_reopens(coordinator, coordinator2):
    inquiry = callback()
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    assert inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk).claimed_by == coordinator
    inquiry_release(actor=coordinator, inquiry_id=inquiry.pk)
    assert inquiry_claim(actor=coordinator2, inquiry_id=inquiry.pk).claimed_by == coordinator2


def test_a_claim_lost_to_a_hold_released_since_names_nobody(coordinator, monkeypatch):
    # A colleague's hold makes the conditional UPDATE match nothing; the colleague
    # releases before the re-read. Nobody holds the inquiry now: claim it again.
    inquiry = callback()
    monkeypatch.setattr(QuerySet, "update", lambda self, **fields: 0)
    with pytest.raises(InquiryConflict) as refused:
        inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    assert not isinstance(refused.value, InquiryTaken)
    assert refused.value.message == ERROR_CLAIM_FIRST
    assert refused.value.body() == {"detail": ERROR_CLAIM_FIRST, "claimed_by": None}
    assert Inquiry.objects.get(pk=inquiry.pk).claimed_by is None


def test_api_claim_conflict_is_409_with_the_holder(coordinator, coordinator2):
    inquiry = callback()
    url = f"/api/v1/helpline/inquiries/{inquiry.reference}/claim"
    assert (
        verified_client(coordinator).post(url, content_type="application/json").status_code == 200
    )
    response = verified_client(coordinator2).post(url, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["claimed_by"] == "Admissions_Coordinator Tester"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_exactly_one_wins(coordinator, coordinator2):
    inquiry = callback()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(user):
        try:
            barrier.wait(timeout=5)
            for _ in range(200):
                try:
                    outcomes[user.username] = inquiry_claim(
                        actor=user, inquiry_id=inquiry.pk
                    ).claimed_by
                    return
                except InquiryTaken as exc:
                    outcomes[user.username] = exc
                    return
                except OperationalError as exc:
                    # The test database is SQLite's shared-cache memory database, whose
                    # table locks fail at once instead of waiting like a file database
                    # with a busy timeout: wait and try the whole (atomic) claim again.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.005)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (coordinator, coordinator2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [v for v in outcomes.values() if not isinstance(v, InquiryTaken)]
    losers = [v for v in outcomes.values() if isinstance(v, InquiryTaken)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert losers[0].claimed_by == winners[0]
    assert Inquiry.objects.get(pk=inquiry.pk).claimed_by == winners[0]
