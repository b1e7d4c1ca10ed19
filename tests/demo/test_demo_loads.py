"""Demo loads that need an empty database of their own: the demo password from the
environment, the stories without the rest, bulk loads and the helpline benchmark data."""

import io
import re

from django.core.management import call_command
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.assessment.choices import AssessmentStatus
from openrecovery.assessment.models import IntakeAssessment
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import audit_verify
from openrecovery.chart.selectors import dashboard_groups
from openrecovery.demo.backdating import demo_open_episodes
from openrecovery.demo.histories import CARE_TEAM
from openrecovery.demo.instruments import demo_administrations_create
from openrecovery.demo.intakes import demo_intakes_create
from openrecovery.demo.staff import demo_staff_ensure
from openrecovery.demo.stories import demo_stories_create
from openrecovery.demo.withdrawal import DEMO_UNIT
from openrecovery.helpline.models import OPEN, Inquiry
from openrecovery.instruments.models import Administration
from openrecovery.records.choices import AlertSeverity, Stage
from openrecovery.records.models import (
    CareTeamMember,
    ClinicalAlert,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)
from openrecovery.withdrawal.models import (
    CiwabJudgement,
    DoseRecord,
    Unit,
    UnitAssignment,
    VitalSigns,
)
from openrecovery.withdrawal.selectors import board_mar, unit_board
from tests.support.demo import PASSWORD_ENV, run, signs_in


def test_instruments_and_intakes_leave_every_stage_as_the_stories_made_it(db):
    staff = demo_staff_ensure("fictional demo passphrase 1").users
    demo_stories_create(staff)
    stages = dict(EpisodeOfCare.objects.values_list("pk", "stage"))
    transitions = StageTransition.objects.count()
    episodes = demo_open_episodes()
    demo_administrations_create(staff=staff, episodes=episodes)
    demo_intakes_create(staff=staff, episodes=episodes)
    assert dict(EpisodeOfCare.objects.values_list("pk", "stage")) == stages
    assert StageTransition.objects.count() == transitions
    assert IntakeAssessment.objects.filter(status=AssessmentStatus.SIGNED).count() >= 20
    urgent = ClinicalAlert.objects.filter(severity=AlertSeverity.URGENT, resolved_at__isnull=True)
    assert urgent.values("source_id").distinct().count() == 1


def test_password_from_environment_is_used_and_reset_on_rerun(db, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "fictional demo passphrase 1")
    out = run()
    assert "fictional demo passphrase 1" in out
    assert signs_in("nurse", "fictional demo passphrase 1")
    monkeypatch.setenv(PASSWORD_ENV, "another demo passphrase 2")
    out = run()
    assert "reset" in out
    assert signs_in("nurse", "another demo passphrase 2")
    assert not signs_in("nurse", "fictional demo passphrase 1")


def bulk_row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "patients": Patient.objects.count(),
        "episodes": EpisodeOfCare.objects.count(),
        "transitions": StageTransition.objects.count(),
        "care_team": CareTeamMember.objects.count(),
        "timeline": TimelineEvent.objects.count(),
    }


