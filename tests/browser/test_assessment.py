"""A clinician completes and signs an intake assessment; the episode moves stage."""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.assessment.models import IntakeAssessment
from openrecovery.records.choices import Stage
from tests.support.browser import sign_in
from tests.support.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAVED = re.compile(r"Saved at \d\d:\d\d")


def _section(page: Page, title: str):
    return page.locator("form.card", has=page.get_by_role("heading", name=title, exact=True))


def _autosaved(page: Page, title: str) -> None:
    expect(_section(page, title).get_by_role("status")).to_have_text(SAVED)


def test_intake_is_completed_signed_and_moves_the_stage(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.ASSESSMENT, team=[counselor], given="Amara", family="Okafor"
    )
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/")
    page.get_by_role("link", name="Open intake assessment").click()
    page.get_by_role("button", name="Start intake assessment").click()
    expect(page.locator("#intake-status")).to_have_text("Draft")
    inspect.check(page, "1-started")

    # Substance history: one row through the add form.
    # The only required field of the row carries the mark, hidden from its accessible name.
    substance = page.get_by_role("combobox", name="Substance", exact=True)
    expect(substance).to_have_attribute("required", "")
    substance.select_option(label="Clonazepam")
    page.get_by_label("Route").select_option(label="Oral")
    page.get_by_label("Amount").fill("2 mg")
    page.get_by_label("Frequency").select_option(label="Daily")
    page.get_by_label("Duration").fill("3 years")
    page.get_by_label("Age at first use").fill("24")
    page.get_by_role("button", name="Add substance").click()
    expect(page.locator("#substance-rows")).to_contain_text("Clonazepam")
    prompts = page.locator("#placement-prompts")
    expect(prompts).to_contain_text("Never stop a benzodiazepine abruptly")

    # Narrative sections autosave on change.
    history = _section(page, "Prior treatment and withdrawal")
    history.get_by_label("Prior treatment").fill("Outpatient taper in 2022, stopped early")
    fieldset = history.get_by_role("group", name="Ever had a seizure during withdrawal?")
    fieldset.get_by_label("Yes", exact=True).check()
    _autosaved(page, "Prior treatment and withdrawal")
    expect(prompts).to_contain_text("History of withdrawal seizures recorded.")
    expect(prompts).to_contain_text(
        "Consider medically managed or inpatient withdrawal management "
        "(2025 tapering guideline, rec. 5 and 12)."
    )
    history.get_by_role("group", name="Ever had delirium").get_by_label("No", exact=True).check()
    history.get_by_label("Withdrawal now or expected").select_option(label="Moderate")
    _autosaved(page, "Prior treatment and withdrawal")

    medical = _section(page, "Medical conditions and medications")
    medical.get_by_label("Medical conditions").fill("Hypertension")
    medical.get_by_label("Current medications").fill("Clonazepam 2 mg daily; lisinopril")
    medical.get_by_label("Current medications").blur()
    _autosaved(page, "Medical conditions and medications")

    psychiatric = _section(page, "Psychiatric history and safety")
    psychiatric.get_by_label("Psychiatric history").fill("Panic disorder since 2015")
    for question in ("Current thoughts of suicide?", "Overdose in the past 12 months?",
                     "Falls or injuries while using?"):  # fmt: skip
        psychiatric.get_by_role("group", name=question).get_by_label("No", exact=True).check()
    _autosaved(page, "Psychiatric history and safety")

    social = _section(page, "Legal, housing and employment")
    social.get_by_label("Housing").select_option(label="Stable housing")
    social.get_by_label("Employment").select_option(label="Employed full time")
    _autosaved(page, "Legal, housing and employment")

    supports = _section(page, "Family and supports")
    supports.get_by_label("Supports", exact=True).fill("Sister; partner")
    supports.get_by_label("Supports", exact=True).blur()
    _autosaved(page, "Family and supports")

    strengths = _section(page, "Strengths and preferences")
    strengths.get_by_label("Strengths").fill("Motivated; steady job")
    strengths.get_by_label("Strengths").blur()
    _autosaved(page, "Strengths and preferences")

    dimensions = _section(page, "Dimension ratings")
    for number, rating in zip(range(1, 7), ["3", "1", "2", "2", "3", "1"], strict=True):
        group = dimensions.get_by_role("group", name=re.compile(rf"^{number}\. "))
        group.get_by_label(rating, exact=True).check()
    _autosaved(page, "Dimension ratings")

    level = _section(page, "Level of care")
    level.get_by_label("Level of care chosen").select_option("3.7-WM")
    level.get_by_label("Rationale").fill("Seizure history in a prior withdrawal; daily use.")
    level.get_by_label("Rationale").blur()
    _autosaved(page, "Level of care")
    expect(page.locator("#sign-missing")).to_contain_text("Everything signing needs is recorded.")
    inspect.check(page, "2-filled")
    inspect.screenshot(page, "2-filled-viewport", full_page=False)

    # Every acknowledged save is committed.
    saved = IntakeAssessment.objects.get(episode__patient=patient)
    assert saved.sections["withdrawal_history"]["withdrawal_seizures"] == "yes"
    assert saved.level_of_care == "3.7-WM"

    page.get_by_role("button", name="Sign assessment").click()
    expect(page.locator("#id_confirm_error")).to_contain_text("Tick the box to confirm")
    # The summary at the top of the sign form has the focus and leads to the box.
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.get_by_label("I have reviewed this assessment").check()
    page.get_by_role("button", name="Sign assessment").click()
    expect(page.locator("#intake-status")).to_have_text("Signed")
    expect(page.locator("#level-chosen")).to_have_text(
        "Level 3.7-WM — medically monitored inpatient withdrawal management"
    )
    inspect.check(page, "3-signed")

    page.get_by_role("link", name=re.compile("Chart of")).click()
    expect(page.locator("#current-stage")).to_have_text("Withdrawal management")
    expect(page.locator("#intake-panel")).to_contain_text("3.7-WM")
    expect(page.locator("#timeline li").first).to_contain_text(
        "Assessment → Withdrawal management: Intake assessment signed with level of care 3.7-WM"
    )
    inspect.check(page, "4-chart")


