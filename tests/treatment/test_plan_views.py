"""The treatment plan page: writing a plan with the patient, signing, revising, reviewing."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openrecovery.audit.models import AuditEvent
from openrecovery.treatment.models import PlanGoal, PlanObjective, PlanProblem, TreatmentPlan
from openrecovery.treatment.services import plans
from tests.support.factories import make_staff, verified_client
from tests.treatment.test_plans import complete_plan


def url(patient):
    return reverse("treatment:plan", args=[patient.pk])


def test_a_counselor_writes_and_signs_a_plan_on_one_page(counselor, patient):
    client = verified_client(counselor)
    assert "Start the treatment plan" in client.get(url(patient)).content.decode()
    client.post(url(patient), {"action": "start", "setting": "residential"})
    client.post(url(patient), {"action": "problem", "statement": "Benzodiazepine use disorder"})
    problem = PlanProblem.objects.get()
    client.post(
        url(patient),
        {"action": "goal", "problem": problem.pk, "patient_words": "Sleep without pills"},
    )
    goal = PlanGoal.objects.get()
    target = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    client.post(
        url(patient),
        {
            "action": "objective",
            "goal": goal.pk,
            "text": "Wind-down 5 nights",
            "target_date": target,
        },
    )
    client.post(
        url(patient),
        {
            "action": "intervention",
            "problem": problem.pk,
            "provider_role": "Counselor",
            "kind": "cbt",
            "frequency": "Weekly",
        },
    )
    response = client.post(
        url(patient), {"action": "sign", "patient_agreement": "agreed"}, follow=True
    )
    page = response.content.decode()
    assert "In force: version 1" in page and "patient signed" in page
    assert "Sleep without pills" in page and "Wind-down 5 nights" in page
    assert TreatmentPlan.objects.get().status == "signed"


def test_an_incomplete_plan_says_what_is_missing_and_stays_a_draft(counselor, patient, episode):
    plan = plans.plan_create(actor=counselor, episode=episode)
    plans.plan_problem_add(actor=counselor, plan=plan, statement="Anxiety")
    response = verified_client(counselor).post(
        url(patient), {"action": "sign", "patient_agreement": "agreed"}
    )
    assert response.status_code == 422
    assert "is missing a goal and an intervention" in response.content.decode()
    assert TreatmentPlan.objects.get().status == "draft"


def test_a_declined_signature_without_a_reason_is_refused(counselor, patient, episode):
    complete_plan(counselor, episode)
    response = verified_client(counselor).post(
        url(patient), {"action": "sign", "patient_agreement": "declined"}
    )
    assert response.status_code == 422
    assert plans.ERROR_DECLINE_REASON in response.content.decode()


def test_a_review_is_recorded_from_the_page(counselor, patient, episode):
    plan = plans.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )
    objective = PlanObjective.objects.get(goal__problem__plan=plan)
    response = verified_client(counselor).post(
        url(patient),
        {
            "action": "review",
            "trigger": "scheduled",
            "what_changed": "Objective met; added a support goal",
            f"progress_{objective.pk}": "met",
        },
        follow=True,
    )
    assert "Review recorded" in response.content.decode()
    assert plan.reviews.get().objectives.get().progress == "met"


def test_only_plan_writers_post_and_strangers_see_nothing(patient, nurse, director):
    from openrecovery.records.services import care_team_add

    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    assert verified_client(nurse).get(url(patient)).status_code == 200
    assert (
        verified_client(nurse)
        .post(url(patient), {"action": "start", "setting": "residential"})
        .status_code
        == 403
    )
    stranger = make_staff("counselor", "stranger")
    assert verified_client(stranger).get(url(patient)).status_code == 404
    assert AuditEvent.objects.filter(object_type="treatment_plan", outcome="denied").exists()


def test_the_page_keeps_its_query_count_as_the_plan_grows(
    counselor, patient, episode, django_assert_max_num_queries
):
    client = verified_client(counselor)
    plan = complete_plan(counselor, episode)
    client.get(url(patient))
    with django_assert_max_num_queries(30) as small:
        client.get(url(patient))
    for n in range(6):
        problem = plans.plan_problem_add(actor=counselor, plan=plan, statement=f"Problem {n}")
        goal = plans.plan_goal_add(actor=counselor, problem=problem, patient_words="words")
        plans.plan_objective_add(
            actor=counselor, goal=goal, text="o", target_date=timezone.localdate()
        )
        plans.plan_intervention_add(
            actor=counselor, problem=problem, provider_role="c", kind="mi", frequency="w"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url(patient))


def test_a_refused_objective_says_why_and_adds_nothing(counselor, patient, episode):
    plan = plans.plan_create(actor=counselor, episode=episode)
    problem = plans.plan_problem_add(actor=counselor, plan=plan, statement="Cravings")
    goal = plans.plan_goal_add(actor=counselor, problem=problem, patient_words="Stay well")
    response = verified_client(counselor).post(
        url(patient),
        {"action": "objective", "goal": goal.pk, "text": "x", "target_date": "2020-01-01"},
    )
    assert response.status_code == 422
    assert plans.ERROR_TARGET_PAST in response.content.decode()
    assert not PlanObjective.objects.exists()
