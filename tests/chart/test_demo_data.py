"""The demo data command: staff per role, fictional patients, instrument histories, intakes,
idempotence, bulk loads."""

import io
import re
from itertools import pairwise

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.mfa import totp_secret_base32
from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.assessment.choices import WITHDRAWAL_LEVELS, AssessmentStatus, ProblemStatus
from openrecovery.assessment.demo import demo_intakes_create
from openrecovery.assessment.models import IntakeAssessment, Problem
from openrecovery.assessment.prompts import placement_prompts
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import audit_verify
from openrecovery.chart.selectors import dashboard_groups
from openrecovery.instruments.demo import demo_administrations_create
from openrecovery.instruments.engine import score
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import instrument_get
from openrecovery.records.choices import AlertSeverity, DischargeType, Stage
from openrecovery.records.demo import (
    DEMO_STAFF,
    _People,
    demo_open_episodes,
    demo_staff_ensure,
    demo_stories_create,
)
from openrecovery.records.models import (
    CareTeamMember,
    ClinicalAlert,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)

from ..factories import verified_client

EXPECTED_ROLES = {
    "admissions": Role.ADMISSIONS_COORDINATOR,
    "nurse": Role.NURSE,
    "physician": Role.PHYSICIAN,
    "counselor": Role.COUNSELOR,
    "director": Role.CLINICAL_DIRECTOR,
    "editor": Role.CONTENT_EDITOR,
    "reviewer": Role.MEDICAL_REVIEWER,
    "admin": Role.ADMINISTRATOR,
}
PASSWORD_ENV = "OPENRECOVERY_DEMO_PASSWORD"


def signs_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    request.user = AnonymousUser()  # a failed sign-in is audited from the request
    return authenticate(request, username=username, password=password) is not None


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, verbosity=0, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "patients": Patient.objects.count(),
        "episodes": EpisodeOfCare.objects.count(),
        "transitions": StageTransition.objects.count(),
        "care_team": CareTeamMember.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "administrations": Administration.objects.count(),
        "alerts": ClinicalAlert.objects.count(),
        "intakes": IntakeAssessment.objects.count(),
        "problems": Problem.objects.count(),
    }


def counselor_patients(*stages: str) -> list[int]:
    """Return the open patients of the demo counselor at ``stages``."""
    return list(
        EpisodeOfCare.objects.filter(
            ended_at__isnull=True,
            stage__in=stages,
            patient__care_team__user__username="counselor",
            patient__care_team__active=True,
        ).values_list("patient_id", flat=True)
    )


def urgent_unresolved():
    return ClinicalAlert.objects.filter(severity=AlertSeverity.URGENT, resolved_at__isnull=True)


@pytest.fixture
def demo(db, monkeypatch) -> str:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    return run()


def test_every_role_has_its_demo_user_with_a_confirmed_totp_device(demo):
    assert {u for u, *_ in DEMO_STAFF} == set(EXPECTED_ROLES)
    assert {r for _, r, *_ in DEMO_STAFF} == set(Role)
    for username, role in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert list(user.groups.values_list("name", flat=True)) == [role]
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        assert totp_secret_base32(device) in demo  # the table prints each secret


def test_generated_password_is_printed_and_works(demo):
    password = re.search(r"Password for new demo staff \(generated\): (\S+)", demo).group(1)
    assert len(password) >= 16
    assert signs_in("counselor", password)
    assert signs_in("admin", password)


def test_demo_patients_cover_every_stage_with_histories(demo):
    assert 45 <= Patient.objects.count() <= 55
    open_stages = set(
        EpisodeOfCare.objects.filter(ended_at__isnull=True).values_list("stage", flat=True)
    )
    assert open_stages == set(Stage) - {Stage.CLOSED}
    closed = EpisodeOfCare.objects.filter(stage=Stage.CLOSED)
    assert closed.filter(ended_at__isnull=False).count() == closed.count() > 0
    assert closed.filter(discharge_type=DischargeType.AGAINST_ADVICE).count() == 1
    assert EpisodeOfCare.objects.filter(previous_episode__isnull=False).count() >= 3
    # Every episode's recorded path follows the stage machine from its first contact.
    for episode in EpisodeOfCare.objects.all():
        moves = list(episode.transitions.order_by("moved_at", "pk"))
        assert moves[0].from_stage == ""
        assert moves[-1].to_stage == episode.stage
        assert [m.from_stage for m in moves[1:]] == [m.to_stage for m in moves[:-1]]
    # Histories are backdated, and each patient has more than the registration entries.
    assert TimelineEvent.objects.filter(kind="observation").exists()
    per_patient = Patient.objects.annotate(n=Count("timeline")).values_list("n", flat=True)
    assert min(per_patient) >= 3
    oldest = TimelineEvent.objects.order_by("occurred_at").first().occurred_at
    newest = TimelineEvent.objects.order_by("-occurred_at").first().occurred_at
    assert (newest - oldest).days > 60
    # The services audited the load, and the chain still verifies.
    assert AuditEvent.objects.filter(object_type="patient", action="create").count() == (
        Patient.objects.count()
    )
    assert AuditEvent.objects.filter(action="stage_change").exists()
    assert audit_verify().ok


