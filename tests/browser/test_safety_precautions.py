"""A high C-SSRS result: the alert, the precautions checklist, three steps each timed."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.records.choices import Stage
from openrecovery.safety.models import PrecautionChecklist, PrecautionStep
from tests.support.browser import sign_in
from tests.support.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = [
    ("observation", "One-to-one observation ordered", "Sitter: R. Okafor, bed 4"),
    ("environment", "Environment checked (means of self-harm removed from the room)", ""),
    ("physician", "Physician notified", "Dr. Mensah called, coming in 20 min"),
]


def test_a_high_result_opens_the_checklist_and_each_step_is_timed(
    page: Page, server, inspect, director, counselor, nurse
):
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor, nurse],
        given="Marisol", family="Brandt",
    )  # fmt: skip
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/instruments/cssrs/")

    def answer(item: str, label: str) -> None:
        page.locator(f"fieldset#item_{item}").get_by_label(label).check()

    for item, label in (("1", "Yes (1)"), ("2", "Yes (1)"), ("3", "Yes (1)")):
        answer(item, label)
    answer("4", "Yes (1)")
    answer("5", "No (0)")
    answer("6", "No (0)")
    page.get_by_role("button", name="Save C-SSRS Screener answers").click()

    # On the chart: the alert, the words for what was opened, and the link to the checklist.
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    expect(page.locator(".urgent-alert")).to_contain_text("Urgent: High suicide risk")
    status = page.get_by_role("status")
    expect(status.filter(has_text="urgent alert was sent")).to_be_visible()
    expect(status.filter(has_text="Safety plan owed: due by")).to_be_visible()
    opened = status.filter(has_text="Safety precautions checklist opened.")
    expect(opened).to_be_visible()
    inspect.check(page, "1-chart-after-high")
    opened.get_by_role("link", name="Open the checklist").click()

    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/safety/precautions/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Immediate safety precautions")
    card = page.locator("#precautions-card")
    expect(card).to_contain_text("Open · 3 steps left")
    expect(page.locator("#crisis-resources").get_by_role("link", name="988")).to_be_visible()
    inspect.check(page, "2-checklist-open")

    for n, (code, label, note) in enumerate(STEPS, start=1):
        row = page.locator(f"#step-{code}")
        if note:
            row.get_by_label("Note (optional)").fill(note)
        row.get_by_role("button", name=f"Mark done: {label}").click()
        done = page.locator(f"#step-{code} [data-step-done]")
        expect(done).to_contain_text("Done at")
        expect(done).to_contain_text(str(counselor))
        step = PrecautionStep.objects.get(code=code)
        expect(done.locator("time")).to_have_text(f"{timezone.localtime(step.completed_at):%H:%M}")
        if note:
            expect(done).to_contain_text(note)
        left = 3 - n
        if left:
            expect(page.locator("#precautions-card")).to_contain_text(
                f"{left} step{'s' if left > 1 else ''} left"
            )
        if n == 1:
            inspect.check(page, "3-one-step-done")
    expect(page.locator("#precautions-card")).to_contain_text("Complete")
    expect(page.get_by_role("button", name=re.compile("Mark done"))).to_have_count(0)
    assert PrecautionChecklist.objects.get().is_complete
    inspect.check(page, "4-checklist-complete")

    # The finished checklist on a phone: no sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    inspect.screenshot(page, "5-phone")
