"""A note pasted with a control character: the page says where it is, and keeps the note."""

import pytest
from playwright.sync_api import Page, expect

from openrecovery.core.text import ERROR_CONTROL_CHARACTER
from openrecovery.privacy.models import BreakGlassGrant
from openrecovery.privacy.services import break_glass_grant
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert
from tests.support.browser import sign_in
from tests.support.factories import make_patient
from tests.support.records import urgent_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180), "phone": (390, 844)}


def _shots(page: Page, inspect, step: str) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.screenshot(page, f"{step}-{size}")
    page.set_viewport_size({"width": 1366, "height": 900})
    inspect.check(page, step)


def test_an_alert_note_with_a_control_character_is_refused_on_its_field(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[director, counselor])
    alert = urgent_alert(patient, director)
    sign_in(page, server, director)
    page.goto(f"{server}/patients/{patient.pk}/alerts/{alert.pk}/resolve/")
    note = page.get_by_label("What was done")
    note.fill("Safety\x01 plan made")
    page.get_by_role("button", name="Mark addressed").click()
    expect(page.locator("#id_note_error")).to_have_text(ERROR_CONTROL_CHARACTER % {"position": 7})
    expect(note).to_have_attribute("aria-invalid", "true")
    _shots(page, inspect, "alert-refused")
    note.fill("Safety plan made")
    page.get_by_role("button", name="Mark addressed").click()
    expect(page.get_by_text("Alert marked addressed.")).to_be_visible()
    assert ClinicalAlert.objects.get(pk=alert.pk).resolution_note == "Safety plan made"


def test_a_review_note_with_a_control_character_is_refused_on_its_row(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    grant = break_glass_grant(user=counselor, patient=patient, reason="Collapsed in the lobby.")
    sign_in(page, server, director)
    page.goto(f"{server}/break-glass/review/")
    note = page.get_by_label("Review note")
    note.fill("Justified\x7f")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator(f"#note-{grant.pk}-error")).to_have_text(
        ERROR_CONTROL_CHARACTER % {"position": 10}
    )
    _shots(page, inspect, "review-refused")
    page.get_by_label("Review note").fill("Justified: seizure")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    assert BreakGlassGrant.objects.get(pk=grant.pk).review_note == "Justified: seizure"