def test_clinical_roles_find_patients_on_their_dashboards(demo):
    for username in ("counselor", "nurse", "physician"):
        groups, _ = dashboard_groups(User.objects.get(username=username))
        assert sum(len(g.episodes) for g in groups) >= 10, username
    _, covered = dashboard_groups(User.objects.get(username="admissions"))
    assert covered


def test_instrument_histories_are_plausible_series_scored_by_the_engine(demo):
    # Treatment and aftercare: PHQ-9 and GAD-7 every few weeks, mostly improving.
    patients = counselor_patients(Stage.TREATMENT, Stage.AFTERCARE)
    assert len(patients) >= 15
    improving = 0
    for patient_id in patients:
        for code in ("phq9", "gad7"):
            series = list(
                Administration.objects.filter(patient_id=patient_id, code=code).order_by(
                    "administered_at"
                )
            )
            assert len(series) >= 2, (patient_id, code)
            gaps = [(b.administered_at - a.administered_at).days for a, b in pairwise(series)]
            assert all(0 <= gap <= 56 for gap in gaps)
            improving += series[-1].total < series[0].total
    assert improving >= len(patients)  # most of the 2 x N series improve
    # Every stored score is the engine's score of the stored answers.
    for administration in Administration.objects.all()[:200]:
        instrument = instrument_get(administration.code)
        result = score(instrument, administration.answers, administration.context)
        assert (result.total, result.band) == (administration.total, administration.band)
    # Withdrawal management: a CIWA-B every 4-8 hours, mild or moderate and falling.
    episodes = EpisodeOfCare.objects.filter(
        ended_at__isnull=True, stage=Stage.WITHDRAWAL_MANAGEMENT
    )
    falling = 0
    for episode in episodes:
        series = list(episode.administrations.filter(code="ciwab").order_by("administered_at"))
        assert len(series) >= 3
        assert all(1 <= a.total <= 40 and a.band in ("mild", "moderate") for a in series)
        assert series[0].administered_at >= episode.stage_changed_at
        hours = [
            (b.administered_at - a.administered_at).total_seconds() / 3600
            for a, b in pairwise(series)
        ]
        assert all(4 <= h <= 8 for h in hours)
        falling += series[-1].total < series[0].total
    assert falling == episodes.count() > 0
    assert Administration.objects.filter(code="dast10").count() >= 8
    assert Administration.objects.filter(code="taps1").count() >= 8
    # Backdated together with their timeline entries; audited at load time.
    oldest = Administration.objects.order_by("administered_at").first().administered_at
    newest = Administration.objects.order_by("-administered_at").first().administered_at
    assert (newest - oldest).days > 60
    entries = TimelineEvent.objects.filter(kind="assessment", summary__startswith="PHQ-9")
    assert entries.count() == Administration.objects.filter(code="phq9").count()
    times = set(
        Administration.objects.filter(code="phq9").values_list("administered_at", flat=True)
    )
    assert set(entries.values_list("occurred_at", flat=True)) == times
    # The audit log records the real writes (without answers), and still verifies.
    audited = AuditEvent.objects.filter(object_type="instrument_administration")
    assert audited.count() == Administration.objects.count()
    assert audit_verify().ok


def test_exactly_one_urgent_alert_waits_for_the_care_team(demo):
    positive = [
        a for a in Administration.objects.filter(code="phq9") if a.answers[8] and a.answers[8] > 0
    ]
    assert len(positive) == 1
    patient = positive[0].patient
    assert patient.episodes.get(ended_at__isnull=True).stage == Stage.TREATMENT
    screener = Administration.objects.get(code="cssrs")
    assert (screener.patient, screener.band) == (patient, "high")
    assert screener.administered_at > positive[0].administered_at
    sources = set(urgent_unresolved().values_list("patient_id", "source_type", "source_id"))
    assert sources == {(patient.pk, "instrument_administration", str(screener.pk))}
    assert not urgent_unresolved().filter(acknowledged_at__isnull=False).exists()
    team = set(patient.care_team.filter(active=True).values_list("user__username", flat=True))
    assert set(urgent_unresolved().values_list("recipient__username", flat=True)) == team
    client = verified_client(User.objects.get(username="counselor"))
    response = client.get(reverse("chart:dashboard"))
    assert [a.patient_id for a in response.context["alerts"]] == [patient.pk]
    assert patient.mrn in response.content.decode()
    # The chart shows the banner and results panel; the trends page charts the series.
    chart = client.get(reverse("chart:chart", args=[patient.pk]))
    assert chart.status_code == 200
    body = chart.content.decode()
    assert "C-SSRS" in body and "PHQ-9" in body and "GAD-7" in body
    trends = client.get(reverse("instruments:trends", args=[patient.pk]))
    assert trends.status_code == 200
    shown = {t.instrument.code: len(t.rows) for t in trends.context["trends"]}
    assert shown["phq9"] >= 2 and shown["gad7"] >= 2 and shown["cssrs"] == 1
    assert "<svg" in trends.content.decode()


