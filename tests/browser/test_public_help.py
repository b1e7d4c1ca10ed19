"""A visitor on a phone finds the crisis lines at once, takes the self-check and asks for a call."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from openrecovery.helpline.models import Inquiry
from tests.support.browser import PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CRISIS_LINES = {
    "tel:911": "911",
    "tel:988": "988",
    "tel:18006624357": "1-800-662-4357",
    "tel:18002221222": "1-800-222-1222",
}
# Yes to these self-check questions: three signs and the mixing question.
YES = {"3", "4", "6", "14"}


def _assert_fits_width(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"


def _assert_on_first_screen(page: Page, locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, what
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE_VIEWPORT["height"], (what, box)


def _assert_crisis_lines_on_first_screen(page: Page) -> None:
    strip = page.get_by_role("navigation", name="Crisis lines")
    for href, number in CRISIS_LINES.items():
        link = strip.locator(f'a[href="{href}"]')
        expect(link).to_contain_text(number)
        _assert_on_first_screen(page, link, number)
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44, (number, box)  # a comfortable tap target


@pytest.fixture
def _rate_limit_off(settings):
    settings.HELPLINE_RATE_LIMIT = "off"


@pytest.mark.usefixtures("_rate_limit_off")
@pytest.mark.browser_context_args(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
def test_a_visitor_on_a_phone_completes_the_self_check_and_sends_a_callback_request(
    page: Page, server, inspect
):
    page.goto(f"{server}/help/")
    expect(page.get_by_role("heading", name="Get help now")).to_be_visible()
    _assert_crisis_lines_on_first_screen(page)
    program_call = page.locator("main").locator(f'a[href="tel:{settings.PROGRAM_PHONE}"]').first
    expect(program_call).to_contain_text(settings.PROGRAM_PHONE)
    _assert_on_first_screen(page, program_call, "the program's 24/7 number")
    _assert_fits_width(page)
    inspect.screenshot(page, "1-home-first-screen", full_page=False)
    inspect.check(page, "1-home")

    page.get_by_role("link", name="Could my use be a problem?").click()
    expect(page.get_by_role("heading", name="Could my use be a problem?")).to_be_visible()
    _assert_crisis_lines_on_first_screen(page)
    # Send too early: the page names the questions left.
    page.get_by_role("button", name="See what my answers mean").click()
    expect(page.get_by_role("alert")).to_contain_text("Please answer 16 more questions")
    expect(page.locator("#self-check-errors")).to_be_focused()
    inspect.check(page, "2-self-check-errors")
    for fieldset in page.locator("fieldset").all():
        number = (fieldset.get_attribute("id") or "").removeprefix("item_")
        fieldset.get_by_text("Yes" if number in YES else "No", exact=True).click()
    _assert_fits_width(page)
    inspect.check(page, "3-self-check-answered")
    page.get_by_role("button", name="See what my answers mean").click()

    expect(page.get_by_role("heading", name="What your answers mean")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/help/self-check/$"))  # no answers in the URL
    main = page.locator("main")
    expect(main).to_contain_text("Mixing raises the risk of overdose")
    expect(main).to_contain_text("This is not a diagnosis.")
    expect(main).to_contain_text("You said yes to 3 of the 11 signs")
    expect(main).to_contain_text("Do not stop suddenly; talk to a clinician.")
    _assert_crisis_lines_on_first_screen(page)
    _assert_fits_width(page)
    inspect.screenshot(page, "4-result-first-screen", full_page=False)
    inspect.check(page, "4-result")
    assert not Inquiry.objects.exists()

    page.get_by_role("button", name="Send my answers with a callback request").click()
    expect(page.get_by_role("heading", name="Ask us to call you")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/help/callback/$"))
    expect(page.get_by_label("Send my self-check answers with this request")).to_be_checked()
    expect(page.get_by_label("Myself")).to_be_checked()
    page.get_by_label("Name or alias").fill("Sam")
    page.get_by_label("Phone number").fill("555-0142")
    page.get_by_label("Best time to call").fill("After 6 pm")
    # The person taps into Substances and types: nothing is glued to a prefilled value.
    substances = page.get_by_label("Substances (optional)")
    expect(substances).to_have_value("")
    expect(substances).to_have_attribute("placeholder", re.compile("Which benzodiazepines"))
    substances.click()
    substances.press("End")
    substances.press_sequentially("xanax")
    page.get_by_label("I agree to be contacted about this request").check()
    _assert_fits_width(page)
    inspect.check(page, "5-callback-form")
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", name="Your request has been sent")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/help/callback/sent/$"))
    inquiry = Inquiry.objects.get()
    expect(page.locator("#reference")).to_have_text(inquiry.reference)
    assert inquiry.self_check is not None
    assert (inquiry.self_check["band"], inquiry.self_check["flags"]) == (
        "few_signs",
        ["mixing_risk"],
    )
    assert (inquiry.name, inquiry.best_time) == ("Sam", "After 6 pm")
    assert inquiry.substances == "xanax"
    _assert_crisis_lines_on_first_screen(page)
    _assert_fits_width(page)
    inspect.check(page, "6-sent")

    page.goto(f"{server}/help/privacy/")
    expect(page.get_by_role("heading", name="Your privacy")).to_be_visible()
    _assert_crisis_lines_on_first_screen(page)
    _assert_fits_width(page)
    inspect.check(page, "7-privacy")


RESULT_VARIANTS = {
    "no-signs": set(),
    "some-signs": {"3", "4", "5", "6"},
    "self-harm-only": {"3", "4", "16"},
    "many-signs-every-danger": {"2", "3", "4", "5", "6", "7", "8", "9", "14", "15", "16"},
}


@pytest.mark.parametrize("variant", RESULT_VARIANTS)
@pytest.mark.browser_context_args(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
def test_every_self_check_result_passes_axe(page: Page, server, inspect, variant):
    """Each band and each danger message, as a person in crisis on a phone sees it."""
    page.goto(f"{server}/help/self-check/")
    for fieldset in page.locator("fieldset").all():
        number = (fieldset.get_attribute("id") or "").removeprefix("item_")
        answer = "Yes" if number in RESULT_VARIANTS[variant] else "No"
        fieldset.get_by_text(answer, exact=True).click()
    page.get_by_role("button", name="See what my answers mean").click()
    expect(page.get_by_role("heading", name="What your answers mean")).to_be_visible()
    if "16" in RESULT_VARIANTS[variant]:
        for name in ("Call 988", "Text 988", "Call 911"):
            expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    _assert_crisis_lines_on_first_screen(page)
    _assert_fits_width(page)
    inspect.check(page, f"result-{variant}")
