"""Clinical alerts: acknowledged by their recipient, marked addressed by the care team."""

import pytest
from django.core.exceptions import ValidationError

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.instruments.services import administration_record
from openrecovery.records.alerts import (
    ERROR_ALREADY_ACKNOWLEDGED,
    ERROR_ALREADY_RESOLVED,
    ERROR_NOT_ON_TEAM,
    ERROR_NOT_RECIPIENT,
    ERROR_NOTE_REQUIRED,
    alert_acknowledge,
    alert_resolve,
)
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import ClinicalAlert, TimelineEvent
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_staff
from tests.support.instruments import CSSRS_HIGH


@pytest.fixture
def alerts(counselor, patient):
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    return {a.recipient.username: a for a in ClinicalAlert.objects.select_related("recipient")}


def test_recipient_acknowledges_their_copy(nurse, alerts):
    mark = audit_mark()
    alert_acknowledge(actor=nurse, alert=alerts["nurse"])
    alert = ClinicalAlert.objects.get(pk=alerts["nurse"].pk)
    assert alert.acknowledged_by == nurse and alert.acknowledged_at is not None
    assert ClinicalAlert.objects.get(pk=alerts["counselor"].pk).acknowledged_at is None
    [event] = events_since(mark)
    assert (event.action, event.object_type, event.object_id, event.actor_id) == (
        Action.UPDATE,
        "clinical_alert",
        str(alert.pk),
        nurse.pk,
    )
    assert event.detail == {"acknowledged": True, "kind": "suicide_risk_high"}


def test_only_the_recipient_acknowledges_and_only_once(nurse, counselor, alerts):
    mark = audit_mark()
    with pytest.raises(Forbidden) as caught:
        alert_acknowledge(actor=counselor, alert=alerts["nurse"])
    assert caught.value.message == ERROR_NOT_RECIPIENT
    assert ClinicalAlert.objects.get(pk=alerts["nurse"].pk).acknowledged_at is None
    assert events_since(mark) == []
    alert_acknowledge(actor=nurse, alert=alerts["nurse"])
    with pytest.raises(StateConflict) as caught:
        alert_acknowledge(actor=nurse, alert=alerts["nurse"])
    assert caught.value.message == ERROR_ALREADY_ACKNOWLEDGED


def test_a_team_clinician_resolves_every_copy_with_a_note(nurse, patient, alerts):
    mark = audit_mark()
    resolved = alert_resolve(actor=nurse, alert=alerts["counselor"], note="Safety plan made.")
    assert len(resolved) == 2
    for alert in ClinicalAlert.objects.all():
        assert (alert.resolved_by, alert.resolution_note) == (nurse, "Safety plan made.")
    events = events_since(mark)
    assert [e.detail for e in events] == [{"resolved": True, "kind": "suicide_risk_high"}] * 2
    assert all("Safety" not in str(e.detail) for e in events)  # no free text in the audit log
    entry = TimelineEvent.objects.filter(patient=patient).first()
    assert entry.kind == TimelineKind.NOTE
    assert entry.summary == "Urgent alert addressed (High suicide risk): Safety plan made."
    with pytest.raises(StateConflict) as caught:
        alert_resolve(actor=nurse, alert=alerts["nurse"], note="Again.")
    assert caught.value.message == ERROR_ALREADY_RESOLVED


@pytest.mark.parametrize("note", ["", "   "])
def test_resolving_needs_a_note(nurse, alerts, note):
    with pytest.raises(ValidationError) as caught:
        alert_resolve(actor=nurse, alert=alerts["nurse"], note=note)
    assert caught.value.message_dict == {"note": [ERROR_NOTE_REQUIRED]}
    assert not ClinicalAlert.objects.filter(resolved_at__isnull=False).exists()


def test_someone_off_the_team_cannot_resolve(director, alerts):
    outsider = make_staff(Role.CLINICAL_DIRECTOR)  # covers every stage, but not on the team
    mark = audit_mark()
    with pytest.raises(Forbidden) as caught:
        alert_resolve(actor=outsider, alert=alerts["nurse"], note="Seen.")
    assert caught.value.message == ERROR_NOT_ON_TEAM
    assert not ClinicalAlert.objects.filter(resolved_at__isnull=False).exists()
    assert events_since(mark) == []
