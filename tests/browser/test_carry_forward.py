"""A sister's callback for her brother, through the pre-screen to his intake (issue 10).

Points 1, 2 and 5 as a coordinator and a counselor meet them: the callback's substances
start the pre-screen, withdrawal now makes the inquiry urgent, the conversion asks for
the patient's own names with the caller as a contact, and the intake starts from the
pre-screen's answers as drafts that name their source.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.helpline.choices import Urgency
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.services import callback_request_create
from openrecovery.records.models import Patient
from tests.support.browser import sign_in
from tests.support.factories import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SISTER = {
    "name": "Jordan K",
    "phone": "(555) 010-2233",
    "best_time": "evenings",
    "for_whom": "someone_else",
    "substances": "Klonopin",
    "voicemail_ok": True,
    "consent": True,
    "message": "My brother ran out of his pills two days ago and is shaking.",
}
SIZES = {"desktop": (1366, 900), "tablet": (820, 1180), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def _rate_limit_off(settings):
    settings.HELPLINE_RATE_LIMIT = "off"


def test_sisters_callback_to_her_brothers_intake(page: Page, server, inspect, counselor):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    inquiry = callback_request_create(data=SISTER, source_ip="203.0.113.9")
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/inquiries/{inquiry.reference}/")
    page.get_by_role("button", name="Claim").click()

    # Point 2: the callback's substances are the pre-screen's first row, sourced.
    form = page.locator("#prescreen-form")
    expect(form.get_by_label("Substance, row 1")).to_have_value("Klonopin")
    expect(page.locator("#prescreen-carried")).to_contain_text("From the callback request")
    form.get_by_label("Dose, row 1").fill("1 mg")
    form.get_by_label("How often, row 1").fill("three times a day")
    form.get_by_label("For how long, row 1").fill("6 years")
    form.get_by_label("Last use, row 1").fill("2 days ago")
    # Point 5: withdrawal now, and the hours since the last dose.
    form.get_by_label("Withdrawal symptoms now").check()
    form.get_by_label("Hours since the last dose").fill("48")
    form.get_by_label("Past withdrawal seizures").check()
    form.get_by_label("Pregnancy").select_option("not_applicable")
    form.get_by_role("button", name="Save pre-screen").click()
    banner = page.locator('[data-rule="withdrawal_now"]')
    expect(banner).to_contain_text("medical assessment today")
    expect(banner).to_contain_text("last dose 2 days ago")
    expect(banner).to_contain_text("Source: 2025 Joint Clinical Practice Guideline")
    assert Inquiry.objects.get(pk=inquiry.pk).urgency == Urgency.URGENT
    expect(banner.get_by_role("link", name=re.compile("Call 911"))).to_be_visible()
    inspect.screenshot(page, "prescreen-withdrawal-now-screen", full_page=False)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.check(page, f"prescreen-withdrawal-now-{size}")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Point 1: the patient's own names; the sister is a contact.
    schedule = page.locator("#schedule-form")
    expect(schedule.locator("#for-someone-else")).to_contain_text("Jordan K")
    when = timezone.localdate() + dt.timedelta(days=1)
    schedule.get_by_label("Patient's legal given name").fill("Alex")
    schedule.get_by_label("Patient's legal family name").fill("Kowalski")
    schedule.get_by_label("Date of birth").fill("1988-03-09")
    schedule.get_by_label("Sex at birth").select_option("male")
    schedule.get_by_label("Assessment date").fill(when.isoformat())
    schedule.get_by_label("Assessment time").fill("10:30")
    schedule.get_by_label("Clinician").select_option(label="Jamie Chen — Counselor")
    schedule.get_by_label("Caller's relationship to the patient").fill("sister")
    inspect.check(page, "convert-form-for-someone-else")
    schedule.locator("#caller-contact").scroll_into_view_if_needed()
    inspect.screenshot(page, "convert-form-for-someone-else-screen", full_page=False)
    schedule.get_by_role("button", name="Schedule assessment").click()
    expect(page.locator("#disposition")).to_contain_text("Assessment scheduled for")
    patient = Patient.objects.get(legal_family_name="Kowalski")
    assert patient.display_name == "Alex Kowalski"
    assert patient.contacts.get().relationship == "sister"

    # Point 2: the counselor's intake starts from the pre-screen.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/assessment/")
    page.get_by_role("button", name="Start intake assessment").click()
    carried = page.locator("#carried-substances")
    expect(carried).to_contain_text("From pre-screen")
    expect(carried).to_contain_text("by Riley Okafor")
    expect(carried.get_by_label("Amount")).to_have_value("1 mg")
    expect(page.locator("#section-withdrawal_history .carried-source")).to_be_visible()
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.check(page, f"intake-carried-{size}")
        carried.scroll_into_view_if_needed()
        inspect.screenshot(page, f"intake-carried-{size}-screen", full_page=False)
    page.set_viewport_size({"width": 1366, "height": 900})
    carried.get_by_label("Duration").fill("6 years, since a back injury")
    carried.get_by_role("button", name="Add to the use history").click()
    expect(page.locator("#substance-rows")).to_contain_text("From pre-screen")
    expect(page.locator("#substance-rows")).to_contain_text("6 years, since a back injury")
    expect(page.locator("#carried-substances")).to_have_count(0)
    inspect.check(page, "intake-carried-added")
