"""Emergency access, the audit report, crisis resources, phone screens and third-party hosts."""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from tests.support.browser import PHONE_VIEWPORT, sign_in
from tests.support.factories import make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMERGENCY_REASON = "Patient collapsed in the lobby; need medication list now"


def test_break_glass_opens_the_chart_with_the_emergency_banner(
    page: Page, server, inspect, director, counselor
):
    colleague = make_staff(Role.COUNSELOR, "other.counselor", first_name="Alex", last_name="Moreau")
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[colleague], given="Noor", family="Haddad"
    )

    sign_in(page, server, counselor)
    expect(page.locator("main")).not_to_contain_text("Haddad")
    response = page.goto(f"{server}/patients/{patient.pk}/")
    # Not on the team: the chart answers as if there were no such patient.
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Haddad")
    inspect.check(page, "1-not-found")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Emergency access").click()
    expect(page.get_by_role("heading", name="Emergency (break-glass) access")).to_be_visible()
    page.get_by_label("Patient MRN").fill(patient.mrn)
    page.get_by_label("Describe the emergency").fill(EMERGENCY_REASON)
    inspect.check(page, "2-request")
    page.get_by_role("button", name="Open the chart").click()

    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    banner = page.locator(".break-glass-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("Emergency access.")
    expect(banner).to_contain_text("logged and will be reviewed")
    red = banner.evaluate("el => getComputedStyle(el).borderLeftColor")
    assert red == "rgb(220, 53, 69)", red  # Bootstrap's danger red
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noor Haddad")
    expect(page.locator("#care-team")).to_contain_text("Alex Moreau")
    inspect.check(page, "3-chart")


def test_break_glass_refuses_an_unknown_mrn(page: Page, server, inspect, counselor):
    sign_in(page, server, counselor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Emergency access").click()
    page.get_by_label("Patient MRN").fill("MRN9999999")
    page.get_by_label("Describe the emergency").fill(EMERGENCY_REASON)
    page.get_by_role("button", name="Open the chart").click()
    expect(page.get_by_text("No patient has that MRN.", exact=True)).to_be_visible()
    expect(page.get_by_label("Patient MRN")).to_have_attribute("aria-invalid", "true")
    inspect.check(page, "error")


def test_audit_report_for_the_director(page: Page, server, inspect, counselor):
    # The audit tables are append-only, so events of earlier tests are still there:
    # a username of its own keeps this test's rows apart.
    director = make_staff(
        Role.CLINICAL_DIRECTOR, "audit.director", first_name="Morgan", last_name="Ellis"
    )
    make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor], family="Brennan")

    sign_in(page, server, director)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit report")).to_be_visible()
    for label in ("From (date)", "To (date, inclusive)", "User", "Patient id", "Action"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    inspect.check(page, "1-all")

    page.get_by_label("User", exact=True).fill("audit.director")
    page.get_by_label("Action", exact=True).select_option(label="Login")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"username=audit.director"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("audit.director")
    expect(rows.first).to_contain_text("Login")
    inspect.check(page, "2-filtered")


def test_crisis_resources_are_public(page: Page, server, inspect):
    page.goto(f"{server}/accounts/login/")
    page.get_by_role("link", name="Crisis resources").click()
    expect(page).to_have_url(f"{server}/crisis/")
    expect(page.get_by_role("heading", name="If someone is in danger now")).to_be_visible()
    for number in ("911", "988"):
        expect(page.locator("main").get_by_role("link", name=number, exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("1-800-662-4357")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    inspect.check(page, "crisis")


def _assert_fits_width(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"


@pytest.mark.browser_context_args(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
def test_phone_login_crisis_and_dashboard(page: Page, server, inspect, director, counselor):
    page.goto(f"{server}/accounts/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_in_viewport()
    _assert_fits_width(page)
    inspect.check(page, "login")

    page.goto(f"{server}/crisis/")
    _assert_fits_width(page)
    height = PHONE_VIEWPORT["height"]
    for number in ("911", "988"):
        link = page.locator("main").get_by_role("link", name=number, exact=True)
        box = link.bounding_box()
        assert box is not None
        assert 0 <= box["y"] and box["y"] + box["height"] <= height, (number, box)
    inspect.check(page, "crisis")
    inspect.screenshot(page, "crisis-first-screen", full_page=False)

    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    sign_in(page, server, counselor)
    _assert_fits_width(page)
    inspect.check(page, "dashboard")
    page.get_by_role("link", name=patient.display_name).click()
    expect(page.locator("#current-stage")).to_have_text("Treatment")
    _assert_fits_width(page)
    inspect.check(page, "chart")


def test_no_page_requests_a_third_party_host(
    page: Page, server, inspect, request_log, director, counselor
):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])

    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/")
    page.get_by_role("link", name="Print summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(patient.mrn)
    inspect.check(page, "print")
    page.get_by_role("link", name="Crisis resources").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{server}/patients/search/")
    page.get_by_label("Name, MRN or date of birth").fill(patient.legal_family_name)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results").get_by_role("link")).to_have_count(1)

    assert any(url.endswith("/static/openrecovery/app.css") for url in request_log.urls)
    assert any(url.endswith("/static/vendor/htmx/htmx.min.js") for url in request_log.urls)
    assert request_log.foreign(server) == []
