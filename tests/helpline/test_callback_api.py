"""POST /api/v1/helpline/callbacks: 201 after commit, 413, 422, 429, honeypot."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from openrecovery.audit import services as audit_services
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.helpline.models import Inquiry, RateLimitBucket
from openrecovery.helpline.references import REFERENCE_PATTERN
from openrecovery.settings.base import helpline_rate_limit
from tests.support.helpline import VALID

URL = "/api/v1/helpline/callbacks"


def post(client, body, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **extra)


@pytest.mark.django_db(transaction=True)
def test_201_only_after_the_request_is_committed(client):
    response = post(client, VALID)
    assert response.status_code == 201
    assert set(response.json()) == {"reference"}
    assert not transaction.get_connection().in_atomic_block
    inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    assert (inquiry.name, inquiry.source, inquiry.status) == ("Sam", "api", "open")
    [event] = AuditEvent.objects.filter(object_type="inquiry", object_id=str(inquiry.pk))
    assert event.action == Action.CREATE
    assert "Sam" not in json.dumps(event.detail) and "555" not in json.dumps(event.detail)


def test_reference_codes_are_readable_and_unique(db, client):
    refs = {post(client, VALID).json()["reference"] for _ in range(30)}
    assert len(refs) == 30
    assert all(REFERENCE_PATTERN.match(r) for r in refs)
    assert not any(c in "".join(r[3:] for r in refs) for c in "01OILU")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": "true"}, "consent"),
        ({"voicemail_ok": 1}, "voicemail_ok"),
        ({"phone": "call me"}, "phone"),
        ({"name": ""}, "name"),
        ({"for_whom": "neighbour"}, "for_whom"),
        ({"message": "x" * 2001}, "message"),
        ({"extra": 1}, "extra"),
        ({"self_check": {"code": "phq9", "answers": [9, 9]}}, "self_check"),
        ({"self_check": {"code": "nope", "answers": []}}, "self_check"),
        (
            {"self_check": {"code": "benzo-selfcheck", "answers": [0] * 16, "band": {}}},
            "self_check",
        ),
        ({"self_check": {"code": "benzo-selfcheck", "answers": [0] * 16, "x": 1}}, "self_check"),
    ],
)
def test_422_names_the_field_and_changes_nothing(db, client, change, field):
    before = (Inquiry.objects.count(), AuditEvent.objects.count())
    response = post(client, {**VALID, **change})
    assert response.status_code == 422
    assert field in [p["field"].split(".")[0] for p in response.json()["detail"]]
    assert (Inquiry.objects.count(), AuditEvent.objects.count()) == before


def test_422_for_a_body_that_is_not_json(db, client):
    assert post(client, b"{not json").status_code == 422
    assert not Inquiry.objects.exists()


def test_honeypot_looks_like_success_and_stores_nothing(db, client):
    response = post(client, {**VALID, "website": "http://spam.example"})
    assert response.status_code == 201
    assert REFERENCE_PATTERN.match(response.json()["reference"])
    assert not Inquiry.objects.exists()
    assert not AuditEvent.objects.filter(object_type="inquiry").exists()


def test_413_when_the_body_is_over_the_limit(db, client, settings):
    settings.HELPLINE_MAX_BODY_BYTES = 500
    response = post(client, {**VALID, "message": "x" * 600})
    assert response.status_code == 413
    assert not Inquiry.objects.exists()
    # The declared length is checked before the body is read.
    response = client.generic(
        "POST", URL, b"{}", content_type="application/json", CONTENT_LENGTH="100000"
    )
    assert response.status_code == 413


def test_429_with_retry_after_over_the_rate_limit(db, client, settings):
    settings.HELPLINE_RATE_LIMIT = "2/m"
    assert [post(client, VALID).status_code for _ in range(2)] == [201, 201]
    response = post(client, VALID)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Inquiry.objects.count() == 2
    # Another address has its own count.
    assert post(client, VALID, REMOTE_ADDR="198.51.100.7").status_code == 201


def test_rate_limit_off_adds_no_query_and_no_limit(db, client, django_assert_num_queries):
    for _ in range(30):
        assert post(client, VALID).status_code == 201
    assert not RateLimitBucket.objects.exists()


# The inquiry and its audit event, once this process knows its lane's head: one
# statement on PostgreSQL; on SQLite the INSERT, the lock of the lane head, the event
# INSERT and the head UPDATE.
STORE_QUERIES = 1 if connection.vendor == "postgresql" else 4


def test_create_path_is_the_inquiry_and_its_audit_event(db, client, django_assert_num_queries):
    audit_services._reserved_ids.clear()  # the next insert draws a block of ids
    post(client, VALID)  # the lane head exists and this process knows it
    with django_assert_num_queries(STORE_QUERIES):
        assert post(client, VALID).status_code == 201
    inquiry = Inquiry.objects.order_by("-received_at").first()
    [event] = AuditEvent.objects.filter(object_type="inquiry", object_id=str(inquiry.pk))
    assert (event.action, event.actor_username) == (Action.CREATE, "public")


def test_rate_limit_on_adds_one_upsert(db, client, settings, django_assert_num_queries):
    settings.HELPLINE_RATE_LIMIT = "100/m"
    audit_services._reserved_ids.clear()
    post(client, VALID)
    # SAVEPOINT/RELEASE (the count and the inquiry share a transaction) and the UPSERT.
    with django_assert_num_queries(STORE_QUERIES + 3):
        assert post(client, VALID).status_code == 201
    assert RateLimitBucket.objects.get().hits == 2


@pytest.mark.parametrize("raw", ["20", "20/x", "0/m", "-1/m", "abc", "20/m/s"])
def test_a_bad_rate_limit_setting_refuses_to_start(raw):
    with pytest.raises(ImproperlyConfigured):
        helpline_rate_limit(raw)


@pytest.mark.parametrize("raw", ["20/m", "off", "OFF", "5/s", "1000/h"])
def test_good_rate_limit_settings(raw):
    assert helpline_rate_limit(raw) == raw


def test_self_check_is_rescored_and_raises_urgency(db, client):
    # Only the self-harm question (item 16) answered yes; the band sent claims "many signs".
    answers = [0] * 15 + [1]
    sent = {"code": "benzo-selfcheck", "band": "many_signs", "answers": answers}
    response = post(client, {**VALID, "self_check": sent})
    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert inquiry.self_check["band"] == "none_or_one"
    assert inquiry.self_check["flags"] == ["self_harm"]
    assert inquiry.urgency == 1


def test_only_public_self_checks_can_be_sent(db, client):
    phq9 = {"code": "phq9", "answers": [0] * 9}
    response = post(client, {**VALID, "self_check": phq9})
    assert response.status_code == 422
    assert not Inquiry.objects.exists()
