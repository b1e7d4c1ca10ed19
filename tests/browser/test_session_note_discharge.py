"""A counselor writes an individual session note on a plan objective, then discharges the
patient against advice with the risks explained and the crisis numbers given."""

import pytest
from playwright.sync_api import Page, expect

from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare
from openrecovery.treatment.models import PlanObjective, ProgressNote
from openrecovery.treatment.services import plans
from tests.support.browser import sign_in
from tests.support.factories import make_patient
from tests.treatment.test_plans import complete_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_note_is_signed_and_the_patient_discharged_against_advice(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Tomas", family="Bergqvist"
    )
    episode = patient.episodes.get()
    plan = plans.plan_sign(
        actor=counselor, plan=complete_plan(counselor, episode), patient_agreement="agreed"
    )
    objective = PlanObjective.objects.get(goal__problem__plan=plan)
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/")
    page.get_by_role("link", name="Write a session note").click()
    expect(page.get_by_role("heading", name="Measures due")).to_be_visible()
    page.get_by_label("Data", exact=True).fill("Discussed the first weekend home.")
    page.get_by_label("Assessment", exact=True).fill("Anxious but using skills.")
    page.get_by_label("Plan", exact=True).fill("Practise refusal lines.")
    page.get_by_label(objective.text).check()
    page.get_by_label("Cognitive behavioral therapy").check()
    inspect.check(page, "1-note")
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_role("status")).to_contain_text("Note signed.")
    expect(page.locator("main")).to_contain_text("Discussed the first weekend home.")
    inspect.check(page, "2-signed")
    note = ProgressNote.objects.get()
    assert note.status == "signed" and list(note.objectives.all()) == [objective]
    page.goto(f"{server}/patients/{patient.pk}/treatment/discharge/")
    expect(page.get_by_text("1-800-662-4357").first).to_be_visible()
    page.get_by_label("Reason for discharge").select_option("against_advice")
    page.get_by_label("Course of treatment").fill("Left on day 12 against advice.")
    page.get_by_role("button", name="Sign and close the episode").click()
    expect(
        page.get_by_text("record that the risks of leaving were explained").first
    ).to_be_visible()
    inspect.check(page, "3-refused")
    page.get_by_label("The risks of leaving now were explained").check()
    page.get_by_label("The 24/7 line and the crisis numbers were given").check()
    page.get_by_role("button", name="Sign and close the episode").click()
    expect(page.get_by_role("status")).to_contain_text("the episode is closed")
    inspect.check(page, "4-signed")
    episode = EpisodeOfCare.objects.get(pk=episode.pk)
    assert episode.discharge_type == "against_advice" and episode.ended_at is not None
