"""A counselor writes and signs a safety plan with the patient, then prints their copy."""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalTask
from tests.support.browser import safety_plan_fill, sign_in
from tests.support.factories import make_patient
from tests.support.instruments import CSSRS_MODERATE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_safety_plan_is_written_signed_and_printed(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor],
        given="Danielle", family="Whitfield",
    )  # fmt: skip
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/safety-plan/")
    expect(page.locator("#current-plan")).to_have_text("No signed safety plan yet.")
    page.get_by_role("button", name="Start a safety plan").click()
    expect(page.get_by_role("heading", name="Draft: version 1")).to_be_visible()
    expect(page.locator("#id_crisis_2_phone")).to_have_value("988")
    expect(page.locator("#id_crisis_3_phone")).to_have_value("911")
    safety_plan_fill(page)
    inspect.check(page, "1-draft")
    page.get_by_role("button", name="Save and sign").click()
    summary = page.get_by_role("link", name="Name the patient signed with: This field is required.")
    expect(summary).to_be_visible()  # in the error summary at the top of the form
    page.get_by_label("Name the patient signed with").fill("Danielle Whitfield")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("status")).to_contain_text("Safety plan signed (version 1).")
    expect(page.locator("#current-plan")).to_contain_text("Walk the dog; box breathing.")
    inspect.check(page, "2-signed")
    assert not ClinicalTask.objects.filter(kind="safety_plan_owed", status="open").exists()
    page.get_by_role("link", name="Print for the patient").click()
    expect(page).to_have_url(re.compile(r"/safety-plan/print/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    expect(page.get_by_role("link", name="988").first).to_be_visible()
    inspect.check(page, "3-print")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    inspect.screenshot(page, "4-print-phone")
