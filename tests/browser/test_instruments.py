"""PHQ-9 item 9 leads to the C-SSRS; a high-risk result alerts the care team until addressed."""

import re

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert
from openrecovery.records.services import care_team_add
from tests.support.browser import sign_in
from tests.support.factories import make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Answers typed with the number keys: item 9 ("better off dead") is 2, more than half the days.
PHQ9_KEYS = ["2", "1", "2", "1", "0", "1", "1", "0", "2", "1"]


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_phq9_item9_leads_to_the_cssrs_and_a_high_risk_alert(
    page: Page, server, inspect, director, counselor
):
    nurse = make_staff(Role.NURSE, "nurse", first_name="Riley", last_name="Okonkwo")
    patient = make_patient(
        actor=director,
        stage=Stage.TREATMENT,
        team=[counselor],
        given="Danielle",
        family="Whitfield",
    )
    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")

    # The counselor opens the chart and the PHQ-9 from the instruments panel.
    sign_in(page, server, counselor)
    page.get_by_role("link", name="Danielle Whitfield").click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Validated instruments"))
    expect(panel).to_contain_text("No instruments given yet.")
    inspect.check(page, "1-chart-before")
    panel.get_by_role("link", name=re.compile(r"^Administer PHQ-9:")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "PHQ-9 (Patient Health Questionnaire-9)"
    )
    expect(page.get_by_text("Kroenke K, Spitzer RL")).to_be_visible()

    # Keyboard only: focus the first answer, a number key chooses, Tab moves to the next item.
    page.locator("#item_1_0").focus()
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    expect(page.locator("#item_9_2")).to_be_checked()
    expect(page.locator("#item_10_1")).to_be_checked()
    expect(page.get_by_role("button", name="Save PHQ-9 answers")).to_be_focused()
    inspect.check(page, "2-phq9-filled")
    page.keyboard.press("Enter")

    # Straight to the C-SSRS, saying why; questions 3-5 and 6b wait for their triggers.
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/instruments/cssrs/$"))
    status = page.get_by_role("status")
    expect(status.filter(has_text="Saved. PHQ-9: 10 (Moderate)")).to_be_visible()
    expect(status.filter(has_text="PHQ-9 item 9 was answered above 0")).to_be_visible()
    for hidden in ("#item_3", "#item_4", "#item_5", "#item_6b"):
        expect(page.locator(hidden)).to_be_hidden()
    inspect.check(page, "3-cssrs-prompted")

    def answer(item: str, label: str) -> None:
        page.locator(f"fieldset#item_{item}").get_by_label(label).check()

    answer("1", "Yes (1)")
    answer("2", "Yes (1)")
    expect(page.locator("#item_3")).to_be_visible()
    answer("3", "Yes (1)")
    answer("4", "Yes (1)")
    answer("5", "No (0)")
    answer("6", "No (0)")
    expect(page.locator("#item_6b")).to_be_hidden()
    inspect.check(page, "4-cssrs-filled")
    page.get_by_role("button", name="Save C-SSRS Screener answers").click()

    # Back on the chart: the urgent banner, and the latest results in the panel.
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    banner = page.locator(".urgent-alert")
    expect(banner).to_contain_text("Urgent: High suicide risk")
    expect(banner).to_contain_text("Riley Okonkwo (not yet acknowledged)")
    expect(page.get_by_role("status").filter(has_text="urgent alert was sent")).to_be_visible()
    expect(panel).to_contain_text("High risk")
    expect(panel).to_contain_text("Item 9 positive")
    inspect.check(page, "5-chart-alert")
    _sign_out(page)

    # The nurse sees it on the dashboard and in the navbar badge, and acknowledges it.
    sign_in(page, server, nurse)
    alerts = page.locator("#my-alerts")
    expect(alerts).to_contain_text("Danielle Whitfield")
    expect(alerts).to_contain_text("high suicide risk")
    expect(page.locator("#alert-count")).to_contain_text("1")
    inspect.check(page, "6-nurse-dashboard")
    alerts.get_by_role("button", name=re.compile("Acknowledge")).click()
    expect(page.get_by_role("status")).to_have_text("Alert acknowledged.")
    expect(page.locator("#my-alerts")).to_have_count(0)
    expect(page.locator("#alert-count")).to_have_count(0)
    assert ClinicalAlert.objects.get(recipient=nurse).acknowledged_by == nurse

    # The banner stays on the chart until a clinician on the team marks it addressed.
    row = page.locator(f'li.dashboard-card[data-patient="{patient.pk}"]')
    row.get_by_role("link", name="Danielle Whitfield").click()
    expect(banner).to_contain_text(re.compile(r"Riley Okonkwo \(acknowledged \d\d:\d\d\)"))
    page.get_by_label("What was done").fill("Seen with Dr. Rao; safety plan made with the patient.")
    inspect.check(page, "7-chart-acknowledged")
    banner.get_by_role("button", name="Mark addressed").click()
    expect(page.get_by_role("status")).to_have_text("Alert marked addressed.")
    expect(page.locator(".urgent-alert")).to_have_count(0)
    expect(page.locator("#timeline li").first).to_contain_text(
        "Urgent alert addressed (High suicide risk): Seen with Dr. Rao"
    )
    inspect.check(page, "8-chart-addressed")

    # Scores over time: a chart per instrument and the table of values.
    page.get_by_role("link", name="Scores over time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scores over time")
    expect(page.locator("svg.trend-chart")).to_have_count(2)
    expect(page.locator("#trend-phq9 table")).to_contain_text("Moderate")
    expect(page.locator("#trend-cssrs table")).to_contain_text("High risk")
    inspect.check(page, "9-trends")


def test_missing_answers_are_named_in_the_browser(page: Page, server, inspect, director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor], family="Okafor")
    sign_in(page, server, counselor)
    page.goto(f"{server}/patients/{patient.pk}/instruments/phq9/")
    page.locator("fieldset#item_1").get_by_label("Several days (1)").check()
    page.get_by_role("button", name="Save PHQ-9 answers").click()
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Nothing was saved: 8 items need attention.")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose an answer to item 9.")
    expect(page.locator("#item_1_1")).to_be_checked()
    summary.get_by_role("link", name="Choose an answer to item 9.").click()
    expect(page).to_have_url(re.compile(r"#item_9$"))
    inspect.check(page, "errors")
