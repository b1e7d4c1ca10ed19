"""The care team sees an overdue C-SSRS on the dashboard and chart, and closes it as not done.

A nurse's PHQ-9 (item 9 positive) left a C-SSRS owed more than an hour ago; the
counselor on the care team sees it on the dashboard, opens the chart, finds the red
overdue task and closes it as not done with the reason. A second patient with a
moderate level cannot leave withdrawal management without a safety plan or a reason.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage, TaskKind, TaskStatus
from openrecovery.records.models import ClinicalTask
from openrecovery.records.services import care_team_add
from openrecovery.safety.models import RiskAssessment
from openrecovery.safety.services import episode_move_checked
from tests.support.browser import sign_in
from tests.support.factories import make_patient, make_staff
from tests.support.instruments import CSSRS_MODERATE, PHQ9_ITEM9

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Patient transferred to the emergency department before the C-SSRS could be asked."


def _patients(director, counselor):
    nurse = make_staff(Role.NURSE, "nurse", first_name="Avery", last_name="Brooks")
    owed = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor],
        given="Danielle", family="Whitfield",
    )  # fmt: skip
    care_team_add(actor=director, patient=owed, user=nurse, team_role="primary_nurse")
    administration_recorded(actor=nurse, patient=owed, code="phq9", answers=PHQ9_ITEM9)
    # The screen was two hours ago: the C-SSRS was due within the hour.
    ago = timezone.now() - dt.timedelta(hours=2)
    ClinicalTask.objects.filter(patient=owed, kind=TaskKind.CSSRS_OWED).update(
        opened_at=ago, due_at=ago + dt.timedelta(hours=1)
    )
    at_risk = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor],
        given="Luis", family="Ferreira",
    )  # fmt: skip
    administration_recorded(actor=counselor, patient=at_risk, code="cssrs", answers=CSSRS_MODERATE)
    RiskAssessment.objects.filter(patient=at_risk).update(
        assessed_at=timezone.now() - dt.timedelta(days=3)
    )
    make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor], given="Priya")
    return owed, at_risk


def test_an_overdue_cssrs_is_seen_and_closed_as_not_done(
    page: Page, server, inspect, director, counselor
):
    owed, at_risk = _patients(director, counselor)
    sign_in(page, server, counselor)

    # The dashboard: the task card and the patient's row both say it.
    tasks = page.locator("#my-tasks")
    expect(tasks.get_by_role("heading")).to_have_text("Open tasks on my care teams")
    overdue = tasks.locator("li.task-overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("Overdue Danielle Whitfield: C-SSRS owed")
    expect(overdue).to_contain_text("(1 hour ago)")
    expect(tasks).to_contain_text("Luis Ferreira: Safety plan owed")
    row = page.locator(f'li.dashboard-card[data-patient="{owed.pk}"]')
    expect(row.locator(".task-badge")).to_have_text("C-SSRS owed: overdue")
    inspect.check(page, "1-dashboard")

    # The chart: the header says "not assessed", the banner shows the red overdue task.
    overdue.get_by_role("link", name="Danielle Whitfield").click()
    expect(page).to_have_url(re.compile(rf"/patients/{owed.pk}/$"))
    expect(page.locator("#risk-level")).to_contain_text("Suicide risk: Not assessed")
    task = page.locator("#open-tasks li.task-overdue")
    expect(task).to_contain_text("Overdue C-SSRS owed")
    expect(task).to_contain_text("was due")
    color = task.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color != "rgba(0, 0, 0, 0)"  # the danger background of a list-group item
    expect(task.get_by_role("link", name="Record the C-SSRS")).to_be_visible()
    inspect.check(page, "2-chart-banner")

    # Close it as not done: a reason is required; then it is closed.
    task.get_by_role("link", name="Close as not done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close as not done: C-SSRS owed")
    page.get_by_role("button", name="Close as not done").click()
    summary = page.get_by_role("link", name="Why it cannot be done: Say why it cannot be done.")
    expect(summary).to_be_visible()
    inspect.check(page, "3-close-needs-reason")
    page.get_by_label("Why it cannot be done").fill(REASON)
    page.get_by_role("button", name="Close as not done").click()
    expect(page).to_have_url(re.compile(rf"/patients/{owed.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("Task closed.")
    expect(page.locator("#open-tasks")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text(
        "Task closed: C-SSRS owed (could not be done)"
    )
    inspect.check(page, "4-closed")
    closed = ClinicalTask.objects.get(patient=owed, kind=TaskKind.CSSRS_OWED)
    assert (closed.status, closed.close_reason) == (TaskStatus.NOT_DONE, REASON)

    # A moderate level 3 days ago: the header says so; leaving needs a plan or a reason.
    page.goto(f"{server}/patients/{at_risk.pk}/")
    header = page.locator("#risk-level")
    expect(header).to_contain_text("Moderate")
    expect(header).to_contain_text("3 days ago")
    expect(header).to_contain_text("by Jamie Chen")
    expect(page.locator("#rescreen-due")).to_have_count(0)
    page.get_by_label("Move to").select_option(label="Treatment")
    page.get_by_label("Reason").fill("Withdrawal complete.")
    page.get_by_role("button", name="Move stage").click()
    needed = page.locator("#safety-plan-needed")
    expect(needed).to_contain_text("no signed safety plan")
    expect(needed.get_by_role("link", name="Write and sign the safety plan")).to_be_visible()
    expect(page.locator("#current-stage")).to_have_text("Withdrawal management")
    inspect.check(page, "5-move-needs-plan")
    page.get_by_label("Reason to move without a signed safety plan").fill(
        "Plan to be written at the first treatment session tomorrow."
    )
    page.get_by_role("button", name="Move stage").click()
    expect(page.get_by_role("status")).to_contain_text("Stage changed.")
    expect(page.locator("#current-stage")).to_have_text("Treatment")


def test_a_caring_contact_call_is_recorded_as_not_reached(
    page: Page, server, inspect, director, counselor
):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Kwame", family="Mensah"
    )
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    episode_move_checked(
        actor=counselor,
        episode=patient.episodes.get(),
        to_stage=Stage.CLOSED,
        reason="Completed residential treatment.",
        discharge_type="completed",
        no_plan_reason="Plan written with the outpatient program.",
    )
    sign_in(page, server, counselor)
    tasks = page.locator("#my-tasks")
    expect(tasks.locator("li")).to_have_count(5)  # three calls, the consult and the plan
    tasks.get_by_role("link", name="Kwame Mensah").first.click()
    calls = page.locator('#open-tasks li[data-kind="caring_contact"]')
    expect(calls).to_have_count(3)
    calls.first.get_by_role("link", name="Record the call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Caring-contact follow-up: what happened"
    )
    page.get_by_label("Not reached (attempt made)").check()
    page.get_by_role("button", name="Close the task").click()
    expect(
        page.get_by_role("link", name=re.compile(r"^Notes: Write what happened"))
    ).to_be_visible()
    inspect.check(page, "1-call-needs-notes")
    page.get_by_label("Notes").fill("No answer; voicemail left with the 988 number.")
    page.get_by_role("button", name="Close the task").click()
    expect(page.get_by_role("status")).to_contain_text("Task closed.")
    expect(calls).to_have_count(2)
    inspect.check(page, "2-call-recorded")
    first = ClinicalTask.objects.filter(kind=TaskKind.CARING_CONTACT).order_by("due_at").first()
    assert (first.status, first.outcome) == (TaskStatus.DONE, "not_reached")