def test_intakes_are_drafts_at_assessment_and_signed_past_it(demo):
    open_ = EpisodeOfCare.objects.filter(ended_at__isnull=True)
    at_assessment = open_.filter(stage=Stage.ASSESSMENT)
    drafts = IntakeAssessment.objects.filter(status=AssessmentStatus.DRAFT)
    assert set(drafts.values_list("episode", flat=True)) == set(
        at_assessment.values_list("pk", flat=True)
    )
    assert all(d.sections.get("withdrawal_history") for d in drafts)
    prompts = [
        {p.code for p in placement_prompts(d)} for d in drafts.prefetch_related("substances")
    ]
    assert sum("complicated_withdrawal_history" in codes for codes in prompts) == 1
    past = open_.exclude(stage__in=[Stage.INQUIRY, Stage.ASSESSMENT])
    signed = IntakeAssessment.objects.filter(status=AssessmentStatus.SIGNED)
    assert set(signed.values_list("episode", flat=True)) == set(past.values_list("pk", flat=True))
    for intake in signed.select_related("episode"):
        assert not [r for r in intake.ratings.all() if r.rating is None]
        went_through_wm = intake.episode.transitions.filter(
            to_stage=Stage.WITHDRAWAL_MANAGEMENT
        ).exists()
        assert (intake.level_of_care in WITHDRAWAL_LEVELS) == went_through_wm
        # Signed during the Assessment stage, before the episode moved on.
        moved_on = intake.episode.transitions.get(from_stage=Stage.ASSESSMENT).moved_at
        assert intake.created_at < intake.signed_at < moved_on
    problems = Problem.objects.all()
    assert 3 <= problems.count() <= 10
    assert set(problems.values_list("icd10cm", flat=True)) <= {"F13.10", "F13.20"}
    confirmed = problems.filter(status=ProblemStatus.CONFIRMED)
    assert 0 < confirmed.count() < problems.count()
    assert set(confirmed.values_list("confirmed_by__username", flat=True)) == {"physician"}


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
    assert urgent_unresolved().values("source_id").distinct().count() == 1


def test_demo_people_are_fictional_and_seeded(demo):
    names = list(Patient.objects.values_list("legal_family_name", flat=True))
    assert len(set(names)) > 20
    assert all(p.endswith("@example.com") for p in Patient.objects.values_list("email", flat=True))
    assert all(
        re.fullmatch(r"\d{3}-555-01\d\d", phone)
        for phone in Patient.objects.values_list("phone_mobile", flat=True)
    )
    # The same seed gives the same people, so reruns on a fresh database match.
    assert _People(7).patient_fields() == _People(7).patient_fields()
    assert _People(7).patient_fields() != _People(8).patient_fields()


def test_running_twice_adds_nothing(demo):
    before = row_counts()
    again = run()
    assert row_counts() == before
    assert "already exist" in again
    assert "Existing passwords were kept" in again


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


def test_bulk_load_creates_patients_with_episodes_and_timelines(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    out = run("--patients", "300", "--events-per-patient", "3")
    assert "Created 300 patients" in out
    assert Patient.objects.count() == 300
    assert not Patient.objects.filter(episodes__isnull=True).exists()
    assert EpisodeOfCare.objects.filter(ended_at__isnull=True).count() > 120
    # Bulk loads are for benchmarks: no instruments, alerts or intakes.
    assert not Administration.objects.exists()
    assert not ClinicalAlert.objects.exists()
    assert not IntakeAssessment.objects.exists()
    assert set(EpisodeOfCare.objects.values_list("stage", flat=True)) == set(Stage)
    assert not Patient.objects.filter(search_family="").exists()
    sample = Patient.objects.first()
    assert sample.search_family == sample.legal_family_name.lower()
    assert sample.timeline.filter(kind__in=["note", "contact", "observation"]).exists()
    notes = TimelineEvent.objects.exclude(kind__in=["registered", "episode_opened"])
    assert notes.exclude(kind="stage_changed").count() == 300 * 3
    # Realistic caseload for the demo counselor, and one audit event for the load.
    counselor = User.objects.get(username="counselor")
    groups, _ = dashboard_groups(counselor)
    assert 15 <= sum(len(g.episodes) for g in groups) <= 45
    load = AuditEvent.objects.get(object_type="demo_data")
    assert load.action == "create" and load.detail["patients"] == 300
    assert audit_verify().ok
    # Running again with the same target adds nothing.
    before = row_counts()
    run("--patients", "300")
    assert row_counts() == before


def test_demo_totp_prints_the_current_code(demo):
    device = TOTPDevice.objects.get(user__username="counselor")
    out = io.StringIO()
    call_command("demo_totp", "counselor", stdout=out)
    expected = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, d):06d}" for d in (0, -1)
    }
    assert out.getvalue().strip() in expected


def test_demo_totp_refuses_other_users_and_production(demo):
    User.objects.create_user(username="someone", password="fictional pass 12345")
    with pytest.raises(CommandError):
        call_command("demo_totp", "someone")
    with override_settings(SETTINGS_MODULE="openrecovery.settings.production"):
        with pytest.raises(CommandError):
            call_command("demo_totp", "counselor")
