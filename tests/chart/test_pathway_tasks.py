"""The chart banner lists a patient's open tasks; a task page closes one (audited)."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.chart.forms import ERROR_NOTES_REQUIRED
from openrecovery.chart.pathway import chart_tasks
from openrecovery.chart.views import TASK_CLOSED
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import Stage, TaskKind, TaskOutcome, TaskStatus
from openrecovery.records.models import ClinicalTask
from openrecovery.records.services import care_team_add
from openrecovery.records.tasks import ERROR_CLOSED, ERROR_REASON_REQUIRED, task_open
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.instruments import CSSRS_MODERATE, CSSRS_NONE, PHQ9_ITEM9

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(director, counselor):
    return make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor])


def cssrs_owed(patient, actor) -> ClinicalTask:
    """Record a PHQ-9 with item 9 positive: a C-SSRS is owed within the hour."""
    administration_recorded(actor=actor, patient=patient, code="phq9", answers=PHQ9_ITEM9)
    return ClinicalTask.objects.get(
        patient=patient, kind=TaskKind.CSSRS_OWED, status=TaskStatus.OPEN
    )


def caring_contact(patient, *, due_in=dt.timedelta(hours=24)) -> ClinicalTask:
    return task_open(
        patient=patient,
        kind=TaskKind.CARING_CONTACT,
        key=f"caring_contact:test:{ClinicalTask.objects.count()}",
        source_type="episode",
        source_id=0,
        due_at=timezone.now() + due_in,
    ).task


def banner(client, patient) -> str:
    body = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    found = re.search(
        r'<section class="card mb-3 border-warning task-banner".*?</section>', body, re.S
    )
    assert found is not None, "no task banner"
    return found.group(0)


def row(html: str, task) -> str:
    found = re.search(rf'<li [^>]*id="task-{task.pk}".*?</li>', html, re.S)
    assert found is not None, task.kind
    return " ".join(found.group(0).split())


def close_url(task) -> str:
    return reverse("chart:task_close", args=[task.patient_id, task.pk])


def writes(patient) -> int:
    return AuditEvent.objects.filter(patient_id=patient.pk, object_type="clinical_task").count()


# --- the banner ---------------------------------------------------------------------------


def test_the_banner_lists_every_open_task_with_its_due_time_and_what_closes_it(patient, counselor):
    cssrs_owed(patient, counselor)
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    consult = ClinicalTask.objects.get(patient=patient, kind=TaskKind.BH_CONSULT)
    plan = ClinicalTask.objects.get(patient=patient, kind=TaskKind.SAFETY_PLAN_OWED)
    contact = caring_contact(patient)
    owed = cssrs_owed(patient, counselor)  # a new positive screen after the C-SSRS
    shown = banner(verified_client(counselor), patient)
    assert "Open tasks (4)" in shown
    cssrs_row = row(shown, owed)
    assert "C-SSRS owed" in cssrs_row
    assert re.search(r"due today \d\d:\d\d \(in (59 minutes|1 hour)\)", cssrs_row)
    administer = reverse("instruments:administer", args=[patient.pk, "cssrs"])
    assert f'href="{administer}">Record the C-SSRS</a>' in cssrs_row
    assert f'href="{close_url(owed)}">Close as not done</a>' in cssrs_row
    plan_row = row(shown, plan)
    assert f'href="{reverse("safety:plan", args=[patient.pk])}">Write the safety plan</a>' in (
        plan_row
    )
    assert f'href="{close_url(plan)}">Close as not done</a>' in plan_row
    assert f'href="{close_url(consult)}">Record the consult</a>' in row(shown, consult)
    assert f"for {counselor}" in row(shown, consult)  # assigned to the team's clinician
    assert f'href="{close_url(contact)}">Record the call</a>' in row(shown, contact)
    for task in (owed, consult, plan, contact):
        due = timezone.localtime(task.due_at)
        assert f'<time datetime="{due.isoformat()}"' in row(shown, task)
    assert "Overdue" not in shown


def test_a_cssrs_owed_is_overdue_after_one_hour_in_red_and_in_words(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    screened = owed.opened_at
    fresh = chart_tasks(patient.pk, counselor, screened + dt.timedelta(minutes=59))
    late = chart_tasks(patient.pk, counselor, screened + dt.timedelta(minutes=61))
    assert not fresh[0].overdue and fresh[0].due_text.startswith("due ")
    assert late[0].overdue and late[0].due_text.startswith("was due ")
    with mock.patch("django.utils.timezone.now", return_value=screened + dt.timedelta(hours=2)):
        shown = row(banner(verified_client(counselor), patient), owed)
    assert "list-group-item-danger" in shown  # red
    assert '<span class="badge text-bg-danger">Overdue</span>' in shown  # and in words
    assert "(1 hour ago)" in shown
    assert "btn-danger" in shown  # the way to close it stands out too


def test_overdue_tasks_come_first(patient, counselor):
    later = caring_contact(patient, due_in=dt.timedelta(days=7))
    late = caring_contact(patient, due_in=-dt.timedelta(hours=1))
    rows = chart_tasks(patient.pk, counselor, timezone.now())
    assert [r.pk for r in rows] == [late.pk, later.pk]
    assert [r.overdue for r in rows] == [True, False]


def test_no_banner_without_open_tasks(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_NONE)
    assert not ClinicalTask.objects.filter(pk=owed.pk, status=TaskStatus.OPEN).exists()
    body = verified_client(counselor).get(reverse("chart:chart", args=[patient.pk])).content
    assert b"task-banner" not in body


def test_who_may_not_close_tasks_sees_no_close_action(director, patient, counselor):
    coordinator = make_staff(Role.ADMISSIONS_COORDINATOR)
    care_team_add(actor=director, patient=patient, user=coordinator, team_role="admissions")
    owed = cssrs_owed(patient, counselor)
    shown = row(banner(verified_client(coordinator), patient), owed)
    assert "Close as not done" not in shown
    assert "Record the C-SSRS" in shown  # coordinators administer instruments
    assert verified_client(coordinator).get(close_url(owed)).status_code == 403


# --- closing as not done ------------------------------------------------------------------


def test_the_close_page_asks_why_a_cssrs_cannot_be_done(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    response = verified_client(counselor).get(close_url(owed))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Close as not done: C-SSRS owed" in body
    assert 'type="hidden" name="result" value="not_done"' in body
    assert "Why it cannot be done" in body
    assert reverse("instruments:administer", args=[patient.pk, "cssrs"]) in body


def test_closing_as_not_done_needs_a_reason_and_changes_nothing_without_one(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    before = writes(patient)
    client = verified_client(counselor)
    for reason in ("", "   "):
        response = client.post(close_url(owed), {"result": "not_done", "reason": reason})
        assert response.status_code == 422
        assert response.context["form"].errors["reason"] == [ERROR_REASON_REQUIRED]
        assert ERROR_REASON_REQUIRED in response.content.decode()
    owed.refresh_from_db()
    assert owed.status == TaskStatus.OPEN and writes(patient) == before


def test_closing_as_not_done_with_a_reason_is_audited(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    reason = "Patient asleep after the evening dose; the night nurse will ask at 06:00."
    response = verified_client(counselor).post(
        close_url(owed), {"result": "not_done", "reason": reason}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("chart:chart", args=[patient.pk])
    assert TASK_CLOSED in response.content.decode()
    owed.refresh_from_db()
    assert (owed.status, owed.close_reason, owed.closed_by) == (
        TaskStatus.NOT_DONE, reason, counselor,
    )  # fmt: skip
    event = AuditEvent.objects.get(
        object_type="clinical_task", object_id=str(owed.pk), action="update"
    )
    assert event.actor_id == counselor.pk and event.detail["status"] == "not_done"
    assert "asleep" not in str(event.detail)  # the reason stays out of the audit log
    summaries = list(patient.timeline.values_list("summary", flat=True))
    assert "Task closed: C-SSRS owed (could not be done)" in summaries
    assert (
        b"task-banner"
        not in verified_client(counselor).get(reverse("chart:chart", args=[patient.pk])).content
    )


def test_a_cssrs_owed_cannot_be_closed_as_done_here(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    response = verified_client(counselor).post(close_url(owed), {"result": "done", "reason": "x"})
    assert response.status_code == 422 and "result" in response.context["form"].errors
    owed.refresh_from_db()
    assert owed.status == TaskStatus.OPEN


# --- caring contacts and consults ---------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "status", "outcome"),
    [
        ("reached", TaskStatus.DONE, TaskOutcome.REACHED),
        ("not_reached", TaskStatus.DONE, TaskOutcome.NOT_REACHED),
        ("not_done", TaskStatus.NOT_DONE, ""),
    ],
)
def test_a_caring_contact_records_reached_or_not_with_notes(
    patient, counselor, result, status, outcome
):
    contact = caring_contact(patient)
    page = verified_client(counselor).get(close_url(contact)).content.decode()
    assert 'name="result" value="reached"' in page and 'value="not_reached"' in page
    notes = "Voicemail left; will try again tomorrow."
    response = verified_client(counselor).post(
        close_url(contact), {"result": result, "reason": notes}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.close_reason) == (status, outcome, notes)
    event = AuditEvent.objects.get(
        object_type="clinical_task", object_id=str(contact.pk), action="update"
    )
    assert event.detail["outcome"] == outcome


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"result": "reached", "reason": ""}, "reason", ERROR_NOTES_REQUIRED),
        ({"result": "not_reached", "reason": " "}, "reason", ERROR_NOTES_REQUIRED),
        ({"result": "not_done", "reason": ""}, "reason", ERROR_REASON_REQUIRED),
        ({"result": "sort_of", "reason": "x"}, "result", None),
        ({"reason": "x"}, "result", None),
    ],
)
def test_bad_input_on_a_caring_contact_changes_nothing(patient, counselor, data, field, error):
    contact = caring_contact(patient)
    before = writes(patient)
    response = verified_client(counselor).post(close_url(contact), data)
    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    if error:
        assert errors == [error]
    contact.refresh_from_db()
    assert contact.status == TaskStatus.OPEN and writes(patient) == before


def test_a_consult_is_recorded_as_done_with_notes(patient, counselor):
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    consult = ClinicalTask.objects.get(patient=patient, kind=TaskKind.BH_CONSULT)
    notes = "Seen with the psychiatrist; plan reviewed, observation every 30 minutes."
    response = verified_client(counselor).post(
        close_url(consult), {"result": "done", "reason": notes}
    )
    assert response.status_code == 302
    consult.refresh_from_db()
    assert (consult.status, consult.close_reason) == (TaskStatus.DONE, notes)


# --- what the page refuses ----------------------------------------------------------------


def test_a_task_of_another_patient_is_404(director, patient, counselor):
    other = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    owed = cssrs_owed(other, counselor)
    url = reverse("chart:task_close", args=[patient.pk, owed.pk])
    client = verified_client(counselor)
    assert client.get(url).status_code == 404
    assert client.post(url, {"result": "not_done", "reason": "x"}).status_code == 404
    owed.refresh_from_db()
    assert owed.status == TaskStatus.OPEN


def test_a_patient_the_gate_hides_is_404(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    stranger = verified_client(make_staff(Role.COUNSELOR))
    assert stranger.get(close_url(owed)).status_code == 404
    assert stranger.post(close_url(owed), {"result": "not_done", "reason": "x"}).status_code == 404
    owed.refresh_from_db()
    assert owed.status == TaskStatus.OPEN


@pytest.mark.parametrize("task_id", [99_999_999, 2**63])
def test_unknown_task_ids_are_404(patient, counselor, task_id):
    url = f"/patients/{patient.pk}/tasks/{task_id}/close/"
    assert verified_client(counselor).get(url).status_code == 404


def test_a_task_closed_meanwhile_sends_back_to_the_chart(patient, counselor):
    owed = cssrs_owed(patient, counselor)
    client = verified_client(counselor)
    client.post(close_url(owed), {"result": "not_done", "reason": "Transferred out."})
    before = writes(patient)
    response = client.post(close_url(owed), {"result": "not_done", "reason": "Again"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("chart:chart", args=[patient.pk])
    assert ERROR_CLOSED in response.content.decode()
    owed.refresh_from_db()
    assert owed.close_reason == "Transferred out." and writes(patient) == before


def test_the_banner_links_to_open_precautions_until_the_last_step(patient, counselor):
    from openrecovery.safety.models import PrecautionChecklist
    from openrecovery.safety.services import precaution_step_complete
    from tests.support.instruments import CSSRS_HIGH

    client = verified_client(counselor)
    chart_url = reverse("chart:chart", args=[patient.pk])
    link = reverse("safety:precautions", args=[patient.pk])
    assert link not in client.get(chart_url).content.decode()
    administration_recorded(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    # Even with every task closed, the open checklist keeps its way in on the banner.
    for task in ClinicalTask.objects.filter(status=TaskStatus.OPEN):
        task.status = TaskStatus.NOT_DONE
        task.save(update_fields=["status"])
    page = client.get(chart_url).content.decode()
    assert f'href="{link}"' in page and "Safety precautions: 3 steps left" in page
    checklist = PrecautionChecklist.objects.get()
    for n, code in enumerate(["observation", "environment", "physician"]):
        precaution_step_complete(actor=counselor, checklist=checklist, code=code)
        page = client.get(chart_url).content.decode()
        left = 2 - n
        if left:
            assert f"Safety precautions: {left} step{'s' if left > 1 else ''} left" in page
    assert link not in page  # complete: nothing left to do there from the banner
