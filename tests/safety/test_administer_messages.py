"""The administer page says in words what a result opened: tasks, alerts, precautions."""

import datetime as dt
import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from openrecovery.instruments.views import MESSAGE_ALERTED
from openrecovery.records.choices import TaskKind
from openrecovery.records.models import ClinicalTask
from tests.support.factories import verified_client
from tests.support.instruments import (
    CSSRS_HIGH,
    CSSRS_LOW,
    CSSRS_MODERATE,
    CSSRS_NONE,
    PHQ9_ITEM9,
    PHQ9_MODERATE,
    form_data,
)

pytestmark = pytest.mark.django_db


def administer(client, patient, code, answers):
    url = reverse("instruments:administer", args=[patient.pk, code])
    response = client.post(url, form_data(code, answers))
    assert response.status_code == 302
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_a_positive_phq9_says_a_cssrs_is_owed_and_by_when(patient, nurse):
    said = administer(verified_client(nurse), patient, "phq9", PHQ9_ITEM9)
    task = ClinicalTask.objects.get(kind=TaskKind.CSSRS_OWED)
    due = timezone.localtime(task.due_at)
    when = (
        f"{due:%H:%M}" if due.date() == timezone.localdate() else f"{due:%H:%M} on {due:%Y-%m-%d}"
    )
    assert ("warning", f"C-SSRS owed: due by {when}.") in said


def test_only_what_is_new_is_said(patient, nurse):
    # A fresh client each time: messages not yet shown would pile up in one session.
    administer(verified_client(nurse), patient, "cssrs", CSSRS_MODERATE)
    again = administer(
        verified_client(nurse), patient, "cssrs", CSSRS_MODERATE
    )  # the tasks are open already: only what the level calls for is said again
    assert [level for level, _ in again] == ["success", "warning"]
    assert again[1][1].startswith("Moderate suicide risk: Behavioral-health consult")
    plain = administer(verified_client(nurse), patient, "phq9", PHQ9_MODERATE)
    assert [level for level, _ in plain] == ["success"]  # a plain result: saved, nothing else
    none = administer(verified_client(nurse), patient, "cssrs", CSSRS_NONE)
    assert none[1:] == [
        ("info", "No suicide risk identified by the screener; screen again as routine.")
    ]


def test_each_level_says_what_it_calls_for_with_the_resources_to_offer(patient, nurse):
    """Columbia triage by default: low offers resources (988) and re-screens next contact."""
    crisis = reverse("crisis")

    def client():
        return verified_client(nurse)

    said = {k: html.unescape(v) for k, v in administer(client(), patient, "cssrs", CSSRS_LOW)}
    assert said["info"].startswith(
        "Low suicide risk: Offer resources (988 Suicide & Crisis Lifeline) and re-screen at "
        "the next contact."
    )
    assert f'href="{crisis}"' in said["info"] and "Crisis resources to offer" in said["info"]
    said = administer(client(), patient, "cssrs", CSSRS_HIGH)
    assert any(
        level == "error" and text.startswith("High suicide risk: Immediate review by a physician")
        for level, text in said
    )


def test_moderate_messages_in_full(patient, nurse, counselor):
    said = administer(verified_client(nurse), patient, "cssrs", CSSRS_MODERATE)
    texts = [t for _, t in said]
    assert any(
        t.startswith(f"Behavioral-health consult owed by {counselor}: due by") for t in texts
    )
    assert any(t.startswith("Safety plan owed: due by") for t in texts)
    assert MESSAGE_ALERTED not in texts and not any("checklist" in t for t in texts)


def test_a_high_result_names_the_alert_the_plan_and_links_the_checklist(patient, counselor):
    said = administer(verified_client(counselor), patient, "cssrs", CSSRS_HIGH)
    texts = [t for _, t in said]
    assert ("error", MESSAGE_ALERTED) in said
    link = reverse("safety:precautions", args=[patient.pk])
    anchor = f'<a class="alert-link" href="{link}">Open the checklist</a>'
    assert ("error", f"Safety precautions checklist opened. {anchor}.") in said
    assert any(t.startswith("Safety plan owed: due by") for t in texts)


def test_the_link_is_shown_on_the_next_page_not_escaped(patient, counselor):
    client = verified_client(counselor)
    url = reverse("instruments:administer", args=[patient.pk, "cssrs"])
    page = client.post(url, form_data("cssrs", CSSRS_HIGH), follow=True).content.decode()
    link = reverse("safety:precautions", args=[patient.pk])
    assert f'<a class="alert-link" href="{link}">Open the checklist</a>' in page
    assert "Safety plan owed: due by" in page


def test_a_due_time_on_another_day_carries_its_date():
    from openrecovery.instruments.views import _task_message

    task = ClinicalTask(
        kind=TaskKind.SAFETY_PLAN_OWED, due_at=timezone.now() + dt.timedelta(days=2)
    )
    due = timezone.localtime(task.due_at)
    assert _task_message(task) == f"Safety plan owed: due by {due:%H:%M} on {due:%Y-%m-%d}"
    assert _task_message(ClinicalTask(kind=TaskKind.CSSRS_OWED)) == "C-SSRS owed"
