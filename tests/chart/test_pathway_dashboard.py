"""Dashboards and patient lists show the open pathway tasks, at a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.chart.dashboard import task_badge
from openrecovery.instruments.services import administration_recorded
from openrecovery.privacy.services import care_team_member_remove
from openrecovery.records.choices import Stage, TaskKind, TaskStatus
from openrecovery.records.models import CareTeamMember, ClinicalTask
from openrecovery.records.services import care_team_add
from openrecovery.safety.services import episode_move_checked
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.instruments import CSSRS_MODERATE, PHQ9_ITEM9
from tests.support.queries import queries_of

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)


def screened(patient, actor) -> ClinicalTask:
    """A PHQ-9 with item 9 positive: the patient owes a C-SSRS."""
    administration_recorded(actor=actor, patient=patient, code="phq9", answers=PHQ9_ITEM9)
    return ClinicalTask.objects.get(
        patient=patient, kind=TaskKind.CSSRS_OWED, status=TaskStatus.OPEN
    )


def overdue(task, hours: float = 2) -> None:
    ago = timezone.now() - dt.timedelta(hours=hours)
    ClinicalTask.objects.filter(pk=task.pk).update(
        opened_at=ago, due_at=ago + dt.timedelta(hours=1)
    )


def dashboard(user) -> str:
    return verified_client(user).get(reverse("chart:dashboard")).content.decode()


def my_tasks(body: str) -> str:
    found = re.search(
        r'<section class="card mb-3 border-warning" [^>]*id="my-tasks">.*?</section>', body, re.S
    )
    return " ".join(found.group(0).split()) if found else ""


def card(body: str, patient) -> str:
    found = re.search(
        rf'<li class="list-group-item dashboard-card" data-patient="{patient.pk}">.*?</li>',
        body,
        re.S,
    )
    assert found is not None, patient.mrn
    return found.group(0)


@pytest.fixture
def team(director, counselor, nurse):
    """A patient in withdrawal management with a counselor and a nurse on the team."""
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[counselor], given="Robin"
    )
    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    return patient


def test_everyone_on_the_care_team_sees_the_patients_open_tasks(team, counselor, nurse):
    task = screened(team, nurse)
    for member in (counselor, nurse):
        shown = my_tasks(dashboard(member))
        assert "Open tasks on my care teams" in shown
        assert (
            f'<a href="{reverse("chart:chart", args=[team.pk])}">{team.display_name}</a>' in shown
        )
        assert "<strong>C-SSRS owed</strong>" in shown
        due = timezone.localtime(task.due_at).isoformat()
        assert f'<time datetime="{due}"' in shown and "due today" in shown
        assert "Overdue" not in shown


def test_who_is_not_on_the_care_team_sees_no_task_card(team, nurse, director):
    screened(team, nurse)
    outsider = make_staff(Role.COUNSELOR)
    assert my_tasks(dashboard(outsider)) == ""
    # The director covers every stage (the row is listed) but is not on the team.
    body = dashboard(director)
    assert my_tasks(body) == ""
    assert "C-SSRS owed" in card(body, team)  # the row's badge


def test_a_member_taken_off_the_team_no_longer_sees_the_tasks(director, team, nurse):
    screened(team, nurse)
    member = CareTeamMember.objects.get(patient=team, user=nurse, active=True)
    care_team_member_remove(actor=director, member=member)
    assert my_tasks(dashboard(nurse)) == ""


def test_an_overdue_task_is_red_and_says_overdue_first(director, team, counselor, nurse):
    late = screened(team, nurse)
    overdue(late)
    other = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    soon = screened(other, counselor)
    shown = my_tasks(dashboard(counselor))
    assert shown.index(f'data-task="{late.pk}"') < shown.index(f'data-task="{soon.pk}"')
    late_row = re.search(rf'<li class="[^"]*" data-task="{late.pk}".*?</li>', shown).group(0)
    assert "list-group-item-danger" in late_row
    assert '<span class="badge text-bg-danger">Overdue</span>' in late_row
    assert "was due" in late_row and "(1 hour ago)" in late_row


def test_a_discharged_patients_caring_contacts_reach_the_team(team, counselor, nurse):
    administration_recorded(actor=counselor, patient=team, code="cssrs", answers=CSSRS_MODERATE)
    episode_move_checked(
        actor=counselor,
        episode=team.episodes.get(),
        to_stage=Stage.CLOSED,
        reason="Left",
        discharge_type="against_advice",
        no_plan_reason="Left before the plan was written.",
    )
    shown = my_tasks(dashboard(nurse))
    assert shown.count("Caring-contact follow-up") == 3
    assert team.display_name in shown


def test_the_dashboard_audit_names_the_patients_the_task_card_showed(director, counselor):
    discharged = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    administration_recorded(
        actor=counselor, patient=discharged, code="cssrs", answers=CSSRS_MODERATE
    )
    episode_move_checked(
        actor=counselor,
        episode=discharged.episodes.get(),
        to_stage=Stage.CLOSED,
        reason="Done",
        discharge_type="completed",
        no_plan_reason="Plan with the outside provider.",
    )
    dashboard(counselor)
    event = AuditEvent.objects.filter(object_type="dashboard").latest("pk")
    assert discharged.pk in event.detail["patients"]
    assert event.detail["tasks"] == ClinicalTask.objects.filter(status=TaskStatus.OPEN).count()


# --- the badge on patient rows ------------------------------------------------------------


def test_a_caseload_row_shows_the_open_task_badge(team, counselor, nurse):
    task = screened(team, nurse)
    shown = card(dashboard(counselor), team)
    assert (
        '<span class="badge text-bg-warning task-badge" data-kind="cssrs_owed">C-SSRS owed</span>'
        in shown
    )
    overdue(task)
    shown = card(dashboard(counselor), team)
    assert (
        '<span class="badge text-bg-danger task-badge" data-kind="cssrs_owed">'
        "C-SSRS owed: overdue</span>"
    ) in shown


def test_a_row_without_tasks_has_no_badge(team, counselor):
    assert "task-badge" not in card(dashboard(counselor), team)


def test_the_badge_names_the_most_urgent_task_and_counts_the_rest():
    due = "2026-12-02 14:00:00"
    assert "C-SSRS owed: overdue" in task_badge(f"cssrs_owed|{due}|3", NOW)
    assert "+2 more" in task_badge(f"cssrs_owed|{due}|3", NOW)
    assert "more" not in task_badge(f"cssrs_owed|{due}|1", NOW)
    fresh = task_badge("safety_plan_owed|2026-12-02 16:00:00+00|1", NOW)
    assert "text-bg-warning" in fresh and "Safety plan owed</span>" in fresh
    assert "overdue" not in task_badge("bh_consult||1", NOW)  # no due time: never overdue
    assert task_badge(None, NOW) == ""


def test_search_results_show_the_badge(team, counselor, nurse):
    task = screened(team, nurse)
    overdue(task)
    client = verified_client(counselor)
    response = client.post(reverse("chart:search"), {"q": team.legal_family_name}, follow=True)
    body = response.content.decode()
    found = re.search(rf'<tr data-patient="{team.pk}">.*?</tr>', body, re.S)
    assert found is not None
    assert "C-SSRS owed: overdue" in found.group(0)


# --- constant queries ---------------------------------------------------------------------


def _world(director, patients: int, tasks_each: int):
    """A counselor with ``patients`` patients, each owing tasks (one overdue)."""
    counselor = make_staff(Role.COUNSELOR)
    made = []
    for i in range(patients):
        patient = make_patient(
            actor=director,
            stage=Stage.WITHDRAWAL_MANAGEMENT if i % 2 else Stage.TREATMENT,
            team=[counselor],
            family=f"Queryfamily{i:03d}",
        )
        overdue(screened(patient, counselor))
        for n in range(tasks_each - 1):
            ClinicalTask.objects.create(
                patient=patient,
                kind=TaskKind.CARING_CONTACT,
                key=f"caring_contact:q:{n}",
                opened_at=timezone.now(),
                due_at=timezone.now() + dt.timedelta(days=n + 1),
                source_type="test",
                source_id="0",
            )
        made.append(patient)
    return counselor, made


def test_the_dashboard_costs_the_same_with_one_or_many_tasks(director):
    one, _ = _world(director, patients=1, tasks_each=1)
    many, _ = _world(director, patients=12, tasks_each=4)
    small, _ = queries_of(verified_client(one), reverse("chart:dashboard"))
    large, sql = queries_of(verified_client(many), reverse("chart:dashboard"))
    assert small == large, sql
    shown = my_tasks(dashboard(many))
    assert shown.count("data-task=") == 48 and 'id="task-limit"' not in shown


def test_the_task_card_says_when_it_shows_only_the_soonest(director, monkeypatch):
    monkeypatch.setattr("openrecovery.chart.views.DASHBOARD_TASK_LIMIT", 3)
    many, _ = _world(director, patients=2, tasks_each=2)
    shown = my_tasks(dashboard(many))
    assert 'id="task-limit"' in shown and "Showing the 3 soonest due" in shown


def test_the_dashboard_of_a_covering_role_costs_the_same(director):
    _world(director, patients=1, tasks_each=1)
    small, _ = queries_of(verified_client(director), reverse("chart:dashboard"))
    _world(director, patients=12, tasks_each=4)
    large, sql = queries_of(verified_client(director), reverse("chart:dashboard"))
    assert small == large, sql


def test_search_costs_the_same_with_one_or_many_results(director):
    one, _ = _world(director, patients=1, tasks_each=1)
    many, _ = _world(director, patients=12, tasks_each=3)
    client_one, client_many = verified_client(one), verified_client(many)
    # The search's GET shows the last results again: count that page.
    client_one.post(reverse("chart:search"), {"q": "Queryfamily"})
    client_many.post(reverse("chart:search"), {"q": "Queryfamily"})
    small, _ = queries_of(client_one, reverse("chart:search"))
    large, sql = queries_of(client_many, reverse("chart:search"))
    assert small == large, sql
    body = client_many.get(reverse("chart:search")).content.decode()
    assert body.count("C-SSRS owed: overdue") == 12


def test_the_chart_costs_the_same_with_one_or_many_tasks(director):
    one, [few] = _world(director, patients=1, tasks_each=1)
    many, [lots] = _world(director, patients=1, tasks_each=10)
    small, _ = queries_of(verified_client(one), reverse("chart:chart", args=[few.pk]))
    large, sql = queries_of(verified_client(many), reverse("chart:chart", args=[lots.pk]))
    assert small == large, sql
    body = verified_client(many).get(reverse("chart:chart", args=[lots.pk])).content.decode()
    assert "Open tasks (10)" in body
