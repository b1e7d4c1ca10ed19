"""The suicide-risk pathway end to end, as the care team lives it (issue 11's story).

A nurse's PHQ-9 has item 9 above 0 and she leaves the C-SSRS page it leads to; the
counselor on the care team finds "C-SSRS owed" on the dashboard, records a C-SSRS with a
moderate result, writes and signs the safety plan with the patient and prints it; the
chart header shows the level. On a second patient a high result raises the urgent
alert and opens the precautions checklist; when nobody acknowledges the alert, the
clinical director is alerted too.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage, TaskKind, TaskStatus
from openrecovery.records.models import ClinicalAlert, ClinicalTask
from openrecovery.records.services import care_team_add
from openrecovery.safety.models import PrecautionStep, RiskAssessment, SafetyPlan
from openrecovery.safety.services import alerts_escalate
from tests.support.browser import safety_plan_fill, sign_in
from tests.support.factories import make_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# PHQ-9 by number keys: item 9 ("better off dead") is 1, several days; item 10 answered.
PHQ9_KEYS = ["1", "1", "0", "1", "0", "1", "0", "0", "1", "1"]
MODERATE = [("1", "Yes (1)"), ("2", "Yes (1)"), ("3", "Yes (1)"), ("4", "No (0)"), ("5", "No (0)")]
HIGH = [("1", "Yes (1)"), ("2", "Yes (1)"), ("3", "Yes (1)"), ("4", "Yes (1)"), ("5", "No (0)")]


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _cssrs(page: Page, answers: list[tuple[str, str]]) -> None:
    for item, label in [*answers, ("6", "No (0)")]:
        page.locator(f"fieldset#item_{item}").get_by_label(label).check()
    page.get_by_role("button", name="Save C-SSRS Screener answers").click()


def test_a_positive_screen_is_followed_to_a_level_a_plan_and_an_escalation(
    page: Page, server, inspect, director, counselor
):
    nurse = make_staff(Role.NURSE, "nurse", first_name="Riley", last_name="Okonkwo")
    screened = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor],
        given="Danielle", family="Whitfield",
    )  # fmt: skip
    care_team_add(actor=director, patient=screened, user=nurse, team_role="primary_nurse")
    high = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor],
        given="Marisol", family="Brandt",
    )  # fmt: skip

    # The nurse: PHQ-9 with item 9 = 1; the C-SSRS page it leads to is left unanswered.
    sign_in(page, server, nurse)
    page.goto(f"{server}/patients/{screened.pk}/instruments/phq9/")
    page.locator("#item_1_0").focus()
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/patients/{screened.pk}/instruments/cssrs/$"))
    expect(page.get_by_role("status").filter(has_text="C-SSRS owed: due by")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Dashboard")).first.click()
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
    _sign_out(page)

    # The counselor on the care team sees what is owed, on the dashboard.
    sign_in(page, server, counselor)
    tasks = page.locator("#my-tasks")
    expect(tasks).to_contain_text("Danielle Whitfield: C-SSRS owed")
    row = page.locator(f'li.dashboard-card[data-patient="{screened.pk}"]')
    expect(row.locator(".task-badge")).to_have_text("C-SSRS owed")
    inspect.check(page, "1-counselor-dashboard")

    # From the chart's banner to the C-SSRS: a moderate result.
    tasks.get_by_role("link", name="Danielle Whitfield").click()
    expect(page.locator("#risk-level")).to_contain_text("Suicide risk: Not assessed")
    page.locator("#open-tasks").get_by_role("link", name="Record the C-SSRS").click()
    _cssrs(page, MODERATE)
    expect(page).to_have_url(re.compile(rf"/patients/{screened.pk}/$"))
    status = page.get_by_role("status")
    expect(status.filter(has_text="Safety plan owed: due by")).to_be_visible()
    expect(page.locator("#risk-level")).to_contain_text("Moderate")
    banner = page.locator("#open-tasks")
    expect(banner).not_to_contain_text("C-SSRS owed")
    expect(banner).to_contain_text("Safety plan owed")
    inspect.check(page, "2-chart-moderate")
    assert ClinicalTask.objects.get(kind=TaskKind.CSSRS_OWED).status == TaskStatus.DONE

    # The safety plan, written with the patient, signed by both, printed for them.
    banner.get_by_role("link", name="Write the safety plan").click()
    page.get_by_role("button", name="Start a safety plan").click()
    safety_plan_fill(page)
    page.get_by_label("Name the patient signed with").fill("Danielle Whitfield")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("status")).to_contain_text("Safety plan signed (version 1).")
    page.get_by_role("link", name="Print for the patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    expect(page.get_by_text("Jo holds my clonazepam")).to_be_visible()
    inspect.check(page, "3-plan-print")
    assert SafetyPlan.objects.get(patient=screened).signed_at is not None

    # Back on the chart: the level with its age; the plan is no longer owed.
    page.goto(f"{server}/patients/{screened.pk}/")
    header = page.locator("#risk-level")
    expect(header).to_contain_text("Moderate")
    expect(header.locator("time")).to_have_count(1)
    expect(page.locator("#open-tasks")).not_to_contain_text("Safety plan owed")
    inspect.check(page, "4-chart-header")

    # A high result on another patient: the urgent alert and the precautions checklist.
    page.goto(f"{server}/patients/{high.pk}/instruments/cssrs/")
    _cssrs(page, HIGH)
    expect(page.locator(".urgent-alert")).to_contain_text("Urgent: High suicide risk")
    link = page.locator("#open-tasks [data-precautions-link]")
    expect(link).to_have_text("Safety precautions: 3 steps left")
    inspect.check(page, "5-chart-high")
    link.click()
    card = page.locator("#precautions-card")
    card.get_by_role("button", name=re.compile(r"^Mark done: One-to-one observation")).click()
    expect(card).to_contain_text("Open · 2 steps left")
    inspect.check(page, "6-precautions")
    step = PrecautionStep.objects.get(checklist__patient=high, code="observation")
    assert step.completed_by == counselor and step.completed_at is not None
    _sign_out(page)

    # Nobody acknowledges: after the re-alert time the clinical director hears of it.
    raised = ClinicalAlert.objects.filter(patient=high).earliest("created_at").created_at
    assert alerts_escalate(now=raised + dt.timedelta(minutes=14)) == []
    sent = alerts_escalate(now=raised + dt.timedelta(minutes=16))
    assert [a.recipient_id for a in sent] == [director.pk]
    sign_in(page, server, director)
    alerts = page.get_by_role("region", name="Alerts for you to acknowledge")
    alert = alerts.get_by_role("listitem").filter(has_text="Marisol Brandt")
    expect(alert).to_contain_text("Not acknowledged after 15 minutes")
    expect(alert.get_by_role("button", name=re.compile("^Acknowledge"))).to_be_visible()
    inspect.check(page, "7-director-realerted")
    assert RiskAssessment.objects.get(patient=high).level == "high"
    assert timezone.now() - raised < dt.timedelta(minutes=5)  # the clock was never moved
