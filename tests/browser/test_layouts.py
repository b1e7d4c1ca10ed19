"""The staff pages at desktop, tablet and phone sizes: nothing scrolls sideways, the
navigation stays compact, and the queue and the substance table fit a phone as cards.
"""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.assessment.models import SubstanceUse
from openrecovery.assessment.services.intake import assessment_start
from openrecovery.helpline.services import callback_request_create, inquiry_claim
from openrecovery.records.choices import Stage
from tests.support.browser import assert_fits_width, sign_in
from tests.support.factories import make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {
    "desktop": {"width": 1366, "height": 900},
    "tablet": {"width": 820, "height": 1180},
    "phone": {"width": 390, "height": 844},
}
# The staff navigation's height at most: one row on a desktop; on a tablet or a phone the
# links take one row of their own under the brand and the crisis button, never a third.
NAV_HEIGHT = {"desktop": 64, "tablet": 110, "phone": 110}


def _look(page: Page, inspect, size: str, name: str) -> None:
    assert_fits_width(page)
    inspect.check(page, f"{name}-{size}")
    inspect.screenshot(page, f"{name}-{size}-first-screen", full_page=False)


def _nav_height(page: Page) -> float:
    box = page.locator("header.navbar").bounding_box()
    assert box is not None
    return box["height"]


@pytest.fixture
def world(transactional_db, director):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    nurse = make_staff(Role.NURSE, "nurse", first_name="Jordan", last_name="Alvarez")
    for n, name in enumerate(["Sam", "Alexandria Montgomery-Whitfield", "K"]):
        inquiry = callback_request_create(
            data={"name": name, "phone": f"555-010-{n:04}", "for_whom": "myself", "consent": True},
            source_ip=f"203.0.113.{n + 1}",
        )
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    patient = make_patient(
        actor=director,
        stage=Stage.ASSESSMENT,
        team=[director, nurse],
        given="Amara",
        family="Okafor",
    )
    intake = assessment_start(actor=director, patient=patient)
    SubstanceUse.objects.create(
        assessment=intake,
        substance="alprazolam",
        detail="Xanax, bought from a friend",
        route="oral",
        amount="2 mg",
        frequency="daily",
        duration="3 years",
        last_use=dt.date(2026, 11, 30),
        age_first_use=24,
    )
    return {"coordinator": coordinator, "inquiry": inquiry, "patient": patient}


@pytest.mark.parametrize("size", SIZES)
def test_staff_pages_fit_the_screen(page: Page, server, inspect, director, world, size):
    viewport = SIZES[size]
    page.set_viewport_size(viewport)
    patient = world["patient"]

    sign_in(page, server, director)
    assert _nav_height(page) <= NAV_HEIGHT[size], _nav_height(page)
    _look(page, inspect, size, "dashboard")

    page.goto(f"{server}/patients/{patient.pk}/")
    instruments = page.get_by_role("heading", name="Validated instruments")
    box = instruments.bounding_box()
    assert box is not None
    # The instruments begin within the first two screens, not 2.5 screens down.
    assert box["y"] < 2 * viewport["height"], box
    _look(page, inspect, size, "chart")

    page.goto(f"{server}/patients/{patient.pk}/assessment/")
    expect(page.locator("#substance-rows")).to_contain_text("Alprazolam")
    _look(page, inspect, size, "intake")
    if size == "phone":
        # Each substance is a card whose values are labelled with their column.
        last_use = page.locator("#substance-rows tbody tr").first.locator("td").nth(5)
        expect(last_use).to_have_text("2026-11-30")
        label = last_use.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Last use"', label

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, world["coordinator"])
    page.goto(f"{server}/admissions/")
    expect(page.locator("tr[data-reference]")).to_have_count(3)
    _look(page, inspect, size, "console")
    # Waiting and Claimed by are on the screen, not cut off to the right.
    for cell in page.locator("tr[data-reference] td").all():
        cell_box = cell.bounding_box()
        assert cell_box is not None
        assert cell_box["x"] + cell_box["width"] <= viewport["width"] + 1, cell_box
    claimed = page.locator(f"tr[data-reference='{world['inquiry'].reference}']")
    expect(claimed).to_contain_text("Riley Okafor")

    page.goto(f"{server}/admissions/inquiries/{world['inquiry'].reference}/")
    page.locator("#schedule-form").get_by_role("button", name="Schedule assessment").click()
    expect(page.locator("#schedule-form [data-error-summary]")).to_be_focused()
    _look(page, inspect, size, "schedule-errors")


def test_the_phone_queue_labels_match_the_column_headings(page: Page, server, world):
    """The phone's cards label each value with CSS: the labels follow the table's headings."""
    page.set_viewport_size(SIZES["phone"])
    sign_in(page, server, world["coordinator"])
    for url, table in (
        ("/admissions/", ".queue-table"),
        (f"/patients/{world['patient'].pk}/assessment/", "#substance-rows"),
    ):
        if url.startswith("/patients/"):
            page.get_by_role("button", name="Sign out").click()
            sign_in(page, server, make_staff(Role.CLINICAL_DIRECTOR, "director2"))
        page.goto(f"{server}{url}")
        pairs = page.evaluate(
            """(selector) => {
                const table = document.querySelector(selector);
                const headings = [...table.querySelectorAll("thead th")]
                    .map((th) => th.textContent.trim());
                const row = table.querySelector("tbody tr");
                return [...row.children].map((td, i) => [headings[i],
                    getComputedStyle(td, "::before").content.replace(/^"|"$/g, "")]);
            }""",
            table,
        )
        for heading, label in pairs:
            if heading and label not in ("none", "normal", ""):
                assert label == heading, (url, pairs)
        assert any(label not in ("none", "normal", "") for _, label in pairs), pairs