def test_checklist_records_a_problem_a_physician_confirms(page: Page, server, inspect, director):
    patient = make_patient(
        actor=director, stage=Stage.ASSESSMENT, team=[director], given="Luis", family="Ferreira"
    )
    sign_in(page, server, director)
    page.goto(f"{server}/patients/{patient.pk}/")
    page.locator("#intake-panel").get_by_role("link", name="Problem list").click()
    expect(page.get_by_role("heading", name="Problem list", level=1)).to_be_visible()
    checklist = page.locator("form", has=page.get_by_role("button", name="Score and record"))
    page.get_by_role("button", name="Score and record").click()
    expect(checklist.get_by_text("This field is required.").first).to_be_visible()
    inspect.check(page, "1-errors")
    # Whether it is taken as prescribed is asked, never assumed from an unticked box.
    supervised = checklist.get_by_role(
        "group", name="Taking it as prescribed under medical supervision?"
    )
    expect(supervised).to_contain_text("Answer yes or no")
    supervised.get_by_label("No", exact=True).check()
    for number in range(1, 12):
        group = checklist.get_by_role("group", name=re.compile(rf"^{number}\. "))
        group.get_by_label("Met" if number <= 5 else "Not met", exact=True).check()
    page.get_by_role("button", name="Score and record").click()
    expect(page.get_by_role("status")).to_have_text("Recorded on the problem list as unconfirmed.")
    problems = page.locator("#problem-list")
    expect(problems).to_contain_text("F13.20 Sedative, hypnotic, or anxiolytic use disorder")
    expect(problems).to_contain_text("Unconfirmed")
    inspect.check(page, "2-recorded")
    problems.get_by_role("button", name=re.compile("^Confirm F13.20")).click()
    expect(problems).to_contain_text("Confirmed")
    expect(problems).to_contain_text("confirmed by Morgan Ellis")
    inspect.check(page, "3-confirmed")
