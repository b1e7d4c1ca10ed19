"""Demo loads that need an empty database of their own: the demo password from the
environment, the stories without the rest, bulk loads and the helpline benchmark data."""

import io
import re

from django.core.management import call_command

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
    out = run("--patients", "300", "--events-per-patient", "3")
    assert "Created 300 patients" in out
    assert Patient.objects.count() == 300
    assert not Patient.objects.filter(episodes__isnull=True).exists()
    assert EpisodeOfCare.objects.filter(ended_at__isnull=True).count() > 120
    # Bulk loads are for benchmarks: no instruments, alerts, intakes or inquiries.
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
    run("--patients", "300")
    assert bulk_row_counts() == before


def test_bulk_care_teams_come_from_the_same_table_as_the_stories(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    run("--patients", "200", "--events-per-patient", "0")
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
