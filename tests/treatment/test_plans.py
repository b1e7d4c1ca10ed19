"""Treatment plans: drafts, signatures, versions (threads kept) and reviews."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import TaskKind, TaskStatus
from openrecovery.records.tasks import task_open
from openrecovery.treatment.choices import PlanStatus
from openrecovery.treatment.models import PlanObjective, TreatmentPlan
from openrecovery.treatment.selectors import plan_in_force
from openrecovery.treatment.services import plans as svc


def complete_plan(actor, episode, *, setting="residential", objectives=1):
    plan = svc.plan_create(actor=actor, episode=episode, setting=setting)
    problem = svc.plan_problem_add(
        actor=actor, plan=plan, statement="Benzodiazepine use disorder, in early remission"
    )
    goal = svc.plan_goal_add(
        actor=actor, problem=problem, patient_words="I want to sleep without pills"
    )
    for n in range(objectives):
        svc.plan_objective_add(
            actor=actor,
            goal=goal,
            text=f"Use the wind-down routine 5 nights a week ({n})",
            target_date=timezone.localdate() + dt.timedelta(days=21),
        )
    svc.plan_intervention_add(
        actor=actor,
        problem=problem,
        provider_role="Primary counselor",
        kind="cbt",
        frequency="Weekly",
    )
    return plan


def test_a_signed_plan_records_both_signatures_and_its_review_date(counselor, episode):
    plan = complete_plan(counselor, episode)
    signed = svc.plan_sign(actor=counselor, plan=plan, patient_agreement="agreed")
    assert signed.status == PlanStatus.SIGNED
    assert signed.signed_by == counselor and signed.patient_signed_at is not None
    assert signed.review_due_on == timezone.localdate() + dt.timedelta(days=30)
    assert plan_in_force(episode) == signed
    assert AuditEvent.objects.filter(object_type="treatment_plan", object_id=str(plan.pk)).exists()


def test_outpatient_plans_are_reviewed_every_90_days(counselor, episode):
    plan = complete_plan(counselor, episode, setting="outpatient")
    signed = svc.plan_sign(actor=counselor, plan=plan, patient_agreement="agreed")
    assert signed.review_due_on == timezone.localdate() + dt.timedelta(days=90)


def test_review_days_follow_the_setting(counselor, episode, settings):
    settings.TREATMENT_REVIEW_DAYS = {"residential": 14, "outpatient": 60}
    signed = svc.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )
    assert signed.review_due_on == timezone.localdate() + dt.timedelta(days=14)


def test_a_declined_signature_needs_the_reason(counselor, episode):
    plan = complete_plan(counselor, episode)
    with pytest.raises(ValidationError) as caught:
        svc.plan_sign(actor=counselor, plan=plan, patient_agreement="declined")
    assert svc.ERROR_DECLINE_REASON in str(caught.value)
    assert TreatmentPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    signed = svc.plan_sign(
        actor=counselor,
        plan=plan,
        patient_agreement="declined",
        decline_reason="Wants to read it at home",
    )
    assert signed.patient_agreement == "declined" and signed.patient_signed_at is None
    assert signed.patient_decline_reason == "Wants to read it at home"


def test_an_agreement_must_be_recorded(counselor, episode):
    with pytest.raises(ValidationError, match="patient agreed"):
        svc.plan_sign(actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="")


def test_an_incomplete_plan_is_refused_and_says_what_is_missing(counselor, episode):
    plan = svc.plan_create(actor=counselor, episode=episode)
    with pytest.raises(ValidationError, match="at least one problem"):
        svc.plan_sign(actor=counselor, plan=plan, patient_agreement="agreed")
    problem = svc.plan_problem_add(actor=counselor, plan=plan, statement="Anxiety")
    svc.plan_goal_add(actor=counselor, problem=problem, patient_words="Feel calmer")
    with pytest.raises(ValidationError) as caught:
        svc.plan_sign(actor=counselor, plan=plan, patient_agreement="agreed")
    assert "“Anxiety” is missing an objective and an intervention" in str(caught.value)
    assert TreatmentPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_a_signed_plan_never_changes_a_revision_is_a_new_version(counselor, episode):
    plan = svc.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )
    with pytest.raises(StateConflict, match="revise it"):
        svc.plan_problem_add(actor=counselor, plan=plan, statement="Sleep")
    with pytest.raises(ValidationError, match="why the plan is being revised"):
        svc.plan_revise(actor=counselor, plan=plan, reason=" ")
    draft = svc.plan_revise(actor=counselor, plan=plan, reason="Add a sleep goal")
    assert draft.version == 2 and draft.status == PlanStatus.DRAFT
    old = list(PlanObjective.objects.filter(goal__problem__plan=plan).values_list("thread", "text"))
    new = list(
        PlanObjective.objects.filter(goal__problem__plan=draft).values_list("thread", "text")
    )
    assert old == new  # the thread survives the revision
    assert plan_in_force(episode) == plan  # the signed version stays in force until signed
    with pytest.raises(StateConflict, match="already has a draft"):
        svc.plan_revise(actor=counselor, plan=plan, reason="again")
    svc.plan_sign(actor=counselor, plan=draft, patient_agreement="agreed")
    assert TreatmentPlan.objects.get(pk=plan.pk).status == PlanStatus.SUPERSEDED
    assert plan_in_force(episode).pk == draft.pk


def test_parts_of_a_draft_can_be_removed_but_only_from_that_draft(
    counselor, episode, director, patient
):
    plan = complete_plan(counselor, episode, objectives=2)
    objective = PlanObjective.objects.filter(goal__problem__plan=plan).first()
    svc.plan_part_remove(actor=counselor, plan=plan, part="objective", part_id=objective.pk)
    assert PlanObjective.objects.filter(goal__problem__plan=plan).count() == 1
    svc.plan_sign(actor=counselor, plan=plan, patient_agreement="agreed")
    with pytest.raises(StateConflict):
        svc.plan_part_remove(actor=counselor, plan=plan, part="objective", part_id=objective.pk)


def test_target_dates_cannot_be_in_the_past(counselor, episode):
    plan = svc.plan_create(actor=counselor, episode=episode)
    problem = svc.plan_problem_add(actor=counselor, plan=plan, statement="Cravings")
    goal = svc.plan_goal_add(actor=counselor, problem=problem, patient_words="Stay clean")
    with pytest.raises(ValidationError, match="past"):
        svc.plan_objective_add(
            actor=counselor,
            goal=goal,
            text="x",
            target_date=timezone.localdate() - dt.timedelta(days=1),
        )


def test_only_plan_writers_change_plans(nurse, episode):
    with pytest.raises(Forbidden):
        svc.plan_create(actor=nurse, episode=episode)


def test_a_closed_or_inquiry_episode_gets_no_plan(counselor, director):
    from tests.support.factories import make_patient

    inquiry = make_patient(actor=director, team=[counselor])
    with pytest.raises(StateConflict, match="open episodes"):
        svc.plan_create(actor=counselor, episode=inquiry.episodes.get())


def test_a_review_records_progress_per_objective_and_moves_the_due_date(
    counselor, episode, patient
):
    plan = svc.plan_sign(
        actor=counselor,
        plan=complete_plan(counselor, episode, objectives=2),
        patient_agreement="agreed",
    )
    objectives = list(PlanObjective.objects.filter(goal__problem__plan=plan))
    with pytest.raises(ValidationError, match="every objective"):
        svc.plan_review_record(
            actor=counselor, plan=plan, progress={objectives[0].pk: "met"}, what_changed="x"
        )
    with pytest.raises(ValidationError, match="what changed"):
        svc.plan_review_record(
            actor=counselor, plan=plan, progress={o.pk: "met" for o in objectives}, what_changed=""
        )
    review = svc.plan_review_record(
        actor=counselor,
        plan=plan,
        progress={objectives[0].pk: "met", objectives[1].pk: "not_progressing"},
        what_changed="Added weekly sleep check-ins",
    )
    assert [r.progress for r in review.objectives.order_by("objective_id")] == [
        "met",
        "not_progressing",
    ]
    plan.refresh_from_db()
    assert (
        plan.review_due_on == review.next_review_on == timezone.localdate() + dt.timedelta(days=30)
    )


def test_a_review_closes_the_plan_review_task_it_answers(counselor, episode, patient):
    plan = svc.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )
    task = task_open(
        patient=patient, kind=TaskKind.PLAN_REVIEW, source_type="administration", source_id=1
    ).task
    objective = PlanObjective.objects.get(goal__problem__plan=plan)
    review = svc.plan_review_record(
        actor=counselor,
        plan=plan,
        progress={objective.pk: "revised"},
        what_changed="PHQ-9 not on track: added psychiatry referral",
        trigger="measurement",
        task=task,
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_source_id == str(review.pk)
    with pytest.raises(ValidationError, match="not an open plan review"):
        svc.plan_review_record(
            actor=counselor, plan=plan, progress={objective.pk: "met"}, what_changed="x", task=task
        )
