"""Individual session notes: drafts, signing, late entries and the golden thread's flags."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import AlertKind, CareTeamRole
from openrecovery.records.models import ClinicalAlert
from openrecovery.records.services import care_team_add
from openrecovery.treatment.models import PlanObjective, TreatmentPlan
from openrecovery.treatment.services import notes as svc
from openrecovery.treatment.services import plans
from openrecovery.treatment.services.thread import FLAG_LATE_ENTRY, FLAG_NO_OBJECTIVE
from tests.support.factories import make_staff
from tests.treatment.test_plans import complete_plan

DAP = {"data": "Talked about sleep.", "assessment": "Engaged.", "plan": "Practise routine."}


def write(actor, patient, *, ended_ago=dt.timedelta(hours=1), objective_ids=(), **extra):
    ended = timezone.now() - ended_ago
    return svc.note_save(
        actor=actor,
        patient=patient,
        started_at=ended - dt.timedelta(minutes=50),
        ended_at=ended,
        modality="in_person",
        sections=extra.pop("sections", DAP),
        objective_ids=objective_ids,
        interventions=["cbt"],
        **extra,
    )


@pytest.fixture
def plan(counselor, episode):
    return plans.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )


@pytest.fixture
def objective(plan):
    return PlanObjective.objects.get(goal__problem__plan=plan)


@pytest.fixture
def supervisor(director, patient):
    person = make_staff("counselor", "supervisor")
    care_team_add(
        actor=director, patient=patient, user=person, team_role=CareTeamRole.CLINICAL_SUPERVISOR
    )
    return person


def test_a_note_that_addresses_an_objective_signs_without_flags(
    counselor, patient, objective, supervisor
):
    note = svc.note_sign(
        actor=counselor, note=write(counselor, patient, objective_ids=[objective.pk])
    )
    assert note.status == "signed" and note.flags == [] and not note.late_entry
    assert not ClinicalAlert.objects.filter(kind=AlertKind.TREATMENT_THREAD).exists()


def test_a_note_addressing_no_objective_is_flagged_to_author_and_supervisor(
    counselor, patient, plan, supervisor
):
    note = svc.note_sign(actor=counselor, note=write(counselor, patient))
    assert note.flags == [FLAG_NO_OBJECTIVE]
    recipients = set(
        ClinicalAlert.objects.filter(
            kind=AlertKind.TREATMENT_THREAD, source_id=str(note.pk)
        ).values_list("recipient", flat=True)
    )
    assert recipients == {counselor.pk, supervisor.pk}


def test_without_a_supervisor_the_clinical_directors_hear(counselor, director, patient, plan):
    note = svc.note_sign(actor=counselor, note=write(counselor, patient))
    recipients = set(
        ClinicalAlert.objects.filter(source_id=str(note.pk)).values_list("recipient", flat=True)
    )
    assert recipients == {counselor.pk, director.pk}


@pytest.mark.parametrize(("days", "late"), [(6.9, False), (7.1, True)])
def test_late_entry_after_seven_days(counselor, patient, objective, days, late):
    draft = write(
        counselor, patient, ended_ago=dt.timedelta(days=days), objective_ids=[objective.pk]
    )
    note = svc.note_sign(actor=counselor, note=draft)
    assert note.late_entry is late
    assert (FLAG_LATE_ENTRY in note.flags) is late


def test_the_late_entry_limit_is_the_programs(counselor, patient, objective, settings):
    settings.TREATMENT_LATE_ENTRY_DAYS = 2
    draft = write(counselor, patient, ended_ago=dt.timedelta(days=3), objective_ids=[objective.pk])
    assert svc.note_sign(actor=counselor, note=draft).late_entry


def test_an_objective_unaddressed_for_30_days_is_flagged_once(counselor, patient, plan, objective):
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        signed_at=timezone.now() - dt.timedelta(days=31)
    )
    svc.note_sign(actor=counselor, note=write(counselor, patient))
    stale = ClinicalAlert.objects.filter(source_type="plan_objective", source_id=objective.thread)
    assert stale.filter(recipient=counselor).count() == 1
    svc.note_sign(actor=counselor, note=write(counselor, patient))
    assert stale.filter(recipient=counselor).count() == 1  # not again while unresolved


def test_an_objective_addressed_recently_is_not_flagged(counselor, patient, plan, objective):
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        signed_at=timezone.now() - dt.timedelta(days=40)
    )
    svc.note_sign(actor=counselor, note=write(counselor, patient, objective_ids=[objective.pk]))
    svc.note_sign(actor=counselor, note=write(counselor, patient, objective_ids=[objective.pk]))
    assert not ClinicalAlert.objects.filter(source_type="plan_objective").exists()


def test_an_objective_in_force_under_30_days_is_not_yet_flagged(counselor, patient, plan):
    svc.note_sign(actor=counselor, note=write(counselor, patient))
    assert not ClinicalAlert.objects.filter(source_type="plan_objective").exists()


def test_a_signed_note_never_changes(counselor, patient, objective):
    note = svc.note_sign(
        actor=counselor, note=write(counselor, patient, objective_ids=[objective.pk])
    )
    with pytest.raises(StateConflict, match="addendum"):
        write(counselor, patient, note=note)
    with pytest.raises(StateConflict):
        svc.note_sign(actor=counselor, note=note)


def test_every_section_is_needed_to_sign(counselor, patient):
    draft = write(counselor, patient, sections={"data": "x", "assessment": "", "plan": "y"})
    with pytest.raises(ValidationError, match="Assessment section"):
        svc.note_sign(actor=counselor, note=draft)


def test_birp_notes_when_the_program_chooses_birp(counselor, patient, settings):
    settings.TREATMENT_NOTE_FORMAT = "birp"
    draft = write(
        counselor,
        patient,
        sections={
            "behavior": "b",
            "intervention": "i",
            "response": "r",
            "plan": "p",
            "data": "ignored",
        },
    )
    assert draft.format == "birp" and set(draft.sections) == {
        "behavior",
        "intervention",
        "response",
        "plan",
    }


def test_objectives_must_come_from_the_patients_plan(counselor, patient, director):
    from openrecovery.records.choices import Stage
    from tests.support.factories import make_patient

    other = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    other_plan = plans.plan_sign(
        actor=counselor,
        plan=complete_plan(counselor, other.episodes.get()),
        patient_agreement="agreed",
    )
    foreign = PlanObjective.objects.get(goal__problem__plan=other_plan)
    with pytest.raises(ValidationError, match="plan in force"):
        write(counselor, patient, objective_ids=[foreign.pk])


def test_times_are_checked(counselor, patient):
    now = timezone.now()
    with pytest.raises(ValidationError, match="end after"):
        svc.note_save(
            actor=counselor,
            patient=patient,
            started_at=now,
            ended_at=now,
            modality="video",
            sections=DAP,
        )


def test_only_the_author_signs_a_draft_and_only_note_writers_write(counselor, patient, nurse):
    draft = write(counselor, patient)
    other = make_staff("counselor", "other_counselor")
    with pytest.raises(Forbidden):
        svc.note_sign(actor=other, note=draft)
    with pytest.raises(Forbidden):
        write(nurse, patient)


def test_the_risk_level_seen_is_recorded_at_signing(counselor, patient):
    from openrecovery.safety.models import RiskAssessment

    assert svc.note_sign(actor=counselor, note=write(counselor, patient)).risk_level_seen == ""
    RiskAssessment.objects.create(
        patient=patient,
        level="moderate",
        assessed_at=timezone.now(),
        assessed_by=counselor,
        source_type="test",
        source_id="1",
    )
    assert (
        svc.note_sign(actor=counselor, note=write(counselor, patient)).risk_level_seen == "moderate"
    )
