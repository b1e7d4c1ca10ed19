"""The open queue and the conversion figures: order, response target, bounded queries."""

import datetime as dt

from django.utils import timezone

from openrecovery.helpline.choices import Urgency
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.selectors import conversion_figures, queue_open
from openrecovery.helpline.services import (
    call_attempt_record,
    disposition_record,
    inquiry_claim,
)
from tests.support.factories import verified_client
from tests.support.helpline import callback


def aged(minutes: int, urgency: int = Urgency.NORMAL) -> Inquiry:
    inquiry = callback()
    Inquiry.objects.filter(pk=inquiry.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=minutes), urgency=urgency
    )
    return inquiry


def test_queue_orders_by_urgency_then_waiting_time(db):
    newer, older = aged(5), aged(30)
    urgent = aged(1, Urgency.URGENT)
    assert [e.inquiry for e in queue_open()] == [urgent, older, newer]


def test_overdue_against_the_response_target(db, settings):
    settings.HELPLINE_RESPONSE_MINUTES = 20
    late, fresh = aged(25), aged(10)
    entries = {e.inquiry: e for e in queue_open()}
    assert entries[late].overdue and not entries[fresh].overdue
    assert entries[late].minutes_waiting == 25


def test_closed_inquiries_leave_the_queue(coordinator):
    inquiry = callback()
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    assert [e.inquiry for e in queue_open()] == [inquiry]  # claimed stays visible
    disposition_record(actor=coordinator, inquiry_id=inquiry.pk, kind="lost_contact")
    assert queue_open() == []


def test_queue_is_one_query_however_many_inquiries(db, django_assert_num_queries):
    for _ in range(3):
        callback()
    with django_assert_num_queries(1):
        queue_open()
    for _ in range(20):
        callback()
    with django_assert_num_queries(1):
        assert len(queue_open(limit=10)) == 10


def test_queue_endpoint_query_count_is_constant(coordinator, django_assert_max_num_queries):
    client = verified_client(coordinator)
    for _ in range(2):
        inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    client.get("/api/v1/helpline/inquiries")
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/helpline/inquiries")
    for _ in range(15):
        inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/helpline/inquiries").json()["entries"]) == 17


def test_conversion_figures_over_a_bounded_window(coordinator, django_assert_num_queries):
    reached = []
    for minutes in (4, 10, 30):
        inquiry = aged(minutes)
        inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
        call_attempt_record(actor=coordinator, inquiry_id=inquiry.pk, outcome="reached")
        reached.append(inquiry)
    disposition_record(actor=coordinator, inquiry_id=reached[0].pk, kind="not_a_fit")
    Inquiry.objects.filter(pk=reached[1].pk).update(disposition_kind="schedule_assessment")
    old = aged(60 * 24 * 40)  # outside the window
    with django_assert_num_queries(2):
        figures = conversion_figures(30)
    assert figures.total == 3
    assert figures.converted == 1
    assert round(figures.share_converted, 3) == 0.333
    assert 9.5 <= figures.median_minutes_to_first_contact <= 10.5
    assert sum(n for _day, n in figures.per_day) == 3
    assert old.pk not in [i.pk for i in reached]


def test_figures_with_no_inquiries(db):
    figures = conversion_figures(30)
    assert (figures.total, figures.share_converted, figures.median_minutes_to_first_contact) == (
        0,
        None,
        None,
    )
