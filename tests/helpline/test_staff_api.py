"""Staff endpoints: access by role, audit of every read and write, and the full flow."""

import datetime as dt

import pytest
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.services import ERROR_NOT_YOURS
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_staff, verified_client
from tests.support.helpline import callback

BASE = "/api/v1/helpline/inquiries"


def test_anonymous_gets_401(db, client):
    inquiry = callback()
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/{inquiry.reference}").status_code == 401
    assert (
        client.post(
            f"{BASE}/{inquiry.reference}/claim", content_type="application/json"
        ).status_code
        == 401
    )


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.CONTENT_EDITOR, Role.ADMINISTRATOR])
def test_roles_without_the_permission_see_nothing_audited(db, role):
    # Like the patient API: an empty list, and 404 as if the inquiry did not exist.
    inquiry = callback()
    client = verified_client(make_staff(role))
    mark = audit_mark()
    assert client.get(BASE).json()["entries"] == []
    response = client.get(f"{BASE}/{inquiry.reference}")
    assert response.status_code == 404
    assert inquiry.name not in response.content.decode()
    assert (
        client.post(
            f"{BASE}/{inquiry.reference}/claim", content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/helpline/figures").status_code == 404
    assert len(events_since(mark, action=Action.ACCESS_DENIED)) == 4


def test_nurse_reads_but_cannot_claim(nurse):
    inquiry = callback()
    client = verified_client(nurse)
    assert client.get(f"{BASE}/{inquiry.reference}").status_code == 200
    assert (
        client.post(
            f"{BASE}/{inquiry.reference}/claim", content_type="application/json"
        ).status_code
        == 404
    )
    assert Inquiry.objects.get().claimed_by is None


def test_unknown_or_malformed_reference_is_404(coordinator):
    client = verified_client(coordinator)
    assert client.get(f"{BASE}/HL-2222-2222").status_code == 404
    assert client.get(f"{BASE}/nonsense").status_code == 404


def test_reads_are_audited_without_phi(coordinator):
    inquiry = callback()
    client = verified_client(coordinator)
    mark = audit_mark()
    queue = client.get(BASE).json()
    assert [e["reference"] for e in queue["entries"]] == [inquiry.reference]
    assert client.get(f"{BASE}/{inquiry.reference.lower()}").json()["name"] == "Sam"
    [listed] = events_since(mark, action=Action.LIST)
    [viewed] = events_since(mark, action=Action.VIEW)
    assert (listed.object_type, listed.detail) == (
        "inquiry",
        {"results": 1, "inquiries": [inquiry.pk]},
    )
    assert (viewed.object_type, viewed.object_id) == ("inquiry", str(inquiry.pk))
    assert "Sam" not in str(listed.detail) + str(viewed.detail)


def test_full_flow_through_the_api(coordinator, counselor):
    inquiry = callback()
    client = verified_client(coordinator)
    ref = f"{BASE}/{inquiry.reference}"
    mark = audit_mark()
    assert client.post(f"{ref}/claim", content_type="application/json").status_code == 200
    response = client.post(
        f"{ref}/calls", {"outcome": "reached", "notes": "ok"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["first_contact_at"] is not None
    response = client.post(
        f"{ref}/prescreen",
        {"opioid_co_use": True, "substances": [{"substance": "clonazepam"}]},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["code"] for r in body["danger_rules"]] == [
        "supervised_withdrawal",
        "naloxone",
        "no_abrupt_stop",
    ]
    assert all(r["source"] for r in body["danger_rules"])
    assert body["urgency"] == "high"
    when = (timezone.now() + dt.timedelta(days=2)).isoformat()
    convert = {
        "given_name": "Sam",
        "family_name": "Okafor",
        "date_of_birth": "1988-02-03",
        "sex_at_birth": "male",
        "scheduled_for": when,
        "clinician_id": counselor.pk,
    }
    response = client.post(f"{ref}/convert", convert, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "assessment"
    writes = events_since(mark, object_type="inquiry", actor_id=coordinator.pk)
    assert len(writes) == 4  # claim, call, pre-screen, conversion


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "reached", "notes": 5}, "notes"),
        ({"outcome": "exploded"}, "outcome"),
        ({"outcome": "reached", "extra": True}, "extra"),
        ({"outcome": "hung_up"}, "outcome"),
        ({"outcome": "reached", "next_attempt_at": 0}, "next_attempt_at"),
        ({"outcome": "reached", "next_attempt_at": "tomorrow"}, "next_attempt_at"),
    ],
)
def test_bad_call_bodies_are_422_naming_the_field(coordinator, body, field):
    inquiry = callback()
    client = verified_client(coordinator)
    client.post(f"{BASE}/{inquiry.reference}/claim", content_type="application/json")
    response = client.post(
        f"{BASE}/{inquiry.reference}/calls", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == [field]
    assert not inquiry.call_attempts.exists()


def test_prescreen_refuses_string_booleans(coordinator):
    inquiry = callback()
    client = verified_client(coordinator)
    client.post(f"{BASE}/{inquiry.reference}/claim", content_type="application/json")
    response = client.post(
        f"{BASE}/{inquiry.reference}/prescreen",
        {"suicidal_thoughts": "true"},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_figures_endpoint(coordinator):
    callback()
    body = verified_client(coordinator).get("/api/v1/helpline/figures?days=7").json()
    assert (body["total"], body["converted"], body["share_converted"]) == (1, 0, 0.0)


def test_work_the_inquirys_state_does_not_allow_is_409_not_422(coordinator, coordinator2):
    inquiry = callback()
    client = verified_client(coordinator)
    calls = f"{BASE}/{inquiry.reference}/calls"
    response = client.post(calls, {"outcome": "reached"}, content_type="application/json")
    assert response.status_code == 409  # not claimed yet
    assert response.json() == {
        "detail": "Claim this inquiry before working on it.",
        "claimed_by": None,
    }
    client.post(f"{BASE}/{inquiry.reference}/claim", content_type="application/json")
    other = verified_client(coordinator2)
    response = other.post(f"{BASE}/{inquiry.reference}/release", content_type="application/json")
    assert response.status_code == 409
    assert response.json()["detail"] == ERROR_NOT_YOURS
    assert not inquiry.call_attempts.exists()
