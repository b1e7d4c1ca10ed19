"""The counselor's dashboard lists the measures due, in a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from openrecovery.treatment.measurement_selectors import dashboard_measures_due
from openrecovery.treatment.services.measurement import measure_schedule_set
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.measurement import give
from tests.support.queries import queries_of

pytestmark = pytest.mark.django_db

# Session, user and TOTP device; the dashboard's own reads (columns, my tasks, my
# measures due) and its audit event.
DASHBOARD_MAX_QUERIES = 9


def caseload(director, counselor, count: int) -> list:
    """Give ``counselor`` ``count`` patients in treatment, each with some measures given
    (some due, some not) and a colleague's patient of their own that is due too."""
    made = []
    for n in range(count):
        patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
        give(patient, counselor, "phq9", 10 + n % 5, days_ago=20)  # due 6 days ago
        give(patient, counselor, "gad7", 8, days_ago=2)  # due in 12 days
        if n % 2:
            give(patient, counselor, "bam", 3, days_ago=31)  # due a day ago
        # (else no BAM yet: due since the patient entered treatment)
        made.append(patient)
    return made


def test_the_dashboard_costs_the_same_with_few_or_many_due(director, django_assert_max_num_queries):
    small_counselor, large_counselor = make_staff(Role.COUNSELOR), make_staff(Role.COUNSELOR)
    caseload(director, small_counselor, 1)
    caseload(director, large_counselor, 25)
    small, _ = queries_of(verified_client(small_counselor), reverse("chart:dashboard"))
    large, sql = queries_of(verified_client(large_counselor), reverse("chart:dashboard"))
    assert small == large, sql
    client = verified_client(large_counselor)
    client.get(reverse("chart:dashboard"))
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        page = client.get(reverse("chart:dashboard")).content.decode()
    assert 'id="measures-due"' in page
    assert page.count('data-due-code="phq9"') == 25
    assert page.count('data-due-code="bam"') == 25
    assert 'data-due-code="gad7"' not in page


def test_without_patients_in_treatment_it_costs_the_same(director):
    empty, busy = make_staff(Role.COUNSELOR), make_staff(Role.COUNSELOR)
    make_patient(actor=director, stage=Stage.ASSESSMENT, team=[empty])
    make_patient(actor=director, stage=Stage.ASSESSMENT, team=[busy])
    caseload(director, busy, 3)
    none, _ = queries_of(verified_client(empty), reverse("chart:dashboard"))
    some, sql = queries_of(verified_client(busy), reverse("chart:dashboard"))
    assert none == some, sql


def test_due_measures_are_mine_longest_due_first(director, counselor):
    other = make_staff(Role.COUNSELOR)
    mine = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    theirs = make_patient(actor=director, stage=Stage.TREATMENT, team=[other])
    give(mine, counselor, "phq9", 9, days_ago=20)
    give(mine, counselor, "gad7", 9, days_ago=30)
    give(mine, counselor, "bam", 1, days_ago=1)
    give(theirs, other, "phq9", 9, days_ago=20)
    now = timezone.now()
    due = dashboard_measures_due(counselor, now)
    assert [(d.patient_id, d.code) for d in due] == [(mine.pk, "gad7"), (mine.pk, "phq9")]
    assert due[0].overdue_days == 16 and due[0].label == "GAD-7"
    assert due[0].chart_url == reverse("chart:chart", args=[mine.pk])


def test_a_first_measure_is_due_on_entering_treatment(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    due = dashboard_measures_due(counselor, timezone.now())
    assert [d.code for d in due] == ["phq9", "gad7", "bam"]
    entered = patient.episodes.get().transitions.get(to_stage=Stage.TREATMENT).moved_at
    assert {d.due_since for d in due} == {entered}


def test_the_episodes_schedule_moves_the_due_time(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    give(patient, counselor, "phq9", 9, days_ago=10)
    give(patient, counselor, "gad7", 9, days_ago=1)
    give(patient, counselor, "bam", 1, days_ago=1)
    assert dashboard_measures_due(counselor, timezone.now()) == []
    measure_schedule_set(
        actor=counselor, episode=patient.episodes.get(), code="phq9", interval_days=7
    )
    [due] = dashboard_measures_due(counselor, timezone.now())
    assert due.code == "phq9"
    assert due.overdue_days == 3


def test_patients_outside_treatment_owe_no_measure(director, counselor):
    for stage in (Stage.ASSESSMENT, Stage.WITHDRAWAL_MANAGEMENT, Stage.AFTERCARE):
        patient = make_patient(actor=director, stage=stage, team=[counselor])
        give(patient, counselor, "phq9", 9, days_ago=40)
    assert dashboard_measures_due(counselor, timezone.now()) == []


def test_a_role_without_charts_sees_none(director):
    editor = make_staff(Role.CONTENT_EDITOR)
    assert dashboard_measures_due(editor, timezone.now() + dt.timedelta(days=1)) == []
