"""The forms people fill in most, in error, on a phone and on a desktop screen.

Every field group comes from the one template: a control in error says so
(``aria-invalid``) and is described by its error message, a choice group is a
fieldset whose description is the message, and axe finds nothing serious.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from openrecovery.assessment.services import assessment_start
from openrecovery.helpline.validation import ERROR_CONSENT
from openrecovery.records.choices import Stage
from tests.support.browser import PHONE_VIEWPORT, VIEWPORT, sign_in
from tests.support.factories import make_patient
from tests.support.helpline import claimed_callback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": PHONE_VIEWPORT, "desktop": VIEWPORT}
REQUIRED = "This field is required."


def assert_described_by_error(page: Page, target: Locator, message: str) -> None:
    """Check that ``target``'s aria-describedby names an element that shows ``message``."""
    described_by = (target.get_attribute("aria-describedby") or "").split()
    texts = [page.locator(f"[id='{ident}']").inner_text() for ident in described_by]
    assert any(message in text for text in texts), (described_by, texts)


def assert_control_in_error(page: Page, control: Locator, message: str) -> None:
    expect(control).to_have_attribute("aria-invalid", "true")
    assert_described_by_error(page, control, message)


def assert_group_in_error(page: Page, group: Locator, message: str) -> None:
    """A choice group in error: the fieldset is described by the error, each choice invalid."""
    assert_described_by_error(page, group, message)
    for choice in group.get_by_role("radio").all():
        expect(choice).to_have_attribute("aria-invalid", "true")


def _fits_width(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@pytest.fixture
def _rate_limit_off(settings):
    settings.HELPLINE_RATE_LIMIT = "off"


@pytest.mark.usefixtures("_rate_limit_off")
def test_the_callback_form_in_error(page: Page, server, inspect):
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{server}/help/callback/")
        expect(page.get_by_role("heading", name="Ask us to call you")).to_be_visible()
        inspect.check(page, f"callback-{size}")
        page.get_by_label("Name or alias").fill("Sam")
        page.get_by_role("button", name="Send my request").click()

        expect(page.locator("#callback-errors")).to_contain_text("Please check the 3 fields")
        assert_control_in_error(page, page.get_by_label("Phone number"), REQUIRED)
        assert_group_in_error(page, page.get_by_role("group", name="Who is this for?"), REQUIRED)
        consent = page.get_by_label("I agree to be contacted about this request")
        assert_control_in_error(page, consent, ERROR_CONSENT)
        expect(page.get_by_label("Name or alias")).to_have_value("Sam")
        expect(page.get_by_label("Name or alias")).not_to_have_attribute("aria-invalid", "true")
        inspect.check(page, f"callback-errors-{size}")
        _fits_width(page)


def test_staff_forms_in_error(page: Page, server, inspect, director, counselor):
    coordinator, inquiry = claimed_callback(first_name="Riley", last_name="Okafor")
    patient = make_patient(
        actor=director, stage=Stage.ASSESSMENT, team=[counselor], given="Amara", family="Okafor"
    )
    assessment_start(actor=counselor, patient=patient)

    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{server}/accounts/login/")
        page.get_by_label("Username").fill(coordinator.username)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
        inspect.check(page, f"login-error-{size}")
        _fits_width(page)

    sign_in(page, server, coordinator)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{server}/admissions/inquiries/{inquiry.reference}/")
        calls = page.locator("#call-form")
        calls.get_by_role("button", name="Record attempt").click()
        expect(page).to_have_url(re.compile(rf"/admissions/inquiries/{inquiry.reference}/"))
        assert_group_in_error(page, calls.get_by_role("group", name="Outcome"), REQUIRED)
        inspect.check(page, f"inquiry-errors-{size}")
        _fits_width(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, counselor)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{server}/patients/{patient.pk}/assessment/")
        add = page.locator("form", has=page.get_by_role("heading", name="Add a substance"))
        add.get_by_role("button", name="Add substance").click()
        substance = page.get_by_role("combobox", name="Substance", exact=True)
        assert_control_in_error(page, substance, REQUIRED)
        inspect.check(page, f"intake-errors-{size}")
        _fits_width(page)
