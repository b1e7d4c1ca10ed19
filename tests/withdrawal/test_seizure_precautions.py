"""Seizure precautions: marked and ended on a patient, audited, shown on the board."""

import pytest
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.models import TimelineEvent
from openrecovery.records.services import care_team_add
from openrecovery.withdrawal.models import SeizurePrecautions, Unit
from openrecovery.withdrawal.services import seizure_precautions_set, unit_of
from tests.support.factories import make_staff, verified_client

pytestmark = pytest.mark.django_db


def test_marked_and_ended_with_an_audit_trail(patient, nurse):
    started = seizure_precautions_set(actor=nurse, patient=patient, on=True)
    with pytest.raises(StateConflict):
        seizure_precautions_set(actor=nurse, patient=patient, on=True)
    ended = seizure_precautions_set(actor=nurse, patient=patient, on=False)
    assert ended.pk == started.pk and ended.ended_by == nurse
    with pytest.raises(StateConflict):
        seizure_precautions_set(actor=nurse, patient=patient, on=False)
    events = AuditEvent.objects.filter(object_type="seizure_precautions").order_by("id")
    assert [(e.action, e.detail) for e in events] == [
        ("create", {"in_place": True}),
        ("update", {"in_place": False}),
    ]
    summaries = set(TimelineEvent.objects.filter(patient=patient).values_list("summary", flat=True))
    assert {"Seizure precautions started", "Seizure precautions ended"} <= summaries


def test_a_counselor_may_not_mark_them(patient):
    with pytest.raises(Forbidden):
        seizure_precautions_set(actor=make_staff(Role.COUNSELOR), patient=patient, on=True)


def test_marked_from_the_patients_page_and_shown_on_the_board(patient, nurse):
    client = verified_client(nurse)
    url = reverse("withdrawal:patient", args=[patient.pk])
    response = client.post(url, {"action": "seizure_on"}, follow=True)
    assert "Seizure precautions marked." in response.content.decode()
    assert SeizurePrecautions.objects.filter(patient=patient, ended_at__isnull=True).exists()
    rows = client.get("/api/v1/withdrawal/board").json()["patients"]
    assert rows[0]["seizure_precautions"] is True


def test_a_role_without_the_permission_gets_403(patient, director):
    counselor = make_staff(Role.COUNSELOR)
    care_team_add(actor=director, patient=patient, user=counselor, team_role="primary_counselor")
    url = reverse("withdrawal:patient", args=[patient.pk])
    assert verified_client(counselor).get(url).status_code == 200
    assert verified_client(counselor).post(url, {"action": "seizure_on"}).status_code == 403


def test_moving_to_another_unit(patient, nurse, unit):
    other = Unit.objects.create(code="detox-b", name="Detox B")
    url = reverse("withdrawal:patient", args=[patient.pk])
    verified_client(nurse).post(url, {"action": "unit", "unit": other.pk})
    assert unit_of(patient) == other
    assert patient.unit_stays.filter(ended_at__isnull=False).get().unit == unit


def test_an_unknown_unit_changes_nothing_and_says_so(patient, nurse, unit):
    url = reverse("withdrawal:patient", args=[patient.pk])
    response = verified_client(nurse).post(url, {"action": "unit", "unit": "999999"}, follow=True)
    assert "Choose one of the units. Nothing was changed." in response.content.decode()
    assert unit_of(patient) == unit
