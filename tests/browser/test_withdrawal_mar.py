"""On a tablet: a physician builds, signs and prints a taper; a nurse records the doses on
the medication administration record, one refused with a reason, one given with a
witness who confirms on the same screen."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from openrecovery.withdrawal.models import DoseRecord, TaperOrder, Unit
from openrecovery.withdrawal.services import unit_assign
from tests.support.auth import totp_code
from tests.support.browser import device_key, sign_in
from tests.support.factories import PASSWORD, make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def test_a_physician_signs_and_prints_a_taper_and_a_nurse_records_doses(
    page: Page, server, inspect, director
):
    page.set_viewport_size(TABLET)
    nurse = make_staff(Role.NURSE, "nurse", first_name="Ada", last_name="Okafor")
    physician = make_staff(Role.PHYSICIAN, "physician", first_name="Kofi", last_name="Mensah")
    unit = Unit.objects.create(code="detox", name="Detox unit")
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse, physician],
        given="Rosa", family="Lindqvist",
    )  # fmt: skip
    unit_assign(actor=director, patient=patient, unit=unit)

    sign_in(page, server, physician)
    page.goto(f"{server}/patients/{patient.pk}/")
    page.get_by_role("link", name="Taper order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benzodiazepine taper order")
    page.get_by_label("Medication now").fill("Klonopin")
    page.get_by_label("Daily dose now (mg)").fill("2")
    page.get_by_role("button", name="Preview the plan").click()
    preview = page.locator("#taper-preview")
    expect(preview).to_contain_text("2 mg clonazepam a day")
    page.get_by_label("Change").select_option("pause")
    page.get_by_label("From step").fill("2")
    page.get_by_label("Pause days").fill("7")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name=re.compile("with 1 adjustment"))).to_be_visible()
    inspect.check(page, "1-preview-paused")
    page.get_by_role("button", name="Sign the taper order").click()
    expect(page.get_by_role("status").filter(has_text="Taper order signed")).to_be_visible()
    order = TaperOrder.objects.get(patient=patient)
    assert order.adjustments == [{"op": "pause", "step": 1, "days": 7}]
    expect(page.locator("#taper-current")).to_contain_text("review by")
    inspect.check(page, "2-signed")
    page.get_by_role("link", name="Patient schedule (print)").click()
    expect(page.get_by_role("note")).to_contain_text("Do not stop this medicine suddenly")
    expect(page.locator("main")).to_contain_text("988")
    page.emulate_media(media="print")
    inspect.check(page, "3-print")
    page.emulate_media(media="screen")

    page.context.clear_cookies()
    sign_in(page, server, nurse)
    page.get_by_role("link", name="Withdrawal board").click()
    card = page.locator(f"article[data-patient='{patient.pk}']")
    expect(card.locator("[data-mar]")).to_contain_text("Taper step 1 of")
    expect(card).to_contain_text("Doses today: 0 of 2 given")
    inspect.check(page, "4-board-taper")
    card.get_by_role("link", name="Medications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Medication administration record")
    rows = page.locator("#mar-doses tbody tr")
    expect(rows).to_have_count(2)
    first, second = rows.nth(0), rows.nth(1)
    first.get_by_text("Record this dose").click()
    first.get_by_label("Status").select_option("refused")
    first.get_by_role("button", name="Save").click()
    expect(page.locator("#mar-errors")).to_contain_text("Say why the dose was refused")
    assert not DoseRecord.objects.exists()
    first = page.locator("#mar-doses tbody tr").nth(0)
    first.get_by_text("Record this dose").click()
    first.get_by_label("Status").select_option("refused")
    first.get_by_label(re.compile("^Reason")).fill("Nauseous, asked to wait")
    first.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Dose recorded.")).to_be_visible()
    second = page.locator("#mar-doses tbody tr").nth(1)
    second.get_by_text("Record this dose").click()
    second.get_by_label("Witness username").fill(physician.username)
    second.get_by_label("Witness password").fill(PASSWORD)
    # The physician's sign-in code may still be the current one (single use).
    TOTPDevice.objects.filter(user=physician).update(last_t=-1)
    second.get_by_label("Witness authenticator code").fill(totp_code(device_key(physician)))
    inspect.check(page, "5-witness")
    second.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Dose recorded.")).to_be_visible()
    doses = page.locator("#mar-doses")
    expect(doses).to_contain_text("Refused")
    expect(doses).to_contain_text("Nauseous, asked to wait")
    expect(doses).to_contain_text("witnessed by Kofi Mensah")
    inspect.check(page, "6-mar-recorded")
    assert DoseRecord.objects.get(status="given").witness == physician
