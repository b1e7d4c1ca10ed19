"""Work in progress survives the idle sign-out; refused forms say what is wrong, where.

The idle timeout is a few seconds here (the warning comes a few seconds before it), so a
test sees the warning, the "stay signed in" button, the sign-out and the way back.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from tests.support.browser import kept_drafts, sign_in, sign_in_again
from tests.support.factories import make_patient, make_staff
from tests.support.helpline import claimed_callback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 10
WARNING_SECONDS = 6
# CIWA-B answers typed before the sign-out: item -> answer.
ANSWERS = {1: 2, 2: 1, 3: 3, 4: 0, 5: 2, 6: 1}


@pytest.fixture
def short_session(settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE_SECONDS
    settings.SESSION_IDLE_WARNING = WARNING_SECONDS


@pytest.fixture
def nurse(transactional_db):
    return make_staff(Role.NURSE, "nurse", first_name="Riley", last_name="Okonkwo")


@pytest.fixture
def ciwab_form(page: Page, server, director, nurse):
    """Sign the nurse in and open a CIWA-B for a patient in withdrawal management."""
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse])
    form_url = f"{server}/patients/{patient.pk}/instruments/ciwab/"
    sign_in(page, server, nurse)
    page.goto(form_url)
    return patient, form_url


def test_the_idle_sign_out_warns_and_keeps_the_answers(
    page: Page, inspect, short_session, ciwab_form, nurse
):
    patient, form_url = ciwab_form
    for item, answer in ANSWERS.items():
        page.locator(f"#item_{item}_{answer}").check()
    drafts = kept_drafts(page)
    [key] = drafts
    # The key names the user and the addresses, never the patient.
    assert key == (
        f"openrecovery.draft.{nurse.pk}:/patients/{patient.pk}/instruments/ciwab/"
        f":/patients/{patient.pk}/instruments/ciwab/"
    )
    assert patient.legal_family_name not in key and patient.mrn not in key

    warning = page.locator("#session-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(warning).to_contain_text("You will be signed out in")
    inspect.check(page, "1-warning", full_page=False)

    # "Stay signed in" is a request of its own: the session lasts past its old end.
    with page.expect_response(re.compile(r"/accounts/session/extend/$")) as extended:
        warning.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 200
    expect(warning).to_be_hidden()
    page.wait_for_timeout((IDLE_SECONDS - WARNING_SECONDS + 1) * 1000)
    expect(page).to_have_url(form_url)

    # Left alone, the page goes to the sign-in, which brings the nurse back to the form.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?"), timeout=IDLE_SECONDS * 1500)
    assert "expired=1" in page.url
    assert f"next=%2Fpatients%2F{patient.pk}%2Finstruments%2Fciwab%2F" in page.url
    expect(page.get_by_text("Your session ended")).to_be_visible()
    sign_in_again(page, nurse)
    expect(page).to_have_url(form_url)
    for item, answer in ANSWERS.items():
        expect(page.locator(f"#item_{item}_{answer}")).to_be_checked()
    expect(page.locator("[data-draft-notice]")).to_contain_text("Answers you had not sent")
    inspect.check(page, "2-restored")

    # Sent and accepted: the tab forgets them.
    for item in range(7, 21):
        page.locator(f"#item_{item}_0").check()
    page.get_by_role("button", name="Save CIWA-B answers").click()
    expect(page).not_to_have_url(form_url)
    assert kept_drafts(page) == {}


def test_a_form_sent_after_the_session_ended_comes_back_after_sign_in(
    page: Page, short_session, ciwab_form, nurse
):
    _, form_url = ciwab_form
    page.locator("#item_1_3").check()
    # The session ends on the server while the page's clock is stopped (a laptop lid).
    page.evaluate("() => { for (let i = 1; i < 10000; i++) clearInterval(i); }")
    page.wait_for_timeout((IDLE_SECONDS + 1) * 1000)
    page.get_by_role("button", name=re.compile(r"^Save .* answers$")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?"))
    sign_in_again(page, nurse)
    expect(page).to_have_url(form_url)
    expect(page.locator("#item_1_3")).to_be_checked()


def test_signing_out_forgets_unsent_answers(page: Page, ciwab_form):
    page.locator("#item_1_3").check()
    assert len(kept_drafts(page)) == 1
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert kept_drafts(page) == {}


def test_a_refused_form_leads_to_its_errors_and_reloads(page: Page, server, inspect, director):
    coordinator, inquiry = claimed_callback(first_name="Riley", last_name="Okafor")
    inquiry_url = f"{server}/admissions/inquiries/{inquiry.reference}/"
    sign_in(page, server, coordinator)
    page.goto(inquiry_url)
    page.locator("#schedule-form").get_by_role("button", name="Schedule assessment").click()

    # The address is the inquiry's page, not the form's POST-only address.
    expect(page).to_have_url(inquiry_url)
    summary = page.locator("#schedule-form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Nothing was saved")
    links = summary.get_by_role("link")
    assert links.count() >= 5
    expect(summary.get_by_role("link", name=re.compile(r"given name", re.I))).to_be_visible()
    inspect.check(page, "1-schedule-errors", full_page=False)
    summary.get_by_role("link", name=re.compile(r"family name", re.I)).click()
    family = page.locator("#schedule-form").get_by_label(re.compile(r"family name", re.I))
    expect(family).to_be_focused()
    expect(family).to_be_in_viewport()

    response = page.reload()
    assert response is not None and response.status == 200
    assert page.url.startswith(inquiry_url)

    # The log-call form of the console: the same summary, the console's address.
    page.goto(f"{server}/admissions/")
    page.get_by_role("button", name="Log inquiry").click()
    expect(page).to_have_url(f"{server}/admissions/")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    response = page.reload()
    assert response is not None and response.status == 200
    inspect.check(page, "2-log-call-errors", full_page=False)


def test_a_refused_stage_move_and_a_save_keep_the_place(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor, director])
    chart_url = f"{server}/patients/{patient.pk}/"
    page.set_viewport_size({"width": 820, "height": 700})
    sign_in(page, server, director)
    page.goto(chart_url)
    move = page.locator("form", has=page.get_by_role("heading", name="Move to another stage"))
    move.get_by_role("button", name="Move stage").click()
    expect(page).to_have_url(chart_url)
    summary = move.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    response = page.reload()
    assert response is not None and response.status == 200

    # A save comes back where it was sent from, not at the top of the page.
    move = page.locator("form", has=page.get_by_role("heading", name="Move to another stage"))
    move.get_by_label("Reason").fill("Completed the programme phase.")
    move.get_by_label("Move to").select_option(label="Aftercare")
    move.scroll_into_view_if_needed()
    before = page.evaluate("() => scrollY")
    assert before > 0
    move.get_by_role("button", name="Move stage").click()
    expect(page.locator("#current-stage")).to_have_text("Aftercare")
    after = page.evaluate("() => scrollY")
    assert abs(after - before) < 200, (before, after)
    inspect.check(page, "3-saved-in-place", full_page=False)


def test_a_save_that_raises_a_danger_banner_shows_it_first(page: Page, server, inspect):
    coordinator, inquiry = claimed_callback(first_name="Riley", last_name="Okafor")
    page.set_viewport_size({"width": 820, "height": 700})
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/inquiries/{inquiry.reference}/")
    form = page.locator("#prescreen-form")
    form.get_by_label("Substance, row 1").fill("alprazolam")
    form.get_by_label("Past withdrawal seizures").check()
    form.get_by_role("button", name="Save pre-screen").scroll_into_view_if_needed()
    assert page.evaluate("() => scrollY") > 0
    form.get_by_role("button", name="Save pre-screen").click()
    banner = page.locator('[data-rule="supervised_withdrawal"]')
    expect(banner).to_be_visible()
    # Not kept at the form: the banner is what the coordinator must read first.
    expect(banner).to_be_in_viewport()
    assert page.evaluate("() => scrollY") == 0
    inspect.check(page, "danger-first", full_page=False)


def test_staying_cannot_pass_the_absolute_lifetime(page: Page, server, settings, ciwab_form):
    settings.SESSION_IDLE_TIMEOUT = 60
    settings.SESSION_ABSOLUTE_TIMEOUT = 12
    settings.SESSION_IDLE_WARNING = 10
    page.reload()
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=12_000)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_contain_text("reached its time limit")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_hidden()
