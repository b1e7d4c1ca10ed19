"""The console page: queue, polling partial, phone-inquiry form, figures, access, queries."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.helpline.choices import DispositionKind, InquiryStatus, Urgency
from openrecovery.helpline.console.selectors import QUEUE_ROWS
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.validation import ERROR_PHONE
from tests.support.factories import make_staff, verified_client
from tests.support.helpline import callback

CONSOLE = "/admissions/"
QUEUE = "/admissions/queue/"
FIGURES = "/admissions/figures/"
LOG_CALL = "/admissions/log-call/"


def test_queue_lists_open_inquiries_most_urgent_first(client_c):
    normal = callback(name="Normal caller")
    urgent = callback(name="Urgent caller")
    Inquiry.objects.filter(pk=urgent.pk).update(urgency=Urgency.URGENT)
    closed = callback(name="Closed caller")
    Inquiry.objects.filter(pk=closed.pk).update(closed_at=timezone.now(), status="closed")
    response = client_c.get(CONSOLE)
    assert response.status_code == 200
    body = response.content.decode()
    queue = body.split('id="queue"', 1)[1].split("</table>", 1)[0]
    assert queue.index(urgent.reference) < queue.index(normal.reference)
    assert closed.reference not in queue
    assert "Urgent caller" in body and ">Urgent<" in queue
    assert "response target 15 min" in body
    assert 'hx-trigger="every 10s"' in body


def test_timer_turns_red_past_the_target(client_c, settings):
    settings.HELPLINE_RESPONSE_MINUTES = 5
    fresh = callback(name="Fresh")
    late = callback(name="Late")
    Inquiry.objects.filter(pk=late.pk).update(received_at=timezone.now() - dt.timedelta(minutes=12))
    body = client_c.get(QUEUE).content.decode()
    late_row = body.split(f'data-reference="{late.reference}"', 1)[1].split("</tr>", 1)[0]
    fresh_row = body.split(f'data-reference="{fresh.reference}"', 1)[1].split("</tr>", 1)[0]
    assert "12 min" in late_row and "past target" in late_row and "text-danger" in late_row
    assert "0 min" in fresh_row and "past target" not in fresh_row
    assert "response target 5 min" in body


def test_polling_partial_returns_just_the_table(client_c, claimed, coordinator, settings):
    settings.HELPLINE_QUEUE_POLL_SECONDS = 2
    response = client_c.get(QUEUE, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<table" in body
    assert body.lstrip().startswith('<div id="queue"')
    assert 'hx-trigger="every 2s"' in body
    assert claimed.reference in body and str(coordinator) in body
    assert "Log a phone inquiry" not in body


def test_the_queue_shows_the_first_rows_and_says_how_many_are_open(
    client_c, coordinator, coordinator2
):
    _fill(QUEUE_ROWS + 10, 0, [coordinator, coordinator2])
    body = client_c.get(QUEUE).content.decode()
    assert body.count("<tr data-reference=") == QUEUE_ROWS
    assert f'<strong class="text-body">{QUEUE_ROWS + 10}</strong> open' in body
    assert f"showing the first {QUEUE_ROWS}" in body
    # The most urgent, longest waiting come first: the newest normal ones are left out.
    newest = Inquiry.objects.filter(urgency=Urgency.NORMAL).order_by("-received_at").first()
    assert newest.reference not in body


def test_past_the_cap_the_console_says_how_many_at_least(
    client_c, coordinator, coordinator2, monkeypatch
):
    monkeypatch.setattr("openrecovery.helpline.console.views.OPEN_COUNT_CAP", 5)
    _fill(8, 0, [coordinator, coordinator2])
    body = client_c.get(QUEUE).content.decode()
    assert '<strong class="text-body">5+</strong> open' in body
    assert client_c.get("/api/v1/helpline/inquiries").json()["open_count"] == 8  # exact
    monkeypatch.setattr("openrecovery.helpline.console.views.OPEN_COUNT_CAP", 1000)
    _fill(1003, 0, [coordinator, coordinator2], start=8)
    body = client_c.get(QUEUE).content.decode()
    assert '<strong class="text-body">1,000+</strong> open' in body


def test_recently_closed_lists_the_latest_closures_first(client_c):
    now = timezone.now()
    older, newer = callback(name="Older"), callback(name="Newer")
    # The older request was closed last: it heads the list.
    Inquiry.objects.filter(pk=older.pk).update(status="closed", closed_at=now)
    Inquiry.objects.filter(pk=newer.pk).update(
        status="closed", closed_at=now - dt.timedelta(hours=1)
    )
    body = client_c.get(CONSOLE).content.decode()
    closed = body.split('id="closed-h"', 1)[1]
    assert closed.index(older.reference) < closed.index(newer.reference)


def test_a_queue_row_shows_what_a_coordinator_needs(client_c, claimed, coordinator):
    Inquiry.objects.filter(pk=claimed.pk).update(urgency=Urgency.HIGH)
    body = client_c.get(QUEUE).content.decode()
    row = body.split(f'data-reference="{claimed.reference}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/admissions/inquiries/{claimed.reference}/"' in row
    assert '<span class="badge text-bg-warning">High</span>' in row
    assert "<td>Web callback form</td>" in row and "<td>Myself</td>" in row
    assert f"{coordinator} <span" in row and "since " in row


def test_queue_reads_are_audited_with_the_inquiries_shown(client_c, inquiry):
    before = AuditEvent.objects.filter(action=Action.LIST, object_type="inquiry").count()
    client_c.get(QUEUE)
    listed = AuditEvent.objects.filter(action=Action.LIST, object_type="inquiry")
    assert listed.count() == before + 1
    assert listed.order_by("-id").first().detail == {"results": 1, "inquiries": [inquiry.pk]}


def test_log_a_phone_inquiry(client_c, coordinator):
    data = {"name": "Alex", "phone": "555-010-2020", "for_whom": "someone_else", "message": "Son"}
    response = client_c.post(LOG_CALL, data)
    inquiry = Inquiry.objects.get(name="Alex")
    assert response.status_code == 302
    assert response["Location"] == f"/admissions/inquiries/{inquiry.reference}/"
    assert inquiry.claimed_by == coordinator and inquiry.first_contact_at is not None
    assert inquiry.status == InquiryStatus.CLAIMED and inquiry.source == "phone"


def test_log_a_phone_inquiry_with_errors_changes_nothing(client_c):
    response = client_c.post(LOG_CALL, {"name": "", "phone": "abc", "for_whom": "myself"})
    assert response.status_code == 422
    body = response.content.decode()
    assert ERROR_PHONE in body and "This field is required." in body
    assert "Nothing was saved" in body
    assert not Inquiry.objects.exists()


def test_figures_are_shown(client_c, coordinator):
    now = timezone.now()
    for minutes in (4, 10, 30):
        i = callback()
        Inquiry.objects.filter(pk=i.pk).update(
            received_at=now - dt.timedelta(hours=1),
            first_contact_at=now - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes),
        )
    converted = callback()
    Inquiry.objects.filter(pk=converted.pk).update(
        closed_at=now,
        status="closed",
        disposition_kind=DispositionKind.SCHEDULE_ASSESSMENT,
    )
    body = client_c.get(CONSOLE).content.decode()
    # The console loads its figures in a separate request, so the queue stays fast.
    assert f'hx-get="{FIGURES}"' in body and 'hx-trigger="load"' in body
    figures = client_c.get(FIGURES).content.decode()
    rows = {
        label: figures.split(label, 1)[1].split("</tr>", 1)[0]
        for label in ("Inquiries<", "Median minutes to first contact", "Converted")
    }
    assert rows["Inquiries<"].count(">4<") == 2
    assert rows["Median minutes to first contact"].count(">10<") == 2
    assert rows["Converted"].count("25% (1)") == 2
    per_day = figures.split("per-day", 1)[1].split("</table>", 1)[0]
    assert per_day.count('<th scope="col"') == 7
    assert per_day.split("<tbody>")[1].count("<td") == 7
    assert "0.6" in rows["Inquiries<"] or "0.6" in figures  # 4 inquiries over 7 days
    assert "Recently closed" in body and converted.reference in body


def test_nurse_and_physician_read_without_the_work_forms(physician, inquiry):
    body = verified_client(physician).get(CONSOLE).content.decode()
    assert inquiry.reference in body
    assert "Log a phone inquiry" not in body
    assert verified_client(physician).post(LOG_CALL, {"name": "X"}).status_code == 403


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.CONTENT_EDITOR, Role.ADMINISTRATOR])
def test_roles_without_the_permission_get_403(db, role):
    client = verified_client(make_staff(role))
    assert client.get(CONSOLE).status_code == 403
    assert client.get(QUEUE).status_code == 403
    assert client.get(FIGURES).status_code == 403
    assert client.post(LOG_CALL, {"name": "X"}).status_code == 403
    assert not Inquiry.objects.exists()


def test_anonymous_is_sent_to_sign_in(db):
    for url in (CONSOLE, QUEUE):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_navbar_links_admissions_for_helpline_roles(client_c, db):
    assert 'href="/admissions/"' in client_c.get("/").content.decode()
    counselor = verified_client(make_staff(Role.COUNSELOR))
    assert 'href="/admissions/"' not in counselor.get("/").content.decode()


def _fill(open_count: int, closed_count: int, staff, start: int = 0) -> None:
    now = timezone.now()
    rows = []
    for n in range(open_count + closed_count):
        closed = n >= open_count
        rows.append(
            Inquiry(
                reference=f"HL-{n + start:04d}-{'C' if closed else 'O'}AAA",
                source="web",
                status="closed" if closed else ("claimed" if n % 3 == 0 else "open"),
                urgency=(n % 3) + 1,
                received_at=now - dt.timedelta(minutes=n * 7),
                first_contact_at=now - dt.timedelta(minutes=n * 7 - 3) if n % 2 else None,
                claimed_by=staff[n % len(staff)] if closed or n % 3 == 0 else None,
                claimed_at=now if closed or n % 3 == 0 else None,
                closed_at=now if closed else None,
                disposition_kind="schedule_assessment" if closed and n % 4 == 0 else "",
                name=f"Caller {n}",
                phone="555-010-0000",
                for_whom="myself",
            )
        )
    Inquiry.objects.bulk_create(rows)


def _count_queries(client, django_assert_max_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [CONSOLE, QUEUE, FIGURES])
def test_query_count_does_not_grow_with_inquiries(
    client_c, coordinator, coordinator2, url, django_assert_max_num_queries
):
    staff = [coordinator, coordinator2, make_staff(Role.CLINICAL_DIRECTOR)]
    _fill(3, 2, staff)
    client_c.get(url)  # warm caches (content types, permissions)
    few = _count_queries(client_c, django_assert_max_num_queries, url)
    Inquiry.objects.all().delete()
    _fill(60, 400, staff)
    many = _count_queries(client_c, django_assert_max_num_queries, url)
    assert few == many
    with django_assert_max_num_queries(few):
        client_c.get(url)
