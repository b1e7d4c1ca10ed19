"""Signing in through a real browser: first-time MFA enrolment, returning sign-in, a bad code."""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from tests.support.auth import totp_code
from tests.support.browser import device_key, sign_in_password, totp_key_from_secret
from tests.support.factories import PASSWORD, make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_enrols_an_authenticator(page: Page, server, inspect):
    nurse = make_staff(Role.NURSE, "new.nurse", first_name="Riley", last_name="Novak", totp=False)

    page.goto(f"{server}/accounts/login/")
    inspect.check(page, "1-login")
    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr.locator("svg")).to_be_visible()
    assert qr.locator("svg").bounding_box()["width"] >= 150
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    inspect.check(page, "2-enrol")

    page.get_by_label("Code", exact=True).fill(totp_code(totp_key_from_secret(secret)))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}", c) for c in codes.all_inner_texts())
    inspect.check(page, "3-recovery-codes")

    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Find a patient")
    inspect.check(page, "4-dashboard")


def test_wrong_code_shows_an_error_and_no_patient_data(
    page: Page, server, inspect, director, counselor
):
    make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Rosa", family="Quintero"
    )
    key = device_key(counselor)
    valid = {totp_code(key, drift=drift) for drift in (-1, 0, 1)}
    wrong = next(c for c in ("123456", "654321", "111111", "222222") if c not in valid)

    sign_in_password(page, server, counselor)
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_text("That code is not valid.")).to_be_visible()
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("body")).not_to_contain_text("Quintero")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    inspect.check(page, "error")

    # Patient pages stay closed until the second step passes.
    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/$"))
    expect(page.locator("body")).not_to_contain_text("Quintero")
