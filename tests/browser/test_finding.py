"""Finding people and acting on signals: dashboard cards, search without dead ends,
a self-check's danger banners (issue 10, points 4, 9 and 15)."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.helpline.public.selfcheck import self_check_payload
from openrecovery.helpline.services import callback_request_create
from openrecovery.instruments.services import administration_record
from openrecovery.records.choices import Stage
from tests.support.browser import sign_in
from tests.support.factories import make_patient, make_staff
from tests.support.helpline import VALID
from tests.support.instruments import CSSRS_HIGH, PHQ9_MODERATE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180), "phone": (390, 844)}
REASON = "Collapsed in the waiting room; need her medication list now"
EVERY_FLAG = [0, 1, *([1] * 11), 1, 1, 1]


def test_dashboard_cards_at_three_sizes(page: Page, server, inspect, director, counselor):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Teodora", family="Vasquez"
    )
    administration_record(actor=counselor, patient=patient, code="phq9", answers=PHQ9_MODERATE)
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor], family="Okafor")
    sign_in(page, server, counselor)
    card = page.locator(f'[data-patient="{patient.pk}"]')
    expect(card).to_contain_text("PHQ-9 11")
    expect(card).to_contain_text("High suicide risk")
    expect(page.locator("#stage-assessment").locator("xpath=..")).to_contain_text("1")
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.check(page, f"counselor-{size}")


def test_search_back_keeps_results_and_empty_search_offers_break_glass(
    page: Page, server, inspect, director, counselor, request_log
):
    mine = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Dana", family="Whitlock",
        date_of_birth=dt.date(1967, 5, 6),
    )  # fmt: skip
    hidden = make_patient(
        actor=director, stage=Stage.TREATMENT, given="Rosalind", family="Okonkwo",
        date_of_birth=dt.date(1977, 7, 14),
    )  # fmt: skip
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/search/")
    page.get_by_label("Name, MRN or date of birth").fill("05/06/67")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Dana Whitlock")).to_be_visible()
    results.get_by_role("link", name="Dana Whitlock").click()
    expect(page.get_by_role("heading", name="Dana Whitlock")).to_be_visible()
    page.go_back()
    expect(page.locator("#search-restored")).to_be_visible()
    expect(results.get_by_role("link", name="Dana Whitlock")).to_be_visible()
    inspect.check(page, "back")

    page.get_by_label("Name, MRN or date of birth").fill("Rosalind Okonkwo")
    page.get_by_role("button", name="Search", exact=True).click()
    form = page.locator("#break-glass-search")
    expect(form).to_be_visible()
    expect(form.get_by_label("Family name")).to_have_value("Okonkwo")
    expect(page.locator("#search-empty")).not_to_contain_text(hidden.mrn)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.check(page, f"empty-{size}")
    page.set_viewport_size({"width": 1366, "height": 900})
    form.get_by_label("Date of birth").fill("07141977")
    form.get_by_label("Describe the emergency").fill(REASON)
    form.get_by_role("button", name="Look up with emergency access").click()
    expect(page.locator("#break-glass-matches")).to_contain_text(hidden.mrn)
    inspect.check(page, "matches")
    page.get_by_role("button", name="Open with emergency access").click()
    expect(page.get_by_role("heading", name="Rosalind Okonkwo")).to_be_visible()
    assert not any(
        word in url.lower() for url in request_log.urls for word in ("okonkwo", "whitlock", "1977")
    )
    assert mine.mrn  # listed above by birth date typed with a two-digit year


def test_inquiry_shows_a_self_checks_danger_banners(page: Page, server, inspect):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    inquiry = callback_request_create(
        data={**VALID}, source_ip="203.0.113.9", self_check=self_check_payload(EVERY_FLAG)
    )
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/inquiries/{inquiry.reference}/")
    banners = page.locator("#self-check-danger")
    expect(banners.locator("[data-rule]")).to_have_count(5)
    expect(banners.get_by_role("link", name="Call 988 now (warm hand-off)")).to_be_visible()
    expect(page.locator("#self-check")).to_contain_text("Many of the signs (6 or more)")
    expect(page.locator("#self-check")).not_to_contain_text("self_harm")
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.check(page, f"inquiry-{size}")
