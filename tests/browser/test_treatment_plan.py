"""A counselor writes a treatment plan with the patient, and both sign it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.records.choices import Stage
from openrecovery.treatment.models import TreatmentPlan
from tests.support.browser import sign_in
from tests.support.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_is_written_with_the_patient_and_both_sign(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Marisol", family="Quintero"
    )
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/")
    page.get_by_role("link", name="Write the plan").click()
    page.get_by_label("Care setting").select_option("residential")
    page.get_by_role("button", name="Start the treatment plan").click()
    expect(page.get_by_role("heading", name="Draft: version 1")).to_be_visible()
    page.get_by_label("Problem", exact=True).fill("Sedative use disorder: early recovery")
    page.get_by_role("button", name="Add problem").click()
    page.get_by_label("Goal, in the patient's own words").fill("I want to sleep without pills")
    page.get_by_role("button", name="Add goal").click()
    target = (timezone.localdate() + dt.timedelta(days=21)).isoformat()
    page.get_by_label("Measurable objective").fill("Use the wind-down routine 5 nights a week")
    page.get_by_label("Target date").fill(target)
    page.get_by_role("button", name="Add objective").click()
    page.get_by_label("Modality").select_option("cbt")
    page.get_by_role("button", name="Add intervention").click()
    expect(page.locator("#draft")).to_contain_text("Cognitive behavioral therapy, Weekly")
    inspect.check(page, "1-draft")
    page.get_by_role("button", name="Sign plan").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()  # no agreement yet
    page.get_by_label("Agreed and signed").check()
    page.get_by_role("button", name="Sign plan").click()
    expect(page.get_by_role("status")).to_contain_text("Plan version 1 signed.")
    expect(page.get_by_role("heading", name="In force: version 1")).to_be_visible()
    expect(page.locator("#in-force-h").locator("..")).to_contain_text("patient signed")
    inspect.check(page, "2-signed")
    plan = TreatmentPlan.objects.get()
    assert plan.status == "signed" and plan.patient_agreement == "agreed"
    assert plan.signed_by == counselor and plan.patient_signed_at is not None
    page.goto(f"{server}/patients/{patient.pk}/")
    expect(page.locator("#treatment-panel")).to_contain_text("Version 1, signed")
    inspect.check(page, "3-chart")
