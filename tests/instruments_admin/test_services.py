"""administration_record: scoring, storing, timeline, audit, and the alerts flags raise."""

import pytest
from django.core.exceptions import ValidationError

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.instruments.services import (
    OBJECT_TYPE,
    administration_record,
    prompted_instrument,
)
from openrecovery.records.choices import AlertKind, AlertSeverity, Stage, TimelineKind
from openrecovery.records.models import ClinicalAlert, TimelineEvent
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, make_staff
from tests.support.instruments import CSSRS_HIGH, CSSRS_LOW, PHQ9_ITEM9, PHQ9_MODERATE


def test_phq9_is_scored_stored_put_on_the_timeline_and_audited(counselor, patient):
    mark = audit_mark()
    saved = administration_record(
        actor=counselor, patient=patient, code="phq9", answers=PHQ9_MODERATE, context={}
    )
    saved.refresh_from_db()
    assert (saved.code, saved.version) == ("phq9", INSTRUMENTS["phq9"].version)
    assert (saved.total, saved.band, saved.flags) == (11, "moderate", [])
    assert saved.answers == PHQ9_MODERATE
    assert saved.administered_by == counselor
    assert saved.episode == patient.episodes.get()
    event = TimelineEvent.objects.filter(patient=patient).first()
    assert (event.kind, event.summary, event.actor) == (
        TimelineKind.ASSESSMENT,
        "PHQ-9: 11 (Moderate)",
        counselor,
    )
    [audit] = events_since(mark)
    assert (audit.action, audit.object_type, audit.object_id) == (
        Action.CREATE,
        OBJECT_TYPE,
        str(saved.pk),
    )
    assert audit.patient_id == patient.pk
    # Which instrument, never its result: ADR 0001 keeps clinical values out of the log.
    assert audit.detail == {"code": "phq9", "version": INSTRUMENTS["phq9"].version}
    assert not ClinicalAlert.objects.exists()


def test_phq9_item9_flags_and_prompts_the_cssrs(counselor, patient):
    saved = administration_record(actor=counselor, patient=patient, code="phq9", answers=PHQ9_ITEM9)
    assert saved.flags == ["suicide_risk"]
    assert prompted_instrument(saved) == "cssrs"
    assert not ClinicalAlert.objects.exists()  # the prompt is the C-SSRS, not an alert


@pytest.mark.parametrize(
    ("answers", "key", "message"),
    [
        ([0] * 8, "__all__", "expected 9 to 10 answers in item order, got 8"),
        ([0, 0, 4, 0, 0, 0, 0, 0, 0], "item_3", "4 is not one of 0, 1, 2, 3"),
        ([0, 0, 0, None, 0, 0, 0, 0, 0], "item_4", "an answer is required"),
        ([0, 0, 0, 0, "1", 0, 0, 0, 0], "item_5", "answer must be a whole number or null"),
        ([0, 0, 0, 0, 0, 0, 0, 0, True], "item_9", "answer must be a whole number or null"),
    ],
)
def test_bad_answers_name_the_item_and_change_nothing(counselor, patient, answers, key, message):
    mark = audit_mark()
    events = TimelineEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        administration_record(actor=counselor, patient=patient, code="phq9", answers=answers)
    assert caught.value.message_dict == {key: [message]}
    assert not Administration.objects.exists()
    assert TimelineEvent.objects.count() == events
    assert events_since(mark) == []


def test_skip_logic_is_enforced(counselor, patient):
    with pytest.raises(ValidationError) as caught:
        administration_record(
            actor=counselor, patient=patient, code="cssrs", answers=[1, 0, 1, None, None, 0, None]
        )
    assert caught.value.message_dict == {"item_3": ["must be null: the skip logic skips this item"]}


def test_unknown_context_and_unknown_instrument_are_refused(counselor, patient):
    with pytest.raises(ValidationError) as caught:
        administration_record(
            actor=counselor, patient=patient, code="phq9", answers=PHQ9_MODERATE, context={"x": 1}
        )
    assert caught.value.message_dict == {"__all__": ["unknown context field 'x'"]}
    with pytest.raises(ValidationError):
        administration_record(actor=counselor, patient=patient, code="nope", answers=[])
    assert not Administration.objects.exists()


def test_cssrs_high_alerts_every_active_care_team_member(
    counselor, nurse, patient, django_capture_on_commit_callbacks
):
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saved = administration_record(
            actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH
        )
    assert (saved.total, saved.band, saved.flags) == (None, "high", ["urgent_review"])
    alerts = list(ClinicalAlert.objects.order_by("recipient_id"))
    assert {a.recipient for a in alerts} == {counselor, nurse}
    for alert in alerts:
        assert (alert.kind, alert.severity) == (AlertKind.SUICIDE_RISK_HIGH, AlertSeverity.URGENT)
        assert (alert.source_type, alert.source_id) == (OBJECT_TYPE, str(saved.pk))
        assert alert.acknowledged_at is None and alert.resolved_at is None
        assert alert.episode == saved.episode
    created = events_since(mark, object_type="clinical_alert", action=Action.CREATE)
    assert sorted(e.detail["recipient"] for e in created) == sorted([counselor.pk, nurse.pk])
    assert len(callbacks) == 1  # the notification hook runs after commit only
    summaries = TimelineEvent.objects.filter(patient=patient).values_list("summary", flat=True)
    assert "C-SSRS Screener: High risk" in list(summaries)


def test_cssrs_low_raises_no_alert(counselor, patient):
    saved = administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_LOW)
    assert saved.band == "low"
    assert not ClinicalAlert.objects.exists()


def test_inactive_team_members_are_not_alerted(director, counselor, nurse, patient):
    from openrecovery.records.models import CareTeamMember
    from openrecovery.records.services import care_team_remove

    care_team_remove(actor=director, member=CareTeamMember.objects.get(patient=patient, user=nurse))
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    assert [a.recipient for a in ClinicalAlert.objects.all()] == [counselor]


def test_without_a_care_team_the_roles_covering_the_stage_are_alerted(director):
    nurse = make_staff(Role.NURSE)
    physician = make_staff(Role.PHYSICIAN)
    counselor = make_staff(Role.COUNSELOR)
    make_staff(Role.ADMINISTRATOR)
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT)
    administration_record(actor=nurse, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    recipients = {a.recipient for a in ClinicalAlert.objects.all()}
    assert recipients == {director, nurse, physician}  # their roles cover withdrawal management
    assert counselor not in recipients
