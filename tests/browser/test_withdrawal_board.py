"""On a tablet: a nurse records a CIWA-B and vital signs from the board; a severe score
raises an alert the physician on call acknowledges."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert
from openrecovery.withdrawal.models import OnCallShift, Unit, VitalSigns
from openrecovery.withdrawal.services import unit_assign
from tests.support.browser import sign_in
from tests.support.factories import make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
# Items 1-17 (patient-rated) and 18-20 (observer-rated): 40 + 6 = 46, severe.
ANSWERS = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2]


def test_a_nurse_records_from_the_board_and_the_physician_acknowledges(
    page: Page, server, inspect, director
):
    page.set_viewport_size(TABLET)
    nurse = make_staff(Role.NURSE, "nurse", first_name="Ada", last_name="Okafor")
    physician = make_staff(Role.PHYSICIAN, "physician", first_name="Kofi", last_name="Mensah")
    unit = Unit.objects.create(code="detox", name="Detox unit")
    now = timezone.now()
    OnCallShift.objects.create(
        unit=unit, physician=physician, starts_at=now - dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=10), created_by=director,
    )  # fmt: skip
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse],
        given="Rosa", family="Lindqvist",
    )  # fmt: skip
    unit_assign(actor=director, patient=patient, unit=unit)

    sign_in(page, server, nurse)
    page.get_by_role("link", name="Withdrawal board").click()  # one
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdrawal board")
    card = page.locator(f"article[data-patient='{patient.pk}']")
    expect(card.locator("[data-due]")).to_contain_text("No CIWA-B yet: due now")
    inspect.check(page, "1-board-never-assessed")
    card.get_by_role("link", name="Record CIWA-B").click()  # two: the form

    expect(page).to_have_url(
        re.compile(rf"/patients/{patient.pk}/instruments/ciwab/\?next=%2Fwithdrawal%2Fboard%2F$")
    )
    # From the keyboard: the number keys choose each item's answer.
    for number, answer in enumerate(ANSWERS, start=1):
        radio = page.locator(f"fieldset#item_{number} input[type=radio]").first
        radio.focus()
        page.keyboard.press(str(answer))
    sums = page.locator("[data-running-subtotals]")
    expect(sums).to_contain_text("Patient-rated (items 1-17): 40")
    expect(sums).to_contain_text("Observer-rated (items 18-20): 6")
    expect(sums).to_contain_text("Total score: 46")
    inspect.check(page, "2-form-running-subtotals")
    page.get_by_role("button", name="Save CIWA-B answers").click()
    # Saved, the nurse is back on the board, told what the score did.
    expect(page).to_have_url(re.compile(r"/withdrawal/board/$"))
    expect(page.get_by_role("status").filter(has_text="CIWA-B: 46 (Severe)")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="physician on call was alerted")
    ).to_be_visible()
    card = page.locator(f"article[data-patient='{patient.pk}']")
    expect(card).to_contain_text("CIWA-B 46")
    expect(card).to_contain_text("Patient-rated 40 · observer-rated 6")
    expect(card).to_contain_text("Open alert")
    expect(card.locator("[data-due]")).to_contain_text("Due in 59 min")
    card.get_by_role("link", name="Vitals and precautions").click()
    fields = {
        "Systolic blood pressure (mmHg)": "400",
        "Diastolic blood pressure (mmHg)": "80",
        "Heart rate (beats per minute)": "118",
        "Temperature (°C)": "37.4",
        "Respiratory rate (breaths per minute)": "18",
        "SpO2 (%)": "97",
    }
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save vital signs").click()
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "400 is not a possible systolic blood pressure"
    )
    assert not VitalSigns.objects.exists()
    page.get_by_label("Systolic blood pressure (mmHg)").fill("142")
    page.get_by_role("button", name="Save vital signs").click()
    expect(page.get_by_role("status").filter(has_text="Vital signs saved")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Beyond the protocol's limits")
    ).to_be_visible()
    page.get_by_role("button", name="Mark seizure precautions").click()
    expect(
        page.get_by_role("status").filter(has_text="Seizure precautions marked.")
    ).to_be_visible()
    inspect.check(page, "3-observations")
    page.goto(f"{server}/withdrawal/board/")
    card = page.locator(f"article[data-patient='{patient.pk}']")
    expect(card).to_contain_text("Seizure precautions")
    expect(card).to_contain_text("Beyond limits: Heart rate")
    inspect.check(page, "4-board-after")

    page.context.clear_cookies()
    sign_in(page, server, physician)
    alerts = page.locator("#my-alerts")
    expect(alerts).to_contain_text("CIWA-B 46")
    expect(alerts).to_contain_text("Vital signs beyond the protocol's limits")
    inspect.check(page, "5-physician-dashboard")
    alerts.get_by_role("button", name=re.compile("Acknowledge the alert")).first.click()
    expect(page.get_by_role("status").filter(has_text="Alert acknowledged.")).to_be_visible()
    assert (
        ClinicalAlert.objects.filter(recipient=physician, acknowledged_at__isnull=False).count()
        == 1
    )


def test_a_director_revises_the_protocol_and_the_pages_pass_axe(
    page: Page, server, inspect, director
):
    page.set_viewport_size(TABLET)
    nurse = make_staff(Role.NURSE, "nurse", first_name="Ada", last_name="Okafor")
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse],
        given="Rosa", family="Lindqvist",
    )  # fmt: skip
    sign_in(page, server, director)
    page.goto(f"{server}/withdrawal/protocol/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
    page.get_by_label("Moderate: next CIWA-B within (minutes)").fill("90")
    page.get_by_label("Why it changes").fill("Night team asked for closer watch")
    inspect.check(page, "1-protocol")
    page.get_by_role("button", name="Save version 2").click()
    expect(
        page.get_by_role("status").filter(has_text="Protocol version 2 is now in force.")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="90 minutes")).to_be_visible()
    page.goto(f"{server}/withdrawal/on-call/")
    inspect.check(page, "2-on-call")
    page.goto(f"{server}/withdrawal/rater-drift/")
    inspect.check(page, "3-drift")
    page.goto(f"{server}/patients/{patient.pk}/withdrawal/handoff/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shift hand-off")
    inspect.check(page, "4-handoff")
