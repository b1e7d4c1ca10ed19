"""A callback request travels through the admissions console to a clinician's dashboard."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.rules import SOURCE_SUPERVISED
from openrecovery.helpline.services import callback_request_create, inquiry_claim
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare
from tests.support.browser import sign_in
from tests.support.factories import make_staff
from tests.support.helpline import assessment_booked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLBACK = {
    "name": "Sam",
    "phone": "(555) 010-4477",
    "best_time": "after 6 pm",
    "for_whom": "myself",
    "substances": "alprazolam, sometimes wine",
    "voicemail_ok": False,
    "consent": True,
    "message": "I want to stop but I am scared of what happens.",
}


@pytest.fixture(autouse=True)
def _fast_queue(settings):
    settings.HELPLINE_RATE_LIMIT = "off"
    settings.HELPLINE_QUEUE_POLL_SECONDS = 1


def test_callback_to_scheduled_assessment(page: Page, server, inspect, director):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    physician = make_staff(Role.PHYSICIAN, "physician", first_name="Dana", last_name="Whitfield")
    earlier = callback_request_create(
        data={**CALLBACK, "name": "Jo", "substances": "", "message": ""},
        source_ip="203.0.113.8",
    )
    Inquiry.objects.filter(pk=earlier.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=23)
    )
    sign_in(page, server, coordinator)
    page.get_by_role("link", name="Admissions", exact=True).click()
    expect(page.get_by_role("heading", name="Admissions", exact=True)).to_be_visible()
    inspect.check(page, "1-console")

    # A callback request arrives; the queue shows it without a reload.
    arrived = callback_request_create(data=CALLBACK, source_ip="203.0.113.9")
    row = page.locator(f'tr[data-reference="{arrived.reference}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Nobody")
    overdue = page.locator(f'tr[data-reference="{earlier.reference}"]')
    expect(overdue).to_contain_text("23 min")
    expect(overdue).to_contain_text("past target")
    inspect.check(page, "2-queue-with-new-callback")

    row.get_by_role("link", name=arrived.reference).click()
    expect(page.get_by_role("heading", name=re.compile(arrived.reference))).to_be_visible()
    inspect.check(page, "3-inquiry-unclaimed")
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_text("You have this inquiry since")).to_be_visible()

    # Log a call: reached.
    calls = page.locator("#call-form")
    calls.get_by_label("Reached").check()
    calls.get_by_label("Notes").fill("Talked for 20 minutes; agrees to a pre-screen now.")
    calls.get_by_role("button", name="Record attempt").click()
    expect(page.locator("#call-attempts")).to_contain_text("Reached")
    inspect.check(page, "4-call-logged")

    # The pre-screen, with a past withdrawal seizure.
    form = page.locator("#prescreen-form")
    form.get_by_label("Substance, row 1").fill("alprazolam")
    form.get_by_label("Dose, row 1").fill("2 mg")
    form.get_by_label("How often, row 1").fill("3 times a day")
    form.get_by_label("For how long, row 1").fill("4 years")
    form.get_by_label("Last use, row 1").fill("this morning")
    form.get_by_label("Substance, row 2").fill("wine")
    form.get_by_label("Dose, row 2").fill("2 glasses")
    form.get_by_label("How often, row 2").fill("most evenings")
    form.get_by_label("Uses alcohol as well").check()
    form.get_by_label("Past withdrawal seizures").check()
    form.get_by_label("Pregnancy").select_option("no")
    form.get_by_label("Current prescriber").fill("Dr. Amal Haddad, Family Medicine")
    form.get_by_label("Insurance provider").fill("Acme Health")
    form.get_by_label("How they heard of the program").select_option("physician")
    form.get_by_role("button", name="Save pre-screen").click()
    banner = page.locator('[data-rule="supervised_withdrawal"]')
    expect(banner).to_contain_text("past withdrawal seizures")
    expect(banner).to_contain_text(f"Source: {SOURCE_SUPERVISED}")
    expect(page.locator('[data-rule="no_abrupt_stop"]')).to_be_visible()
    inspect.check(page, "5-prescreen-danger-banner")

    # Schedule the assessment with the physician.
    when = timezone.localdate() + dt.timedelta(days=1)
    schedule_fill(page, when, "10:30", "Dana Whitfield — Physician")
    page.get_by_role("button", name="Schedule assessment").click()
    expect(page.locator("#disposition")).to_contain_text("Assessment scheduled for")
    expect(page.locator("#disposition")).to_contain_text("Dana Whitfield")
    inspect.check(page, "6-assessment-scheduled")
    episode = EpisodeOfCare.objects.get(patient__legal_family_name="Rivera")
    assert episode.stage == Stage.ASSESSMENT

    page.get_by_role("link", name="Open the chart").click()
    expect(
        page.get_by_role("heading", name=re.compile("Sam Rivera|Samantha Rivera"))
    ).to_be_visible()
    inspect.check(page, "7-new-chart")

    # The patient is on the physician's dashboard.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, physician)
    expect(page.locator("main")).to_contain_text("Rivera")
    inspect.check(page, "8-physician-dashboard")


def schedule_fill(page: Page, day: dt.date, time: str, clinician: str) -> None:
    """Fill the schedule form for Samantha Rivera with ``clinician`` (not sent yet)."""
    schedule = page.locator("#schedule-form")
    schedule.get_by_label("Legal given name").fill("Samantha")
    schedule.get_by_label("Legal family name").fill("Rivera")
    schedule.get_by_label("Date of birth").fill("1990-05-04")
    schedule.get_by_label("Sex at birth").select_option("female")
    schedule.get_by_label("Assessment date").fill(day.isoformat())
    schedule.get_by_label("Assessment time").fill(time)
    schedule.get_by_label("Clinician").select_option(label=clinician)


SIZES = {"desktop": (1366, 900), "tablet": (820, 1180), "phone": (390, 844)}


@pytest.mark.parametrize("size", SIZES)
def test_a_double_booking_is_warned_and_can_be_confirmed(page: Page, server, inspect, size):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    physician = make_staff(Role.PHYSICIAN, "physician", first_name="Dana", last_name="Whitfield")
    day = timezone.localdate() + dt.timedelta(days=1)
    ten = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    assessment_booked(coordinator, physician, ten, phone="(555) 010-2323")
    inquiry = callback_request_create(data=CALLBACK, source_ip="203.0.113.9")
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/inquiries/{inquiry.reference}/")
    # The warning shows as soon as the slot is chosen, before anything is sent.
    schedule_fill(page, day, "10:30", "Dana Whitfield — Physician")
    warning = page.locator("#double-booking")
    expect(warning).to_contain_text("Dana Whitfield — Physician is already booked then")
    expect(warning).to_contain_text("10:00–11:00")
    warning.scroll_into_view_if_needed()
    inspect.check(page, f"double-booking-{size}", full_page=False)
    # Sent anyway without the tick: the server refuses and shows the warning again.
    submit = page.locator("#schedule-form").get_by_role("button", name="Schedule assessment")
    submit.click()
    expect(page.locator("#double-booking")).to_be_visible()
    assert not EpisodeOfCare.objects.filter(patient__legal_family_name="Rivera").exists()
    page.get_by_label("Book anyway: the clinician has agreed to the overlap").check()
    page.locator("#schedule-form").get_by_role("button", name="Schedule assessment").click()
    expect(page.locator("#disposition")).to_contain_text("with Dana Whitfield")
    inspect.check(page, f"double-booking-confirmed-{size}", full_page=False)


def test_a_claim_lost_to_a_colleague_shows_who_has_it(page: Page, server, inspect, director):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    colleague = make_staff(
        Role.ADMISSIONS_COORDINATOR, "colleague", first_name="Ana", last_name="Lima"
    )
    inquiry = callback_request_create(data=CALLBACK, source_ip="203.0.113.9")
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/inquiries/{inquiry.reference}/")
    inquiry_claim(actor=colleague, inquiry_id=inquiry.pk)  # Ana is a moment faster
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#taken")).to_contain_text("Taken by Ana Lima at")
    inspect.check(page, "taken")


def test_an_unattended_console_signs_out_like_any_page(page: Page, server, inspect, settings):
    """Its polls are not activity: once idle past the limit, the page goes to the login."""
    settings.SESSION_IDLE_TIMEOUT = 4
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    callback_request_create(data=CALLBACK, source_ip="203.0.113.9")
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/")
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    # Nobody touches the page; the queue keeps polling every second.
    # The sign-in brings the coordinator back to the console.
    expect(page).to_have_url(
        re.compile(r"/accounts/login/\?expired=1&next=%2Fadmissions%2F$"), timeout=12_000
    )
    expect(page.get_by_text("Your session ended")).to_be_visible()
    inspect.check(page, "idle-console-signed-out")
    page.goto(f"{server}/admissions/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