def test_bulk_load_creates_patients_with_episodes_and_timelines(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    out = run("--patients", "300", "--events-per-patient", "3", "--beds", "0")
    assert "Created 300 patients" in out
    assert Patient.objects.count() == 300
    assert not Patient.objects.filter(episodes__isnull=True).exists()
    assert EpisodeOfCare.objects.filter(ended_at__isnull=True).count() > 120
    # Bulk loads are for benchmarks: no instruments, alerts, intakes or inquiries (but
    # for the withdrawal unit's beds, none here).
    assert not Administration.objects.exists()
    assert not ClinicalAlert.objects.exists()
    assert not IntakeAssessment.objects.exists()
    assert not Inquiry.objects.exists()
    assert set(EpisodeOfCare.objects.values_list("stage", flat=True)) == set(Stage)
    assert not Patient.objects.filter(search_family="").exists()
    # The first patient by MRN: the same one on every run (the draws are seeded and do
    # not depend on the order of a set, which changes from process to process).
    sample = Patient.objects.order_by("mrn").first()
    assert sample.search_family == sample.legal_family_name.lower()
    assert sample.timeline.exclude(kind__in=["registered", "episode_opened"]).exists()
    notes = TimelineEvent.objects.exclude(kind__in=["registered", "episode_opened"])
    assert notes.exclude(kind="stage_changed").count() == 300 * 3
    assert set(notes.values_list("kind", flat=True)) >= {"note", "contact", "observation"}
    # Realistic caseload for the demo counselor, and one audit event for the load.
    counselor = User.objects.get(username="counselor")
    groups, _ = dashboard_groups(counselor)
    assert 15 <= sum(len(g.episodes) for g in groups) <= 45
    load = AuditEvent.objects.get(object_type="demo_data")
    assert load.action == "create" and load.detail["patients"] == 300
    assert audit_verify().ok
    # Running again with the same target adds nothing.
    before = bulk_row_counts()
    run("--patients", "300", "--beds", "0")
    assert bulk_row_counts() == before


def test_bulk_care_teams_come_from_the_same_table_as_the_stories(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    run("--patients", "200", "--events-per-patient", "0", "--beds", "3")
    roles = dict(User.objects.values_list("pk", "role"))
    for episode in EpisodeOfCare.objects.filter(ended_at__isnull=True).select_related("patient"):
        active = {
            (roles[m.user_id], m.team_role) for m in episode.patient.care_team.filter(active=True)
        }
        assert active == {(s.staff_role, s.team_role) for s in CARE_TEAM[episode.stage]}
    closed = Patient.objects.exclude(episodes__ended_at__isnull=True)
    assert not CareTeamMember.objects.filter(patient__in=closed, active=True).exists()


def test_helpline_bench_data_tops_up_open_and_closed_inquiries(db):
    out = io.StringIO()
    call_command("helpline_bench_data", "--open", "40", "--closed", "120", stdout=out)
    assert re.search(r"Created 40 open and 120 closed inquiries", out.getvalue())
    assert Inquiry.objects.filter(OPEN).count() == 40
    closed = Inquiry.objects.exclude(OPEN)
    assert closed.count() == 120
    assert not closed.filter(disposition_kind="").exists()
    references = list(Inquiry.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert all(
        re.fullmatch(r"\+1 555 01\d\d \d{4}", p)
        for p in Inquiry.objects.values_list("phone", flat=True)
    )
    assert AuditEvent.objects.filter(object_type="helpline_bench_data").count() == 1
    # A second run with the same targets adds nothing.
    call_command("helpline_bench_data", "--open", "40", "--closed", "120", stdout=io.StringIO())
    assert Inquiry.objects.count() == 160


def test_bulk_load_fills_a_withdrawal_unit_the_demo_nurse_works(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    out = run("--patients", "300", "--events-per-patient", "0", "--beds", "6")
    rounds = 30 * 6  # every 4 hours for 30 days
    filled = f"Filled the withdrawal unit: 6 beds with 30 days of observations ({6 * rounds + 2}"
    assert filled in out
    unit = Unit.objects.get(code=DEMO_UNIT["code"])
    beds = list(UnitAssignment.objects.filter(unit=unit, ended_at__isnull=True))
    assert len(beds) == 6
    stays = EpisodeOfCare.objects.filter(
        patient__in=[b.patient_id for b in beds], ended_at__isnull=True
    )
    assert set(stays.values_list("stage", flat=True)) == {Stage.WITHDRAWAL_MANAGEMENT}
    nurse = User.objects.get(username="nurse")
    rows = unit_board(nurse, unit=unit)
    assert len(rows) == 6  # every bed passes the gate for the demo nurse
    for row in rows:
        assert CiwabJudgement.objects.filter(patient=row.patient).count() >= rounds
        assert VitalSigns.objects.filter(patient=row.patient).count() == rounds
        assert row.ciwab.administration.total == row.ciwab.total
    # Each bed's taper is in force and its doses due so far are given: none late.
    mar = board_mar(rows, timezone.now())
    assert all(m.taper_step and m.doses_due and not m.doses_late for m in mar.values())
    assert DoseRecord.objects.filter(status="given").count() >= 6
    # Beds 0 and 5 were last assessed 9 hours ago: overdue; beds 1 and 2 score severe now
    # and alert the physician on call; the rest are calm. The most urgent come first.
    assert sum(r.overdue for r in rows) == 2
    alerting = [r for r in rows if r.open_alerts]
    assert len(alerting) == 2 and {r.ciwab.band for r in alerting} == {"severe"}
    assert all(r.urgent for r in rows[:4]) and not any(r.urgent for r in rows[4:])
    physician = User.objects.get(username="physician")
    assert ClinicalAlert.objects.filter(recipient=physician, resolved_at__isnull=True).count() == 2
    assert audit_verify().ok
    # Running again adds nothing.
    before = CiwabJudgement.objects.count(), VitalSigns.objects.count()
    run("--patients", "300", "--beds", "6")
    assert (CiwabJudgement.objects.count(), VitalSigns.objects.count()) == before
