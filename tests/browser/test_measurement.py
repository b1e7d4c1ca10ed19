"""A PHQ-9 not on track six weeks after baseline raises the plan review for the counselor."""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.records.choices import Stage, TaskKind
from openrecovery.records.models import ClinicalTask
from tests.support.browser import sign_in
from tests.support.factories import make_patient
from tests.support.measurement import give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Answers typed with the number keys: total 13 (item 9 is 0; item 10, difficulty, is 1).
PHQ9_KEYS = ["2", "2", "2", "2", "2", "2", "1", "0", "0", "1"]


def test_a_phq9_not_on_track_raises_the_plan_review(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Marisol", family="Okoro"
    )
    give(patient, counselor, "phq9", 14, days_ago=45)  # the baseline, six weeks ago and more
    give(patient, counselor, "gad7", 6, days_ago=3)
    give(patient, counselor, "bam", 2, days_ago=3)

    # The dashboard lists the PHQ-9 as due (two weeks after the baseline).
    sign_in(page, server, counselor)
    due = page.locator("#measures-due")
    expect(due.get_by_role("heading", name="Measures due")).to_be_visible()
    row = due.locator(f"li[data-due-patient='{patient.pk}'][data-due-code='phq9']")
    expect(row).to_contain_text("Marisol Okoro: PHQ-9")
    expect(row).to_contain_text("(31 days)")
    expect(due.locator("li")).to_have_count(1)  # GAD-7 and BAM are not due yet
    inspect.check(page, "1-dashboard-measures-due")

    # The chart's panel says why and links to the instrument.
    row.get_by_role("link", name="PHQ-9 due").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/#measurement$"))
    panel = page.locator("#measurement")
    phq9 = panel.locator("tr[data-code='phq9']")
    expect(phq9).to_contain_text("Insufficient data")
    expect(phq9).to_contain_text("Due now")
    expect(panel.locator("tr[data-code='gad7']")).not_to_contain_text("Due now")
    expect(page.locator("#open-tasks")).to_have_count(0)
    inspect.check(page, "2-chart-phq9-due")
    phq9.get_by_role("link", name="Administer the PHQ-9").click()

    # From the keyboard: a number key chooses each answer, Tab moves on.
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/instruments/phq9/$"))
    page.locator("#item_1_0").focus()
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save PHQ-9 answers")).to_be_focused()
    page.keyboard.press("Enter")

    # Back on the chart: down 1 point in 45 days is not on track; the review is owed.
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    status = page.get_by_role("status")
    expect(status.filter(has_text="Saved. PHQ-9: 13 (Moderate)")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"PHQ-9 not on track: no reliable improvement"))
    ).to_be_visible()
    expect(page.get_by_text("Treatment plan review owed by Jamie Chen")).to_be_visible()
    banner = page.locator("#open-tasks")
    task = banner.locator(f"li[data-kind='{TaskKind.PLAN_REVIEW.value}']")
    expect(task).to_contain_text("Treatment plan review")
    expect(task).to_contain_text("for Jamie Chen")
    phq9 = page.locator("#measurement tr[data-code='phq9']")
    expect(phq9).to_contain_text("Not on track")
    expect(phq9).to_contain_text("-1 (better)")
    expect(phq9).not_to_contain_text("Due now")
    inspect.check(page, "3-chart-plan-review-owed")
    [opened] = ClinicalTask.objects.filter(patient=patient, kind=TaskKind.PLAN_REVIEW)
    assert opened.assigned_to_id == counselor.pk

    # The counselor's dashboard lists the review, and the due PHQ-9 is gone.
    page.get_by_role("link", name="Dashboard").first.click()
    tasks = page.locator("#my-tasks")
    expect(tasks.locator(f"li[data-kind='{TaskKind.PLAN_REVIEW.value}']")).to_contain_text(
        "Marisol Okoro: Treatment plan review"
    )
    expect(page.locator("#measures-due")).to_have_count(0)
    inspect.check(page, "4-dashboard-plan-review")
    tasks.get_by_role("link", name="Marisol Okoro").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
