"""Dashboard cards: level of care, the score the stage watches, open alert, owed task."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.assessment.services import assessment_start
from openrecovery.audit import services as audit_services
from openrecovery.audit.models import AuditEvent
from openrecovery.chart.dashboard import TASK_INTAKE_TO_SIGN, TASK_INTAKE_TO_START, day_label
from openrecovery.instruments.services import administration_record
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare
from tests.support.assessment import signed_intake_patient
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.instruments import CSSRS_HIGH, PHQ9_MODERATE
from tests.support.queries import queries_of


def card(body: str, patient) -> str:
    found = re.search(
        rf'<li class="list-group-item dashboard-card" data-patient="{patient.pk}">.*?</li>',
        body,
        re.S,
    )
    assert found is not None, patient.mrn
    return found.group(0)


def column(body: str, stage: str) -> str:
    found = re.search(
        rf'<section class="col stage-column" aria-labelledby="stage-{stage}">.*?</section>',
        body,
        re.S,
    )
    assert found is not None, stage
    return found.group(0)


def test_a_card_shows_level_of_care_the_stage_score_and_an_open_alert(director, counselor):
    patient = signed_intake_patient(counselor)  # level 3.7-WM, moved to withdrawal management
    administration_record(actor=counselor, patient=patient, code="phq9", answers=PHQ9_MODERATE)
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    episode = patient.episodes.get(ended_at__isnull=True)
    body = verified_client(counselor).get(reverse("chart:dashboard")).content.decode()
    shown = card(body, patient)
    assert "Level 3.7-WM" in shown
    assert "Open alert</span> High suicide risk" in shown
    if episode.stage == Stage.WITHDRAWAL_MANAGEMENT:
        # The stage watches CIWA-B: a PHQ-9 is not its score.
        assert "PHQ-9" not in shown
    treatment = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    administration_record(actor=counselor, patient=treatment, code="phq9", answers=PHQ9_MODERATE)
    body = verified_client(counselor).get(reverse("chart:dashboard")).content.decode()
    assert re.search(r"PHQ-9 11 \(Moderate[^)]*\), [A-Z][a-z]{2} \d", card(body, treatment))


def test_an_assessment_card_says_what_the_intake_still_owes(director, counselor):
    fresh = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    drafted = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    assessment_start(actor=counselor, patient=drafted)
    body = verified_client(counselor).get(reverse("chart:dashboard")).content.decode()
    assert TASK_INTAKE_TO_START in card(body, fresh)
    assert TASK_INTAKE_TO_SIGN in card(body, drafted)


def test_dates_outside_the_current_year_show_the_year(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    today = timezone.localdate()
    last_year = dt.datetime(today.year - 1, 12, 28, 12, 0, tzinfo=timezone.get_current_timezone())
    EpisodeOfCare.objects.filter(patient=patient).update(stage_changed_at=last_year)
    body = verified_client(counselor).get(reverse("chart:dashboard")).content.decode()
    assert (
        f'since <time datetime="{last_year.isoformat()}">Dec 28, {today.year - 1}</time>'
        in card(body, patient)
    )
    this_year = dt.datetime(today.year, 1, 2, 12, 0, tzinfo=timezone.get_current_timezone())
    assert day_label(this_year, today) == "Jan 2"


def test_the_coordinators_inquiry_column_counts_the_patients_it_shows(director):
    coordinator = make_staff(Role.ADMISSIONS_COORDINATOR)
    inquiries = [make_patient(actor=director, stage=Stage.INQUIRY) for _ in range(3)]
    body = verified_client(coordinator).get(reverse("chart:dashboard")).content.decode()
    shown = column(body, Stage.INQUIRY)
    assert all(f'data-patient="{p.pk}"' in shown for p in inquiries)
    assert shown.count("dashboard-card") == 3
    assert 'data-count="3"' in shown


def test_the_directors_view_is_grouped_by_stage_not_a_flat_table(director):
    viewer = make_staff(Role.CLINICAL_DIRECTOR)
    by_stage = {
        stage: make_patient(actor=director, stage=stage)
        for stage in (Stage.INQUIRY, Stage.WITHDRAWAL_MANAGEMENT, Stage.AFTERCARE)
    }
    body = verified_client(viewer).get(reverse("chart:dashboard")).content.decode()
    assert "<table" not in body
    for stage, patient in by_stage.items():
        assert f'data-patient="{patient.pk}"' in column(body, stage)
    assert "Also in your care as clinical director" in body


def test_cards_with_scores_and_alerts_cost_no_query_each(director, counselor):
    def world(n: int) -> int:
        viewer = make_staff(Role.COUNSELOR)
        for i in range(n):
            stage = (Stage.TREATMENT, Stage.ASSESSMENT, Stage.AFTERCARE)[i % 3]
            patient = make_patient(actor=director, stage=stage, team=[viewer])
            administration_record(actor=viewer, patient=patient, code="phq9", answers=PHQ9_MODERATE)
            administration_record(actor=viewer, patient=patient, code="cssrs", answers=CSSRS_HIGH)
        # Start with a fresh block of audit ids (ADR 0001), as each test does.
        audit_services._reserved_ids.pop(AuditEvent._meta.db_table, None)
        return queries_of(verified_client(viewer), reverse("chart:dashboard"))

    (small, small_sql), (large, large_sql) = world(2), world(9)
    assert small == large, [q for q in large_sql if q not in small_sql]
