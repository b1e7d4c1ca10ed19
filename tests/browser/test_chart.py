"""The dashboard, a chart with its timeline, moving a stage, and patient search in a browser."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import TimelineEvent
from openrecovery.records.services import timeline_add
from tests.support.browser import ARTIFACTS_DIR, sign_in
from tests.support.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_NOTES = 60  # more than one timeline page (50)


def _caseload(director, counselor):
    """Register a small fictional caseload for ``counselor``; return the patient to open."""
    others = [
        ("Samuel", "Lindqvist", Stage.INQUIRY),
        ("Grace", "Kim", Stage.INQUIRY),
        ("Amara", "Okafor", Stage.ASSESSMENT),
        ("Luis", "Ferreira", Stage.WITHDRAWAL_MANAGEMENT),
        ("Priya", "Natarajan", Stage.TREATMENT),
        ("Kwame", "Mensah", Stage.TREATMENT),
        ("Jordan", "Reyes", Stage.AFTERCARE),
        ("Hannah", "Schmidt", Stage.AFTERCARE),
    ]
    for given, family, stage in others:
        make_patient(actor=director, stage=stage, team=[counselor], given=given, family=family)
    patient = make_patient(
        actor=director,
        stage=Stage.TREATMENT,
        team=[counselor],
        given="Danielle",
        family="Whitfield",
        preferred_name="Dani",
        pronouns="she/her",
        phone_mobile="555-0142",
        city="Springfield",
        state="IL",
        emergency_contact_name="Marcus Whitfield",
        emergency_contact_relationship="brother",
    )
    start = timezone.now() - dt.timedelta(days=OLD_NOTES + 1)
    for n in range(1, OLD_NOTES + 1):
        timeline_add(
            patient=patient,
            kind=TimelineKind.NOTE,
            summary=f"Progress note {n:02d}: attended group session",
            actor=counselor,
            occurred_at=start + dt.timedelta(days=n),
        )
    return patient


def test_dashboard_chart_and_timeline(page: Page, server, inspect, director, counselor):
    patient = _caseload(director, counselor)

    sign_in(page, server, counselor)
    treatment = page.locator("section", has=page.get_by_role("heading", name="Treatment"))
    expect(treatment.get_by_role("link")).to_have_text(
        ["Dani Whitfield", "Kwame Mensah", "Priya Natarajan"]  # latest move first
    )
    withdrawal = page.locator(
        "section", has=page.get_by_role("heading", name="Withdrawal management")
    )
    expect(withdrawal.get_by_role("link")).to_have_text(["Luis Ferreira"])
    expect(page.locator("section.stage-column")).to_have_count(5)
    inspect.check(page, "1-dashboard")
    # The README picture: exactly one desktop viewport.
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard.png"))

    treatment.get_by_role("link", name="Dani Whitfield").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dani Whitfield")
    expect(page.locator("#current-stage")).to_have_text("Treatment")
    demographics = page.locator("section", has=page.get_by_role("heading", name="Demographics"))
    expect(demographics).to_contain_text("Danielle Whitfield")
    expect(demographics).to_contain_text("555-0142")
    expect(demographics).to_contain_text("Marcus Whitfield (brother)")
    expect(page.locator("#care-team")).to_contain_text("Jamie Chen")
    expect(page.locator("#care-team")).to_contain_text("Primary counselor")
    episode = page.locator("section", has=page.get_by_role("heading", name="Current episode"))
    expect(episode).to_contain_text("stage Treatment since")
    expect(episode).to_contain_text("Assessment → Treatment — test")

    timeline = page.locator("#timeline")
    expect(timeline.locator("li:not(#timeline-more)")).to_have_count(50)
    expect(timeline).to_contain_text("Registered")
    expect(timeline).to_contain_text("Progress note 60: attended group session")
    expect(timeline).not_to_contain_text("Progress note 01")
    inspect.check(page, "2-chart")

    page.get_by_role("button", name="Older entries").click()
    expect(timeline).to_contain_text("Progress note 01: attended group session")
    total = TimelineEvent.objects.filter(patient=patient).count()
    assert total > 50
    expect(timeline.locator("li")).to_have_count(total)
    expect(page.get_by_role("button", name="Older entries")).to_have_count(0)
    # Newest first all the way down: the oldest note is the last entry.
    expect(timeline.locator("li").last).to_contain_text("Progress note 01")
    inspect.check(page, "3-older-entries")


def test_moving_a_stage_updates_the_badge_and_timeline(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.ASSESSMENT, team=[counselor], given="Amara", family="Okafor"
    )

    sign_in(page, server, counselor)
    page.get_by_role("link", name="Amara Okafor").click()
    expect(page.locator("#current-stage")).to_have_text("Assessment")
    discharge = page.get_by_label("Discharge type (when closing)")
    expect(discharge).to_be_hidden()  # only asked for when closing
    page.get_by_label("Move to").select_option(label="Treatment")
    expect(discharge).to_be_hidden()
    page.get_by_label("Reason").fill("Assessment complete; no withdrawal management needed")
    inspect.check(page, "1-form")
    page.get_by_role("button", name="Move stage").click()

    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    expect(page.get_by_role("status")).to_have_text("Stage changed.")
    expect(page.locator("#current-stage")).to_have_text("Treatment")
    expect(page.locator("#timeline li").first).to_contain_text(
        "Assessment → Treatment: Assessment complete; no withdrawal management needed"
    )
    expect(page.locator("#timeline li").first).to_contain_text("Jamie Chen")
    inspect.check(page, "2-moved")


def test_moving_a_stage_without_reason_shows_the_error(
    page: Page, server, inspect, director, counselor
):
    make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor], family="Okafor")

    sign_in(page, server, counselor)
    page.get_by_role("link", name=re.compile("Okafor")).click()
    page.get_by_label("Move to").select_option(label="Closed")
    discharge = page.get_by_label("Discharge type (when closing)")
    expect(discharge).to_be_visible()
    page.get_by_role("button", name="Move stage").click()

    reason = page.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_attribute("aria-describedby", "id_reason_error")
    expect(page.locator("#id_reason_error")).to_have_text("This field is required.")
    expect(discharge).to_be_visible()  # still closing: the answer given is kept
    expect(page.locator("#current-stage")).to_have_text("Treatment")
    inspect.check(page, "error")


def test_patient_search_by_family_name_and_mrn(
    page: Page, server, inspect, director, counselor, request_log
):
    mine = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Teodora", family="Vasquez"
    )
    # Same family name, not on the counselor's care team: search must not reveal them.
    make_patient(actor=director, stage=Stage.TREATMENT, given="Hidden", family="Vasquez")

    sign_in(page, server, counselor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a patient").click()
    expect(page.get_by_role("heading", name="Find a patient")).to_be_visible()
    search_url = page.url
    box = page.get_by_label("Name, MRN or date of birth")

    box.fill("vasq")
    with page.expect_response(re.compile(r"/patients/search/$")) as answer:
        page.get_by_role("button", name="Search").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    results = page.locator("#search-results")
    expect(results.get_by_role("link")).to_have_text(["Teodora Vasquez"])
    expect(results).not_to_contain_text("Hidden")
    expect(results).to_contain_text(mine.mrn)
    assert page.url == search_url  # swapped in place; the query never enters a URL
    assert not any("vasq" in url.lower() for url in request_log.urls)
    inspect.check(page, "1-by-name")

    box.fill(mine.mrn)
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("link")).to_have_text(["Teodora Vasquez"])
    expect(results).to_contain_text(mine.date_of_birth.isoformat())

    box.fill("Nobody-such")
    page.get_by_role("button", name="Search").click()
    expect(results).to_contain_text("No patients you can see match.")
    inspect.check(page, "2-no-match")

    box.fill(mine.mrn)
    page.get_by_role("button", name="Search").click()
    results.get_by_role("link", name="Teodora Vasquez").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Teodora Vasquez")
