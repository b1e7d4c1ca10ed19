"""Every event the issue names is recorded once, with UTC time, actor, patient, action,
object, outcome and source IP."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.records.choices import Stage
from tests.support.audit import audit_mark, events_since
from tests.support.factories import PASSWORD, make_patient, make_staff, verified_client

IP = "203.0.113.17"


def only_event(mark: int, action: str) -> AuditEvent:
    """Return the one event of ``action`` written after ``mark`` (failing if not exactly one)."""
    found = events_since(mark, action=action)
    assert len(found) == 1, [str(e) for e in found]
    event = AuditEvent.objects.get(pk=found[0].pk)  # as stored
    assert event.occurred_at.utcoffset() == dt.timedelta(0)
    assert event.source_ip == IP
    return event


def where(event: AuditEvent) -> tuple:
    return (
        event.actor_id,
        event.patient_id,
        event.object_type,
        event.object_id,
        event.outcome,
    )


@pytest.fixture
def patient(director, counselor):
    return make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])


def test_login(counselor):
    mark = audit_mark()
    Client().post(
        reverse("accounts:login"),
        {"username": counselor.username, "password": PASSWORD},
        REMOTE_ADDR=IP,
    )
    event = only_event(mark, Action.LOGIN)
    assert where(event) == (counselor.pk, None, "", "", Outcome.SUCCESS)
    assert event.actor_username == counselor.username


def test_failed_login(counselor):
    mark = audit_mark()
    Client().post(
        reverse("accounts:login"),
        {"username": counselor.username, "password": "wrong password here"},
        REMOTE_ADDR=IP,
    )
    event = only_event(mark, Action.LOGIN_FAILED)
    assert where(event) == (None, None, "", "", Outcome.FAILURE)
    assert event.actor_username == counselor.username
    assert "wrong password" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


def test_logout(counselor):
    client = verified_client(counselor)
    mark = audit_mark()
    client.post(reverse("accounts:logout"), REMOTE_ADDR=IP)
    event = only_event(mark, Action.LOGOUT)
    assert where(event) == (counselor.pk, None, "", "", Outcome.SUCCESS)


def test_permission_change(counselor):
    admin = make_staff(Role.ADMINISTRATOR)
    mark = audit_mark()
    response = verified_client(admin).post(
        reverse("accounts:staff_change", args=[counselor.pk]),
        {"role": Role.CONTENT_EDITOR},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    event = only_event(mark, Action.PERMISSION_CHANGE)
    assert where(event) == (admin.pk, None, "user", str(counselor.pk), Outcome.SUCCESS)
    assert event.detail == {"from": Role.COUNSELOR, "to": Role.CONTENT_EDITOR}


def test_chart_view(counselor, patient):
    mark = audit_mark()
    verified_client(counselor).get(reverse("chart:chart", args=[patient.pk]), REMOTE_ADDR=IP)
    event = only_event(mark, Action.VIEW)
    assert where(event) == (counselor.pk, patient.pk, "patient", str(patient.pk), "success")
    assert event.purpose == "treatment"
    assert event.detail == {"basis": "care_team"}
    assert not event.flagged


def test_dashboard_list(counselor, patient):
    mark = audit_mark()
    verified_client(counselor).get(reverse("chart:dashboard"), REMOTE_ADDR=IP)
    event = only_event(mark, Action.LIST)
    assert where(event) == (counselor.pk, None, "dashboard", "", Outcome.SUCCESS)
    assert event.detail == {"count": 1, "patients": [patient.pk]}


def test_search_records_no_query_text(counselor, patient):
    mark = audit_mark()
    query = patient.legal_family_name
    response = verified_client(counselor).post(
        reverse("chart:search"), {"q": query}, REMOTE_ADDR=IP, follow=True
    )
    assert patient.mrn in response.content.decode()
    event = only_event(mark, Action.SEARCH)
    assert where(event) == (counselor.pk, None, "patient", "", Outcome.SUCCESS)
    assert event.detail == {"results": 1, "patients": [patient.pk]}
    for stored in AuditEvent.objects.filter(id__gt=mark).values():
        assert query.lower() not in str(stored).lower()


def test_print(counselor, patient):
    mark = audit_mark()
    verified_client(counselor).get(reverse("chart:print", args=[patient.pk]), REMOTE_ADDR=IP)
    event = only_event(mark, Action.PRINT)
    assert where(event) == (counselor.pk, patient.pk, "patient", str(patient.pk), "success")
    assert not events_since(mark, action=Action.VIEW)


def test_audit_csv_export(director):
    mark = audit_mark()
    response = verified_client(director).get(
        reverse("reports:audit_export_csv"), {"action": "view"}, REMOTE_ADDR=IP
    )
    b"".join(response.streaming_content)
    event = only_event(mark, Action.EXPORT)
    assert where(event) == (director.pk, None, "audit_report", "", Outcome.SUCCESS)
    assert event.detail["format"] == "csv"
    assert event.detail["filter"]["action"] == "view"


def test_audit_report_view(director):
    mark = audit_mark()
    verified_client(director).get(reverse("reports:audit_report"), REMOTE_ADDR=IP)
    event = only_event(mark, Action.VIEW)
    assert where(event) == (director.pk, None, "audit_report", "", Outcome.SUCCESS)


def test_break_glass(director):
    nurse = make_staff(Role.NURSE)
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    mark = audit_mark()
    verified_client(nurse).post(
        reverse("privacy:break_glass"),
        {"mrn": patient.mrn, "reason": "Unresponsive in the lobby, needs history"},
        REMOTE_ADDR=IP,
    )
    event = only_event(mark, Action.BREAK_GLASS)
    assert where(event)[:3] == (nurse.pk, patient.pk, "break_glass_grant")
    assert event.flagged
    assert event.purpose == "emergency"


def test_access_denied(director, counselor):
    stranger = make_patient(actor=director, stage=Stage.TREATMENT)
    mark = audit_mark()
    response = verified_client(counselor).get(
        reverse("chart:chart", args=[stranger.pk]), REMOTE_ADDR=IP
    )
    assert response.status_code == 404
    event = only_event(mark, Action.ACCESS_DENIED)
    assert where(event) == (counselor.pk, stranger.pk, "patient", str(stranger.pk), "denied")
    assert not events_since(mark, action=Action.VIEW)


def test_stage_change(director, patient):
    mark = audit_mark()
    response = verified_client(director).post(
        reverse("chart:stage_move", args=[patient.pk]),
        {"to_stage": Stage.AFTERCARE, "reason": "Completed residential treatment"},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    event = only_event(mark, Action.STAGE_CHANGE)
    episode = patient.episodes.get()
    assert where(event) == (director.pk, patient.pk, "episode", str(episode.pk), "success")
    assert event.detail == {"from": "treatment", "to": "aftercare", "discharge_type": ""}


def test_care_team_change(director, patient):
    nurse = make_staff(Role.NURSE)
    client = verified_client(director)
    mark = audit_mark()
    client.post(
        reverse("chart:care_team_add", args=[patient.pk]),
        {"user": nurse.pk, "team_role": "primary_nurse"},
        REMOTE_ADDR=IP,
    )
    added = only_event(mark, Action.CARE_TEAM_CHANGE)
    member = patient.care_team.get(user=nurse, active=True)
    assert where(added) == (director.pk, patient.pk, "care_team_member", str(member.pk), "success")
    assert added.detail == {"added_user": nurse.pk, "team_role": "primary_nurse"}
    mark = audit_mark()
    client.post(reverse("chart:care_team_remove", args=[patient.pk, member.pk]), REMOTE_ADDR=IP)
    removed = only_event(mark, Action.CARE_TEAM_CHANGE)
    assert removed.detail == {"removed_user": nurse.pk}


def test_every_action_in_this_module_leaves_a_verifiable_chain(counselor, patient):
    from openrecovery.audit.verification import audit_verify

    verified_client(counselor).get(reverse("chart:chart", args=[patient.pk]), REMOTE_ADDR=IP)
    assert audit_verify().ok
